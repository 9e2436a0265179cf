"""``hotline db backup`` taken (as a separate process) while the bot writes restores to a working database:
integrity ok, the schema current, and the bot runs on the restored copy and takes new reports."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

import pytest

from bot.cli.demo import running_bot, sandbox_settings
from sandbox import Sandbox
from storage.db import Database, latest_migration
from tests.kit.botproc import REPO
from tests.kit.chat import file_report

RESIDENTS = (7200, 7201, 7202, 7203)


pytestmark = pytest.mark.people(*RESIDENTS, 7299)


async def backup_cli(config: Path, target: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "db", "backup", str(target), "--config", str(config),
        cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, out.decode()


async def test_backup_while_writing_restores(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    live = tmp_path / "live.sqlite3"
    config = tmp_path / "backup.toml"
    config.write_text(f'[storage]\npath = "{live}"\n', encoding="utf-8")
    settings = sandbox_settings(sb, live, lang="en")
    loop = asyncio.get_running_loop()
    backups: list[Path] = []
    async with running_bot(settings):
        reports = asyncio.gather(*(file_report(sb, user, deadline=loop.time() + 40) for user in RESIDENTS))
        for index in range(3):  # while the residents' reports are being written
            await asyncio.sleep(0.4)
            target = tmp_path / f"backup-{index}.sqlite3"
            await backup_cli(config, target)
            backups.append(target)
        outcomes = await reports
        assert all(o.receipts for o in outcomes)
    for backup in backups:
        db = await Database.open(backup)
        try:
            assert await db.integrity_check() == "ok"
            assert await db.schema_version() == latest_migration()
            assert await db.scalar("SELECT COUNT(*) FROM tickets") <= len(RESIDENTS)
        finally:
            await db.close()
    # restore the last backup and run the bot on it: it keeps serving, ticket numbers continue
    restored = tmp_path / "restored.sqlite3"
    shutil.copyfile(backups[-1], restored)
    db = await Database.open(restored)
    try:
        highest = int(await db.scalar("SELECT COALESCE(MAX(id), 0) FROM tickets"))
    finally:
        await db.close()
    async with running_bot(sandbox_settings(sb, restored, lang="en")):
        outcome = await file_report(sb, 7299, deadline=loop.time() + 30)
    assert outcome.receipts == [highest + 1]
