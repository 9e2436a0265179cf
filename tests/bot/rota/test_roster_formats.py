"""``hotline roster import``: the file format in ``--help``, Chinese column headers, and explicit shifts taking
the configured rota's place where they are given (one crew on duty, not two), with ``roster show`` naming
which rota is in force."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from tests.kit.roster import DATA, TABLE, run, section, stored_on_duty, stored_on_duty_at, write_config

ZH_ROTATIONS = "轮班,班组,每班小时,起始时间,区域,截止时间\ncity,A|B|C|D,12,2027-01-04 08:00,,\n"
ZH_SHIFTS = (
    "开始时间,结束时间,班组,类型,替换,备注\n"
    "2027-01-08 00:00,2027-01-11 00:00,D,请假,B,B 培训\n"
    "2027-01-12 18:00,2027-01-12 22:00,E,加班,,庙会增援\n"
)


def test_the_file_format_is_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["roster", "import", "--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    for text in (
        "rotation,crews,shift_hours,anchor,district,until",
        "轮班,班组,每班小时,起始时间,区域,截止时间",
        "start,end,crew,kind,replaces,note,rotation,district",
        "开始时间,结束时间,班组,类型,替换,备注,轮班,区域",
        "GB18030",
    ):
        assert text in out, text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_chinese_rotation_headers_read_as_the_english_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, encoding: str, migrated: Path
) -> None:
    config = write_config(tmp_path, migrated=migrated)
    path = tmp_path / "轮班.csv"
    path.write_bytes(ZH_ROTATIONS.encode(encoding))
    code, out, err = run(capsys, "roster", "import", str(path), "--config", str(config))
    assert code == 0, err
    assert "imported 1 rotations" in out  # recognised as rotations by its headers
    stored = stored_on_duty_at(config, [when for when, _, _ in TABLE[:6]])
    for (when, now, _), crews in zip(TABLE[:6], stored, strict=True):
        assert crews == ([now[0]] if now else []), when


def test_chinese_shift_headers_and_kinds(capsys: pytest.CaptureFixture[str], tmp_path: Path, migrated: Path) -> None:
    config = write_config(tmp_path, migrated=migrated)
    assert run(capsys, "roster", "import", str(DATA / "four_teams.csv"), "--config", str(config))[0] == 0
    path = tmp_path / "调班.csv"
    path.write_text(ZH_SHIFTS, encoding="utf-8")
    code, out, err = run(capsys, "roster", "import", str(path), "--config", str(config))
    assert code == 0, err
    assert "imported 2 shifts" in out
    assert stored_on_duty(config, "2027-01-08 21:00") == ["D"]  # B's night on leave, D covers
    assert stored_on_duty(config, "2027-01-12 19:00") == ["A", "E"]  # extra cover


def test_imported_shifts_replace_the_configured_rota_where_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, migrated: Path
) -> None:
    config = write_config(
        tmp_path, rota='crews = ["E", "A"]\nshift_hours = 24\nanchor = 2027-01-04T08:00:00', migrated=migrated
    )
    shifts = tmp_path / "shifts.csv"
    shifts.write_text("start,end,crew\n2027-01-05 08:00,2027-01-05 20:00,C\n", encoding="utf-8")
    code, out, err = run(capsys, "roster", "show", "--at", "2027-01-05 09:00", "--config", str(config))
    assert "Rota in force: the configuration's [rota] (E, A in turn, 24 h shifts)" in out
    assert "Shifts and overrides: none imported" in out
    assert run(capsys, "roster", "import", str(shifts), "--config", str(config))[0] == 0
    assert stored_on_duty(config, "2027-01-05 09:00") == ["C"]  # not A and C
    assert stored_on_duty(config, "2027-01-05 21:00") == ["A"]  # the configured rota outside the shift
    assert stored_on_duty(config, "2027-01-04 09:00") == ["E"]
    code, out, err = run(capsys, "roster", "show", "--at", "2027-01-05 09:00", "--config", str(config))
    assert code == 0, err
    assert section(out, "On duty:") == [("C", "2027-01-05 08:00", "2027-01-05 20:00")]
    assert "Shifts and overrides: 1 imported from shifts.csv on " in out
    assert "where a shift is given it replaces the rota" in out
    code, out, err = run(capsys, "roster", "import", str(DATA / "four_teams.csv"), "--config", str(config))
    code, out, err = run(capsys, "roster", "show", "--at", "2027-01-05 09:00", "--config", str(config))
    assert "Rota in force: 1 rotation(s) imported from four_teams.csv on " in out


def test_invite_times_name_the_utilitys_zone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, migrated: Path
) -> None:
    config = write_config(tmp_path, migrated=migrated)
    code, out, err = run(capsys, "invite", "--role", "crew", "--crew", "A", "--config", str(config))
    assert code == 0, err
    assert out.splitlines()[1].endswith(" Asia/Shanghai")  # "...; single use, expires 2027-... Asia/Shanghai"
    code, out, err = run(capsys, "invite", "list", "--config", str(config))
    assert out.splitlines()[0].endswith("(times: Asia/Shanghai)")
