"""The people side of the sandbox: users, group chats and stored files, shared by every bot."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import SandboxError

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data

    def private_chat_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        return data


@dataclass(slots=True)
class Group:
    id: int
    title: str
    type: str  # "group" | "supergroup"
    members: set[int] = field(default_factory=set)
    is_forum: bool = False

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type, "title": self.title}
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass(slots=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    mime_type: str = "application/octet-stream"

    @property
    def file_path(self) -> str:
        extension = {"photo": "jpg", "voice": "oga", "video": "mp4", "sticker": "webp"}.get(self.kind, "bin")
        return f"{self.kind}s/file_{self.file_unique_id}.{extension}"


# Smallest valid JPEG-ish payload; content is never decoded.
FAKE_JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


class FileStore:
    """Files by file_id, with generated ids like Telegram's (opaque strings)."""

    def __init__(self) -> None:
        self._by_id: dict[str, StoredFile] = {}
        self._by_path: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[JSON]] = {}
        self._seq = itertools.count(1)

    def add(self, kind: str, data: bytes, mime_type: str = "application/octet-stream") -> StoredFile:
        n = next(self._seq)
        stored = StoredFile(f"SBX{kind[:3].upper()}{n:08d}AAQ", f"AQAD{n:06d}", kind, data, mime_type)
        self._by_id[stored.file_id] = stored
        self._by_path[stored.file_path] = stored
        return stored

    def get(self, file_id: str) -> StoredFile | None:
        return self._by_id.get(file_id)

    def by_path(self, file_path: str) -> StoredFile | None:
        return self._by_path.get(file_path)

    def photo_sizes(self, data: bytes) -> list[JSON]:
        """Three PhotoSize entries (thumbnail to full size) for one picture, as Telegram returns."""
        sizes: list[JSON] = []
        for width, height in ((90, 67), (320, 240), (1280, 960)):
            stored = self.add("photo", data, "image/jpeg")
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": width,
                    "height": height,
                    "file_size": len(data),
                }
            )
        for size in sizes:
            self._photo_sets[size["file_id"]] = sizes
        return sizes

    def photo_set(self, file_id: str) -> list[JSON] | None:
        """All sizes of the photo one of whose sizes has ``file_id``."""
        return self._photo_sets.get(file_id)


class Directory:
    """Users and groups; a private chat's id is its user's id, group ids are negative."""

    def __init__(self) -> None:
        self.users: dict[int, User] = {}
        self.groups: dict[int, Group] = {}
        self._user_ids = itertools.count(100_000_001)
        self._group_ids = itertools.count(1)

    def create_user(
        self,
        *,
        user_id: int | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> User:
        uid = user_id if user_id is not None else next(i for i in self._user_ids if i not in self.users)
        if uid <= 0:
            raise SandboxError(f"user ids are positive, got {uid}")
        user = User(uid, first_name, last_name, username, language_code)
        self.users[uid] = user
        return user

    def create_group(
        self,
        title: str,
        *,
        members: tuple[int, ...] | list[int] = (),
        chat_id: int | None = None,
        supergroup: bool = False,
        is_forum: bool = False,
    ) -> Group:
        if chat_id is None:
            n = next(i for i in self._group_ids if -i not in self.groups and -(10**12 + i) not in self.groups)
            chat_id = -(10**12 + n) if supergroup else -n
        if chat_id >= 0:
            raise SandboxError(f"group ids are negative, got {chat_id}")
        unknown = [m for m in members if m not in self.users]
        if unknown:
            raise SandboxError(f"unknown group members {unknown}; create the users first")
        group = Group(chat_id, title, "supergroup" if supergroup else "group", set(members), is_forum)
        self.groups[chat_id] = group
        return group

    def user(self, user: int | User) -> User:
        uid = user.id if isinstance(user, User) else user
        try:
            return self.users[uid]
        except KeyError:
            raise SandboxError(f"unknown user {uid}; create it with create_user()") from None

    def chat_json(self, chat_id: int) -> JSON | None:
        """The Chat object for ``chat_id``, or None if no such chat exists."""
        if chat_id > 0:
            user = self.users.get(chat_id)
            return user.private_chat_json() if user else None
        group = self.groups.get(chat_id)
        return group.to_json() if group else None
