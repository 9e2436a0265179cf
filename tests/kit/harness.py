"""Drive the core directly with Inbound events (no channel), over a real SQLite file."""

from __future__ import annotations

import itertools
from typing import Any

from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.core import Core
from bot.people.staff import sync_staff
from common.events import Button, EventKind, Inbound, Outbound, Text
from storage.db import Database
from storage.outbox import OutboxRepo, OutboxRow

_ids = itertools.count(1)


class Harness:
    def __init__(self, settings: Settings, db: Database, clock: FakeClock) -> None:
        self.settings, self.db, self.clock = settings, db, clock
        self.wakes = 0
        self.core = Core(settings, db, clock, on_outbox=self._wake)
        self.urgent: list[Outbound] = []

    def _wake(self) -> None:
        self.wakes += 1

    async def setup(self) -> Harness:
        await sync_staff(self.db, self.settings, self.clock.now())
        return self

    async def event(self, user: str, kind: EventKind, *, lang: str = "en", **fields: Any) -> list[Outbound]:
        ev = Inbound(
            channel=fields.pop("channel", "telegram"),
            kind=kind,
            user=user,
            chat=fields.pop("chat", user),
            lang_code=lang,
            at=self.clock.now(),
            **fields,
        )
        self.urgent = []
        replies = await self.core.handle(ev, self.urgent.append)
        return [*self.urgent, *replies]

    async def text(self, user: str, text: str, **kw: Any) -> list[Outbound]:
        if text.startswith("/"):
            head, _, rest = text[1:].partition(" ")
            return await self.event(user, EventKind.COMMAND, command=head, args=tuple(rest.split()), text=text, **kw)
        return await self.event(user, EventKind.TEXT, text=text, **kw)

    async def press(self, user: str, data: str, message_id: str = "1", **kw: Any) -> list[Outbound]:
        return await self.event(
            user, EventKind.BUTTON, data=data, button_id=f"q{next(_ids)}", message_id=message_id, **kw
        )

    async def outbox(self, purpose: str | None = None) -> list[OutboxRow]:
        rows = await self.db.fetchall("SELECT id FROM outbox ORDER BY id")
        async with self.db.lock:
            repo = OutboxRepo(self.db.conn)
            found = [await repo.get(int(r[0])) for r in rows]
        return [r for r in found if r is not None and (purpose is None or r.purpose == purpose)]


def texts(replies: list[Outbound]) -> list[str]:
    return [r.text for r in replies if isinstance(r, Text)]


def buttons(replies: list[Outbound]) -> list[Button]:
    return [b for r in replies if isinstance(r, Text) for row in r.buttons for b in row]


def button_data(replies: list[Outbound]) -> list[str]:
    return [b.data for b in buttons(replies)]
