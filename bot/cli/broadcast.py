"""``hotline broadcast preview|send|status``: broadcasts from the command line.

``send`` records the broadcast (who: the command line) and follows it with a progress bar; the running
bot's broadcaster sends it (one process owns sending). Without a TTY the bar prints a line per 10 %.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.broadcast.audience import Progress, add_broadcast, audience_size, progress
from bot.clock import SystemClock
from bot.config.settings import Settings
from bot.i18n import Lang, t
from storage.broadcasts import BroadcastsRepo, Kind
from storage.db import Database


def add_parser(sub: argparse._SubParsersAction, with_config: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("broadcast", help="send a broadcast or an area notice; show progress")
    cmds = parser.add_subparsers(dest="broadcast_command", required=True)
    for name in ("preview", "send"):
        p = cmds.add_parser(name, help=f"{name} a broadcast")
        p.add_argument("--text", required=True, help="the message (the hotline number is added)")
        p.add_argument("--audience", default="subscribers", help="subscribers, crews or district:NAME")
        p.add_argument("--notice", action="store_true", help="an urgent area notice (ignores quiet hours)")
        with_config(p)
        if name == "send":
            p.add_argument("--no-wait", action="store_true", help="queue it and return")
    status = cmds.add_parser("status", help="progress of recent broadcasts, or of one")
    status.add_argument("id", type=int, nargs="?")
    with_config(status)


def _texts(settings: Settings, text: str, notice: bool, audience: str) -> dict[str, str]:
    hotline, district = settings.utility.hotline, audience.removeprefix("district:")
    if notice:
        return {lang.value: t(lang, "broadcast.notice", district=district, text=text, hotline=hotline) for lang in Lang}
    return {lang.value: t(lang, "broadcast.message", text=text, hotline=hotline) for lang in Lang}


PICKUP_S = 5.0  # `send` says so when no running bot has started the broadcast within this


def shown_time(when: datetime, zone: ZoneInfo) -> str:
    """A time for an operator: in the utility's zone, the zone named (``2027-01-04 16:00 Asia/Shanghai``)."""
    return f"{when.astimezone(zone):%Y-%m-%d %H:%M:%S} {zone.key}"


def line(state: Progress, zone: ZoneInfo) -> str:
    b = state.broadcast
    finish = shown_time(state.expected_finish, zone) if state.expected_finish else "-"
    return (
        f"#{b.id} {b.kind} -> {b.audience} [{b.status}] {state.audience} recipients: {state.sent} sent, "
        f"{state.blocked} blocked, {state.failed} failed, {state.uncertain} uncertain, {state.pending} pending; "
        f"expected finish {finish}"
    )


class ProgressBar:
    """``[#####.....] 50% 5000/10000`` redrawn in place on a TTY; a plain line per 10 % otherwise."""

    def __init__(self, out: TextIO, width: int = 30) -> None:
        self.out, self.width, self.tty, self.last_decile = out, width, out.isatty(), -1

    def show(self, state: Progress) -> None:
        done = state.audience - state.pending
        share = done / state.audience if state.audience else 1.0
        if self.tty:
            filled = int(share * self.width)
            bar = "#" * filled + "." * (self.width - filled)
            self.out.write(
                f"\r[{bar}] {share:4.0%} {done}/{state.audience}  {state.failed + state.blocked} not delivered"
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
    out: TextIO | None = None,
    poll_s: float = 0.5,
    pickup_s: float = PICKUP_S,
) -> int:
    out = out or sys.stdout
    zone = settings.utility.tz
    db = await Database.open(settings.storage.path)
    clock = SystemClock()
    try:
        if args.broadcast_command == "status":
            if args.id is not None:
                print(line(await progress(db, settings, args.id, clock.now()), zone), file=out)
                return 0
            async with db.lock:
                recent = await BroadcastsRepo(db.conn).recent(20)
            if not recent:
                print("no broadcasts", file=out)
            for item in recent:
                print(line(await progress(db, settings, item.id, clock.now()), zone), file=out)
            return 0
        texts = _texts(settings, args.text, args.notice, args.audience)
        if args.broadcast_command == "preview":
            async with db.lock:
                sizes = await audience_size(db.conn, settings, args.audience)
            print(f"{sum(sizes.values())} recipients ({sizes.get('zh', 0)} zh, {sizes.get('en', 0)} en)", file=out)
            for lang, text in texts.items():
                print(f"--- {lang} ---\n{text}", file=out)
            return 0
        async with db.transaction() as tx:
            kind: Kind = "notice" if args.notice else "broadcast"
            broadcast_id = await add_broadcast(
                BroadcastsRepo(tx), settings, kind=kind, audience=args.audience, texts=texts, now=clock.now()
            )
        print(f"broadcast #{broadcast_id} queued; the running bot sends it", file=out)
        if args.no_wait:
            return 0
        bar = ProgressBar(out)
        waiting_since, told = time.monotonic(), False
        while True:
            state = await progress(db, settings, broadcast_id, clock.now())
            if state.broadcast.status != "queued":
                bar.show(state)
            elif not told and time.monotonic() - waiting_since >= pickup_s:
                told = True
                print(
                    f"no running bot has picked this up yet: start `hotline run` with this configuration; "
                    f"broadcast #{broadcast_id} stays queued (Ctrl-C stops waiting, not the broadcast)",
                    file=out,
                    flush=True,
                )
            if state.done:
                bar.end()
                print(line(state, zone), file=out)
                return 0
            await asyncio.sleep(poll_s)
    finally:
        await db.close()
