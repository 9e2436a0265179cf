"""``hotline sites import PATH`` (CSV or XLSX; replaces the imported key sites) and ``hotline sites list``.

Exit codes: 0 done; 2 a bad file (every bad line named; nothing imported).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.key_sites.sheet import FORMAT, SitesImportError, read_sites
from bot.key_sites.store import sites_in_force
from storage.db import Database
from storage.key_sites import KeySitesRepo, StoredSite
from storage.revocations import StaffAuditRepo

EXIT_BAD_INPUT = 2
COMMANDS = ("sites",)


def add_parsers(sub: argparse._SubParsersAction, with_config: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    sites = sub.add_parser("sites", help="key sites (重点部位): import a spreadsheet, list those in force")
    cmds = sites.add_subparsers(dest="sites_command", required=True)
    imp = cmds.add_parser(
        "import", help="replace the imported key sites with a CSV or XLSX file", epilog=FORMAT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    imp.add_argument("path", type=Path)
    with_config(imp)
    listing = cmds.add_parser("list", help="the key sites in force (configured and imported)")
    with_config(listing)


async def import_sites(settings: Settings, path: Path) -> str:
    sites = read_sites(path)
    rows = [
        StoredSite(name=s.name, kind=s.kind, address=s.address, latitude=s.lat, longitude=s.lon, phone=s.phone)
        for s in sites
    ]
    db = await Database.open(settings.storage.path)
    try:
        now = SystemClock().now()
        async with db.transaction() as tx:
            await KeySitesRepo(tx).replace(rows, now)
            detail = f"{len(rows)} key site(s) from {path.name}"
            await StaffAuditRepo(tx).add(actor="cli", action="key_sites_import", person_id=None, detail=detail, now=now)
    finally:
        await db.close()
    return f"imported {len(rows)} key site(s) from {path}; they replace the imported ones (restart not needed)"


async def list_sites(settings: Settings) -> str:
    db = await Database.open(settings.storage.path)
    try:
        async with db.lock:
            sites = await sites_in_force(db.conn, settings)
    finally:
        await db.close()
    if not sites:
        return "no key sites"
    return "\n".join(
        f"{s.name}\t{s.kind}\t{s.address or '-'}\t"
        f"{f'{s.lat:.5f},{s.lon:.5f}' if s.lat is not None and s.lon is not None else '-'}\t{s.phone or '-'}"
        for s in sites
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        if args.sites_command == "import":
            print(asyncio.run(import_sites(settings, args.path)))
        else:
            print(asyncio.run(list_sites(settings)))
    except SitesImportError as exc:
        print(f"error: nothing imported.\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
