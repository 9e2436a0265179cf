"""``hotline invite list|cancel`` and ``hotline staff list|revoke`` through the CLI's ``main([...])``, over
the same real SQLite file the core (driven by the test harness) uses, as a running bot would."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from bot.clock import FakeClock, SystemClock
from bot.config.settings import StorageConfig, load_settings
from bot.i18n import t
from storage.engines import open_database
from tests.kit import template
from tests.kit.crew import new_ticket
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A, CREW_B, RESIDENT
from tests.kit.settings import settings_dict

NEWCOMER = "6001"


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key} = {_value(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    return json.dumps(value)


def write_config(tmp_path: Path, migrated: Path) -> Path:
    """The test configuration (two crews, a dispatcher) as a TOML file; no rota, so both crews are on duty
    whenever the test runs (the commands read the system clock, and so does the harness here). Its database
    starts as a copy of ``migrated`` (tests/kit/template.py), as the first command would leave a new one after
    migrating it: these tests are about the staff commands, not about migrating."""
    data = settings_dict(tmp_path / "staff.sqlite3")
    template.start_from(migrated, StorageConfig(**data["storage"]))
    lines = [f"{key} = {_value(data[key])}" for key in ("crews", "staff")]
    for table in ("telegram", "storage", "utility"):
        lines += [f"[{table}]", *(f"{key} = {_value(value)}" for key, value in data[table].items())]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def config(tmp_path: Path, migrated: Path) -> Path:
    return write_config(tmp_path, migrated)


@pytest.fixture
async def h(config: Path) -> AsyncIterator[Harness]:
    settings = load_settings(config)
    db = await open_database(settings.storage)
    try:
        yield await Harness(settings, db, FakeClock(SystemClock().now())).setup()
    finally:
        await db.close()


async def run(capsys: pytest.CaptureFixture[str], config: Path, *argv: str) -> tuple[int, str, str]:
    """The command as its own process would run it (its own event loop and database connection)."""
    code = await asyncio.to_thread(main, [*argv, "--config", str(config)])
    out, err = capsys.readouterr()
    return code, out, err


async def new_code(capsys: pytest.CaptureFixture[str], config: Path, *role: str) -> str:
    code, out, err = await run(capsys, config, "invite", "--role", *role)
    assert code == 0, err
    return out.splitlines()[0].removeprefix("invite code: ")


async def test_invite_list_and_cancel(h: Harness, config: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = await new_code(capsys, config, "crew", "--crew", "A")
    second = await new_code(capsys, config, "dispatcher")
    code, out, _ = await run(capsys, config, "invite", "list")
    assert code == 0
    lines = out.splitlines()
    assert lines[1].split()[:4] == ["2", "open", "dispatcher", "-"]
    assert lines[2].split()[:4] == ["1", "open", "crew", "A"]
    assert first not in out and second not in out  # codes are never shown again
    # cancelled by its number: the code links nobody
    code, out, _ = await run(capsys, config, "invite", "cancel", "1")
    assert code == 0 and "cancelled" in out
    assert texts(await h.text(NEWCOMER, f"/start {first}")) == [t("en", "invites.refused_cancelled")]
    assert (await h.db.fetchone("SELECT role FROM people WHERE external_id = ?", (NEWCOMER,)) or [""])[0] == "resident"
    # cancelled by the code itself
    assert (await run(capsys, config, "invite", "cancel", second))[0] == 0
    assert texts(await h.text(NEWCOMER, f"/start {second}")) == [t("en", "invites.refused_cancelled")]
    assert "cancelled" in (await run(capsys, config, "invite", "list"))[1].splitlines()[1]
    actions = [r[0] for r in await h.db.fetchall("SELECT action FROM staff_audit ORDER BY id")]
    assert actions == ["invite_cancel", "invite_cancel"]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("invite", "cancel", "1"), "nothing to cancel"),  # cancelled already
        (("invite", "cancel", "3"), "already used"),  # used: revoke the person instead
        (("invite", "cancel", "99"), "no invite"),
        (("invite", "cancel", "²"), "no invite"),
        (("invite", "cancel"), "which invite"),
        (("invite",), "--role is needed"),
        (("staff", "revoke", RESIDENT), "no staff role"),
        (("staff", "revoke", "424242"), "no account"),
        (("staff", "revoke", "1O01"), "expected a Telegram user id"),
    ],
)
async def test_what_cannot_be_cancelled_or_revoked_exits_2(
    h: Harness, config: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], says: str
) -> None:
    await new_code(capsys, config, "dispatcher")
    await run(capsys, config, "invite", "cancel", "1")
    await new_code(capsys, config, "dispatcher")
    used = await new_code(capsys, config, "dispatcher")
    await h.text(NEWCOMER, f"/start {used}")
    await h.text(RESIDENT, "/start")
    code, out, err = await run(capsys, config, *argv)
    assert code == 2 and err.startswith("error:") and says in err, err
    assert "Traceback" not in err


async def test_staff_list_names_the_source_and_revoke_acts_at_once(
    h: Harness, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await h.text(NEWCOMER, f"/start {await new_code(capsys, config, 'crew', '--crew', 'B')}")
    code, out, _ = await run(capsys, config, "staff", "list")
    assert code == 0
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert "config" in rows[CREW_A[0]] and "invite #1" in rows[NEWCOMER] and "lead" in rows[CREW_B[0]]
    ticket_id = await new_ticket(h)
    await h.press(CREW_A[1], f"t:acc:{ticket_id}")
    code, out, err = await run(capsys, config, "staff", "revoke", CREW_A[1])
    assert code == 0, err
    assert f"#{ticket_id}" in out and "still listed in the configuration" in out
    # the running core sees it from the next update on: the buttons on their card refuse them
    (answer,) = await h.press(CREW_A[1], f"t:site:{ticket_id}")
    assert answer.text == t("zh", "crew.refused_not_crew")  # type: ignore[union-attr]
    row = await h.db.fetchone("SELECT status, assignee_id FROM tickets WHERE id = ?", (ticket_id,))
    assert row is not None and tuple(row) == ("dispatched", None)
    rows = {line.split()[0]: line for line in (await run(capsys, config, "staff", "list"))[1].splitlines()[1:]}
    assert "revoked" in rows[CREW_A[1]]
    assert [r[0] for r in await h.db.fetchall("SELECT actor FROM staff_audit")] == ["cli"]
    assert (await run(capsys, config, "staff", "revoke", NEWCOMER))[0] == 0
    code, out, err = await run(capsys, config, "invite", "cancel", "1")
    assert code == 2 and "already used" in err
