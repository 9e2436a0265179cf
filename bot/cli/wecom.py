"""``hotline wecom check``: the WeCom app's configuration, its access token and its callback URL, in plain
words (``channels.wecom.check``). Exit codes: 0 every check passed; 1 one failed."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.text import Kit, Say
from bot.config.settings import Settings
from channels.wecom.check import check

COMMANDS = ("wecom",)


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser], kit: Kit) -> None:
    wecom = kit.add(sub, "wecom", "help.wecom")
    wecom_sub = kit.commands(wecom, "wecom_command")
    kit.with_config(kit.add(wecom_sub, "check", "help.wecom_check"))


def run(args: argparse.Namespace, settings: Settings, say: Say) -> int:
    findings = asyncio.run(check(settings.wecom))
    for finding in findings:
        mark = "ok  " if finding.ok else "FAIL"
        print(f"{mark} " + say(f"wecom_check.{finding.key}", **finding.values))
    return 0 if all(finding.ok for finding in findings) else 1
