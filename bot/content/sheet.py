"""The content spreadsheet: the knowledge base and the campaigns as rows a safety officer edits in Excel or WPS.

``export`` writes two sheets, ``knowledge`` (id, zh_q, zh, en_q, en, source, reviewed, enabled) and
``campaigns`` (id, schedule, zh, en, source, reviewed, enabled), from the shipped content with the current
override applied. ``read_sheet`` validates an edited workbook cell by cell and returns the override to
write (``bot.content.store``), or raises ``SheetError`` naming every bad cell by sheet, row and column:
then nothing is written. Ids, keywords and schedules are not editable here (they change with code review);
the ``schedule`` column is for reading only. Only rows that differ from the shipped content are stored.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.broadcast.calendar import Campaign, load_calendar
from bot.broadcast.holiday_dates import CalendarError
from bot.config.settings import Settings
from bot.content import store as content_store
from bot.content.store import Content
from bot.questions import knowledge
from bot.questions.entries import KnowledgeError, Text
from bot.questions.placeholders import check_placeholders
from common.errors import HotlineError

KNOWLEDGE_COLUMNS = ("id", "zh_q", "zh", "en_q", "en", "source", "reviewed", "enabled")
CAMPAIGN_COLUMNS = ("id", "schedule", "zh", "en", "source", "reviewed", "enabled")
_WIDTHS = {"id": 24, "schedule": 30, "zh_q": 30, "en_q": 40, "zh": 60, "en": 80, "source": 50, "reviewed": 12}
_CJK = re.compile(r"[\u3400-\u9fff]")
_TRUE, _FALSE = {"true", "yes", "y", "1", "是", "启用"}, {"false", "no", "n", "0", "否", "停用"}


class SheetError(HotlineError):
    """An edited workbook that cannot be loaded; ``problems`` names each bad cell."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s); nothing was loaded")
        self.problems = problems


def _schedule(c: Campaign) -> str:
    if c.holiday is not None:
        anchor = "break start" if c.anchor == "break" else c.holiday
        only = f", only with {c.with_holiday}" if c.with_holiday else ""
        only += f", not with {c.without_holiday}" if c.without_holiday else ""
        return f"holiday {c.holiday}: {anchor} {c.offset_days:+d} days, {c.time}{only}"
    if c.regional is not None:
        return f"date {c.date} (per region: dates.{c.regional})"
    return f"date {c.date}" if c.date is not None else f"cron {c.cron}"


def _base_rows(settings: Settings) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    kb = {
        e.id: {"id": e.id, "zh_q": e.zh.q, "zh": e.zh.a, "en_q": e.en.q, "en": e.en.a, "source": e.source,
               "reviewed": e.reviewed, "enabled": True}
        for e in knowledge.shipped().entry
    }  # fmt: skip
    calendar = load_calendar(overrides=settings.broadcast.calendar_override, by_region=False)
    campaigns = {
        c.id: {"id": c.id, "schedule": _schedule(c), "zh": c.texts.zh, "en": c.texts.en, "source": c.source or "",
               "reviewed": c.reviewed, "enabled": c.enabled}
        for c in calendar.campaigns
    }  # fmt: skip
    return kb, campaigns


