"""/readyz's checks one by one on a real database and a fake clock, the outbox's reasons as labels, the
Bot API error codes, and the [ops]/[logging] settings' errors."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.clock import FakeClock
from bot.config.ops import OpsConfig
from bot.config.settings import load_settings
from bot.ops.health import Health
from bot.ops.metrics import Metrics
from bot.ops.server import ApiHealth, OpsServer
from bot.outbound.delivery import Blocked, Rejected, RetryLater, Transient
from common.errors import ConfigError
from common.events import Text
from handlers.metered import error_code
from storage.db import Database
from storage.ops_figures import read_figures, reason_of
from storage.outbox import OutboxRepo

START = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)


def server(db: Database, clock: FakeClock, health: ApiHealth) -> OpsServer:
    return OpsServer(OpsConfig(outbox_stuck_s=600, api_stale_s=120), db, clock, Metrics(), health)


async def test_ready_when_the_database_writes_the_api_answered_and_nothing_waits(db: Database) -> None:
    health = ApiHealth()
    health.ok()
    assert await server(db, FakeClock(START), health).checks() == []


async def test_a_process_stopping_on_a_failure_of_its_own_is_unhealthy_and_unready(db: Database) -> None:
    health, process = ApiHealth(), Health()
    health.ok()
    process.mark_ok()
    ops = OpsServer(OpsConfig(), db, FakeClock(START), Metrics(), health, process=process)
    assert await ops.checks() == []
    process.fail("the Bot API refused the token (401)")
    assert await ops.checks() == ["process: failing (the Bot API refused the token (401))"]


async def test_never_heard_from_the_bot_api_is_not_ready(db: Database) -> None:
    failing = await server(db, FakeClock(START), ApiHealth()).checks()
    assert failing == ["bot_api: last answer never (limit 120 s)"]


async def test_a_notification_pending_too_long_is_a_stuck_outbox(db: Database) -> None:
    clock, health = FakeClock(START), ApiHealth()
    health.ok()
    ops = server(db, clock, health)
    async with db._transaction() as tx:
        row_id = await OutboxRepo(tx).add(Text(chat="7", text="dispatch"), now=clock.now(), channel="telegram")
    clock.advance(599)
    assert await ops.checks() == []
    clock.advance(2)
    assert await ops.checks() == ["outbox: oldest pending notification 601 s old (limit 600 s)"]
    async with db._transaction() as tx:
        await OutboxRepo(tx).mark_sent(row_id, "1", clock.now())
    assert await ops.checks() == []


@pytest.mark.sqlite_only("another process's write lock on the file")
async def test_a_database_whose_write_lock_cannot_be_had_is_not_ready(db: Database) -> None:
    health = ApiHealth()
    health.ok()
    await db.conn.execute("PRAGMA busy_timeout=20")  # the test's patience, not the bot's 5 s
    with closing(sqlite3.connect(db.path, timeout=1)) as other:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        failing = await server(db, FakeClock(START), health).checks()
        other.execute("ROLLBACK")
    assert failing == ["database: not writable (DatabaseBusy)"]


async def test_outbox_figures_by_reason_never_carry_the_error_text(db: Database) -> None:
    clock = FakeClock(START)
    async with db._transaction() as tx:
        repo = OutboxRepo(tx)
        a = await repo.add(Text(chat="1", text="x"), now=clock.now(), channel="telegram")
        b = await repo.add(Text(chat="2", text="y"), now=clock.now(), channel="telegram")
        await repo.add(Text(chat="3", text="z"), now=clock.now(), channel="telegram")
        await repo.mark_retry(a, "Transient: Bad Gateway for +8613812345678", clock.now())
        await repo.mark_failed(b, "Blocked: Forbidden: bot was blocked by the user", clock.now())
    figures = await read_figures(db)
    assert figures.outbox == {("pending", "Transient"): 1, ("pending", "none"): 1, ("failed", "Blocked"): 1}
    assert figures.oldest_pending_at == START
    assert reason_of("no class here, just words: x") == "other"


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (RetryLater(3.0), "429"),
        (Blocked("x"), "403"),
        (Rejected("x"), "400"),
        (Transient("x"), "timeout"),
        (Transient("x"), "network"),
        (Rejected("x"), "other"),
    ],
)
def test_bot_api_error_codes(error: Exception, code: str) -> None:
    cause = {
        "429": RetryAfter(3),
        "403": Forbidden("blocked"),
        "400": BadRequest("chat not found"),
        "timeout": TimedOut(),
        "network": NetworkError("refused"),
        "other": ValueError("?"),
    }[code]
    error.__cause__ = cause
    assert error_code(error) == code


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"ops": {"listen": "9464"}}, "ops.listen"),
        ({"ops": {"listen": "127.0.0.1:99999"}}, "ops.listen"),
        ({"ops": {"lisen": "127.0.0.1:9464"}}, "ops.lisen"),
        ({"logging": {"format": "xml"}}, "logging.format"),
        ({"logging": {"level": "LOUD"}}, "logging.level"),
    ],
)
def test_bad_ops_and_logging_settings_name_the_key(section: dict[str, dict[str, str]], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace(".", r"\.")):
        load_settings(None, section)


def test_logging_level_in_any_case() -> None:
    assert load_settings(None, {"logging": {"level": "debug"}}).logging.level == "DEBUG"


async def test_broadcast_progress_of_the_broadcasts_under_way(db: Database) -> None:
    at = "2027-01-04T00:00:00.000000+00:00"
    async with db._transaction() as tx:
        for n in range(4):
            await tx.execute("INSERT INTO people (external_id, name, created_at) VALUES (?, 'x', ?)", (str(n), at))
        for status in ("sending", "done"):
            await tx.execute(
                "INSERT INTO broadcasts (kind, audience, texts, priority, status, created_at) "
                "VALUES ('broadcast', 'subscribers', '{}', 4, ?, ?)",
                (status, at),
            )
        people = [row[0] for row in await tx.execute_fetchall("SELECT id FROM people ORDER BY id")]
        for person, state in zip(people, ("sent", "sent", "failed", "pending"), strict=True):
            for broadcast in (1, 2):
                await tx.execute(
                    "INSERT INTO broadcast_deliveries (broadcast_id, person_id, chat, lang, status) "
                    "VALUES (?, ?, 'c', 'zh', ?)",
                    (broadcast, person, state),
                )
    figures = await read_figures(db)
    assert figures.broadcasts == {(1, "sent"): 2, (1, "failed"): 1, (1, "pending"): 1}  # the finished one left out
    metrics = Metrics()
    metrics.update(figures, START.timestamp())
    text = metrics.render().decode()
    assert 'hotline_broadcast_recipients{broadcast="1",state="sent"} 2.0' in text
