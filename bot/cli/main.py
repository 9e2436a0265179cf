"""The ``hotline`` command."""

from __future__ import annotations

import argparse
import asyncio
import functools
import logging
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import broadcast as broadcast_cli
from bot.cli import content as content_cli
from bot.cli import roster as roster_cli
from bot.cli import staff as staff_cli
from bot.cli import wechat as wechat_cli
from bot.cli import wecom as wecom_cli
from bot.cli.text import Kit, Say, choose, lang_of_argv
from bot.config.credentials import apply_credentials
from bot.config.settings import Settings, load_settings
from bot.drills import cli as drill_cli
from bot.i18n import Lang
from bot.key_sites import cli as sites_cli
from bot.loop import run_loop
from bot.ops.dbguard import check_present
from bot.ops.logformat import Format, apply_logging
from bot.ops.logsafety import mask_tokens
from bot.report import cli as report_cli
from common.errors import ConfigError, HotlineError, StatementError
from storage.backup import BackupTargetError
from storage.engines import backup_database, describe, open_database, shared
from storage.instance import InstanceLock
from storage.postgres.leader import current_lease

if TYPE_CHECKING:
    from bot.cli.purge import PurgeResult

logger = logging.getLogger(__name__)

EXIT_CONFIG = 2
TOKEN_VARIABLE = "HOTLINE_TELEGRAM__TOKEN"


def setup_logging(level: str = "INFO", fmt: Format = "text") -> None:
    """stderr at ``level`` in ``fmt`` (bot.ops.logformat), tokens masked; called again with ``[logging]``."""
    apply_logging(level, fmt)


def _parser(kit: Kit) -> argparse.ArgumentParser:
    parser = kit.top()
    sub = kit.commands(parser, "command")
    with_config = kit.with_config

    run = kit.add(sub, "run", "help.run")
    with_config(run)
    run.add_argument("--webhook", action="store_true", help=kit.say("help.run_webhook"))
    run.add_argument("--init", action="store_true", help=kit.say("help.run_init"))

    board = kit.add(sub, "board", "help.board")
    with_config(board)

    purge = kit.add(sub, "purge", "help.purge")
    purge.add_argument("--older-than", type=int, required=True, metavar="DAYS", help=kit.say("help.purge_older_than"))
    purge.add_argument("--dry-run", action="store_true", help=kit.say("help.purge_dry_run"))
    with_config(purge)

    demo = kit.add(sub, "demo", "help.demo", lang_help="help.demo_lang")
    demo.add_argument(
        "--channel", choices=("telegram", "wechat", "wecom"), default="telegram", help=kit.say("help.demo_channel")
    )

    check = kit.add(sub, "check-config", "help.check_config")
    check.add_argument("path", type=Path, help=kit.say("help.check_config_path"))

    db = kit.add(sub, "db", "help.db")
    db_sub = kit.commands(db, "db_command")
    with_config(kit.add(db_sub, "migrate", "help.db_migrate"))
    backup = kit.add(db_sub, "backup", "help.db_backup")
    backup.add_argument("target", type=Path, help=kit.say("help.db_backup_target"))
    with_config(backup)
    with_config(kit.add(sub, "status", "help.status"))
    roster_cli.add_parsers(sub, kit)
    staff_cli.add_parsers(sub, kit)
    broadcast_cli.add_parser(sub, kit)
    content_cli.add_parsers(sub, kit)
    wecom_cli.add_parsers(sub, kit)
    report_cli.add_parsers(sub, kit)
    drill_cli.add_parsers(sub, kit)
    sites_cli.add_parsers(sub, kit)
    wechat_cli.add_parsers(sub, kit)
    return parser


