"""The safety officer's workflow: export the workbook, edit it in a spreadsheet, import it, check it.

openpyxl (and numpy under it) is imported when a test reads a workbook, not at collection: every test process
collects this module (the product imports it only for the workbook commands, too)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import holidays
import pytest

from bot.broadcast.runner import calendar_for
from bot.cli.main import main
from bot.config.settings import load_settings
from bot.content.sheet import CAMPAIGN_COLUMNS, KNOWLEDGE_COLUMNS
from bot.questions import knowledge
from bot.questions.entries import KnowledgeError
from common.errors import ConfigError

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet


CONFIG = '[utility]\ncontent_override = "content.toml"\nhotline = "12319"\n'


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workbook ``content export`` writes for ``CONFIG``, exported once for the module: the tests that edit
    it start from a copy (the export itself is checked by the first test, and again after an import)."""
    tmp = tmp_path_factory.mktemp("exported")
    (tmp / "config.toml").write_text(CONFIG, encoding="utf-8")
    return export(tmp, tmp / "config.toml")


@pytest.fixture(autouse=True)
def _packaged_knowledge() -> object:
    yield
    knowledge.use_content(None)  # whatever a test loaded, the next one answers from the packaged base


def export(tmp_path: Path, config: Path) -> Path:
    book = tmp_path / "content.xlsx"
    assert main(["content", "export", str(book), "--config", str(config)]) == 0
    return book


def copy_of(book: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "content.xlsx"
    shutil.copyfile(book, copy)
    return copy


def load(book: Path) -> Workbook:
    import openpyxl

    return openpyxl.load_workbook(book)


def cell(ws: Worksheet, item_id: str, column: str) -> Cell:
    columns = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == item_id)
    return row[columns.index(column)]


