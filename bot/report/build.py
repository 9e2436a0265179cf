"""From the figures to the files: ``hotline-report-<period>-<lang>.xlsx`` and ``.pdf`` (imported only by the
report command: matplotlib and WeasyPrint load slowly)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.i18n import Lang, t
from bot.report.charts import charts
from bot.report.figures import Inputs, compute
from bot.report.pdf import render_html, write_pdf
from bot.report.workbook import write_workbook
from common.errors import ReportError


def write_report(inputs: Inputs, lang: Lang, out: Path, now: datetime, tz_name: str) -> list[Path]:
    """Write the workbook and the PDF of ``inputs``' period into ``out``; their paths."""
    period = inputs.period
    report = compute(inputs)
    images = charts(report.charts, lang, yearly=period.month is None)
    title = t(lang, f"report.title_{'year' if period.month is None else 'month'}", label=period.label)
    last = period.end_day - timedelta(days=1)
    subtitle = t(lang, "report.subtitle", start=period.first_day, end=last, tz=tz_name)
    generated = t(lang, "report.generated", at=now.astimezone(period.tz).strftime("%Y-%m-%d %H:%M"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"{out}: cannot create the output directory ({exc.strerror})") from exc
    stem = out / f"hotline-report-{period.label}-{lang.value}"
    workbook = write_workbook(stem.with_suffix(".xlsx"), report, images, lang, title)
    html = render_html(report, images, lang, title=title, subtitle=subtitle, generated=generated)
    return [workbook, write_pdf(stem.with_suffix(".pdf"), html)]
