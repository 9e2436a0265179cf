"""The report as a PDF: an HTML page from a Jinja2 template (autoescaped), laid out by WeasyPrint.

The summary comes first with the charts under it, then every other section. Chinese text is set in Noto
Sans CJK (Debian's ``fonts-noto-cjk``); WeasyPrint needs Debian's pango, and subsets the fonts it embeds with
HarfBuzz's subset library (``libharfbuzz-subset0``).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from bot.i18n import Lang, t
from bot.report.charts import Chart
from bot.report.figures import Report
from bot.report.tables import Label, Minutes, Ratio, Table, cell_text
from common.errors import ReportError


@dataclass(frozen=True)
class Section:
    title: str
    columns: list[str]
    rows: list[list[tuple[str, bool]]]  # (text, numeric: right-aligned)
    note: str | None


def _section(table: Table, lang: Lang) -> Section:
    return Section(
        title=t(lang, f"report.section_{table.key}"),
        columns=[t(lang, key) if key.startswith("report.") else key for key in table.columns],
        rows=[
            [(cell_text(lang, c), isinstance(c, int | float | Ratio | Minutes) and not isinstance(c, Label)) for c in r]
            for r in table.rows
        ],
        note=t(lang, table.note) if table.note else None,
    )


def render_html(report: Report, charts: list[Chart], lang: Lang, *, title: str, subtitle: str, generated: str) -> str:
    env = Environment(loader=PackageLoader("bot.report", "templates"), autoescape=select_autoescape(["html"]))
    return env.get_template("report.html").render(
        html_lang="zh-CN" if lang == Lang.ZH else "en",
        title=title,
        subtitle=subtitle,
        generated=generated,
        definitions=t(lang, "report.definitions"),
        sections=[_section(table, lang) for table in report.tables],
        charts=[
            {
                "title": t(lang, f"report.chart_{chart.key}"),
                "src": "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii"),
            }
            for chart in charts
        ],
    )


def write_pdf(path: Path, html: str) -> Path:
    try:
        from weasyprint import HTML
    except OSError as exc:  # its system libraries (pango) are missing
        raise ReportError(f"the PDF needs WeasyPrint's system libraries (Debian: libpango-1.0-0): {exc}") from exc
    HTML(string=html).write_pdf(str(path))
    return path
