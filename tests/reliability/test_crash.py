"""Crash suite: the bot runs as a real subprocess (``python -m bot.cli run``) against the sandbox while
residents report leaks; it is killed with SIGKILL at random moments and restarted each time.

At the end: every receipt a resident saw names a ticket that exists exactly once (one ticket per
resident); every ticket was dispatched once and its card reached both crew members on duty; the
escalation chain of every unaccepted P1 went on across the restarts (each level once); nothing is left
pending in the outbox; ``PRAGMA integrity_check`` is ok. Repeated deliveries are counted and must stay
inside the at-least-once window documented in ``bot/outbound/outbox.py`` (at most the rows in flight when a
kill lands: a handful per kill).
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from bot.cli.demo import DEMO_TOKEN
from sandbox import Sandbox
from tests.kit.botproc import BotProcess, bot_config, query, toml_dump, wait_until
from tests.kit.chat import Outcome, file_report, finished, transcript
from tests.kit.crash import ACK_TIMEOUT_S, CrashFigures, check_crash_outcome, escalations_on_time

FIRST_RESIDENT = 7000


async def run_crash(sb: Sandbox, tmp: Path, *, residents: int, kills: int, seed: int) -> CrashFigures:
    users = [FIRST_RESIDENT + i for i in range(residents)]
    for user in users:
        sb.create_user(user, first_name=f"Resident {user}", language_code="en")
    db = tmp / "crash.sqlite3"
    config = tmp / "crash.toml"
    extra = {"dispatch": {"ack_timeout_s": ACK_TIMEOUT_S}, "escalation": {"sweep_s": 1.0}}
    config.write_text(toml_dump(bot_config(sb, db, **extra)), encoding="utf-8")
    bot = BotProcess(config, tmp / "bot.log")
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    await bot.start()
    try:
        deadline = loop.time() + 40 + 6 * residents + 4 * kills  # each answers the whole form

        async def killer() -> None:
            for _ in range(kills):
                await asyncio.sleep(rng.uniform(1.0, 4.0))
                await bot.kill9()
                await bot.start()

        kill_task = asyncio.create_task(killer())

        # residents start at staggered moments, so kills land in every phase of their reports
        async def resident(user: int) -> Outcome:
            await asyncio.sleep(rng.uniform(0, 2.0 * kills / max(1, residents) + 1.0))
            # to the end of the form: kills land before the pin, between it and the dispatch, and among
            # the answers that update the dispatched ticket and edit its cards
            return await file_report(sb, user, deadline=deadline, step_timeout_s=3.0, to_the_end=True)

        outcomes = await asyncio.gather(*(resident(user) for user in users))
        await kill_task
        missing = [o.user for o in outcomes if not o.receipts]
        assert not missing, f"residents who never saw a receipt: {missing}\n" + "\n".join(
            transcript(sb, u) for u in missing
        )
        unfinished = [o.user for o in outcomes if not finished(sb, o.user)]
        assert not unfinished, f"residents who never reached the end of the form: {unfinished}\n" + "\n".join(
            transcript(sb, u) for u in unfinished
        )
        # after the last restart: the outbox drains and every ticket's escalation chain has moved on
        await wait_until(
            lambda: query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0] == 0,
            timeout_s=60,
            what="outbox drained",
        )
        await wait_until(lambda: escalations_on_time(db), timeout_s=ACK_TIMEOUT_S * 3 + 20, what="escalations")
        await wait_until(
            lambda: query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0] == 0,
            timeout_s=60,
            what="outbox drained after the escalations",
        )
        await sb.wait_idle(quiet_s=0.5, timeout_s=20)
    finally:
        code = await bot.stop()
    assert code == 0, bot.log_text()[-3000:]
    log = bot.log_text()
    assert DEMO_TOKEN.split(":", 1)[1] not in log, "the bot token is in the log"
    assert not [p for p in ("+86138", "+86 138", "Flat ") if p in log], "residents' data in the log"
    return check_crash_outcome(sb, db, users, outcomes, bot.kills)


async def test_crash_short(sandbox: Sandbox, tmp_path: Path) -> None:
    figures = await run_crash(sandbox, tmp_path, residents=5, kills=3, seed=3)
    print(f"crash suite (short): {figures}")


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_crash_long(sandbox: Sandbox, tmp_path: Path) -> None:
    figures = await run_crash(sandbox, tmp_path, residents=24, kills=12, seed=12)
    assert figures.kills >= 10
    print(f"crash suite (long): {figures}")
