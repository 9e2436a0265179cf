"""Acting as people, continued: users send photos, stickers, voice notes, videos and documents
(files get generated file_ids, retrievable with getFile)."""

from __future__ import annotations

from typing import Any

from sandbox.actors import Actors, Posted, UserRef
from sandbox.world import FAKE_JPEG

JSON = dict[str, Any]


class MediaActors(Actors):
    async def send_photo(
        self,
        user: UserRef,
        *,
        caption: str | None = None,
        data: bytes = FAKE_JPEG,
        chat_id: int | None = None,
    ) -> Posted:
        body: JSON = {"photo": self._world.files.photo_sizes(data)}
        if caption:
            body["caption"] = caption
        return self._post_message(user, body, chat_id)

    def _file(self, kind: str, data: bytes, mime_type: str) -> JSON:
        stored = self._world.files.add(kind, data, mime_type)
        return {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id, "file_size": len(data)}

    async def send_sticker(self, user: UserRef, *, emoji: str = "👍", chat_id: int | None = None) -> Posted:
        sticker = self._file("sticker", b"RIFF....WEBP", "image/webp")
        sticker.update(type="regular", width=512, height=512, is_animated=False, is_video=False, emoji=emoji)
        return self._post_message(user, {"sticker": sticker}, chat_id)

    async def send_voice(self, user: UserRef, *, duration_s: int = 3, chat_id: int | None = None) -> Posted:
        voice = self._file("voice", b"OggS" + bytes(64), "audio/ogg")
        voice.update(duration=duration_s, mime_type="audio/ogg")
        return self._post_message(user, {"voice": voice}, chat_id)

    async def send_video(
        self, user: UserRef, *, duration_s: int = 5, caption: str | None = None, chat_id: int | None = None
    ) -> Posted:
        video = self._file("video", bytes(128), "video/mp4")
        video.update(width=640, height=360, duration=duration_s, mime_type="video/mp4")
        body: JSON = {"video": video}
        if caption:
            body["caption"] = caption
        return self._post_message(user, body, chat_id)

    async def send_document(
        self,
        user: UserRef,
        *,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        data: bytes = b"%PDF-1.4\n%%EOF\n",
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> Posted:
        document = self._file("document", data, mime_type)
        document.update(file_name=file_name, mime_type=mime_type)
        body: JSON = {"document": document}
        if caption:
            body["caption"] = caption
        return self._post_message(user, body, chat_id)
