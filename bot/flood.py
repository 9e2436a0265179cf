"""A calm per-user limit on incoming messages.

Messages are counted per account in fixed windows (``[intake] flood_max_messages`` per
``flood_window_s``). Past the limit the person is told once, kindly, to slow down, and further messages
in that window are not acted on. A message that reports danger, and any message while an emergency
report is being filled in, always passes: a leak report is never dropped by the limit.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import aiosqlite

from bot.abandoned import EMERGENCY
from bot.context import Ctx
from bot.detect import Danger
from storage.conversations import Conversation
from storage.db import from_db, to_db

logger = logging.getLogger(__name__)


class Verdict:
    ALLOW = "allow"
    WARN = "warn"  # the first message over the limit: tell the person once
    DROP = "drop"


async def check(
    conn: aiosqlite.Connection,
    channel: str,
    user_ref: str,
    *,
    now: datetime,
    max_messages: int,
    window_s: int,
    exempt: bool,
) -> str:
    """Count this message and say whether to act on it (``Verdict``)."""
    rows = list(
        await conn.execute_fetchall(
            "SELECT window_start, count, warned FROM flood WHERE channel = ? AND user_ref = ?", (channel, user_ref)
        )
    )
    start = from_db(rows[0][0]) if rows else None
    if start is None or now - start >= timedelta(seconds=window_s) or now < start:
        await conn.execute(
            "INSERT INTO flood (channel, user_ref, window_start, count, warned) VALUES (?, ?, ?, 1, 0)"
            " ON CONFLICT (channel, user_ref) DO UPDATE SET window_start = excluded.window_start, count = 1,"
            " warned = 0",
            (channel, user_ref, to_db(now)),
        )
        return Verdict.ALLOW
    count, warned = int(rows[0][1]) + 1, bool(rows[0][2])
    await conn.execute("UPDATE flood SET count = ? WHERE channel = ? AND user_ref = ?", (count, channel, user_ref))
    if exempt or count <= max_messages:
        return Verdict.ALLOW
    if warned:
        return Verdict.DROP
    await conn.execute("UPDATE flood SET warned = 1 WHERE channel = ? AND user_ref = ?", (channel, user_ref))
    logger.info("flood limit reached by a %s user (%d messages in the window)", channel, count)
    return Verdict.WARN


async def admit(ctx: Ctx, danger: Danger | None, conv: Conversation | None) -> bool:
    """Should the core act on this event? Tells the person once when they are over the limit."""
    cfg = ctx.settings.intake
    emergency_report = conv is not None and conv.flow == "intake" and conv.data.get("category") in EMERGENCY
    exempt = (danger is not None and danger.any) or emergency_report or ctx.person.is_staff
    verdict = await check(
        ctx.tx,
        ctx.ev.channel,
        ctx.ev.user,
        now=ctx.now,
        max_messages=cfg.flood_max_messages,
        window_s=cfg.flood_window_s,
        exempt=exempt,
    )
    if verdict == Verdict.WARN:
        ctx.say("flood.slow_down")
    return verdict == Verdict.ALLOW
