"""Key sites: the raise by table (radius, by name, never below P2 for gas or CO, nothing beyond P1), a
report at a key site through the intake (card, desk at once), ``/site`` and the spreadsheet import."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from bot.i18n import t
from bot.intake.forms import Severity
from bot.key_sites.model import KeySite, KeySiteMatch, distance_m, match, raised
from bot.key_sites.sheet import SitesImportError, read_sites
from common.errors import ConfigError
from common.events import EventKind
from tests.kit import template
from tests.kit.crew import audits, crew_settings, harness, texts_to, ticket
from tests.kit.forms import report_leak
from tests.kit.harness import texts
from tests.kit.people import CREW_A, DISPATCHER, RESIDENT
from tests.kit.settings import settings_dict

P1, P2, P3, P4 = Severity.P1, Severity.P2, Severity.P3, Severity.P4
# the leak form's pin (tests.core.test_leak_report): 31.2304, 121.4737
CANTEEN = {
    "name": "Hongqiao Primary School Canteen",
    "kind": "school_canteen",
    "address": "8 School Lane",
    "lat": 31.2307,
    "lon": 121.4737,
    "phone": "021-5555-0101",
}


@pytest.mark.parametrize(
    ("severity", "category", "expected"),
    [
        (P4, "complaint", P3),  # one level up
        (P3, "meter", P2),
        (P2, "appliance", P1),
        (P1, "fire", P1),  # no raise beyond P1
        (P1, "leak", P1),
        (P2, "leak", P1),
        (P3, "leak", P2),  # gas: never below P2
        (P4, "leak", P2),
        (P4, "co", P2),  # CO: never below P2
        (P3, "excavation", P2),
        (P4, "occupation", P3),  # not gas or CO: one level only
    ],
)
def test_raise_by_table(severity: Severity, category: str, expected: Severity) -> None:
    assert raised(severity, category) is expected


SITES = [
    KeySite(name="Sunshine Elderly Home", kind="elderly_home", lat=31.2400, lon=121.4800, phone="1"),
    KeySite(name="阳光养老院", kind="elderly_home", address="幸福路 8 号"),
    KeySite(name="Boiler Room 2", kind="boiler_room", lat=31.2400, lon=121.4805),
]
RULE = KeySiteMatch(radius_m=100)


@pytest.mark.parametrize(
    ("lat", "lon", "texts", "expected"),
    [
        (31.2400, 121.4800, [], "Sunshine Elderly Home"),  # at the pin
        (31.2408, 121.4800, [], "Sunshine Elderly Home"),  # about 89 m north: inside 100 m
        (31.2410, 121.4800, [], None),  # about 111 m: outside
        (31.2400, 121.4803, [], "Boiler Room 2"),  # the nearer of two within the radius
        (None, None, ["幸福路8号 阳光养老院 厨房"], "阳光养老院"),  # named in the address
        (None, None, ["smell near sunshine elderly home gate"], "Sunshine Elderly Home"),  # in the text, any case
        (None, None, ["阳光小区"], None),
        (31.3000, 121.5000, ["Boiler Room 2 basement"], "Boiler Room 2"),  # far from every pin, but named
    ],
)
def test_match_by_radius_and_by_name(
    lat: float | None, lon: float | None, texts: list[str], expected: str | None
) -> None:
    found = match(SITES, RULE, lat=lat, lon=lon, texts=texts)
    assert (found.name if found else None) == expected


def test_by_name_can_be_switched_off_and_the_distance_is_metres() -> None:
    assert match(SITES, KeySiteMatch(by_name=False), lat=None, lon=None, texts=["Boiler Room 2"]) is None
    assert 88 < distance_m(31.2400, 121.48, 31.2408, 121.48) < 90


def test_two_configured_sites_of_one_name_are_refused(tmp_path: Path) -> None:
    data = settings_dict(tmp_path / "x.sqlite3", key_sites=[CANTEEN, CANTEEN])
    with pytest.raises(ConfigError, match="key_sites"):
        load_settings(None, data)


async def test_a_leak_next_to_a_key_site_names_it_on_the_card_and_tells_the_desk_at_once(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path, key_sites=[CANTEEN])
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await harness(settings, db, clock)
        number = await report_leak(h)
        stored = await ticket(db, number)
        assert stored.details["_key_site"]["name"] == CANTEEN["name"]
        cards = [r for r in await h.outbox("dispatch") if r.chat == CREW_A[0]]
        line = t(
            "zh",
            "key_sites.card_line",
            name=CANTEEN["name"],
            kind=t("zh", "key_sites.kind_school_canteen"),
            phone="021-5555-0101",
        )
        assert cards and line.split("，")[0] in cards[0].message.text  # type: ignore[union-attr]
        assert "021" in cards[0].message.text  # type: ignore[union-attr]
        alerts = [x for x in await texts_to(h, DISPATCHER, "desk") if CANTEEN["name"] in x]
        assert len(alerts) == 1, "the desk told once, when the pin placed it"
        assert alerts[0].startswith(t("en", "key_sites.desk_alert", ticket=number, name=CANTEEN["name"], severity="P1"))
    finally:
        await db.close()


async def test_a_meter_fault_at_a_key_site_is_raised_to_p2_and_dispatched(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path, key_sites=[{**CANTEEN, "lat": None, "lon": None}])
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await harness(settings, db, clock)
        await h.text(RESIDENT, "/report")
        await h.press(RESIDENT, "i:c:meter")
        await h.text(RESIDENT, "Hongqiao Primary School Canteen, back kitchen")
        for data in ("i:f:meter_turning:no",):
            await h.press(RESIDENT, data)
        await h.text(RESIDENT, "the display is blank")
        await h.press(RESIDENT, "i:f:photos:-")
        await h.text(RESIDENT, "138 1234 5678")
        await h.press(RESIDENT, "i:s:ok")
        number = int(await db.scalar("SELECT MAX(id) FROM tickets"))
        stored = await ticket(db, number)
        assert (stored.severity, stored.status) == ("P2", "dispatched"), "P3 raised one level, sent to the crew"
        row = await db.fetchone(
            "SELECT json_extract(data, '$.site'), json_extract(data, '$.raised_from') FROM ticket_events"
            " WHERE ticket_id = ? AND kind = 'key_site'",
            (number,),
        )
        assert row is not None and tuple(row) == (CANTEEN["name"], "P3"), "on the record: where, and from what"
        assert [r for r in await h.outbox("dispatch") if r.ticket_id == number]
    finally:
        await db.close()


async def test_site_lookup_for_crews_and_the_desk_refused_to_residents(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path, key_sites=[CANTEEN])
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await harness(settings, db, clock)
        for user in (CREW_A[1], DISPATCHER):
            answer = texts(await h.text(user, "/site hongqiao"))[0]
            assert CANTEEN["name"] in answer and "8 School Lane" in answer and "021-5555-0101" in answer
            assert "31.23070, 121.47370" in answer
        listing = texts(await h.text(DISPATCHER, "/site"))[0]
        assert CANTEEN["name"] in listing
        assert texts(await h.text(DISPATCHER, "/site nowhere")) == [t("en", "key_sites.not_found", query="nowhere")]
        before = await audits(db)
        assert texts(await h.text(RESIDENT, "/site hongqiao")) == [t("en", "key_sites.refused")]
        assert await audits(db) == before + 1
    finally:
        await db.close()


def test_import_a_csv_with_chinese_headers(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "名称,类型,地址,纬度,经度,联系电话\n"
        "红桥小学食堂,学校食堂,学校路8号,31.2307,121.4737,021-5555-0101\n"
        "# a comment\n"
        "\n"
        "第一锅炉房,锅炉房,,,,\n",
        encoding="gb18030",
    )
    sites = read_sites(path)
    assert [(s.name, s.kind, s.lat) for s in sites] == [
        ("红桥小学食堂", "school_canteen", 31.2307),
        ("第一锅炉房", "boiler_room", None),
    ]


def test_a_bad_sheet_names_every_bad_line_and_imports_nothing(tmp_path: Path) -> None:
    import openpyxl  # here, not at collection: every test process collects this module (openpyxl pulls in numpy)

    path = tmp_path / "sites.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in (
        ("name", "kind", "address", "lat", "lon", "phone"),
        ("City Hospital", "hospital", "1 Health Rd", 31.2, 121.4, "120"),
        ("Old Market", "bazaar", "", None, None, ""),
        ("X", "market", "", None, None, ""),
        ("Mill Canteen", "restaurant", "", 31.2, None, ""),
        ("City Hospital", "hospital", "", None, None, ""),
    ):
        sheet.append(row)
    book.save(path)
    with pytest.raises(SitesImportError) as caught:
        read_sites(path)
    message = str(caught.value)
    for line in (
        "line 3: kind 'bazaar'",
        "line 4: name",
        "line 5: lat and lon go together",
        "line 6: 'City Hospital' appears twice",
    ):
        assert line in message, message
    assert "line 2" not in message


def test_imported_sites_are_in_force_beside_the_configured(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        f'[storage]\npath = "{settings.storage.path}"\n\n'
        '[[key_sites]]\nname = "Configured Canteen"\nkind = "school_canteen"\n',
        encoding="utf-8",
    )
    sheet = tmp_path / "sites.csv"
    sheet.write_text("name,kind\nImported Boiler Room,boiler_room\n", encoding="utf-8")
    assert main(["sites", "import", str(sheet), "--config", str(config)]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("name,kind\nZ,boiler_room\n", encoding="utf-8")
    assert main(["sites", "import", str(bad), "--config", str(config)]) == 2
    with closing(sqlite3.connect(settings.storage.path)) as conn:
        names = [str(r[0]) for r in conn.execute("SELECT name FROM key_sites")]
    assert names == ["Imported Boiler Room"], "the bad file changed nothing"
    assert "line 2: name" in capsys.readouterr().err
    assert main(["sites", "list", "--config", str(config)]) == 0
    listed = capsys.readouterr().out
    assert "Configured Canteen\tschool_canteen" in listed and "Imported Boiler Room\tboiler_room" in listed


async def test_an_address_typed_after_the_pin_that_names_a_key_site_tells_the_desk_then(
    tmp_path: Path, clock: FakeClock, migrated: Path
) -> None:
    settings = crew_settings(tmp_path, key_sites=[{**CANTEEN, "lat": None, "lon": None}])
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await harness(settings, db, clock)
        await h.text(RESIDENT, "I smell gas in my kitchen")
        await h.event(RESIDENT, EventKind.LOCATION, latitude=31.30, longitude=121.50)
        number = int(await db.scalar("SELECT MAX(id) FROM tickets"))
        assert "_key_site" not in (await ticket(db, number)).details, "a pin far from every key site"
        assert not [x for x in await texts_to(h, DISPATCHER, "desk") if CANTEEN["name"] in x]
        await h.text(RESIDENT, "Hongqiao Primary School Canteen, back kitchen")
        assert (await ticket(db, number)).details["_key_site"]["name"] == CANTEEN["name"]
        alerts = [x for x in await texts_to(h, DISPATCHER, "desk") if CANTEEN["name"] in x]
        assert len(alerts) == 1, "told once, when the address named it"
        await h.press(RESIDENT, "i:f:where:home")
        assert len([x for x in await texts_to(h, DISPATCHER, "desk") if CANTEEN["name"] in x]) == 1, "not again"
        edits = [r for r in await h.outbox("dispatch_edit") if r.ticket_id == number]
        assert edits and CANTEEN["name"] in edits[-1].message.text  # type: ignore[union-attr]
    finally:
        await db.close()


def test_a_bad_site_file_or_drill_from_the_command_line_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "h.sqlite3"}"\n', encoding="utf-8")
    assert main(["drill", "start", "--crew", "A", "--scenario", "flood", "--config", str(config)]) == 2
    assert main(["sites", "import", str(tmp_path / "missing.csv"), "--config", str(config)]) == 2
