"""Everything one bot token owns: its user, its view of each chat (messages with edits), its update
queue and webhook, commands, callback queries and answers, and who blocked it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from sandbox.errors import bad_request, forbidden
from sandbox.updates import UpdateQueue
from sandbox.webhook import Webhook
from sandbox.world import Directory, FileStore

JSON = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Edit:
    """One edit of a message: when, and the message's content after it."""

    at: float
    text: str | None
    reply_markup: JSON | None


@dataclass(slots=True)
class ChatMessage:
    """A message in a chat as it is now (after edits), plus its edit history."""

    chat_id: int
    message_id: int
    from_bot: bool
    data: JSON
    sent_at: float
    edits: list[Edit] = field(default_factory=list)
    deleted: bool = False
    sent_markup: JSON | None = None  # any markup the bot sent (reply keyboard, ForceReply, ...)

    @property
    def text(self) -> str | None:
        value = self.data.get("text", self.data.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def reply_markup(self) -> JSON | None:
        value = self.data.get("reply_markup")
        return value if isinstance(value, dict) else None

    @property
    def kind(self) -> str:
        for key in ("text", "photo", "venue", "location", "contact", "sticker", "voice", "video", "document"):
            if key in self.data:
                return key
        return "other"

    def buttons(self) -> list[JSON]:
        """The inline buttons of this message, row by row."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]


@dataclass(slots=True)
class ChatLog:
    messages: list[ChatMessage] = field(default_factory=list)
    by_id: dict[int, ChatMessage] = field(default_factory=dict)
    bot_messages: list[ChatMessage] = field(default_factory=list)
    reply_keyboard: JSON | None = None
    next_message_id: int = 1


@dataclass(slots=True)
class CallbackQuery:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str | None
    answered: bool = False


class BotWorld:
    def __init__(
        self, token: str, directory: Directory, files: FileStore, clock: Callable[[], float], username: str
    ) -> None:
        prefix = token.split(":", 1)[0]
        self.token = token
        self.id = int(prefix) if prefix.isdigit() else 5_000_000_000 + len(token)
        self.user: JSON = {
            "id": self.id,
            "is_bot": True,
            "first_name": "Gas Hotline Sandbox Bot",
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.directory = directory
        self.files = files
        self.clock = clock
        self.chats: dict[int, ChatLog] = {}
        self.updates = UpdateQueue()
        self.webhook = Webhook()
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.callback_answers: list[JSON] = []
        self.blocked_by: set[int] = set()
        self.not_started: set[int] = set()  # users who never opened the bot: "chat not found" until they write
        self.http_session: aiohttp.ClientSession | None = None  # for webhook delivery, set by the server
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._waiters = 0

    # --- chats and messages -------------------------------------------------------------------
    def chat(self, chat_id: int) -> ChatLog:
        log = self.chats.get(chat_id)
        if log is None:
            log = self.chats[chat_id] = ChatLog()
        return log

    def now(self) -> int:
        return int(self.clock())

    def target_chat(self, chat_id: int | None) -> JSON:
        """The Chat JSON a bot may send to, or the error Telegram would answer."""
        if chat_id is None:
            raise bad_request("chat_id is empty")
        chat = self.directory.chat_json(chat_id)
        if chat is None or chat_id in self.not_started:
            raise bad_request("chat not found")
        if chat_id in self.blocked_by:
            raise forbidden("bot was blocked by the user")
        return chat

    def add_message(self, chat_id: int, body: JSON, *, from_bot: bool, sender: JSON | None = None) -> ChatMessage:
        """Store a new message in ``chat_id``; ``body`` holds the content keys (text, photo, ...)."""
        log = self.chat(chat_id)
        message_id = log.next_message_id
        log.next_message_id += 1
        chat = self.directory.chat_json(chat_id) or {"id": chat_id, "type": "private"}
        data: JSON = {
            "message_id": message_id,
            "from": self.user if from_bot else sender,
            "chat": chat,
            "date": self.now(),
            **body,
        }
        if data["from"] is None:
            del data["from"]
        stored = ChatMessage(chat_id, message_id, from_bot, data, self.clock())
        log.messages.append(stored)
        log.by_id[message_id] = stored
        if from_bot:
            log.bot_messages.append(stored)
            self.notify()
        return stored

    def find_message(self, chat_id: int, message_id: int | None) -> ChatMessage | None:
        log = self.chats.get(chat_id)
        if log is None or message_id is None:
            return None
        stored = log.by_id.get(message_id)
        return None if stored is None or stored.deleted else stored

    def record_edit(self, stored: ChatMessage, changes: JSON) -> None:
        for key, value in changes.items():
            if value is None:
                stored.data.pop(key, None)
            else:
                stored.data[key] = value
        stored.data["edit_date"] = self.now()
        stored.edits.append(Edit(self.clock(), stored.text, stored.reply_markup))
        if stored.from_bot:
            self.notify()

    # --- updates --------------------------------------------------------------------------------
    def push_update(self, body: JSON) -> int | None:
        return self.updates.push(body)

    def new_callback_id(self) -> str:
        return f"{self.id}{next(self._callback_ids):010d}"

    # --- waiting for the bot's messages -----------------------------------------------------------
    def notify(self) -> None:
        if self._waiters:
            self._changed.set()
            self._changed = asyncio.Event()

    async def wait_changed(self, timeout_s: float) -> None:
        self._waiters += 1
        try:
            async with asyncio.timeout(max(0.0, timeout_s)):
                await self._changed.wait()
        except TimeoutError:
            return
        finally:
            self._waiters -= 1
