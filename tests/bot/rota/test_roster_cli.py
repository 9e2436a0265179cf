"""``hotline roster`` and ``hotline invite`` through the CLI's ``main([...])``, over a real SQLite file.

The four-crew rota (A day, B night, C day, D night, 12 h each from Monday 2027-01-04 08:00 Shanghai) is
imported from CSV (a rotation) and from .ics (a list of shifts); ``roster show`` at chosen instants must
match a table worked out by hand, and so must the stored rota read back by ``crews_on_duty``.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.config.settings import Settings, load_settings
from tests.kit.roster import DATA, TABLE, run, section, stored_on_duty, stored_on_duty_at, write_config


@pytest.fixture
def config(tmp_path: Path, migrated: Path) -> Path:
    return write_config(tmp_path, migrated=migrated)


# (instant, on duty: crew and shift, next: crew and start), worked out by hand from the rota's definition:
# day n after 2027-01-04: n even -> A 08-20, B 20-08; n odd -> C 08-20, D 20-08.


@pytest.mark.parametrize("source", ["four_teams.csv", "four_teams.ics"])
def test_roster_show_matches_the_hand_computed_table(
    capsys: pytest.CaptureFixture[str], config: Path, source: str
) -> None:
    code, out, err = run(capsys, "roster", "import", str(DATA / source), "--config", str(config))
    assert code == 0, err
    kind = "rotations" if source.endswith(".csv") else "shifts"
    assert f"imported {1 if kind == 'rotations' else 62} {kind}" in out
    stored = stored_on_duty_at(config, [when for when, _, _ in TABLE])
    for (when, now, coming), crews in zip(TABLE, stored, strict=True):
        code, out, err = run(capsys, "roster", "show", "--at", when, "--config", str(config))
        assert code == 0, err
        assert section(out, "On duty:") == ([now] if now else []), when
        assert [(crew, start) for crew, start, _ in section(out, "Next:")] == [coming], when
        assert crews == ([now[0]] if now else []), when


def test_the_config_rota_holds_until_rotations_are_imported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, migrated: Path
) -> None:
    config = write_config(
        tmp_path, rota='crews = ["E", "A"]\nshift_hours = 24\nanchor = 2027-01-04T08:00:00', migrated=migrated
    )
    assert stored_on_duty(config, "2027-01-04 09:00") == ["E"]
    assert stored_on_duty(config, "2027-01-05 09:00") == ["A"]
    code, _, err = run(capsys, "roster", "import", str(DATA / "four_teams.csv"), "--config", str(config))
    assert code == 0, err
    assert stored_on_duty(config, "2027-01-05 09:00") == ["C"]


def test_overrides_change_who_is_on_duty(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    assert run(capsys, "roster", "import", str(DATA / "four_teams.csv"), "--config", str(config))[0] == 0
    code, out, err = run(capsys, "roster", "import", str(DATA / "overrides.csv"), "--config", str(config))
    assert code == 0, err
    assert "imported 5 shifts" in out
    # B's night of 01-08 is D's (leave); 01-12 18:00 E is extra; A and C swap days on 01-14/15; C's 01-21 is a gap
    assert stored_on_duty(config, "2027-01-08 21:00") == ["D"]
    assert stored_on_duty(config, "2027-01-12 19:00") == ["A", "E"]
    assert stored_on_duty(config, "2027-01-14 09:00") == ["C"]
    assert stored_on_duty(config, "2027-01-15 09:00") == ["A"]
    assert stored_on_duty(config, "2027-01-21 09:00") == []
    code, out, _ = run(capsys, "roster", "show", "--at", "2027-01-08 21:00", "--config", str(config))
    assert "leave for B" in out
    code, out, _ = run(capsys, "roster", "show", "--at", "2027-01-20 12:00", "--config", str(config))
    assert "2027-01-21 08:00 – 2027-01-21 20:00  leave_unreplaced crew C" in out


@pytest.mark.parametrize(
    ("name", "kind", "lines"),
    [
        ("bad_rotations.csv", "rotations", [3, 4, 5, 6, 7, 8]),
        ("bad_overrides.csv", "shifts", [4, 7, 8, 9, 10, 11, 12, 13, 16]),
        ("bad.ics", "shifts", [12, 16, 22, 30, 41, 44, 49, 57, 58]),
    ],
)
def test_a_bad_file_imports_nothing_and_names_every_bad_line(
    capsys: pytest.CaptureFixture[str], config: Path, name: str, kind: str, lines: list[int]
) -> None:
    assert run(capsys, "roster", "import", str(DATA / "four_teams.csv"), "--config", str(config))[0] == 0
    assert run(capsys, "roster", "import", str(DATA / "overrides.csv"), "--config", str(config))[0] == 0
    code, out, err = run(capsys, "roster", "import", str(DATA / name), "--kind", kind, "--config", str(config))
    assert code == 2
    assert out == ""
    assert "nothing imported" in err
    named = sorted({int(line.split()[1].rstrip(":")) for line in err.splitlines() if line.startswith("line ")})
    assert named == lines
    settings = load_settings(config)
    with closing(sqlite3.connect(settings.storage.path)) as conn, conn:
        assert conn.execute("SELECT COUNT(*) FROM rota_rotations").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM rota_overrides").fetchone()[0] == 5
        assert conn.execute("SELECT kind FROM rota_imports ORDER BY id").fetchall() == [("rotations",), ("shifts",)]
    assert stored_on_duty(config, "2027-01-08 21:00") == ["D"]  # the earlier rota, untouched


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path) -> None:
    cases = [
        ("roster", "import", str(tmp_path / "missing.csv")),
        ("roster", "import", str(DATA / "four_teams.ics"), "--kind", "rotations"),
        ("roster", "show", "--at", "yesterday"),
        ("roster", "export", str(tmp_path / "x.ics"), "--from", "2027-01-05 08:00", "--to", "2027-01-04 08:00"),
        ("invite", "--role", "crew"),
        ("invite", "--role", "crew", "--crew", "Z"),
        ("invite", "--role", "dispatcher", "--crew", "A"),
        ("invite", "--role", "admin", "--expires-h", "0"),
    ]
    for argv in cases:
        code, out, err = run(capsys, *argv, "--config", str(config))
        assert code == 2, argv
        assert err.startswith("error:"), argv


def test_export_reads_back_as_the_same_shifts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, migrated: Path
) -> None:
    first = write_config(tmp_path / "one", migrated=migrated)
    for name in ("four_teams.csv", "overrides.csv"):
        assert run(capsys, "roster", "import", str(DATA / name), "--config", str(first))[0] == 0
    period = ("--from", "2027-01-07 00:00", "--to", "2027-01-16 00:00")
    for suffix in ("ics", "csv"):
        target = tmp_path / f"export.{suffix}"
        code, out, err = run(capsys, "roster", "export", str(target), *period, "--config", str(first))
        assert code == 0, err
        second = write_config(tmp_path / suffix, migrated=migrated)
        code, _, err = run(capsys, "roster", "import", str(target), "--kind", "shifts", "--config", str(second))
        assert code == 0, err
        whens = ["2027-01-08 21:00", "2027-01-12 19:00", "2027-01-14 09:00", "2027-01-15 09:00"]
        assert stored_on_duty_at(second, whens) == stored_on_duty_at(first, whens), suffix


def test_invite_prints_a_code_and_a_deep_link(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path, migrated: Path
) -> None:
    code, out, err = run(capsys, "invite", "--role", "crew", "--crew", "A", "--config", str(config))
    assert code == 0, err
    invite = out.splitlines()[0].removeprefix("invite code: ")
    assert invite.startswith("inv_")
    assert f"link: https://t.me/GasHotlineTestBot?start={invite}" in out
    settings: Settings = load_settings(config)
    with closing(sqlite3.connect(settings.storage.path)) as conn, conn:
        rows = conn.execute("SELECT code_hash, role, crew FROM invites").fetchall()
    assert len(rows) == 1 and rows[0][1:] == ("crew", "A")
    assert invite not in rows[0][0]  # only the hash is stored
    plain = write_config(tmp_path / "plain", username=None, migrated=migrated)
    code, out, _ = run(capsys, "invite", "--role", "dispatcher", "--config", str(plain))
    assert code == 0 and "sends: /start inv_" in out
