"""``hotline wechat menu push [--file MENU.json]`` and ``hotline wechat check`` (the WeChat Official Account).

Exit codes: 0 done; 1 a check failed or WeChat refused the menu; 2 a bad menu file or WeChat not configured.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.text import Kit, Say
from bot.config.settings import Settings
from bot.outbound.delivery import DeliveryError
from channels.wechat.check import check, push_menu
from channels.wechat.menu import MenuError, default_menu, load_menu

COMMANDS = ("wechat",)
EXIT_FAILED, EXIT_BAD_INPUT = 1, 2


def add_parsers(sub: argparse._SubParsersAction, kit: Kit) -> None:  # type: ignore[type-arg]
    wechat = kit.add(sub, "wechat", "help.wechat")
    cmds = kit.commands(wechat, "wechat_command")
    menu = kit.add(cmds, "menu", "help.wechat_menu")
    menu_cmds = kit.commands(menu, "menu_command")
    push = kit.add(menu_cmds, "push", "help.wechat_menu_push")
    push.add_argument("--file", type=Path, help=kit.say("help.wechat_menu_file"))
    kit.with_config(push)
    kit.with_config(kit.add(cmds, "check", "help.wechat_check"))


def run(args: argparse.Namespace, settings: Settings, say: Say) -> int:
    if not settings.wechat.enabled:
        print(say("wechat.off"), file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.wechat_command == "check":
        ok, lines = asyncio.run(check(settings, say))
        print("\n".join(lines))
        return 0 if ok else EXIT_FAILED
    try:
        menu = load_menu(args.file) if args.file else default_menu()
    except MenuError as exc:
        print(say.error(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        asyncio.run(push_menu(settings, menu))
    except DeliveryError as exc:
        print(say("wechat.check_api_failed", reason=exc.reason), file=sys.stderr)
        return EXIT_FAILED
    subs = sum(len(button.get("sub_button", [])) for button in menu["button"])
    print(say("wechat.menu_pushed", buttons=len(menu["button"]), subs=subs))
    return 0
