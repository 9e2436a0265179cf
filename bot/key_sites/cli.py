"""``hotline sites import PATH`` (CSV or XLSX; replaces the imported key sites) and ``hotline sites list``.

Exit codes: 0 done; 2 a bad file (every bad line named; nothing imported).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.cli.text import Kit, Say
from bot.clock import SystemClock
from bot.config.settings import Settings
from bot.key_sites.sheet import FORMAT, SitesImportError, read_sites
from bot.key_sites.store import sites_in_force
from storage.engines import open_database
from storage.key_sites import KeySitesRepo, StoredSite
from storage.revocations import StaffAuditRepo
from storage.sync import SyncConnection

EXIT_BAD_INPUT = 2
COMMANDS = ("sites",)


def add_parsers(sub: argparse._SubParsersAction, kit: Kit) -> None:  # type: ignore[type-arg]
    sites = kit.add(sub, "sites", "help.sites")
    cmds = kit.commands(sites, "sites_command")
    imp = kit.add(cmds, "import", "help.sites_import", description=kit.say("help.sites_import") + "\n\n" + FORMAT)
    imp.add_argument("path", type=Path, help=kit.say("help.sites_path"))
    kit.with_config(imp)
    listing = kit.add(cmds, "list", "help.sites_list")
    kit.with_config(listing)


async def import_sites(settings: Settings, path: Path, say: Say) -> str:
    sites = read_sites(path)
    rows = [
        StoredSite(name=s.name, kind=s.kind, address=s.address, latitude=s.lat, longitude=s.lon, phone=s.phone)
        for s in sites
    ]
    db = await open_database(settings.storage)
    try:
        now = SystemClock().now()
        detail = f"{len(rows)} key site(s) from {path.name}"

        async def replace(tx: SyncConnection) -> None:
            await KeySitesRepo(tx).replace(rows, now)
            await StaffAuditRepo(tx).add(actor="cli", action="key_sites_import", person_id=None, detail=detail, now=now)

        await db.run(replace)
    finally:
        await db.close()
    return say("sites.imported", count=len(rows), path=path)


async def list_sites(settings: Settings, say: Say) -> str:
    db = await open_database(settings.storage)
    try:
        sites = await db.read(lambda conn: sites_in_force(conn, settings))
    finally:
        await db.close()
    if not sites:
        return say("sites.none")
    return "\n".join(
        f"{s.name}\t{s.kind}\t{s.address or '-'}\t"
        f"{f'{s.lat:.5f},{s.lon:.5f}' if s.lat is not None and s.lon is not None else '-'}\t{s.phone or '-'}"
        for s in sites
    )


def run(args: argparse.Namespace, settings: Settings, say: Say) -> int:
    try:
        if args.sites_command == "import":
            print(asyncio.run(import_sites(settings, args.path, say)))
        else:
            print(asyncio.run(list_sites(settings, say)))
    except SitesImportError as exc:
        print(say("sites.nothing_imported") + "\n" + str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0
