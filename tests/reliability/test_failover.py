"""Failover: two bot processes share a PostgreSQL database (a real server started by the test) and one token;
one leads (polls, sends, runs the timers), the other stands by. Residents report leaks while the leader is
``kill -9``ed at random moments; each time the standby takes over and resumes from the rows, and the killed
process is started again as the next standby.

Figures: failover time (the leader killed -> the first update processed by the new leader: a probe message
sent right after the kill, answered), and the crash suite's checks over the whole run: every resident's receipt
names a ticket that exists exactly once, every card reached both crew members on duty, every escalation step
ran once and the chains went on, nothing left pending. ``make test`` runs two kills; ``make reliability`` ten."""

from __future__ import annotations

import asyncio
import random
import statistics
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.clock import SystemClock
from sandbox import Sandbox
from storage.postgres.database import PostgresDatabase
from storage.postgres.leader import current_lease
from tests.kit import postgres
from tests.kit.botproc import BotProcess, bot_config, query, toml_dump, wait_until
from tests.kit.broadcast import QUIET_HOURS_OFF, TIP, add_subscribers, queue_broadcast
from tests.kit.chat import Outcome, file_report, finished, transcript
from tests.kit.crash import ACK_TIMEOUT_S, CrashFigures, check_crash_outcome, escalations_on_time

FIRST_RESIDENT = 7700
PROBE = 7699  # sends one message right after each kill: its answer is the new leader's first processed update


@dataclass
class FailoverFigures:
    crash: CrashFigures
    failover_s: list[float]
    broadcast: tuple[int, int, int]  # (audience, sent, uncertain): done across the kills, each at most once

    def line(self) -> str:
        times = sorted(self.failover_s)
        p99 = times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]
        return (
            f"failover x{len(times)}: median {statistics.median(times):.1f} s, p99 {p99:.1f} s, "
            f"max {times[-1]:.1f} s; tickets {self.crash.tickets} for {self.crash.residents} residents (0 lost, "
            f"0 duplicate), escalation steps {self.crash.escalations}, repeated cards {self.crash.duplicate_cards}, "
            f"repeated receipts {self.crash.duplicate_receipts}; broadcast to {self.broadcast[0]} done across the "
            f"kills: {self.broadcast[1]} sent once, {self.broadcast[2]} cut off by a kill (never sent twice)"
        )


async def leader_of(url: str, bots: list[BotProcess]) -> BotProcess | None:
    lease = await current_lease(url)
    if lease is None or not lease.held:
        return None
    pid = int(lease.instance.rsplit(":", 1)[1])
    return next((b for b in bots if b.proc is not None and b.proc.pid == pid and b.running), None)


async def wait_for_leader(url: str, bots: list[BotProcess], timeout_s: float = 60) -> BotProcess:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while (found := await leader_of(url, bots)) is None:
        if loop.time() > deadline:
            raise TimeoutError("no instance leads:\n" + "\n".join(b.log_text()[-2000:] for b in bots))
        await asyncio.sleep(0.1)
    return found


