"""``hotline broadcast preview|send|status``: broadcasts from the command line.

``send`` records the broadcast (who: the command line) and follows it with a progress bar; the running
bot's broadcaster sends it (one process owns sending). Without a TTY the bar prints a line per 10 %.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.broadcast.audience import Progress, add_broadcast, audience_size, progress
from bot.cli.text import Kit, Say
from bot.clock import SystemClock
from bot.config.settings import CONFIGURED_CHANNEL, Settings
from bot.i18n import Lang, t
from storage.broadcasts import BroadcastKind, BroadcastsRepo
from storage.engines import open_database


def add_parser(sub: argparse._SubParsersAction, kit: Kit) -> None:  # type: ignore[type-arg]
    parser = kit.add(sub, "broadcast", "help.broadcast")
    cmds = kit.commands(parser, "broadcast_command")
    for name in ("preview", "send"):
        p = kit.add(cmds, name, f"help.broadcast_{name}")
        p.add_argument("--text", required=True, help=kit.say("help.broadcast_text"))
        p.add_argument("--audience", default="subscribers", help=kit.say("help.broadcast_audience"))
        p.add_argument("--notice", action="store_true", help=kit.say("help.broadcast_notice"))
        kit.with_config(p)
        if name == "send":
            p.add_argument("--no-wait", action="store_true", help=kit.say("help.broadcast_no_wait"))
    status = kit.add(cmds, "status", "help.broadcast_status")
    status.add_argument("id", type=int, nargs="?", help=kit.say("help.broadcast_id"))
    kit.with_config(status)


def _texts(settings: Settings, text: str, notice: bool, audience: str) -> dict[str, str]:
    hotline, district = settings.utility.hotline, audience.removeprefix("district:")
    if notice:
        return {lang.value: t(lang, "broadcast.notice", district=district, text=text, hotline=hotline) for lang in Lang}
    return {lang.value: t(lang, "broadcast.message", text=text, hotline=hotline) for lang in Lang}


PICKUP_S = 5.0  # `send` says so when no running bot has started the broadcast within this


def shown_time(when: datetime, zone: ZoneInfo) -> str:
    """A time for an operator: in the utility's zone, the zone named (``2027-01-04 16:00 Asia/Shanghai``)."""
    return f"{when.astimezone(zone):%Y-%m-%d %H:%M:%S} {zone.key}"


def line(state: Progress, zone: ZoneInfo, say: Say) -> str:
    b = state.broadcast
    return say(
        "broadcast.line",
        id=b.id,
        kind=b.kind,
        audience=b.audience,
        status=b.status,
        recipients=state.audience,
        sent=state.sent,
        blocked=state.blocked,
        failed=state.failed,
        uncertain=state.uncertain,
        pending=state.pending,
        finish=shown_time(state.expected_finish, zone) if state.expected_finish else "-",
    )


class ProgressBar:
    """``[#####.....] 50% 5000/10000`` redrawn in place on a TTY; a plain line per 10 % otherwise."""

    def __init__(self, out: TextIO, say: Say, width: int = 30) -> None:
        self.out, self.width, self.tty, self.last_decile = out, width, out.isatty(), -1
        self.not_delivered = say("broadcast.not_delivered")

    def show(self, state: Progress) -> None:
        done = state.audience - state.pending
        share = done / state.audience if state.audience else 1.0
        if self.tty:
            filled = int(share * self.width)
            bar = "#" * filled + "." * (self.width - filled)
            self.out.write(
                f"\r[{bar}] {share:4.0%} {done}/{state.audience}  {state.failed + state.blocked} {self.not_delivered}"
            )
            self.out.flush()
        elif int(share * 10) > self.last_decile:
            self.last_decile = int(share * 10)
            self.out.write(f"{share:.0%} {done}/{state.audience}\n")
            self.out.flush()

    def end(self) -> None:
        if self.tty:
            self.out.write("\n")


async def run(
    settings: Settings,
    args: argparse.Namespace,
    say: Say,
    out: TextIO | None = None,
    poll_s: float = 0.5,
    pickup_s: float = PICKUP_S,
) -> int:
    out = out or sys.stdout
    zone = settings.utility.tz
    db = await open_database(settings.storage)
    clock = SystemClock()
    try:
        if args.broadcast_command == "status":
            if args.id is not None:
                print(line(await progress(db, settings, args.id, clock.now()), zone, say), file=out)
                return 0
            recent = await db.read(lambda conn: BroadcastsRepo(conn).recent(20))
            if not recent:
                print(say("broadcast.none"), file=out)
            for item in recent:
                print(line(await progress(db, settings, item.id, clock.now()), zone, say), file=out)
            return 0
        texts = _texts(settings, args.text, args.notice, args.audience)
        if args.broadcast_command == "preview":
            sizes = await db.read(lambda conn: audience_size(conn, settings, args.audience))
            total, zh, en = sum(sizes.values()), sizes.get("zh", 0), sizes.get("en", 0)
            print(say("broadcast.recipients", total=total, zh=zh, en=en), file=out)
            for lang, text in texts.items():
                print(f"--- {lang} ---\n{text}", file=out)
            return 0
        kind: BroadcastKind = "notice" if args.notice else "broadcast"
        now = clock.now()
        broadcast_id = await db.run(
            lambda tx: add_broadcast(
                BroadcastsRepo(tx),
                settings,
                kind=kind,
                audience=args.audience,
                texts=texts,
                now=now,
                channel=CONFIGURED_CHANNEL,
            )
        )
        print(say("broadcast.queued", id=broadcast_id), file=out)
        if args.no_wait:
            return 0
        bar = ProgressBar(out, say)
        waiting_since, told = time.monotonic(), False
        while True:
            state = await progress(db, settings, broadcast_id, clock.now())
            if state.broadcast.status != "queued":
                bar.show(state)
            elif not told and not state.audience and time.monotonic() - waiting_since >= pickup_s:
                told = True
                print(say("broadcast.not_picked_up", id=broadcast_id), file=out, flush=True)
            if state.done:
                bar.end()
                print(line(state, zone, say), file=out)
                return 0
            await asyncio.sleep(poll_s)
    finally:
        await db.close()
