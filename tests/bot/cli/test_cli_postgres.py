"""``hotline db migrate``, ``hotline db backup`` (pg_dump) and ``hotline status`` on PostgreSQL, through the
command line, against the test server: a backup restores with pg_restore into a working database; a password
never reaches the output."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.kit import postgres


def test_migrate_backup_and_restore(
    pg_server: postgres.Server, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = pg_server.url(pg_server.fresh_database())
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\nurl = "{url}"\n', encoding="utf-8")
    assert main(["db", "migrate", "--config", str(config)]) == 0
    assert "0001_initial.sql" in capsys.readouterr().out
    assert main(["db", "migrate", "--config", str(config)]) == 0
    assert "none pending" in capsys.readouterr().out
    postgres.query(url, "INSERT INTO people (external_id, name, created_at) VALUES ('1', 'x', '2027-01-01')")
    assert main(["status", "--config", str(config)]) == 0
    assert "no instance has led yet" in capsys.readouterr().out

    assert main(["db", "backup", str(tmp_path), "--config", str(config)]) == 0
    written = [p for p in tmp_path.iterdir() if p.suffix == ".pgdump"]
    assert len(written) == 1 and "backed up postgresql://" in capsys.readouterr().out
    assert oct(written[0].stat().st_mode & 0o777) == "0o600", "the copy holds what the database holds"
    restored = pg_server.url(pg_server.fresh_database())
    bindir = postgres.bin_dir()
    assert bindir is not None
    subprocess.run(
        [str(bindir / "pg_restore"), "--no-owner", f"--dbname={restored}", str(written[0])], check=True, timeout=60
    )
    assert postgres.query(restored, "SELECT name FROM people") == [("x",)]
    config.write_text(f'[storage]\nurl = "{restored}"\n', encoding="utf-8")
    assert main(["db", "migrate", "--config", str(config)]) == 0
    assert "none pending" in capsys.readouterr().out, "the restored copy is at this program's schema"


def test_an_unreachable_server_is_one_line_without_the_password(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[storage]\nurl = "postgresql://bot:s3cret@127.0.0.1:1/hotline"\n', encoding="utf-8")
    assert main(["db", "migrate", "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "cannot connect" in err and "s3cret" not in err
    assert main(["db", "backup", str(tmp_path / "b.pgdump"), "--config", str(config)]) == 1
    err = capsys.readouterr().err
    assert "pg_dump" in err and "s3cret" not in err
    assert not list(tmp_path.glob("b.pgdump*")), "a failed backup leaves no file"
