"""The report's files read back: the workbook's numbers (openpyxl), the PDF's text and its first page
as an image (pypdfium2), in Chinese and in English; and the command's errors.

matplotlib (under ``bot.report.charts`` and ``bot.report.pdf``), openpyxl and pypdfium2 are imported by the tests
that use them, not at collection: every test process collects this module, and matplotlib alone costs each of
them almost half a second of CPU (the report command imports them only when it runs, too)."""

from __future__ import annotations

import asyncio
import ctypes
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.i18n import Lang, t
from bot.report.figures import ChartData, Report
from bot.report.period import month_period
from bot.report.tables import Table
from tests.kit import template
from tests.kit.harness import Harness
from tests.kit.report import SHANGHAI, november, report_settings

SCREENSHOT = Path(__file__).resolve().parents[3] / "docs" / "report-first-page.png"
NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)


def _weasyprint_loads() -> bool:
    try:
        import weasyprint  # noqa: F401
    except OSError:  # its system libraries are missing
        return False
    return True


@pytest.fixture
def needs_pdf() -> None:
    """Skips where WeasyPrint cannot load. Asked when a PDF test runs, not at collection: importing WeasyPrint
    takes half a second, which every test process would pay to collect the suite."""
    if not _weasyprint_loads():
        pytest.skip("WeasyPrint cannot load: install Debian's libpango-1.0-0")


@pytest.fixture
def needs_cjk() -> None:
    """Skips where no CJK font is installed; asked when the test runs, like ``needs_pdf`` (matplotlib's font
    list)."""
    from bot.report.charts import cjk_family

    if cjk_family() is None:
        pytest.skip("no CJK font: install Debian's fonts-noto-cjk")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return report_settings(tmp_path)


def make_november(settings: Settings, migrated: Path) -> None:
    """The scenario's tickets, written before the command runs (it has its own event loop), in a database that
    starts as a copy of ``migrated`` (tests/kit/template.py)."""

    async def make() -> None:
        db = await template.fresh(migrated, settings.storage)
        try:
            await november(await Harness(settings, db, FakeClock(NOW)).setup())
        finally:
            await db.close()

    asyncio.run(make())


def write_config(tmp_path: Path, settings: Settings) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[storage]\npath = "{settings.storage.path}"\n'
        + (f'url = "{settings.storage.url}"\n' if settings.storage.url else "")
        + '\n[utility]\ntimezone = "Asia/Shanghai"\n\n'
        '[[districts]]\nname = "Huangpu"\nboxes = [[31.20, 121.40, 31.26, 121.50]]\n',
        encoding="utf-8",
    )
    return path


def pdf_pages(path: Path) -> tuple[list[str], object]:
    """The text of every page, and the first page rendered to a PIL image."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        texts = [document[n].get_textpage().get_text_bounded() for n in range(len(document))]
        image = document[0].render(scale=1.5).to_pil()
    finally:
        document.close()
    return texts, image


def font_of_first_character(path: Path) -> str:
    """The name of the font the first page's first character is set in."""
    import pypdfium2
    import pypdfium2.raw

    document = pypdfium2.PdfDocument(str(path))
    try:
        name = ctypes.create_string_buffer(200)
        flags = ctypes.c_int()
        pypdfium2.raw.FPDFText_GetFontInfo(document[0].get_textpage(), 0, name, 200, ctypes.byref(flags))
        return name.value.decode("ascii", "replace")
    finally:
        document.close()


def ink_share(image: object) -> float:
    """The share of the page's pixels that are not white."""
    grey = image.convert("L")  # type: ignore[attr-defined]
    histogram = grey.histogram()
    return 1 - sum(histogram[250:]) / sum(histogram)


def sheet_values(path: Path, sheet: str) -> dict[str, object]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return {str(row[0]): row[1] for row in book[sheet].iter_rows(min_row=4, values_only=True) if row[0]}
    finally:
        book.close()


