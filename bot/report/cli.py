"""``hotline report month 2026-11`` and ``hotline report year 2026``: the workbook and the PDF, in ``--out``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.text import Kit
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


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], kit: Kit) -> None:
    """``report month|year``; ``--lang`` names the report's language (and the command's)."""
    report = kit.add(sub, "report", "help.report")
    periods = kit.commands(report, "report_period")
    month = kit.add(periods, "month", "help.report_month", lang_help="help.report_lang")
    month.add_argument("period", metavar="YYYY-MM", type=_checked(month_period))  # type: ignore[arg-type]
    year = kit.add(periods, "year", "help.report_year", lang_help="help.report_lang")
    year.add_argument("period", metavar="YYYY", type=_checked(year_period))  # type: ignore[arg-type]
    for p in (month, year):
        p.add_argument("--out", type=Path, default=Path("."), metavar="DIR", help=kit.say("help.report_out"))
        kit.with_config(p)


def run(args: argparse.Namespace, settings: Settings, now: datetime | None = None) -> int:
    tz = settings.utility.tz
    period = month_period(args.period, tz) if args.report_period == "month" else year_period(args.period, tz)
    inputs = asyncio.run(gather(settings, period))
    from bot.report.build import write_report  # matplotlib and WeasyPrint: only for this command

    written = write_report(
        inputs, Lang(args.lang or Lang.ZH.value), args.out, now or datetime.now(UTC), settings.utility.timezone
    )
    print("wrote " + " and ".join(str(path) for path in written))
    return 0
