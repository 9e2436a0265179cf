"""The ``hotline`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import broadcast_cli, content_cli, figures_cli, roster_cli, staff_cli
from bot.clock import SystemClock
from bot.config import Settings, load_settings
from bot.credentials import apply_credentials
from bot.dbguard import check_present
from bot.drills import cli as drill_cli
from bot.errors import ConfigError, HotlineError
from bot.key_sites import cli as sites_cli
from bot.logformat import Format, apply_logging
from bot.logsafety import mask_tokens
from bot.loop import run_loop
from storage.backup import BackupTargetError, backup_file
from storage.db import Database

logger = logging.getLogger(__name__)

EXIT_CONFIG = 2
TOKEN_VARIABLE = "HOTLINE_TELEGRAM__TOKEN"


def setup_logging(level: str = "INFO", fmt: Format = "text") -> None:
    """stderr at ``level`` in ``fmt`` (bot.logformat), tokens masked; called again with ``[logging]``."""
    apply_logging(level, fmt)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hotline", description="Gas Hotline Bot (also: python -m bot)")
    sub = parser.add_subparsers(dest="command", required=True)

    def with_config(p: argparse.ArgumentParser) -> None:
        p.add_argument("--config", type=Path, default=Path("config.toml"), help="configuration file (TOML)")

    run = sub.add_parser("run", help="run the bot (long polling; --webhook: behind a reverse proxy)")
    with_config(run)
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook ([telegram] webhook_*)")
    run.add_argument("--init", action="store_true", help="create the database if it is missing (first run; see README)")

    purge = sub.add_parser("purge", help="anonymise resolved and closed tickets, keeping their statistics")
    purge.add_argument("--older-than", type=int, required=True, metavar="DAYS", help="closed more than DAYS ago")
    purge.add_argument("--dry-run", action="store_true", help="only count what would be purged")
    with_config(purge)

    demo = sub.add_parser("demo", help="play a scripted report against the built-in Bot API sandbox")
    demo.add_argument("--lang", choices=("zh", "en"), default="zh")

    check = sub.add_parser("check-config", help="validate a configuration file")
    check.add_argument("path", type=Path)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    migrate = db_sub.add_parser("migrate", help="apply pending migrations")
    with_config(migrate)
    backup = db_sub.add_parser("backup", help="online backup, safe while the bot runs")
    backup.add_argument("target", type=Path)
    with_config(backup)
    roster_cli.add_parsers(sub, with_config)
    staff_cli.add_parsers(sub, with_config)
    broadcast_cli.add_parser(sub, with_config)
    content_cli.add_parsers(sub, with_config)
    drill_cli.add_parsers(sub, with_config)
    sites_cli.add_parsers(sub, with_config)
    figures_cli.add_parser(sub, with_config)
    return parser


async def _run(settings: Settings, webhook: bool = False) -> None:
    from bot.app import serve

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await serve(settings, stop, webhook=webhook)


async def _migrate(settings: Settings) -> list[str]:
    db = await Database.open(settings.storage.path, migrate=False)
    try:
        return await db.migrate()
    finally:
        await db.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    setup_logging()
    try:
        if args.command == "check-config":
            settings = load_settings(args.path)
            print(f"{args.path}: ok ({len(settings.crews)} crews, time zone {settings.utility.timezone})")
            return 0
        if args.command == "demo":
            from bot.demo import run_demo

            return run_loop(run_demo(args.lang))
        settings = load_settings(args.config)
        setup_logging(settings.logging.level, settings.logging.format)
        if args.command == "broadcast":
            return asyncio.run(broadcast_cli.run(settings, args))
        if args.command in roster_cli.COMMANDS:
            return roster_cli.run(args, settings)
        if args.command in staff_cli.COMMANDS:
            return staff_cli.run(args, settings)
        if args.command in content_cli.COMMANDS:
            return content_cli.run(args, settings)
        if args.command in drill_cli.COMMANDS:
            return drill_cli.run(args, settings)
        if args.command in sites_cli.COMMANDS:
            return sites_cli.run(args, settings)
        if args.command in figures_cli.COMMANDS:
            return figures_cli.run(args, settings, SystemClock().now())
        if args.command == "run":
            from_credentials = apply_credentials(settings)  # systemd's LoadCredential= (deploy/hotline.service)
            mask_tokens(settings.require_token())
            if not os.environ.get(TOKEN_VARIABLE) and "telegram-token" not in from_credentials:
                logger.warning(
                    "the bot token comes from the configuration file %s: move it to %s in the environment "
                    "(a token in a file ends up in backups and repositories)",
                    args.config,
                    TOKEN_VARIABLE,
                )
            if args.webhook:
                settings.require_webhook_secret()
            if check_present(settings.storage.path, init=args.init):
                logger.warning("no database at %s yet: creating it (first run)", settings.storage.path.resolve())
            run_loop(_run(settings, args.webhook))
        elif args.command == "purge":
            from bot.purge import purge_command

            print(asyncio.run(purge_command(settings, args.older_than, dry_run=args.dry_run)))
        elif args.command == "db" and args.db_command == "migrate":
            applied = asyncio.run(_migrate(settings))
            print(f"applied {len(applied)} migration(s): {', '.join(applied) or 'none pending'}")
        elif args.command == "db" and args.db_command == "backup":
            written = asyncio.run(backup_file(settings.storage.path, args.target))
            print(f"backed up {settings.storage.path} to {written}")
        return 0
    except ConfigError as exc:
        print(f"configuration error:\n{exc}", file=sys.stderr)
        return EXIT_CONFIG
    except BackupTargetError as exc:
        print(f"error: nothing written: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except HotlineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:  # a database that breaks after it opened (e.g. a corrupt page)
        print(f"error: the database failed: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