@pytest.mark.usefixtures("needs_pdf", "needs_cjk")
def test_month_report_in_chinese(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], migrated: Path
) -> None:
    make_november(settings, migrated)
    out = tmp_path / "archive"
    config = write_config(tmp_path, settings)
    assert main(["report", "month", "2026-11", "--config", str(config), "--out", str(out)]) == 0
    xlsx, pdf = out / "hotline-report-2026-11-zh.xlsx", out / "hotline-report-2026-11-zh.pdf"
    assert str(xlsx) in capsys.readouterr().out

    summary = sheet_values(xlsx, t("zh", "report.section_summary"))
    assert summary[t("zh", "report.fig_reports")] == 7
    assert summary[t("zh", "report.fig_arrival_on_time")] == pytest.approx(0.75)
    assert summary[t("zh", "report.fig_accept_p90")] == pytest.approx(3.0)
    assert summary[t("zh", "report.fig_satisfaction")] == pytest.approx(2 / 3)
    assert summary[t("zh", "report.fig_complaints_on_time")] == pytest.approx(0.5)
    by_category = sheet_values(xlsx, t("zh", "report.section_by_category"))
    assert by_category[t("zh", "category.leak")] == 3
    import openpyxl

    book = openpyxl.load_workbook(xlsx)
    assert t("zh", "report.section_drills") in book.sheetnames
    assert book[t("zh", "report.section_drills")]["A5"].value == t("zh", "report.none_drills")
    assert len(book[t("zh", "report.section_charts")]._images) == 4
    book.close()

    texts, image = pdf_pages(pdf)
    first = texts[0]
    assert t("zh", "report.title_month", label="2026-11") in first
    assert t("zh", "report.fig_arrival_on_time") in first and "75.0% (3/4)" in first
    assert t("zh", "report.fig_satisfaction") in first and "66.7% (2/3)" in first
    assert t("zh", "report.chart_by_category") in "".join(texts)
    assert ink_share(image) > 0.02, "the first page is blank"
    assert "CJK" in font_of_first_character(pdf), "the Chinese title is not set in the CJK font"
    if os.environ.get("HOTLINE_UPDATE_SCREENSHOTS"):  # README's picture of the report
        SCREENSHOT.parent.mkdir(exist_ok=True)
        image.save(SCREENSHOT, optimize=True)  # type: ignore[attr-defined]


@pytest.mark.usefixtures("needs_pdf")
def test_year_report_in_english(settings: Settings, tmp_path: Path, migrated: Path) -> None:
    make_november(settings, migrated)
    config = write_config(tmp_path, settings)
    assert main(["report", "year", "2026", "--lang", "en", "--config", str(config), "--out", str(tmp_path)]) == 0
    summary = sheet_values(tmp_path / "hotline-report-2026-en.xlsx", "Summary")
    assert summary["Reports received"] == 8
    assert summary["Duplicate reports (counted once)"] == 1
    texts, image = pdf_pages(tmp_path / "hotline-report-2026-en.pdf")
    assert "Gas hotline: report for the year 2026" in texts[0]
    assert "On-time arrival by month" in "".join(texts)
    assert ink_share(image) > 0.02


@pytest.mark.parametrize("month", ["2026-13", "Nov 2026", "2026-1", "26-11"])
def test_a_bad_month_is_a_clear_error(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str], month: str
) -> None:
    config = write_config(tmp_path, settings)
    with pytest.raises(SystemExit) as exit_:
        main(["report", "month", month, "--config", str(config)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{month!r} is not a month: give it as YYYY-MM, e.g. 2026-11" in err
    assert not list(tmp_path.glob("hotline-report-*"))


@pytest.mark.sqlite_only("a database file that is not there")
def test_a_missing_database_is_a_clear_error(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, settings)
    assert main(["report", "year", "2026", "--config", str(config), "--out", str(tmp_path)]) == 1
    assert "no database at" in capsys.readouterr().err
    assert not settings.storage.path.exists()


def test_the_pdf_template_escapes_what_it_is_given() -> None:
    """A district's name comes from the configuration: shown as text, never as markup."""
    from bot.report.pdf import render_html

    table = Table("by_district", ["report.col_district"], [["<script>alert(1)</script>"]])
    empty = ChartData([], [], {}, {}, {})
    html = render_html(
        Report(month_period("2026-11", SHANGHAI), [table], empty), [], Lang.EN, title="<i>", subtitle="", generated=""
    )
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<title>&lt;i&gt;</title>" in html
