"""Acting as people: users write, share a location or contact, send media, edit, press buttons and
block the bot. Each action stores the message in the chat and queues a proper Update."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sandbox.botworld import BotWorld, CallbackQuery, ChatMessage
from sandbox.errors import SandboxError
from sandbox.markup import user_entities
from sandbox.world import Group, User

JSON = dict[str, Any]
UserRef = int | User


@dataclass(frozen=True, slots=True)
class Posted:
    """What an action queued: the update's id (None if ``allowed_updates`` filtered it out), the chat,
    the message id (for messages) and the update JSON."""

    update_id: int | None
    chat_id: int
    message_id: int | None
    update: JSON
    callback_query_id: str | None = None


class Actors:
    def __init__(self, world: BotWorld) -> None:
        self._world = world

    # --- people and groups ----------------------------------------------------------------------
    def create_user(
        self,
        user_id: int | None = None,
        first_name: str = "Test",
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> User:
        return self._world.directory.create_user(
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )

    def create_group(
        self,
        title: str,
        members: list[int] | tuple[int, ...] = (),
        *,
        chat_id: int | None = None,
        supergroup: bool = False,
        is_forum: bool = False,
    ) -> Group:
        return self._world.directory.create_group(
            title, members=members, chat_id=chat_id, supergroup=supergroup, is_forum=is_forum
        )

    # --- messages -------------------------------------------------------------------------------
    def _sender(self, user: UserRef, chat_id: int | None) -> tuple[User, int]:
        sender = self._world.directory.user(user)
        target = sender.id if chat_id is None else chat_id
        if target > 0 and target != sender.id:
            raise SandboxError(f"user {sender.id} can only write to the bot in its own private chat")
        if target < 0:
            group = self._world.directory.groups.get(target)
            if group is None or sender.id not in group.members:
                raise SandboxError(f"user {sender.id} is not a member of group {target}")
        if target in self._world.blocked_by:
            raise SandboxError(f"user {sender.id} blocked the bot; call unblock() first")
        self._world.not_started.discard(sender.id)  # writing to the bot starts it
        return sender, target

    def _post_message(
        self,
        user: UserRef,
        body: JSON,
        chat_id: int | None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> Posted:
        sender, target = self._sender(user, chat_id)
        if reply_to is not None:
            replied = self._world.find_message(target, reply_to)
            if replied is None:
                raise SandboxError(f"no message {reply_to} in chat {target} to reply to")
            body["reply_to_message"] = {k: v for k, v in replied.data.items() if k != "reply_to_message"}
        if thread_id is not None:
            body["message_thread_id"] = thread_id
            body["is_topic_message"] = True
        stored = self._world.add_message(target, body, from_bot=False, sender=sender.to_json())
        update = {"message": copy.deepcopy(stored.data)}
        return Posted(self._world.push_update(update), target, stored.message_id, update)

    async def send_text(
        self,
        user: UserRef,
        text: str,
        *,
        chat_id: int | None = None,
        reply_to: int | None = None,
        thread_id: int | None = None,
    ) -> Posted:
        """A text message; commands such as ``/start CODE`` get ``bot_command`` entities."""
        body: JSON = {"text": text}
        entities = user_entities(text)
        if entities:
            body["entities"] = entities
        return self._post_message(user, body, chat_id, reply_to, thread_id)

    async def send_location(
        self,
        user: UserRef,
        latitude: float,
        longitude: float,
        *,
        chat_id: int | None = None,
        horizontal_accuracy: float | None = None,
        live_period: int | None = None,
    ) -> Posted:
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        if live_period is not None:
            location["live_period"] = live_period
        return self._post_message(user, {"location": location}, chat_id)

    async def send_contact(
        self,
        user: UserRef,
        phone_number: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        contact_user_id: int | None = None,
        own: bool = True,
        chat_id: int | None = None,
    ) -> Posted:
        """A contact; by default the sender's own (``user_id`` = sender), as ``request_contact`` sends."""
        sender = self._world.directory.user(user)
        contact: JSON = {"phone_number": phone_number, "first_name": first_name or sender.first_name}
        if last_name is not None:
            contact["last_name"] = last_name
        uid = contact_user_id if contact_user_id is not None else (sender.id if own else None)
        if uid is not None:
            contact["user_id"] = uid
        return self._post_message(sender, {"contact": contact}, chat_id)

    async def edit_text(self, user: UserRef, message_id: int, text: str, *, chat_id: int | None = None) -> Posted:
        """The user edits an earlier text message of theirs: an ``edited_message`` update."""
        sender, target = self._sender(user, chat_id)
        stored = self._world.find_message(target, message_id)
        if stored is None or stored.from_bot or stored.data.get("from", {}).get("id") != sender.id:
            raise SandboxError(f"user {sender.id} has no message {message_id} in chat {target}")
        entities = user_entities(text)
        self._world.record_edit(stored, {"text": text, "entities": entities or None})
        update = {"edited_message": copy.deepcopy(stored.data)}
        return Posted(self._world.push_update(update), target, message_id, update)

    # --- buttons and blocking -------------------------------------------------------------------
    async def press_button(
        self,
        user: UserRef,
        message_id: int,
        *,
        data: str | None = None,
        text: str | None = None,
        chat_id: int | None = None,
        forge: bool = False,
    ) -> Posted:
        """Press an inline button of a bot message, found by ``data`` or by its ``text``. With
        ``forge=True`` any ``data`` is sent, even for a missing message (then inaccessible)."""
        sender, target = self._sender(user, chat_id)
        stored = self._world.find_message(target, message_id)
        if forge:
            if data is None:
                raise SandboxError("forge=True needs data")
            message = (
                _message_json(stored) if stored else {"chat": self._chat(target), "message_id": message_id, "date": 0}
            )
        else:
            if stored is None or not stored.from_bot:
                raise SandboxError(f"no bot message {message_id} in chat {target}")
            data = _find_button(stored, data, text)
            message = _message_json(stored)
        query = CallbackQuery(self._world.new_callback_id(), sender.id, target, message_id, data)
        self._world.callback_queries[query.id] = query
        body: JSON = {
            "id": query.id,
            "from": sender.to_json(),
            "message": message,
            "chat_instance": str(abs(target) * 7919 % 10**15),
            "data": data,
        }
        update = {"callback_query": body}
        return Posted(self._world.push_update(update), target, message_id, update, query.id)

    async def press_inline_button(self, user: UserRef, data: str, *, inline_message_id: str = "AAAAAQ") -> Posted:
        """Press a button under an inline message (sent through inline mode): the update has no
        ``message``, only an ``inline_message_id``."""
        sender, _ = self._sender(user, None)
        query = CallbackQuery(self._world.new_callback_id(), sender.id, 0, 0, data)
        self._world.callback_queries[query.id] = query
        body: JSON = {
            "id": query.id,
            "from": sender.to_json(),
            "inline_message_id": inline_message_id,
            "chat_instance": "-" + str(sender.id * 7919 % 10**15),
            "data": data,
        }
        update = {"callback_query": body}
        return Posted(self._world.push_update(update), sender.id, 0, update, query.id)

    def _chat(self, chat_id: int) -> JSON:
        return self._world.directory.chat_json(chat_id) or {"id": chat_id, "type": "private"}

    def set_not_started(self, user: UserRef) -> None:
        """The user has never opened the bot: sends to them (and ``setMyCommands`` for their chat) answer
        400 "chat not found" until they write to the bot or press one of its buttons."""
        self._world.not_started.add(self._world.directory.user(user).id)

    async def block(self, user: UserRef) -> Posted:
        """The user blocks the bot: sends to them answer 403; a ``my_chat_member`` update is queued."""
        return self._member_change(user, "member", "kicked")

    async def unblock(self, user: UserRef) -> Posted:
        return self._member_change(user, "kicked", "member")

    def _member_change(self, user: UserRef, old: str, new: str) -> Posted:
        sender = self._world.directory.user(user)
        if new == "kicked":
            self._world.blocked_by.add(sender.id)
        else:
            self._world.blocked_by.discard(sender.id)

        def member(status: str) -> JSON:
            return {
                "status": status,
                "user": self._world.user,
                **({"until_date": 0} if status == "kicked" else {}),
            }

        body = {
            "chat": sender.private_chat_json(),
            "from": sender.to_json(),
            "date": self._world.now(),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        update = {"my_chat_member": body}
        return Posted(self._world.push_update(update), sender.id, None, update)

    async def inject_raw_update(self, update: JSON) -> int:
        """Queue arbitrary JSON as-is (for fuzzing); numbered if it has no int ``update_id``."""
        seq = self._world.updates.push(update, raw=True)
        assert seq is not None
        return seq


def _message_json(stored: ChatMessage) -> JSON:
    return copy.deepcopy(stored.data)


def _find_button(stored: ChatMessage, data: str | None, text: str | None) -> str:
    if data is None and text is None:
        raise SandboxError("press_button needs data= or text=")
    for button in stored.buttons():
        if (data is not None and button.get("callback_data") == data) or (text is not None and button["text"] == text):
            found = button.get("callback_data")
            if not isinstance(found, str):
                raise SandboxError(f"button {button['text']!r} has no callback_data")
            return found
    labels = [(b["text"], b.get("callback_data")) for b in stored.buttons()]
    raise SandboxError(f"message {stored.message_id} has no button data={data!r} text={text!r}; buttons: {labels}")
