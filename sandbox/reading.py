"""Reading what the bot did: messages per chat (current state and edits), reply keyboards, callback
answers, commands; and bounded waits for the bot's messages."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from sandbox.actors_media import MediaActors
from sandbox.botworld import ChatMessage

JSON = dict[str, Any]
Predicate = Callable[[ChatMessage], bool]


class BotView(MediaActors):
    """Acting and reading for one bot token (``Sandbox`` is the view of its first token)."""

    @property
    def bot_user(self) -> JSON:
        return dict(self._world.user)

    @property
    def pending_updates(self) -> int:
        return len(self._world.updates)

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[ChatMessage]:
        """Messages the bot sent to ``chat_id``, in order, as they are now (after edits)."""
        log = self._world.chats.get(chat_id)
        if log is None:
            return []
        return [m for m in log.bot_messages if include_deleted or not m.deleted]

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.messages(chat_id) if m.text is not None]

    def history(self, chat_id: int) -> list[ChatMessage]:
        """Every message in the chat, the users' and the bot's, in order."""
        log = self._world.chats.get(chat_id)
        return list(log.messages) if log else []

    def last_message(self, chat_id: int) -> ChatMessage | None:
        sent = self.messages(chat_id)
        return sent[-1] if sent else None

    def message_count(self, chat_id: int) -> int:
        """How many messages the bot has sent to ``chat_id`` so far (a ``since`` for ``wait_for``)."""
        log = self._world.chats.get(chat_id)
        return len(log.bot_messages) if log else 0

    def reply_keyboard(self, chat_id: int) -> JSON | None:
        """The reply keyboard the chat shows now (None when none or removed)."""
        log = self._world.chats.get(chat_id)
        return log.reply_keyboard if log else None

    @property
    def callback_answers(self) -> list[JSON]:
        return list(self._world.callback_answers)

    def callback_answer(self, callback_query_id: str) -> JSON | None:
        return next((a for a in self._world.callback_answers if a["callback_query_id"] == callback_query_id), None)

    def commands(self, *, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return list(self._world.commands.get(key, []))

    def is_blocked_by(self, user_id: int) -> bool:
        return user_id in self._world.blocked_by

    def webhook_info(self) -> JSON:
        return self._world.webhook.info(len(self._world.updates), self._world.updates.allowed)

    async def wait_for(
        self,
        chat_id: int,
        predicate: Predicate | None = None,
        *,
        timeout_s: float = 3.0,
        since: int = 0,
    ) -> ChatMessage:
        """The first bot message in ``chat_id`` (from index ``since``) matching ``predicate`` as it is
        now; waits up to ``timeout_s`` and raises ``TimeoutError`` listing what the chat received."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            log = self._world.chats.get(chat_id)
            if log is not None:
                for stored in log.bot_messages[since:]:
                    if not stored.deleted and (predicate is None or predicate(stored)):
                        return stored
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(self._timeout_report(chat_id, timeout_s, since))
            await self._world.wait_changed(remaining)

    async def wait_for_text(
        self, chat_id: int, fragment: str, *, timeout_s: float = 3.0, since: int = 0
    ) -> ChatMessage:
        return await self.wait_for(chat_id, lambda m: fragment in (m.text or ""), timeout_s=timeout_s, since=since)

    async def wait_for_answer(self, callback_query_id: str, *, timeout_s: float = 3.0) -> JSON:
        """The bot's answerCallbackQuery for ``callback_query_id``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while (answer := self.callback_answer(callback_query_id)) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"no answer to callback query {callback_query_id} within {timeout_s:.1f}s")
            await self._world.wait_changed(remaining)
        return answer

    def _timeout_report(self, chat_id: int, timeout_s: float, since: int) -> str:
        received = self.messages(chat_id, include_deleted=True)
        lines = [f"no matching message in chat {chat_id} within {timeout_s:.1f}s; it received {len(received)}:"]
        for index, stored in enumerate(received):
            marker = "  " if index >= since else "- "
            state = " (deleted)" if stored.deleted else ""
            shown = (stored.text or f"<{stored.kind}>").replace("\n", " ")[:120]
            lines.append(f"{marker}#{stored.message_id}{state}: {shown}")
        return "\n".join(lines)
