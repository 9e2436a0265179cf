"""``hotline report month 2026-11`` and ``hotline report year 2026``: the workbook and the PDF, in ``--out``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.config.settings import Settings
from bot.i18n import Lang
from bot.report.collect import gather
from bot.report.period import Period, PeriodError, month_period, year_period

COMMANDS = ("report",)


def _checked(parse: Callable[[str, object], Period]) -> Callable[[str], str]:
    def check(text: str) -> str:
        try:
            parse(text, UTC)
        except PeriodError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc
        return text.strip()

    return check


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], with_config: Callable[..., None]) -> None:
    report = sub.add_parser("report", help="the monthly or yearly report: an Excel workbook and a PDF with charts")
    periods = report.add_subparsers(dest="report_period", required=True)
    month = periods.add_parser("month", help="one calendar month in the utility's time zone")
    month.add_argument("period", metavar="YYYY-MM", type=_checked(month_period))  # type: ignore[arg-type]
    year = periods.add_parser("year", help="one calendar year in the utility's time zone")
    year.add_argument("period", metavar="YYYY", type=_checked(year_period))  # type: ignore[arg-type]
    for p in (month, year):
        p.add_argument("--lang", choices=[lang.value for lang in Lang], default=Lang.ZH.value, help="default: zh")
        p.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help="where to write (default: here)")
        with_config(p)


def run(args: argparse.Namespace, settings: Settings, now: datetime | None = None) -> int:
    tz = settings.utility.tz
    period = month_period(args.period, tz) if args.report_period == "month" else year_period(args.period, tz)
    inputs = asyncio.run(gather(settings, period))
    from bot.report.build import write_report  # matplotlib and WeasyPrint: only for this command

    written = write_report(inputs, Lang(args.lang), args.out, now or datetime.now(UTC), settings.utility.timezone)
    print("wrote " + " and ".join(str(path) for path in written))
    return 0
