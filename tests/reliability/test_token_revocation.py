"""Token-revocation run: the bot's token is revoked in the middle of a surge of leak reports.

The bot runs as a real subprocess (``python -m bot.cli run``) against the sandbox while residents report
leaks. Once part of them have their receipt, the token is revoked (as @BotFather's /revoke does: the old one
answers 401 to every call, a new one reaches the same bot). The bot must notice by itself, stop sending,
keep every notification pending and exit non-zero. A supervisor restarts it with the old token during the
outage (each start is refused and exits non-zero at once); after ``outage_s`` the operator sets the new token
and it starts for good. Residents keep writing throughout (their updates wait at Telegram).

Checked: every exit during the outage was non-zero (1), the first with a CRITICAL line saying what to do; no outbox row
was ever marked failed; after the good start every resident has exactly one receipt, every ticket reached
both crew members on duty exactly once, the outbox drains; the log holds no token.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.demo import DEMO_TOKEN, LEAD, MEMBER
from sandbox import Sandbox
from tests.kit.botproc import BotProcess, bot_config, query, toml_dump, wait_until
from tests.kit.chat import Outcome, file_report, receipts, transcript

FIRST_RESIDENT = 8000
NEW_TOKEN = "123456:ROTATED-sandbox-token"


@dataclass
class RevocationFigures:
    residents: int
    tickets: int
    receipts_before_revocation: int
    refused_calls: int  # Bot API calls answered 401, all starts together
    exits_nonzero: int  # the running bot's exit plus each refused restart
    pending_at_exit: int  # outbox rows the running bot left pending when it stopped
    held_rows_sent_within_s: float  # from the start with the new token until the last of those was sent
    delivered_after_new_token: int  # outbox rows sent after the start with the new token (new reports too)
    seconds_to_settle: float  # from the start with the new token: every resident has a receipt, outbox empty
    failed_rows: int
    duplicate_cards: int
    duplicate_receipts: int


def accept_cards(sb: Sandbox, chat: int) -> dict[int, int]:
    """Dispatch cards that reached ``chat`` per ticket, as sent (accepting edits buttons away)."""
    seen: dict[int, int] = {}
    for message in sb.messages(chat):
        for row in (message.sent_markup or {}).get("inline_keyboard", []):
            for button in row:
                data = str(button.get("callback_data", ""))
                if data.startswith("t:acc:"):
                    ticket = int(data.split(":")[2])
                    seen[ticket] = seen.get(ticket, 0) + 1
    return seen


async def run_revocation(
    sb: Sandbox, tmp: Path, *, residents: int, outage_s: float, restart_every_s: float, seed: int
) -> RevocationFigures:
    users = [FIRST_RESIDENT + i for i in range(residents)]
    for user in users:
        sb.create_user(user, first_name=f"Resident {user}", language_code="en")
    db = tmp / "revoke.sqlite3"
    config = tmp / "revoke.toml"
    config.write_text(toml_dump(bot_config(sb, db, dispatch={"ack_timeout_s": 600})), encoding="utf-8")
    bot = BotProcess(config, tmp / "bot.log")
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    await bot.start()
    exits: list[int] = []
    try:
        deadline = loop.time() + 60 + outage_s + 2 * residents

        async def resident(user: int) -> Outcome:
            await asyncio.sleep(rng.uniform(0, 1.0 + residents / 10))  # a surge: everyone within seconds
            return await file_report(sb, user, deadline=deadline, step_timeout_s=3.0)

        reports = asyncio.gather(*(resident(user) for user in users))
        await wait_until(
            lambda: sum(bool(receipts(sb, u)) for u in users) >= max(1, residents // 4),
            timeout_s=60,
            what="the first receipts",
        )
        # sends slow down (0.3 s each), so notifications queue up in the bot as they would in a real surge
        sb.set_faults(delay_rate=1.0, delay_s=0.3, methods=frozenset({"sendmessage", "sendvenue", "sendlocation"}))
        await wait_until(
            lambda: sum(bool(receipts(sb, u)) for u in users) >= max(2, residents // 3),
            timeout_s=60,
            what="more receipts",
        )
        # ... and revoke while notifications are queued (pending rows, more than the lane has in flight)
        await wait_until(
            lambda: query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0] >= 4,
            timeout_s=60,
            what="notifications queued",
        )
        before = sum(bool(receipts(sb, u)) for u in users)
        sb.revoke_token(DEMO_TOKEN, NEW_TOKEN)
        revoked_at = loop.time()
        assert bot.proc is not None
        exits.append(await asyncio.wait_for(bot.proc.wait(), timeout=30))
        held = [int(str(r[0])) for r in query(db, "SELECT id FROM outbox WHERE status = 'pending'")]
        sb.set_faults()
        # the supervisor starts it again (still the old token): each start is refused at once
        while loop.time() - revoked_at + restart_every_s < outage_s:
            await asyncio.sleep(restart_every_s)
            await bot.start()
            assert bot.proc is not None
            exits.append(await asyncio.wait_for(bot.proc.wait(), timeout=30))
        await asyncio.sleep(max(0.0, outage_s - (loop.time() - revoked_at)))
        assert query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'failed'")[0][0] == 0
        # the operator sets the new token
        bot.env["HOTLINE_TELEGRAM__TOKEN"] = NEW_TOKEN
        good_start = loop.time()
        good_start_db = query(db, "SELECT strftime('%Y-%m-%dT%H:%M:%f', 'now')")[0][0]
        await bot.start()
        outcomes = await reports
        missing = [o.user for o in outcomes if not o.receipts]
        assert not missing, f"residents who never saw a receipt: {missing}\n" + "\n".join(
            transcript(sb, u) for u in missing
        )
        await wait_until(
            lambda: query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0] == 0,
            timeout_s=60,
            what="outbox drained",
        )
        drained_s = loop.time() - good_start
        await sb.wait_idle(quiet_s=0.5, timeout_s=20)
    finally:
        code = await bot.stop()
    assert code == 0, bot.log_text()[-3000:]
    log = bot.log_text()
    assert exits and all(x == 1 for x in exits), exits
    assert "refused the bot's credentials" in log and "BotFather" in log and "Telegram refused the bot token" in log
    assert DEMO_TOKEN.split(":", 1)[1] not in log and NEW_TOKEN.split(":", 1)[1] not in log, "a token in the log"
    assert "Aborting retry loop" not in log
    return check_outcome(sb, db, users, before, exits, held, str(good_start_db), drained_s)


def check_outcome(
    sb: Sandbox,
    db: Path,
    users: list[int],
    before: int,
    exits: list[int],
    held: list[int],
    good_start_db: str,
    drained_s: float,
) -> RevocationFigures:
    tickets = query(db, "SELECT id, chat FROM tickets ORDER BY id")
    assert sorted(int(str(chat)) for _, chat in tickets) == sorted(users), "one ticket per resident"
    seen = {user: receipts(sb, user) for user in users}
    for user, numbers in seen.items():
        assert len(set(numbers)) == 1, f"resident {user} saw receipts for {numbers}"
    duplicate_receipts = sum(len(numbers) - 1 for numbers in seen.values())
    duplicate_cards = 0
    for member in (LEAD, MEMBER):
        got = accept_cards(sb, member)
        for ticket_id, _ in tickets:
            assert got.get(int(str(ticket_id)), 0) >= 1, f"ticket {ticket_id} never reached {member}"
        duplicate_cards += sum(count - 1 for count in got.values())
    failed = int(str(query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'failed'")[0][0]))
    assert query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0] == 0
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    after = int(
        str(query(db, "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND sent_at >= ?", (good_start_db,))[0][0])
    )
    assert failed == 0 and duplicate_cards == 0 and duplicate_receipts == 0, (
        failed,
        duplicate_cards,
        duplicate_receipts,
    )
    marks = ", ".join("?" for _ in held) or "NULL"
    held_sent = query(db, f"SELECT status, sent_at FROM outbox WHERE id IN ({marks})", tuple(held))
    assert all(status == "sent" for status, _ in held_sent), "a row held at the exit was not sent after"
    start = datetime.fromisoformat(good_start_db).replace(tzinfo=UTC)
    last = max((datetime.fromisoformat(str(at)) for _, at in held_sent), default=start)
    return RevocationFigures(
        residents=len(users),
        tickets=len(tickets),
        receipts_before_revocation=before,
        refused_calls=sum(1 for call in sb.calls() if call.status == 401),
        exits_nonzero=len(exits),
        pending_at_exit=len(held),
        held_rows_sent_within_s=round((last - start).total_seconds(), 1),
        delivered_after_new_token=after,
        seconds_to_settle=round(drained_s, 1),
        failed_rows=failed,
        duplicate_cards=duplicate_cards,
        duplicate_receipts=duplicate_receipts,
    )


async def test_token_revocation_short(sandbox: Sandbox, tmp_path: Path) -> None:
    figures = await run_revocation(sandbox, tmp_path, residents=8, outage_s=4.0, restart_every_s=2.0, seed=13)
    assert figures.exits_nonzero >= 2 and figures.pending_at_exit >= 1
    print(f"token revocation (short): {figures}")


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_token_revocation_long(sandbox: Sandbox, tmp_path: Path) -> None:
    figures = await run_revocation(sandbox, tmp_path, residents=40, outage_s=30.0, restart_every_s=5.0, seed=31)
    assert figures.exits_nonzero >= 5 and figures.pending_at_exit >= 1
    print(f"token revocation (long): {figures}")