def export(path: Path, settings: Settings) -> tuple[int, int]:
    """Write the workbook; returns the number of knowledge and campaign rows."""
    kb, campaigns = _base_rows(settings)
    content = content_store.read(settings.utility.content_override)
    import openpyxl  # here, not at the top: openpyxl and numpy under it are only for the workbook commands
    from openpyxl.styles import Alignment, Font

    wb = openpyxl.Workbook()
    sheets = (("knowledge", KNOWLEDGE_COLUMNS, kb, content.knowledge), ("campaigns", CAMPAIGN_COLUMNS, campaigns,
              content.campaign))  # fmt: skip
    for index, (title, columns, rows, override) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = title
        ws.append(list(columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for item_id, row in rows.items():
            ws.append([{**row, **override.get(item_id, {})}[c] for c in columns])
        for n, column in enumerate(columns, 1):
            ws.column_dimensions[_letter(n)].width = _WIDTHS.get(column, 10)
        for cells in ws.iter_rows(min_row=2):
            for cell, column in zip(cells, columns, strict=True):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if column == "reviewed":
                    cell.number_format = "yyyy-mm-dd"
        ws.freeze_panes = "B2"
    wb.save(path)
    return len(kb), len(campaigns)


def _letter(column: int) -> str:
    """The spreadsheet's letters for a column number (1: "A")."""
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


@dataclass
class _Cell:
    sheet: str
    row: int
    col: int
    column: str
    value: Any

    def where(self) -> str:
        return f"sheet {self.sheet}, row {self.row}, column {_letter(self.col)} ({self.column})"


def _text(cell: _Cell, problems: list[str]) -> str:
    if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
        problems.append(f"{cell.where()}: empty; every text needs both languages")
        return ""
    if not isinstance(cell.value, str):
        problems.append(f"{cell.where()}: expected text, found {cell.value!r}")
        return ""
    return cell.value.replace("\r\n", "\n").strip()


def _script(cell: _Cell, text: str, problems: list[str]) -> None:
    if text and cell.column.startswith("zh") and not _CJK.search(text):
        problems.append(f"{cell.where()}: the Chinese text has no Chinese in it")
    if text and cell.column.startswith("en") and _CJK.search(text):
        problems.append(f"{cell.where()}: the English text contains Chinese (untranslated?)")


def _reviewed(cell: _Cell, today: dt.date, problems: list[str]) -> dt.date | None:
    value = cell.value
    if isinstance(value, dt.datetime):
        value = value.date()
    elif isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value.strip())
        except ValueError:
            value = None
    if not isinstance(value, dt.date):
        problems.append(f"{cell.where()}: expected a date (YYYY-MM-DD), found {cell.value!r}")
        return None
    if value > today:
        problems.append(f"{cell.where()}: {value} is in the future")
        return None
    return value


def _enabled(cell: _Cell, problems: list[str]) -> bool:
    if isinstance(cell.value, bool):
        return cell.value
    word = str(cell.value).strip().lower()
    if word in _TRUE | _FALSE and cell.value is not None:
        return word in _TRUE
    problems.append(f"{cell.where()}: expected TRUE or FALSE, found {cell.value!r}")
    return True


def _source(cell: _Cell, problems: list[str]) -> str:
    if not isinstance(cell.value, str) or len(cell.value.strip()) < 3:
        problems.append(f"{cell.where()}: the source (standard, regulation or page) is required")
        return ""
    return cell.value.strip()


def _model_text(q: _Cell, q_text: str, a: _Cell, a_text: str, kw: tuple[str, ...], problems: list[str]) -> None:
    try:
        Text.model_validate({"q": q_text, "a": a_text, "kw": kw})
    except ValidationError as exc:
        for err in exc.errors():
            cell, text = (q, q_text) if err["loc"][0] == "q" else (a, a_text)
            if not text:
                continue  # already reported as empty
            problems.append(f"{cell.where()}: {err['msg'].removeprefix('Value error, ')}")


def _campaign_text(cell: _Cell, text: str, problems: list[str]) -> None:
    try:
        check_placeholders(text)
    except ValueError as exc:
        problems.append(f"{cell.where()}: {exc}")
        return
    if text and "{hotline}" not in text:
        problems.append(f"{cell.where()}: must include the {{hotline}} placeholder")


Rows = dict[str, dict[str, Any]]


def _rows(wb: Any, sheet: str, columns: tuple[str, ...], problems: list[str]) -> list[dict[str, _Cell]]:
    if sheet not in wb.sheetnames:
        problems.append(f"sheet {sheet}: missing (export a fresh workbook with `hotline content export`)")
        return []
    ws = wb[sheet]
    rows = list(ws.iter_rows(values_only=True))
    header = [str(v).strip() if v is not None else "" for v in (rows[0] if rows else ())]
    for n, want in enumerate(columns, 1):
        found = header[n - 1] if n <= len(header) else ""
        if found != want:
            problems.append(f"sheet {sheet}, row 1, column {_letter(n)}: expected {want!r}, found {found!r}")
    if any(p.startswith(f"sheet {sheet}, row 1") for p in problems):
        return []
    out = []
    for r, values in enumerate(rows[1:], 2):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        padded = list(values) + [None] * (len(columns) - len(values))
        out.append({c: _Cell(sheet, r, n, c, padded[n - 1]) for n, c in enumerate(columns, 1)})
    return out


def _item_id(cells: dict[str, _Cell], known: Rows, seen: set[str], problems: list[str]) -> str | None:
    cell = cells["id"]
    item_id = str(cell.value).strip() if cell.value is not None else ""
    if item_id not in known:
        problems.append(f"{cell.where()}: unknown id {item_id!r} (new entries are added in code, with review)")
        return None
    if item_id in seen:
        problems.append(f"{cell.where()}: {item_id!r} appears twice")
        return None
    seen.add(item_id)
    return item_id


def read_sheet(path: Path, settings: Settings, today: dt.date) -> Content:
    """The override an edited workbook asks for; ``SheetError`` listing every bad cell, and nothing else."""
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, InvalidFileException) as exc:
        raise SheetError([f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})"]) from exc
    problems: list[str] = []
    kb, campaigns = _base_rows(settings)
    kws = {e.id: (e.zh.kw, e.en.kw) for e in knowledge.shipped().entry}
    content = Content()

    def common(cells: dict[str, _Cell]) -> dict[str, Any]:
        return {
            "source": _source(cells["source"], problems),
            "reviewed": _reviewed(cells["reviewed"], today, problems),
            "enabled": _enabled(cells["enabled"], problems),
        }

    seen: set[str] = set()
    for cells in _rows(wb, "knowledge", KNOWLEDGE_COLUMNS, problems):
        if (item_id := _item_id(cells, kb, seen, problems)) is None:
            continue
        row = {c: _text(cells[c], problems) for c in ("zh_q", "zh", "en_q", "en")}
        for c in ("zh_q", "zh", "en_q", "en"):
            _script(cells[c], row[c], problems)
        for lang, kw in zip(("zh", "en"), kws[item_id], strict=True):
            _model_text(cells[f"{lang}_q"], row[f"{lang}_q"], cells[lang], row[lang], kw, problems)
        row |= common(cells)
        if any(row[k] != kb[item_id][k] for k in row):
            content.knowledge[item_id] = row
    seen = set()
    for cells in _rows(wb, "campaigns", CAMPAIGN_COLUMNS, problems):
        if (item_id := _item_id(cells, campaigns, seen, problems)) is None:
            continue
        row = {c: _text(cells[c], problems) for c in ("zh", "en")}
        for c in ("zh", "en"):
            _script(cells[c], row[c], problems)
            _campaign_text(cells[c], row[c], problems)
        row |= common(cells)
        if any(row[k] != campaigns[item_id][k] for k in row):
            content.campaign[item_id] = row
    wb.close()
    if problems:
        raise SheetError(problems)
    try:  # the whole, as the bot will load it
        knowledge.with_content(knowledge.shipped(), content)
        load_calendar(overrides=settings.broadcast.calendar_override, content=content.campaign_changes())
    except (KnowledgeError, CalendarError) as exc:
        raise SheetError([str(exc)]) from exc
    return content