def test_export_writes_one_row_per_answer_and_campaign_with_source_and_review_date(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = export(tmp_path, config)
    assert "answers" in capsys.readouterr().out
    wb = load(book)
    kb, campaigns = wb["knowledge"], wb["campaigns"]
    assert tuple(c.value for c in kb[1]) == KNOWLEDGE_COLUMNS
    assert tuple(c.value for c in campaigns[1]) == CAMPAIGN_COLUMNS
    assert kb.max_row - 1 == len(knowledge.shipped().entry)
    assert {r[0].value for r in campaigns.iter_rows(min_row=2)} >= {
        "spring_festival",
        "heating_season",
        "typhoon_flood",
    }
    assert isinstance(cell(kb, "smell_gas", "reviewed").value, dt.datetime)
    assert cell(kb, "smell_gas", "enabled").value is True
    assert "{hotline}" in cell(kb, "smell_gas", "zh").value
    assert cell(campaigns, "spring_festival", "schedule").value.startswith("holiday spring_festival: break start -2")


def test_an_edited_workbook_is_loaded_into_the_override_the_bot_reads(
    tmp_path: Path, config: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = copy_of(exported, tmp_path)
    wb = load(book)
    kb, campaigns = wb["knowledge"], wb["campaigns"]
    cell(kb, "hose_check", "en").value = "Look at the whole hose every month; call {hotline} if it is cracked or stiff."
    cell(kb, "hose_check", "source").value = "GB 50028 §10.2.8; utility leaflet 2027"
    cell(kb, "earthquake", "enabled").value = False
    cell(campaigns, "co_season", "enabled").value = "FALSE"
    cell(campaigns, "summer_heat", "reviewed").value = dt.date(2026, 11, 30)
    wb.save(book)
    assert main(["content", "import", str(book), "--config", str(config)]) == 0
    assert "2 answers and 2 campaigns differ" in capsys.readouterr().out
    settings = load_settings(config)
    assert settings.utility.content_override == tmp_path / "content.toml"
    knowledge.use_content(settings.utility.content_override)
    entry = knowledge.entry("hose_check")
    assert entry.answer("en", hotline="12319").startswith("Look at the whole hose") and "12319" in entry.answer(
        "en", hotline="12319"
    )
    assert entry.source == "GB 50028 §10.2.8; utility leaflet 2027"
    with pytest.raises(KeyError):
        knowledge.entry("earthquake")  # switched off: not answered
    assert knowledge.search("怎么检查燃气软管有没有问题？", "zh")[0].id == "hose_check"
    calendar = calendar_for(settings)
    assert calendar.get("co_season").enabled is False
    assert calendar.get("summer_heat").reviewed == dt.date(2026, 11, 30)
    # exporting again shows the officer's edits
    again = load(export(tmp_path, config))
    assert cell(again["knowledge"], "earthquake", "enabled").value is False
    assert cell(again["campaigns"], "co_season", "enabled").value is False


def test_bad_cells_are_each_named_and_nothing_is_loaded(
    tmp_path: Path, config: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = copy_of(exported, tmp_path)
    wb = load(book)
    kb, campaigns = wb["knowledge"], wb["campaigns"]
    cell(kb, "smell_gas", "en").value = "闻到燃气味 {hotline} untranslated"
    cell(kb, "gas_odour", "zh").value = None
    cell(kb, "leak_check", "reviewed").value = "next week"
    cell(kb, "co_symptoms", "reviewed").value = dt.date(2099, 1, 1)
    cell(kb, "co_alarm", "zh").value = "电话 {phone}，这是一个足够长的答案文字。"
    cell(kb, "valve_where", "source").value = ""
    cell(kb, "close_valve", "id").value = "brand_new_entry"
    cell(campaigns, "co_season", "en").value = "Close the window. No hotline here."
    cell(campaigns, "summer_heat", "enabled").value = "maybe"
    smell_row = cell(kb, "smell_gas", "en").row
    wb.save(book)
    assert main(["content", "import", str(book), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "nothing was loaded" in err
    assert f"sheet knowledge, row {smell_row}, column E (en): the English text contains Chinese" in err
    assert "column C (zh): empty; every text needs both languages" in err
    assert "column G (reviewed): expected a date (YYYY-MM-DD), found 'next week'" in err
    assert "column G (reviewed): 2099-01-01 is in the future" in err
    assert "column C (zh): unknown placeholders ['phone']" in err
    assert "column F (source): the source (standard, regulation or page) is required" in err
    assert "column A (id): unknown id 'brand_new_entry'" in err
    assert "sheet campaigns, row" in err and "column D (en): must include the {hotline} placeholder" in err
    assert "column G (enabled): expected TRUE or FALSE, found 'maybe'" in err
    assert len([line for line in err.splitlines() if line.startswith("  sheet")]) == 9
    assert not (tmp_path / "content.toml").exists()


def test_a_workbook_with_wrong_headers_or_not_a_workbook_is_refused(
    tmp_path: Path, config: Path, exported: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = copy_of(exported, tmp_path)
    wb = load(book)
    wb["knowledge"]["E1"].value = "english"
    del wb["campaigns"]
    wb.save(book)
    assert main(["content", "import", str(book), "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "sheet knowledge, row 1, column E: expected 'en', found 'english'" in err
    assert "sheet campaigns: missing" in err
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a zip", encoding="utf-8")
    assert main(["content", "import", str(junk), "--config", str(config)]) == 2
    assert "not a readable .xlsx workbook" in capsys.readouterr().err
    bare = tmp_path / "bare.toml"
    bare.write_text("", encoding="utf-8")
    assert main(["content", "import", str(book), "--config", str(bare)]) == 2
    assert "content_override" in capsys.readouterr().err
    assert not (tmp_path / "content.toml").exists()


def test_content_check_is_clean_as_shipped_and_names_each_problem(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "check", "--config", str(config)]) == 0
    assert "nothing to fix" in capsys.readouterr().out
    late = tmp_path / "late.toml"
    late.write_text(
        '[[campaign]]\nid = "late"\ndate = "03-03 22:30"\n'
        'texts.zh = "晚上好 {hotline}"\ntexts.en = "Evening {hotline}"\n',
        encoding="utf-8",
    )
    (tmp_path / "content.toml").write_text(
        '[knowledge.hose_check]\nen = "If you smell gas or see a leak, open the windows and go outside now."\n'
        '[knowledge.co_symptoms]\nzh = "' + "头痛、头晕、恶心。" * 40 + '{hotline}"\n'
        '[campaign.co_season]\nen = "一氧化碳 {hotline}"\nzh = "一氧化碳 {hotline}"\n',
        encoding="utf-8",
    )
    config.write_text(
        config.read_text("utf-8") + f'[reminders]\ncalendar_override = "{late.as_posix()}"\n', encoding="utf-8"
    )
    assert main(["content", "check", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "knowledge hose_check (en): a safety text without the {hotline} placeholder" in out
    assert "knowledge co_symptoms (zh): 365 characters, longer than one phone screen (320)" in out
    assert "campaign co_season (en): missing language: Chinese in the English text (untranslated?)" in out
    assert "campaign late: scheduled" in out and "22:30, in quiet hours (21:00-08:00)" in out


def official_break_start(year: int, label: str) -> dt.date:
    table = holidays.country_holidays("CN", years=(year - 1, year), language="en_US")
    day = min(d for d, name in table.items() if label in name and d.year == year)
    while not table.is_working_day(day - dt.timedelta(days=1)):
        day -= dt.timedelta(days=1)
    return day


@pytest.mark.parametrize("year", [2027, 2028])
def test_campaigns_show_prints_local_dates_checked_against_the_official_breaks(
    year: int, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["campaigns", "show", "--year", str(year), "--config", str(config)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"campaigns in {year} (Asia/Shanghai, quiet hours 21:00-08:00):"
    when = {line.split()[3]: (dt.date.fromisoformat(line.split()[0]), line.split()[2]) for line in lines[1:]}
    spring = official_break_start(year, "Spring Festival")
    assert when["spring_festival"] == (spring - dt.timedelta(days=2), "10:00")
    assert when["spring_festival_travel"] == (spring - dt.timedelta(days=7), "10:00")
    assert when["qingming_travel"][0] == official_break_start(year, "Tomb-Sweeping") - dt.timedelta(days=2)
    national = official_break_start(year, "National Day")
    if year == 2028:  # 中秋 on 3 October, inside the National Day break: one tip
        assert when["mid_autumn_national_day"][0] == national - dt.timedelta(days=1)
        assert "mid_autumn_eve" not in when and "national_day_eve" not in when
    else:
        assert when["national_day_eve"][0] == national - dt.timedelta(days=1)
        assert "mid_autumn_national_day" not in when
    assert when["heating_season-all"] == (dt.date(year, 10, 15), "10:00")
    assert all(time == "10:00" for _, time in when.values())
    assert [d for d, _ in when.values()] == sorted(d for d, _ in when.values())


def test_a_broken_override_stops_the_bot_at_start_not_mid_answer(tmp_path: Path) -> None:
    from bot.content.store import ContentError

    broken = tmp_path / "content.toml"
    broken.write_text("[knowledge.smell_gas\n", encoding="utf-8")
    with pytest.raises(ContentError, match="content override unreadable"):
        knowledge.use_content(broken)
    broken.write_text('[knowledge.smell_gas]\nen = "too short"\n', encoding="utf-8")
    with pytest.raises(KnowledgeError, match="with the content override invalid"):
        knowledge.use_content(broken)


EXAMPLE = Path(__file__).resolve().parents[3] / "config.example.toml"


def test_the_example_configurations_utility_facts_and_regions_work_uncommented(tmp_path: Path) -> None:
    text = EXAMPLE.read_text("utf-8")
    for hint in (
        "hours = ",
        "offices = [",
        '  { zh = "中心',
        "]",
        "[[utility.regions]]",
        'name = "north"',
        'district = "Huangpu"',
        "dates = {",
        'name = "coast"',
        "[[districts]]",
        'name = "Huangpu"',
        "boxes = ",
    ):
        text = text.replace(f"# {hint}", hint)
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    settings = load_settings(path)
    assert [r.name for r in settings.utility.regions] == ["north", "coast"]
    assert "人民路1号" in settings.utility.facts("zh")["offices"]
    ids = {c.id for c in calendar_for(settings).campaigns}
    assert {"heating_season-north", "heating_season-coast", "typhoon_flood-coast", "gas_safety_week-north"} <= ids
    assert "typhoon_flood-north" not in ids
    path.write_text(text.replace('district = "Huangpu"', 'district = "Nowhere"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="district 'Nowhere' is not in \\[\\[districts\\]\\]"):
        load_settings(path)


def test_campaigns_show_without_a_year_lists_this_year_and_the_next(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["campaigns", "show", "--config", str(config)]) == 0
    headers = [line for line in capsys.readouterr().out.splitlines() if line.startswith("campaigns in")]
    this = dt.datetime.now(load_settings(config).utility.tz).year
    assert [h.split()[2] for h in headers] == [str(this), str(this + 1)]