def _stop_on_signals() -> asyncio.Event:
    """An event set by SIGINT or SIGTERM (a clean shutdown)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return stop


async def _run(settings: Settings, webhook: bool = False) -> None:
    from bot.app import serve

    await serve(settings, _stop_on_signals(), webhook=webhook)


async def _board(settings: Settings) -> None:
    from bot.board.serve import serve_board

    await serve_board(settings, _stop_on_signals())


async def _migrate(settings: Settings) -> list[str]:
    db = await open_database(settings.storage, migrate=False)
    try:
        return await db.migrate()
    finally:
        await db.close()


async def status_text(settings: Settings, say: Say) -> str:
    """``hotline status``: who works on the database now."""
    where = describe(settings.storage)
    if settings.storage.url is None:
        running = InstanceLock.held(settings.storage.path)
        return say("out.status_file_running" if running else "out.status_file_idle", where=where)
    lease = await current_lease(settings.storage.url)
    if lease is None:
        return say("out.status_never", where=where)
    key = "out.status_leader" if lease.held else "out.status_led"
    since, renewed = (
        t.astimezone(settings.utility.tz).strftime("%Y-%m-%d %H:%M:%S") for t in (lease.since, lease.renewed_at)
    )
    return say(key, where=where, instance=lease.instance, since=since, renewed=renewed)


def purge_text(result: PurgeResult, say: Say) -> str:
    if result.dry_run:
        others = ", ".join(
            say("out.purge_count", count=n, what=say(f"purge_what.{what.replace(' ', '_')}"))
            for what, n in result.counts.items()
        )
        return say("out.purge_dry_run", tickets=result.tickets, others=others)
    text = say(
        "out.purged",
        tickets=result.tickets,
        outbox=result.outbox_rows,
        people=result.people,
        conversations=result.conversations,
        other=result.other_rows,
        batches=result.batches,
    )
    if result.vacuumed is False:
        text += say("out.purge_not_vacuumed")
    elif result.vacuumed:
        text += say("out.purge_vacuumed")
    return text


@functools.cache
def _parser_in(lang: Lang) -> argparse.ArgumentParser:
    """The parsers in ``lang``, built once per process: some forty commands take ~10 ms to build, which each
    ``main()`` call paid again (the test suite calls it hundreds of times); parsing leaves a parser unchanged."""
    return _parser(Kit(Say(lang)))


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    flag = lang_of_argv(arguments)
    say = Say(choose(flag))
    args = _parser_in(say.lang).parse_args(arguments)
    setup_logging()
    try:
        if args.command == "check-config":
            settings = load_settings(args.path)
            say = Say(choose(flag, settings.utility.cli_lang))
            zone = settings.utility.timezone
            print(say("out.config_ok", path=args.path, crews=len(settings.crews), zone=zone))
            return 0
        if args.command == "demo" and args.channel == "wechat":
            from bot.cli.demo_wechat import run_wechat_demo

            return run_loop(run_wechat_demo(flag or "zh"))
        if args.command == "demo" and args.channel == "wecom":
            from bot.cli.demo_wecom import run_wecom_demo

            return run_loop(run_wecom_demo(flag or "zh"))
        if args.command == "demo":
            from bot.cli.demo import run_demo

            return run_loop(run_demo(flag or "zh"))
        settings = load_settings(args.config)
        say = Say(choose(flag, settings.utility.cli_lang))
        setup_logging(settings.logging.level, settings.logging.format)
        if args.command == "broadcast":
            return asyncio.run(broadcast_cli.run(settings, args, say))
        if args.command in roster_cli.COMMANDS:
            return roster_cli.run(args, settings, say)
        if args.command in staff_cli.COMMANDS:
            return staff_cli.run(args, settings, say)
        if args.command in content_cli.COMMANDS:
            return content_cli.run(args, settings, say)
        if args.command in wecom_cli.COMMANDS:
            return wecom_cli.run(args, settings, say)
        if args.command in report_cli.COMMANDS:
            return report_cli.run(args, settings)
        if args.command in drill_cli.COMMANDS:
            return drill_cli.run(args, settings, say)
        if args.command in sites_cli.COMMANDS:
            return sites_cli.run(args, settings, say)
        if args.command in wechat_cli.COMMANDS:
            return wechat_cli.run(args, settings, say)
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
            if not shared(settings.storage) and check_present(settings.storage.path, init=args.init):
                logger.warning("no database at %s yet: creating it (first run)", settings.storage.path.resolve())
            run_loop(_run(settings, args.webhook))
        elif args.command == "board":
            run_loop(_board(settings))
        elif args.command == "purge":
            from bot.cli.purge import purge_command

            print(purge_text(asyncio.run(purge_command(settings, args.older_than, dry_run=args.dry_run)), say))
        elif args.command == "status":
            print(asyncio.run(status_text(settings, say)))
        elif args.command == "db" and args.db_command == "migrate":
            applied = asyncio.run(_migrate(settings))
            print(say("out.migrated", count=len(applied), names=", ".join(applied) or say("out.none_pending")))
        elif args.command == "db" and args.db_command == "backup":
            written = asyncio.run(backup_database(settings.storage, args.target))
            print(say("out.backed_up", source=describe(settings.storage), target=written))
        return 0
    except ConfigError as exc:
        print(say("err.config", error=exc), file=sys.stderr)
        return EXIT_CONFIG
    except BackupTargetError as exc:
        print(say("err.nothing_written", error=exc), file=sys.stderr)
        return EXIT_CONFIG
    except StatementError as exc:  # a database that breaks after it opened (e.g. a corrupt page)
        print(say("err.database", error=exc), file=sys.stderr)
        return 1
    except HotlineError as exc:
        print(say.error(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
