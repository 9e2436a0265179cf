"""The per-update context handed to every flow of the core: who, when, in which language, inside which
transaction, and the replies collected so far."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.config.settings import Settings
from bot.i18n import Lang, t
from common.events import Answer, Button, Edit, Inbound, Key, Outbound, Priority, Text
from storage.audit import AuditRepo
from storage.conversations import Conversation
from storage.db import Conn
from storage.people import Person


@dataclass
class Ctx:
    ev: Inbound
    now: datetime
    person: Person
    tx: Conn
    settings: Settings
    replies: list[Outbound] = field(default_factory=list)
    outbox_rows: int = 0
    # The person's conversation as the core read it at the start of this update (None: none), so that
    # a handler reached straight from there need not read it again; ``conv_read`` says it was read.
    conv: Conversation | None = None
    conv_read: bool = False
    # The safety card of this update carried the report's location question (``bot.intake.asking.ask_on_card``)
    card_asked_where: bool = False

    @property
    def lang(self) -> Lang:
        return Lang(self.person.lang)

    async def audit_refusal(self, action: str, detail: str) -> None:
        """Record that this person was refused ``action`` (the caller tells them why)."""
        await AuditRepo(self.tx).refused(
            channel=self.ev.channel, actor=self.ev.user, action=action, detail=detail, now=self.now
        )

    def t(self, key: str, /, **values: object) -> str:
        return t(self.lang, key, hotline=self.settings.utility.hotline, **values)

    def say(
        self,
        key: str,
        /,
        *,
        buttons: list[list[Button]] | None = None,
        keyboard: list[list[Key]] | None = None,
        remove_keyboard: bool = False,
        priority: Priority = Priority.CONVERSATION,
        **values: object,
    ) -> None:
        self.say_text(
            self.t(key, **values),
            buttons=buttons,
            keyboard=keyboard,
            remove_keyboard=remove_keyboard,
            priority=priority,
        )

    def say_text(
        self,
        text: str,
        *,
        buttons: list[list[Button]] | None = None,
        keyboard: list[list[Key]] | None = None,
        remove_keyboard: bool = False,
        priority: Priority = Priority.CONVERSATION,
    ) -> None:
        self.replies.append(
            Text(
                chat=self.ev.chat,
                text=text,
                buttons=buttons or [],
                keyboard=keyboard,
                remove_keyboard=remove_keyboard,
                priority=priority,
            )
        )

    def toast(self, key: str, /, **values: object) -> None:
        """Answer the pressed button with a short text."""
        self.replies.append(Answer(chat=self.ev.chat, button_id=self.ev.button_id or "", text=self.t(key, **values)))

    def edit_pressed(self, text: str, buttons: list[list[Button]] | None = None) -> None:
        """Replace the message the pressed button sits on (and its buttons: none unless given)."""
        if self.ev.message_id:
            self.replies.append(
                Edit(chat=self.ev.chat, message_id=self.ev.message_id, text=text, buttons=buttons or [])
            )


Handler = Callable[[Ctx], Awaitable[None]]
