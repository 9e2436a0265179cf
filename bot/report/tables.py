"""What a report section is made of, for the workbook and the PDF alike: a table of cells.

A cell is a number, a plain string (a ticket number, a local time), ``None`` (not measurable: "-"), a
``Label`` (catalog text, translated when rendered), a ``Ratio`` (a share, with its numerator and denominator)
or ``Minutes``. The figures never format; the renderers never compute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.i18n import Lang, t


@dataclass(frozen=True)
class Label:
    key: str  # a catalog key, e.g. "category.leak"


@dataclass(frozen=True)
class Ratio:
    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class Minutes:
    value: float | None


Cell = int | float | str | Label | Ratio | Minutes | None


@dataclass
class Table:
    key: str  # the section: its title is "report.section_<key>"
    columns: list[str]  # catalog keys
    rows: list[list[Cell]] = field(default_factory=list)
    note: str | None = None  # a catalog key shown under the table (e.g. "nothing recorded yet")


def cell_text(lang: Lang, cell: Cell) -> str:
    """A cell as the PDF shows it."""
    if cell is None:
        return "-"
    if isinstance(cell, Label):
        return t(lang, cell.key)
    if isinstance(cell, Ratio):
        value = cell.value
        return "-" if value is None else f"{value * 100:.1f}% ({cell.part}/{cell.whole})"
    if isinstance(cell, Minutes):
        return "-" if cell.value is None else f"{cell.value:.1f}"
    if isinstance(cell, float):
        return f"{cell:.1f}"
    return str(cell)
