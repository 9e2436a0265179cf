"""The Bot API sandbox the end-to-end and reliability tests run the bot against, knowing the cast of
bot.cli.demo: the resident, crew A's lead and member, crew B's lead and the dispatcher."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Collection

from bot.cli.demo import DEMO_TOKEN, DISPATCHER, LEAD, MEMBER, OTHER_CREW, RESIDENT
from sandbox import Sandbox

CAST = {RESIDENT: "Zhang Wei", LEAD: "Wang Qiang", MEMBER: "Li Ming", OTHER_CREW: "Zhao Lei", DISPATCHER: "Desk"}


@contextlib.asynccontextmanager
async def cast_sandbox(*others: int, zh: Collection[int] = ()) -> AsyncIterator[Sandbox]:
    """A sandbox on 127.0.0.1 knowing the cast and ``others`` ("User <id>"), in English but for ``zh``."""
    async with Sandbox(DEMO_TOKEN) as sb:
        people = {**CAST, **{user_id: f"User {user_id}" for user_id in others}}
        for user_id, name in people.items():
            sb.create_user(user_id, first_name=name, language_code="zh" if user_id in zh else "en")
        yield sb
