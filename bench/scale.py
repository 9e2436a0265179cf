"""Scale of the subscriber base: the whole bot with ``subscribers`` residents (tips on) seeded into its database
in bulk (``bench.memory.seed``: executemany, not a million chats), a tip queued to all of them from outside
(as ``hotline broadcast send`` does), ``[broadcast] rate_per_s`` at the cap.

Measured, from the bot's process and the stand-in:
- the time to start: from the broadcast's commit to its first message at the stand-in;
- the time until every recipient is listed (the broadcast leaves ``queued``), while sending goes on;
- CPU per message sent: the bot's own user + system time over a window of ``window`` messages sent after the
  listing ended (the steady cost of one message, which should not grow with the audience);
- the bot's peak RSS (VmHWM) over the whole run, listing included;
- ``hotline broadcast status``'s answer time during the broadcast: its code path (open the database, read
  the progress, close) timed in a process of its own (``python -m bench.scale probe``), every 0.5 s.

The run stops after the window: a million messages at 1,000/s would take 17 minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from bench.broadcast import _queue_broadcast, broadcast_section
from bench.memory import FIRST_SUBSCRIBER, seed
from bench.standin import REPO, Peer, Standin, now, percentile
from bot.broadcast.audience import progress
from bot.cli.demo import LEAD, MEMBER, OTHER_CREW, sandbox_settings
from bot.clock import SystemClock
from storage.db import Database

PROBE_EVERY_S = 0.5


@dataclass
class ScaleResult:
    subscribers: int
    seed_s: float = 0.0
    start_s: float | None = None  # broadcast committed -> first message at the stand-in
    listed_s: float | None = None  # broadcast committed -> every recipient listed
    window: int = 0  # messages in the CPU window
    window_cpu_s: float | None = None
    peak_rss_mb: float | None = None
    status_ms: list[float] = field(default_factory=list)
    delivered: int = 0

    @property
    def cpu_ms_per_message(self) -> float | None:
        return self.window_cpu_s / self.window * 1000 if self.window_cpu_s is not None and self.window else None


def _delivered(standin: Standin) -> int:
    return sum(1 for chat, n in standin.counts.items() if n and chat >= FIRST_SUBSCRIBER)


async def _status(db_path: Path) -> str:
    """The broadcast's status as the database says (read on a connection of this process)."""
    db = await Database.open(db_path, migrate=False)
    try:
        return str(await db.scalar("SELECT status FROM broadcasts ORDER BY id DESC LIMIT 1"))
    finally:
        await db.close()


async def run_scale(
    db_path: Path,
    *,
    latency_ms: float,
    subscribers: int,
    cap_per_s: float,
    max_in_flight: int,
    window: int = 10_000,
    timeout_s: float = 600.0,
) -> ScaleResult:
    result = ScaleResult(subscribers)
    started = time.monotonic()
    await seed(db_path, subscribers=subscribers, tickets=0)
    result.seed_s = time.monotonic() - started
    section = broadcast_section(cap_per_s, max_in_flight)
    overrides = json.dumps({"broadcast": section})
    async with Standin(latency_ms) as standin, Peer("hotline", str(db_path), overrides) as peer:
        sb = standin.sandbox
        for user_id in (LEAD, MEMBER, OTHER_CREW):
            sb.create_user(user_id, first_name=f"Crew {user_id}", language_code="en")
        made = 0

        def make_chats(upto: int) -> None:  # the stand-in knows the chats the broadcast is about to reach
            nonlocal made
            for chat in range(FIRST_SUBSCRIBER + made, FIRST_SUBSCRIBER + min(upto, subscribers)):
                sb.create_user(chat, first_name="Subscriber", language_code="zh-hans")
            made = max(made, min(upto, subscribers))

        make_chats(20_000)
        await peer.start(standin.root)
        await sb.wait_idle(quiet_s=0.2, timeout_s=10)
        probe = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.scale", "probe", str(db_path), stdout=asyncio.subprocess.PIPE, cwd=str(REPO)
        )
        assert probe.stdout is not None
        reader = asyncio.create_task(_read_lines(probe.stdout, result.status_ms))
        queued_at = now()
        await _queue_broadcast(db_path, standin, section)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        window_from: tuple[int, float] | None = None
        looked_at = 0.0
        while loop.time() < deadline:
            delivered = _delivered(standin)
            make_chats(delivered + 20_000)
            if result.start_s is None and delivered:
                first = min(m.sent_at for c in range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + made) for m in sb.messages(c))
                result.start_s = first - queued_at
            if result.listed_s is None and loop.time() - looked_at > 0.25:
                looked_at = loop.time()
                listed = await _status(db_path) != "queued"
            else:
                listed = False
            if listed:
                result.listed_s = now() - queued_at
                cpu = peer.cpu_s()
                target = min(window, subscribers - delivered - max_in_flight)
                if cpu is not None and target > 0:
                    window_from = (delivered, cpu)
                    result.window = target
            if window_from is not None and delivered >= window_from[0] + result.window and len(result.status_ms) >= 3:
                cpu = peer.cpu_s()
                if cpu is not None:
                    result.window_cpu_s = cpu - window_from[1]
                    result.window = delivered - window_from[0]
                break
            if result.listed_s is not None and window_from is None and len(result.status_ms) >= 3:
                break  # too few left to measure a window
            await asyncio.sleep(0.05)
        result.delivered = _delivered(standin)
        result.peak_rss_mb = peer.peak_rss_mb()
        probe.send_signal(signal.SIGTERM)
        await probe.wait()
        await reader
    return result


async def _read_lines(stream: asyncio.StreamReader, into: list[float]) -> None:
    while line := await stream.readline():
        into.append(float(line))


async def _probe(db_path: Path) -> None:
    """``hotline broadcast status <id>``'s work every ``PROBE_EVERY_S``: one line of milliseconds each."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    urls = SimpleNamespace(base_url="http://127.0.0.1:9/bot", base_file_url="http://127.0.0.1:9/file/bot")
    settings = sandbox_settings(urls, db_path, lang="en", broadcast=broadcast_section(1000.0, 128))  # type: ignore[arg-type]
    clock = SystemClock()
    while not stop.is_set():
        begun = time.perf_counter()
        db = await Database.open(db_path, migrate=False)
        try:
            latest = await db.scalar("SELECT MAX(id) FROM broadcasts")
            if latest is not None:
                await progress(db, settings, int(latest), clock.now())
        finally:
            await db.close()
        if latest is not None:
            print(f"{(time.perf_counter() - begun) * 1000:.1f}", flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), PROBE_EVERY_S)


def status_summary(values: list[float]) -> str:
    if not values:
        return "-"
    return f"{percentile(values, 50):.0f} / {max(values):.0f} (n={len(values)})"


if __name__ == "__main__" and sys.argv[1:2] == ["probe"]:
    asyncio.run(_probe(Path(sys.argv[2])))
