"""The `hotline` command: configuration checks, migrations and backups."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli.main import EXIT_CONFIG, _parser_in, main
from bot.config.settings import StorageConfig, load_settings
from bot.i18n import Lang
from common.errors import ConfigError
from storage.db import Database
from tests.kit import template

EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.toml"


def test_example_config_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(EXAMPLE)]) == 0
    assert "ok" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[utility]\ntimezone = "Mars/Olympus"\n', "utility.timezone"),
        ('[dispatch]\nack_timeout_s = "soon"\n', "dispatch.ack_timeout_s"),
        ('[[crews]]\nname = "A"\nmembers = [{ user_id = 1 }]\n', "crews.0.members.0.name"),
        ('[rota]\ncrews = ["Z"]\n', "rota.crews names 'Z'"),
        ("[telegram]\npoll_timout_s = 3\n", "telegram.poll_timout_s"),
        ("[reminders]\nrate_per_sec = 5\n", "reminders.rate_per_sec"),
        ("[escalation.P1]\nack_timeout = 60\n", "escalation.P1.ack_timeout"),
        ("[utility\n", "not valid TOML"),
    ],
)
def test_broken_config_names_the_key_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, key: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    assert main(["check-config", str(path)]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert key in err
    assert "Traceback" not in err


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(tmp_path / "nope.toml")]) == EXIT_CONFIG
    assert "no such configuration file" in capsys.readouterr().err


def test_run_without_token_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOTLINE_TELEGRAM__TOKEN", raising=False)
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "db.sqlite3"}"\n', encoding="utf-8")
    assert main(["run", "--config", str(path)]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "HOTLINE_TELEGRAM__TOKEN" in err and "Traceback" not in err


def test_environment_overrides_file_and_token_stays_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[utility]\nhotline = "96777"\n[telegram]\npoll_timeout_s = 10\n', encoding="utf-8")
    monkeypatch.setenv("HOTLINE_TELEGRAM__TOKEN", "42:secret-value")
    monkeypatch.setenv("HOTLINE_UTILITY__HOTLINE", "95158")
    settings = load_settings(path)
    assert settings.utility.hotline == "95158"
    assert settings.telegram.poll_timeout_s == 10, "keys not in the environment keep the file's value"
    assert settings.require_token() == "42:secret-value"
    assert "secret-value" not in repr(settings) and "secret-value" not in str(settings.model_dump())


def test_invalid_environment_value_names_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_DISPATCH__ACK_TIMEOUT_S", "never")
    with pytest.raises(ConfigError, match="dispatch.ack_timeout_s"):
        load_settings(None)


def test_migrate_then_backup_gives_a_working_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_path = tmp_path / "live.sqlite3"
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{db_path}"\n', encoding="utf-8")
    assert main(["db", "migrate", "--config", str(path)]) == 0
    assert "0001_initial.sql" in capsys.readouterr().out
    assert main(["db", "migrate", "--config", str(path)]) == 0
    assert "none pending" in capsys.readouterr().out

    async def add_person() -> None:
        db = await Database.open(db_path)
        async with db._transaction() as tx:
            await tx.execute(
                "INSERT INTO people (external_id, name, created_at) VALUES ('1', 'x', '2027-01-01T00:00:00+00:00')"
            )
        await db.close()

    asyncio.run(add_person())
    target = tmp_path / "backups" / "copy.sqlite3"
    assert main(["db", "backup", str(target), "--config", str(path)]) == 0
    with closing(sqlite3.connect(target)) as copy, copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 1


def test_backup_of_a_missing_database_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "absent.sqlite3"}"\n', encoding="utf-8")
    assert main(["db", "backup", str(tmp_path / "b.sqlite3"), "--config", str(path)]) == 1
    assert "no database there" in capsys.readouterr().err


async def test_newer_schema_than_the_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(Exception, match="newer than this program"):
        await Database.open(path)


# --- hotline db backup: misuse --------------------------------------------------------------------------


def _live_config(tmp_path: Path, migrated: Path) -> tuple[Path, Path]:
    """A configuration whose database exists and holds one person (WAL mode: -wal and -shm beside it); it starts
    as a copy of ``migrated`` (tests/kit/template.py), as migrating a new file would leave it."""
    db_path = tmp_path / "live.sqlite3"
    template.start_from(migrated, StorageConfig(path=db_path))
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{db_path}"\n', encoding="utf-8")

    async def add_person() -> None:
        db = await Database.open(db_path)
        async with db._transaction() as tx:
            await tx.execute(
                "INSERT INTO people (external_id, name, created_at) VALUES ('1', 'x', '2027-01-01T00:00:00+00:00')"
            )
        await db.close()

    asyncio.run(add_person())
    return path, db_path


def _people(db_path: Path) -> int:
    with closing(sqlite3.connect(db_path)) as conn, conn:
        return int(conn.execute("SELECT COUNT(*) FROM people").fetchone()[0])


@pytest.mark.parametrize(
    ("target", "what"),
    [
        ("live.sqlite3", "the live database"),
        ("live.sqlite3-wal", "wal file"),
        ("live.sqlite3-shm", "shm file"),
        ("live.sqlite3-journal", "journal file"),
        ("sub/../live.sqlite3", "the live database"),
        ("link.sqlite3", "the live database"),  # a symbolic link to it
    ],
)
def test_backup_onto_the_live_database_or_its_companions_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], migrated: Path, target: str, what: str
) -> None:
    path, db_path = _live_config(tmp_path, migrated)
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.sqlite3").symlink_to(db_path)
    before = {p.name: p.stat().st_size for p in tmp_path.iterdir() if p.is_file()}
    assert main(["db", "backup", str(tmp_path / target), "--config", str(path)]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert "nothing written" in err and what in err and "Traceback" not in err
    assert {p.name: p.stat().st_size for p in tmp_path.iterdir() if p.is_file()} == before
    assert not list(tmp_path.rglob("*.partial"))
    assert _people(db_path) == 1


def test_backup_into_a_directory_writes_a_dated_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], migrated: Path
) -> None:
    path, _ = _live_config(tmp_path, migrated)
    folder = tmp_path / "backups"
    folder.mkdir()
    assert main(["db", "backup", str(folder), "--config", str(path)]) == 0
    (written,) = folder.iterdir()
    assert written.name.startswith("live-") and written.suffix == ".sqlite3"
    assert str(written) in capsys.readouterr().out
    assert _people(written) == 1
    assert not list(tmp_path.rglob("*.partial"))


def test_a_failed_backup_leaves_no_partial_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    path.write_text(f'[storage]\npath = "{broken}"\n', encoding="utf-8")
    target = tmp_path / "copy.sqlite3"
    assert main(["db", "backup", str(target), "--config", str(path)]) == 1
    err = capsys.readouterr().err
    assert "backup of" in err and "failed" in err and "Traceback" not in err
    assert not target.exists()
    assert not list(tmp_path.rglob("*.partial"))


# --- [escalation]: partial sections ---------------------------------------------------------------------


def test_a_partial_escalation_section_keeps_the_default_steps(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[escalation.P1]\nack_timeout_s = 60\n[escalation.P2]\nrepeats = 5\n", encoding="utf-8")
    settings = load_settings(path)
    p1, p2 = settings.escalation.chain("P1"), settings.escalation.chain("P2")
    assert p1.ack_timeout_s == 60
    assert [step.notify for step in p1.steps] == [["backup", "dispatcher"], ["supervisor", "group"]]
    assert p1.steps[0].tell_resident
    assert len(p2.steps) == 2 and p2.repeats == 5
    assert p2.ack_timeout_s == 600 and p2.arrival_target_min == 60, "P2's own defaults are kept too"


def test_a_partial_escalation_section_from_the_environment_keeps_the_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_ESCALATION__P1__ACK_TIMEOUT_S", "90")
    chain = load_settings(None).escalation.chain("P1")
    assert chain.ack_timeout_s == 90 and len(chain.steps) == 2


def test_given_steps_replace_the_default_steps(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[escalation.P1]\n[[escalation.P1.steps]]\nnotify = ["supervisor"]\n', encoding="utf-8")
    assert [step.notify for step in load_settings(path).escalation.chain("P1").steps] == [["supervisor"]]


@pytest.mark.parametrize("severity", ["P1", "P2"])
def test_an_emergency_chain_without_steps_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], severity: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[escalation.{severity}]\nack_timeout_s = 60\nsteps = []\n", encoding="utf-8")
    assert main(["check-config", str(path)]) == EXIT_CONFIG
    err = capsys.readouterr().err
    assert f"escalation.{severity}.steps is empty" in err and "never escalate" in err


def test_the_example_configuration_with_its_commented_hint_escalates(tmp_path: Path) -> None:
    """config.example.toml's hint, uncommented as an operator would, keeps P1's steps."""
    text = EXAMPLE.read_text(encoding="utf-8").replace("# ack_timeout_s = 120", "ack_timeout_s = 60", 1)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    chain = load_settings(path).escalation.chain("P1")
    assert chain.ack_timeout_s == 60 and len(chain.steps) == 2


def test_the_parser_built_once_carries_nothing_from_one_command_line_to_the_next() -> None:
    parser = _parser_in(Lang.EN)
    assert _parser_in(Lang.EN) is parser and _parser_in(Lang.ZH) is not parser  # one per language
    first = parser.parse_args(["purge", "--older-than", "30", "--dry-run", "--config", "a.toml"])
    assert (first.command, first.older_than, first.dry_run, first.config) == ("purge", 30, True, Path("a.toml"))
    second = parser.parse_args(["purge", "--older-than", "7"])
    assert (second.older_than, second.dry_run, second.config) == (7, False, Path("config.toml"))
    third = parser.parse_args(["board"])
    assert third.command == "board" and not hasattr(third, "older_than")
