"""The report's charts as PNG images (matplotlib's Agg backend: no display, no pyplot state).

Chinese labels need a CJK font: Debian's ``fonts-noto-cjk`` (Noto Sans CJK SC), found through matplotlib's
font list; without one a Chinese report stops with one line naming the package (never a tofu chart).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager  # noqa: E402  (after choosing the backend)
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from bot.i18n import Lang, t  # noqa: E402
from bot.report.figures import ChartData  # noqa: E402
from common.errors import ReportError  # noqa: E402

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Noto Sans CJK JP", "WenQuanYi Zen Hei", "Droid Sans Fallback")
COLOURS = ("#1f5fa8", "#d9822b", "#3a8f3a", "#b03a2e")
DPI = 150
SIZE_IN = (7.0, 3.2)


@dataclass(frozen=True)
class Chart:
    key: str  # its title: "report.chart_<key>"
    png: bytes


@cache
def cjk_family() -> str | None:
    """The first installed CJK font family matplotlib knows, if any."""
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return next((family for family in CJK_FAMILIES if family in installed), None)


@contextmanager
def _fonts(lang: Lang) -> Iterator[None]:
    family = cjk_family()
    if family is None and lang == Lang.ZH:
        raise ReportError("no CJK font for the Chinese charts: install Debian's fonts-noto-cjk")
    families = [family, "DejaVu Sans"] if family else ["DejaVu Sans"]
    with matplotlib.rc_context({"font.family": families, "axes.unicode_minus": False}):
        yield


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, bbox_inches="tight")
    return out.getvalue()


def _empty(axes: Axes, lang: Lang) -> None:
    axes.text(0.5, 0.5, t(lang, "report.no_data"), ha="center", va="center", transform=axes.transAxes)


def _counted(axes: Axes, lang: Lang, x_label: str) -> None:
    """Label a chart whose y axis counts tickets (whole numbers)."""
    axes.set_xlabel(t(lang, x_label))
    axes.set_ylabel(t(lang, "report.axis_tickets"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))


def by_category(data: ChartData, lang: Lang) -> bytes:
    figure = Figure(figsize=SIZE_IN)
    axes = figure.subplots()
    names = [t(lang, f"category.{category}") for category, _ in data.by_category]
    counts = [count for _, count in data.by_category]
    if counts:
        axes.barh(names[::-1], counts[::-1], color=COLOURS[0])
        for y, count in enumerate(counts[::-1]):
            axes.text(count, y, f" {count}", va="center")
    else:
        _empty(axes, lang)
    axes.set_xlabel(t(lang, "report.axis_reports"))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)


def on_time(data: ChartData, lang: Lang) -> bytes:
    figure = Figure(figsize=SIZE_IN)
    axes = figure.subplots()
    labels = [label for label, _ in data.on_time_by_bucket]
    shares = [(ratio.value or 0.0) * 100 for _, ratio in data.on_time_by_bucket]
    bars = axes.bar(labels, shares, color=COLOURS[2])
    for bar, (_, ratio) in zip(bars, data.on_time_by_bucket, strict=True):
        text = "-" if ratio.value is None else f"{ratio.value * 100:.0f}%\n{ratio.part}/{ratio.whole}"
        axes.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), text, ha="center", va="bottom", fontsize=7)
    axes.set_ylim(0, 119)
    axes.set_ylabel(t(lang, "report.axis_share"))
    axes.tick_params(axis="x", labelsize=7)
    return _png(figure)


def arrival(data: ChartData, lang: Lang) -> bytes:
    figure = Figure(figsize=SIZE_IN)
    axes = figure.subplots()
    series = [(severity, minutes) for severity, minutes in data.arrival_min.items() if minutes]
    if series:
        longest = max(max(minutes) for _, minutes in series)
        top = max(longest, *data.arrival_target_min.values()) * 1.1
        bins = [top * i / 20 for i in range(21)]
        axes.hist([m for _, m in series], bins=bins, label=[s for s, _ in series], color=COLOURS[: len(series)])
        for n, (severity, target) in enumerate(sorted(data.arrival_target_min.items())):
            label = t(lang, "report.target_line", priority=severity, minutes=target)
            axes.axvline(target, color=COLOURS[3], linestyle="--" if n else "-", label=label)
        axes.legend(fontsize=7)
    else:
        _empty(axes, lang)
    _counted(axes, lang, "report.axis_minutes")
    return _png(figure)


def ratings(data: ChartData, lang: Lang) -> bytes:
    figure = Figure(figsize=SIZE_IN)
    axes = figure.subplots()
    stars = [1, 2, 3, 4, 5]
    counts = [data.stars.get(n, 0) for n in stars]
    axes.bar([str(n) for n in stars], counts, color=[COLOURS[3], COLOURS[3], COLOURS[1], COLOURS[2], COLOURS[2]])
    if not any(counts):
        _empty(axes, lang)
    _counted(axes, lang, "report.axis_stars")
    return _png(figure)


def charts(data: ChartData, lang: Lang, *, yearly: bool) -> list[Chart]:
    with _fonts(lang):
        return [
            Chart("by_category", by_category(data, lang)),
            Chart("on_time_year" if yearly else "on_time", on_time(data, lang)),
            Chart("arrival", arrival(data, lang)),
            Chart("ratings", ratings(data, lang)),
        ]
