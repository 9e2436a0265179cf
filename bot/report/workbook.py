"""The report as an Excel workbook (xlsxwriter): one sheet per section of the figures, then the charts.

Numbers stay numbers (a share is a fraction shown as a percentage, minutes have one decimal), so the
archive can sum and chart them again; "-" marks a figure with nothing to measure.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import xlsxwriter

from bot.i18n import Lang, t
from bot.report.charts import Chart
from bot.report.figures import Report
from bot.report.tables import Cell, Label, Minutes, Ratio, Table

_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_IMAGE_ROWS = 24  # rows between two charts on the charts sheet


def sheet_name(lang: Lang, key: str, taken: set[str]) -> str:
    """The section's title, as Excel allows a sheet name (31 characters, none of []:*?/\\), unique."""
    name = _NOT_IN_SHEET_NAMES.sub(" ", t(lang, f"report.section_{key}"))[:31].strip()
    base, n = name, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def _write_cell(sheet: Any, row: int, col: int, cell: Cell, lang: Lang, formats: dict[str, Any]) -> None:
    if cell is None:
        sheet.write_string(row, col, "-")
    elif isinstance(cell, Label):
        sheet.write_string(row, col, t(lang, cell.key))
    elif isinstance(cell, Ratio):
        value = cell.value
        if value is None:
            sheet.write_string(row, col, "-")
        else:
            sheet.write_number(row, col, value, formats["percent"])
            sheet.write_comment(row, col, f"{cell.part}/{cell.whole}")
    elif isinstance(cell, Minutes):
        if cell.value is None:
            sheet.write_string(row, col, "-")
        else:
            sheet.write_number(row, col, round(cell.value, 1), formats["minutes"])
    elif isinstance(cell, int | float):
        sheet.write_number(row, col, cell)
    else:
        sheet.write_string(row, col, cell)


def _write_table(book: Any, table: Table, lang: Lang, formats: dict[str, Any], taken: set[str]) -> None:
    sheet = book.add_worksheet(sheet_name(lang, table.key, taken))
    sheet.write_string(0, 0, t(lang, f"report.section_{table.key}"), formats["title"])
    for col, key in enumerate(table.columns):
        sheet.write_string(2, col, t(lang, key) if key.startswith("report.") else key, formats["header"])
        sheet.set_column(col, col, 40 if col == 0 and table.key == "summary" else 16)
    for n, row in enumerate(table.rows):
        for col, cell in enumerate(row):
            _write_cell(sheet, 3 + n, col, cell, lang, formats)
    if table.note:
        sheet.write_string(4 + len(table.rows), 0, t(lang, table.note))
    sheet.freeze_panes(3, 0)


def write_workbook(path: Path, report: Report, charts: list[Chart], lang: Lang, title: str) -> Path:
    book = xlsxwriter.Workbook(str(path))
    formats = {
        "title": book.add_format({"bold": True, "font_size": 14}),
        "header": book.add_format({"bold": True, "bottom": 1, "bg_color": "#e8eef7"}),
        "percent": book.add_format({"num_format": "0.0%"}),
        "minutes": book.add_format({"num_format": "0.0"}),
    }
    book.set_properties({"title": title})
    taken: set[str] = set()
    for table in report.tables:
        _write_table(book, table, lang, formats, taken)
    sheet = book.add_worksheet(sheet_name(lang, "charts", taken))
    for n, chart in enumerate(charts):
        sheet.write_string(n * _IMAGE_ROWS, 0, t(lang, f"report.chart_{chart.key}"), formats["title"])
        options = {"image_data": io.BytesIO(chart.png), "x_scale": 0.5, "y_scale": 0.5}
        sheet.insert_image(n * _IMAGE_ROWS + 1, 0, f"{chart.key}.png", options)
    book.close()
    return path
