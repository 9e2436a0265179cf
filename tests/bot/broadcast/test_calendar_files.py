"""Campaign calendar files: an override replaces, disables and adds campaigns; every mistake in a file is
named by its campaign and key; a missing file is a calendar error."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.broadcast.calendar import CalendarError, load_calendar, next_occurrence, occurrences
from tests.kit.broadcast import EXPECTED
from tests.kit.calendar_files import SHANGHAI, entry, local, write


def test_override_replaces_disables_and_adds(tmp_path: Path) -> None:
    body = entry("spring_festival", 'holiday = "spring_festival"', 'offset_days = -2\ntime = "09:00"')
    body += '[[campaign]]\nid = "co_midwinter"\nenabled = false\n'
    body += entry("gas_week", 'date = "2027-08-03 11:00"', 'audience = "district:Haidian"\nphoto = "AgADfile"')
    calendar = load_calendar(overrides=write(tmp_path, body, "override.toml"))
    ids = [c.id for c in calendar.campaigns]
    assert ids[1] == "spring_festival" and ids[-1] == "gas_week" and len(ids) == len(EXPECTED) + 1
    assert calendar.get("spring_festival").texts.en == "Note {hotline}"
    assert calendar.get("co_midwinter").enabled is False
    assert next_occurrence(calendar.get("co_midwinter"), local(2027, 1, 1), SHANGHAI) is None
    assert calendar.get("gas_week").photo == "AgADfile"
    found = {o.campaign_id: o for o in occurrences(calendar, local(2027, 1, 1), local(2028, 1, 1), SHANGHAI)}
    assert "co_midwinter" not in found
    assert found["spring_festival"].fire_at_utc == local(2027, 2, 4, 9)
    assert found["gas_week"].fire_at_utc == local(2027, 8, 3, 11)
    assert load_calendar().get("co_midwinter").enabled  # the cached default is untouched
    again = write(tmp_path, '[[campaign]]\nid = "co_midwinter"\nenabled = true\n', "on.toml")
    assert load_calendar(overrides=again).get("co_midwinter").enabled


def test_override_of_unknown_id_to_disable_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, '[[campaign]]\nid = "nope"\nenabled = false\n', "override.toml")
    with pytest.raises(CalendarError, match=r"override.toml: campaign 'nope': id: no such campaign"):
        load_calendar(overrides=path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '[[campaign]]\nid = "bad"\ndate = "05-12 10:00"\ntexts.zh = "x {hotline}"\n',
            r"campaign 'bad': texts\.en: Field required",
        ),
        (
            entry("bad", 'date = "05-12 10:00"\ncron = "0 10 * * *"'),
            r"'bad': schedule: give exactly one of cron, date, holiday",
        ),
        (entry("bad", 'audience = "subscribers"'), r"'bad': schedule: .*got none"),
        (entry("bad", 'cron = "0 25 * * *"'), r"'bad': cron: .*hour field '25' out of range"),
        (entry("bad", 'cron = "0 10 * *"'), r"'bad': cron: .*expected 5 fields"),
        (entry("bad", 'date = "13-01 10:00"'), r"'bad': date: .*month must be in 1..12"),
        (entry("bad", 'date = "May 12"'), r"'bad': date: expected 'MM-DD HH:MM'"),
        (entry("bad", 'holiday = "mid_autumn"'), r"'bad': time: required with holiday"),
        (
            entry("bad", 'cron = "0 10 * * *"', "offset_days = 1"),
            r"'bad': offset_days/time: only with holiday",
        ),
        (entry("bad", 'holiday = "qingming"', 'time = "10:00"\noffset_days = 400'), r"'bad': offset_days: "),
        (entry("bad", 'date = "05-12 10:00"', 'audience = "everyone"'), r"'bad': audience: "),
        (entry("bad", 'date = "05-12 10:00"', "colour = 1"), r"'bad': colour: Extra inputs"),
        (entry("bad", 'date = "05-12 10:00"', "urgent = 3"), r"'bad': urgent: "),
        (entry("Bad Id", 'date = "05-12 10:00"'), r"'Bad Id': id: "),
        (
            entry("bad", 'date = "05-12 10:00"', zh="没有热线"),
            r"'bad': texts\.zh: must include the \{hotline\}",
        ),
        (
            entry("bad", 'date = "05-12 10:00"', en="{hotline} {name}"),
            r"'bad': texts\.en: unknown placeholders \['name'\]",
        ),
        (entry("bad", 'holiday = "qingming"', "time = 10"), r"'bad': time: Input should be a valid string"),
        (entry("bad", 'holiday = "qingming"', 'time = "25:00"'), r"'bad': time: "),
        (entry("bad", 'date = "05-12 10:00"', "enabled = 2"), r"'bad': enabled: "),
        (
            entry("dup", 'date = "05-12 10:00"') + entry("dup", 'date = "05-13 10:00"'),
            r"campaign 'dup': id: duplicate",
        ),
        ('[[campaign]]\ndate = "05-12 10:00"\n', r"campaign #1: id: required"),
        ("[campaigns]\nx = 1\n", r"unknown top-level key"),
        ("[[campaign]\n", r"cal\.toml: "),
    ],
)
def test_validation_errors_name_the_campaign_and_key(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(CalendarError, match=message):
        load_calendar(write(tmp_path, body))


def test_missing_file_is_a_calendar_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="cannot read"):
        load_calendar(tmp_path / "missing.toml")