async def run_failover(
    sb: Sandbox, tmp: Path, url: str, *, residents: int, subscribers: int, kills: int, seed: int
) -> FailoverFigures:
    users = [FIRST_RESIDENT + i for i in range(residents)]
    for user in [PROBE, *users]:
        sb.create_user(user, first_name=f"Resident {user}", language_code="en")
    config = tmp / "failover.toml"
    extra = {
        "storage": {"url": url},
        "dispatch": {"ack_timeout_s": ACK_TIMEOUT_S},
        "escalation": {"sweep_s": 1.0},
        # slow enough to be under way at every kill; no quiet hours, whenever the test runs
        "reminders": {"rate_per_s": 20.0, **QUIET_HOURS_OFF},
    }
    config.write_text(toml_dump(bot_config(sb, tmp / "unused.sqlite3", **extra)), encoding="utf-8")
    database = await PostgresDatabase.connect(url)
    try:  # a broadcast goes out slowly across the kills, behind the reports
        chats = await add_subscribers(database, subscribers, SystemClock().now())
    finally:
        await database.close()
    for chat in chats:
        sb.create_user(int(chat), first_name="R", language_code="en")
    bots = [BotProcess(config, tmp / "first.log"), BotProcess(config, tmp / "second.log")]
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    failover_s: list[float] = []
    for bot in bots:
        await bot.start()
    try:
        await wait_for_leader(url, bots)
        await queue_broadcast(config, bots[0].env)
        deadline = loop.time() + 60 + 6 * residents + 8 * kills

        async def killer() -> None:
            for _ in range(kills):
                await asyncio.sleep(rng.uniform(1.0, 4.0))
                leader = await wait_for_leader(url, bots)
                killed_at = loop.time()
                await leader.kill9()
                since = sb.message_count(PROBE)
                await sb.send_text(PROBE, "/help")
                await sb.wait_for(PROBE, lambda m: True, since=since, timeout_s=60)
                failover_s.append(loop.time() - killed_at)
                await leader.start()  # the next standby

        kill_task = asyncio.create_task(killer())

        async def resident(user: int) -> Outcome:
            await asyncio.sleep(rng.uniform(0, 2.0 * kills / max(1, residents) + 1.0))
            return await file_report(sb, user, deadline=deadline, step_timeout_s=3.0, to_the_end=True)

        outcomes = await asyncio.gather(*(resident(user) for user in users))
        await kill_task
        missing = [o.user for o in outcomes if not o.receipts or not finished(sb, o.user)]
        assert not missing, f"residents who never saw a receipt or the end: {missing}\n" + "\n".join(
            transcript(sb, u) for u in missing
        )
        pending = "SELECT COUNT(*) FROM outbox WHERE status = 'pending'"
        await wait_until(lambda: query(url, pending)[0][0] == 0, timeout_s=60, what="outbox drained")
        await wait_until(lambda: escalations_on_time(url), timeout_s=ACK_TIMEOUT_S * 3 + 20, what="escalations")
        await wait_until(lambda: query(url, pending)[0][0] == 0, timeout_s=60, what="outbox drained again")
        done = "SELECT status FROM broadcasts"
        await wait_until(lambda: query(url, done) == [("done",)], timeout_s=120, what="the broadcast done")
        await sb.wait_idle(quiet_s=0.5, timeout_s=20)
    finally:
        codes = [await bot.stop() for bot in bots]
    assert codes == [0, 0], "\n".join(b.log_text()[-3000:] for b in bots)
    kills_done = sum(b.kills for b in bots)
    crash = check_crash_outcome(sb, url, users, outcomes, kills_done)
    return FailoverFigures(crash=crash, failover_s=failover_s, broadcast=broadcast_outcome(sb, url, chats))


def broadcast_outcome(sb: Sandbox, url: str, chats: list[str]) -> tuple[int, int, int]:
    """The broadcast reached every subscriber at most once, exactly once where its row says sent; its figures
    add up (the rows a kill cut off are ``uncertain``: never sent again)."""
    rows = {str(chat): str(status) for chat, status in query(url, "SELECT chat, status FROM broadcast_deliveries")}
    tips = {chat: sum(1 for m in sb.messages(int(chat)) if TIP in (m.text or "")) for chat in chats}
    assert all(n <= 1 for n in tips.values()), "a subscriber got the broadcast twice"
    assert all(tips[chat] == 1 for chat in chats if rows.get(chat) == "sent")
    audience, sent, uncertain = query(url, "SELECT audience_size, sent, uncertain FROM broadcasts")[0]
    assert int(str(sent)) + int(str(uncertain)) == int(str(audience)) >= len(chats)
    return int(str(audience)), int(str(sent)), int(str(uncertain))


async def test_failover_short(sandbox: Sandbox, tmp_path: Path, pg_server: postgres.Server) -> None:
    figures = await run_failover(
        sandbox, tmp_path, pg_server.new_database(), residents=4, subscribers=60, kills=2, seed=2
    )
    print(figures.line())


@pytest.mark.slow
@pytest.mark.timeout(1200)
async def test_failover_long(sandbox: Sandbox, tmp_path: Path, pg_server: postgres.Server) -> None:
    figures = await run_failover(
        sandbox, tmp_path, pg_server.new_database(), residents=20, subscribers=600, kills=10, seed=10
    )
    assert len(figures.failover_s) == 10
    print(figures.line())
    assert max(figures.failover_s) <= 10, "failover p99 above 10 s"
