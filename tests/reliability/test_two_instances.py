"""Two instances: two real bot processes (``python -m bot.cli run``) on one database and one token. The second
is refused at start with one line and a non-zero exit (the instance lock beside the database) while the first
goes on serving: every report is dispatched once. And two processes on two databases with one token: the
first is stopped by the 409 its polls get ("another instance is polling this token"), exit non-zero.

``make test`` runs the short version (one refused start, two reports); ``make reliability`` the long one
(repeated starts of the second while reports come in, and the 409 case). Figures are printed."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from bot.cli.demo import LEAD, MEMBER
from sandbox import Sandbox
from tests.kit.botproc import BotProcess, bot_config, cards, toml_dump, wait_until
from tests.kit.chat import file_report

FIRST_RESIDENT = 7500


def write(path: Path, sb: Sandbox, db: Path) -> Path:
    path.write_text(toml_dump(bot_config(sb, db)), encoding="utf-8")
    return path


async def polling(sb: Sandbox, bot: BotProcess) -> None:
    before = len(sb.calls("getUpdates"))
    await wait_until(lambda: len(sb.calls("getUpdates")) > before or not bot.running, timeout_s=30, what="polling")
    assert bot.running, bot.log_text()


async def refused_start(second: BotProcess) -> tuple[int, float]:
    """Start ``second``; its exit code and how long the refusal took."""
    started = time.monotonic()
    await second.start()
    assert second.proc is not None
    code = await asyncio.wait_for(second.proc.wait(), timeout=30)
    return code, time.monotonic() - started


async def run_two_on_one_database(sb: Sandbox, tmp_path: Path, *, starts: int, residents: int) -> None:
    db = tmp_path / "shared.sqlite3"
    config = write(tmp_path / "config.toml", sb, db)
    first = BotProcess(config, tmp_path / "first.log")
    second = BotProcess(config, tmp_path / "second.log")
    codes: list[int] = []
    took: list[float] = []
    try:
        await first.start()
        await polling(sb, first)
        loop = asyncio.get_running_loop()
        for user in range(FIRST_RESIDENT, FIRST_RESIDENT + residents):
            sb.create_user(user, first_name=f"Resident {user}", language_code="en")
        reports = [
            asyncio.create_task(file_report(sb, FIRST_RESIDENT + n, deadline=loop.time() + 90))
            for n in range(residents)
        ]
        for _ in range(starts):
            code, seconds = await refused_start(second)
            codes.append(code)
            took.append(seconds)
        outcomes = await asyncio.gather(*reports)
        tickets = {r for o in outcomes for r in o.receipts}
        await wait_until(
            lambda: all(cards(sb, LEAD)[t] >= 1 and cards(sb, MEMBER)[t] >= 1 for t in tickets),
            timeout_s=30,
            what="every ticket's card at both crew members",
        )
        assert first.running, first.log_text()
    finally:
        first_code = await first.stop()
        await second.stop()
    second_log = second.log_text()
    duplicates = sum(n - 1 for chat in (LEAD, MEMBER) for n in cards(sb, chat).values() if n > 1)
    print(
        f"\ntwo instances, one database: {starts} start(s) of the second, exit codes {sorted(set(codes))}, "
        f"refused after {min(took):.1f}-{max(took):.1f} s (a Python start-up); {len(tickets)} report(s) through "
        f"the first, {duplicates} repeated dispatch card(s)"
    )
    assert len(tickets) == residents
    assert codes == [1] * starts
    assert second_log.count("another hotline process (pid ") == starts, second_log
    assert "Traceback" not in second_log
    assert duplicates == 0
    assert first_code == 0


async def test_second_instance_on_one_database_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    await run_two_on_one_database(sandbox, tmp_path, starts=1, residents=2)


@pytest.mark.slow
async def test_second_instance_refused_again_and_again_while_reports_come_in(sandbox: Sandbox, tmp_path: Path) -> None:
    await run_two_on_one_database(sandbox, tmp_path, starts=8, residents=10)


@pytest.mark.slow
async def test_two_databases_one_token_the_409_stops_one(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    first = BotProcess(write(tmp_path / "a.toml", sb, tmp_path / "a.sqlite3"), tmp_path / "a.log")
    second = BotProcess(write(tmp_path / "b.toml", sb, tmp_path / "b.sqlite3"), tmp_path / "b.log")
    started = time.monotonic()
    try:
        await first.start()
        await polling(sb, first)
        await second.start()
        await wait_until(lambda: not (first.running and second.running), timeout_s=60, what="one of them stops")
        stopped_after = time.monotonic() - started
    finally:
        codes = (await first.stop(), await second.stop())
    logs = first.log_text() + second.log_text()
    print(
        f"\ntwo instances, one token, two databases: one stopped {stopped_after:.1f} s after the first start, "
        f"exit codes {codes}; 409 answers seen by the sandbox: "
        f"{sum(1 for c in sb.calls('getUpdates') if c.status == 409)}"
    )
    assert "another instance is polling this token" in logs
    assert 1 in codes
