"""The `hotline` command: configuration checks, migrations and backups."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.cli import EXIT_CONFIG, main
from bot.config import load_settings
from bot.errors import ConfigError
from storage.db import Database

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


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
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO people (external_id, name, created_at) VALUES ('1', 'x', '2027-01-01T00:00:00+00:00')"
            )
        await db.close()

    asyncio.run(add_person())
    target = tmp_path / "backups" / "copy.sqlite3"
    assert main(["db", "backup", str(target), "--config", str(path)]) == 0
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 1


def test_backup_of_a_missing_database_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f'[storage]\npath = "{tmp_path / "absent.sqlite3"}"\n', encoding="utf-8")
    assert main(["db", "backup", str(tmp_path / "b.sqlite3"), "--config", str(path)]) == 1
    assert "no database there" in capsys.readouterr().err


async def test_newer_schema_than_the_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(Exception, match="newer than this program"):
        await Database.open(path)
