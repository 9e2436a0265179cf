"""Who works on the database: the one process on SQLite's file; on PostgreSQL the leader, while a standby waits,
answers /readyz with "standby", and takes over when the leader stops. ``hotline status`` says which."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from pathlib import Path

import aiohttp
import pytest

from bot.cli.main import status_text
from bot.cli.text import Say
from bot.config.ops import OpsConfig
from bot.config.settings import Settings, load_settings
from bot.halt import Halt
from bot.i18n import Lang
from bot.ops.leadership import instance_role
from bot.ops.sdnotify import Keepalive, Notifier
from bot.ops.standby import serve_standby
from storage.instance import InstanceLock
from storage.postgres.leader import Leadership
from tests.kit import postgres
from tests.kit.leadership import Watched, when_refused
from tests.kit.settings import settings_dict


def on(url: str, tmp_path: Path) -> Settings:
    data = settings_dict(tmp_path / "unused.sqlite3")
    data["storage"] = {"path": str(tmp_path / "unused.sqlite3"), "url": url}
    return load_settings(None, data)


def watch(
    monkeypatch: pytest.MonkeyPatch, *, retry_s: float = 1.0, on_try: Callable[[list[bool]], object] = list
) -> list[bool]:
    """Every Leadership that ``instance_role`` makes records the outcome of each of its tries for the lock in the
    list returned, then calls ``on_try`` with it (tests/kit/leadership.py)."""
    tries: list[bool] = []
    monkeypatch.setattr("bot.ops.leadership.Leadership", partial(Watched, retry_s=retry_s, tries=tries, on_try=on_try))
    return tries


async def test_a_standby_waits_and_works_once_the_leader_stops(
    pg_server: postgres.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the standby tries for the lock every 50 ms instead of every second: it waits through several tries
    refused_thrice = asyncio.Event()
    tries = watch(monkeypatch, retry_s=0.05, on_try=when_refused(3, refused_thrice))
    settings = on(pg_server.new_database(), tmp_path)
    keepalive = Keepalive(Notifier({}))
    stop = asyncio.Event()
    async with instance_role(settings, stop, Halt(), keepalive) as first:
        assert first
        entered = asyncio.Event()

        async def second() -> bool:
            async with instance_role(settings, stop, Halt(), keepalive) as works:
                entered.set()
                return works

        standby = asyncio.create_task(second())
        await asyncio.wait_for(refused_thrice.wait(), 10)
        assert tries[:4] == [True, False, False, False] and not entered.is_set(), (
            "the second instance stands by while the first leads"
        )
    assert await asyncio.wait_for(standby, 10), "the standby works once the leader let go"
    assert tries[-1] is True


async def test_a_standby_stopped_while_waiting_never_works(
    pg_server: postgres.Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = on(pg_server.new_database(), tmp_path)
    keepalive = Keepalive(Notifier({}))
    leader = Leadership(str(settings.storage.url), "other")
    assert await leader.try_acquire()
    stop = asyncio.Event()

    def on_try(tries: list[bool]) -> None:
        if len(tries) == 2:  # it stands by and has tried again: stopped while it waits for its next try, 1 s away
            asyncio.get_running_loop().call_later(0.05, stop.set)

    tries = watch(monkeypatch, on_try=on_try)
    async with instance_role(settings, stop, Halt(), keepalive) as works:
        assert not works
    assert tries == [False, False]
    await leader.release()


async def test_a_standby_is_healthy_but_not_ready() -> None:
    runner = await serve_standby(OpsConfig(listen="127.0.0.1:0"))
    assert runner is not None
    port = runner.addresses[0][1]
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/readyz") as answer:
                assert answer.status == 503 and (await answer.text()).startswith("standby")
            async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                assert answer.status == 200
    finally:
        await runner.cleanup()
    assert await serve_standby(OpsConfig()) is None, "no endpoints when [ops] listen is empty"


async def test_status_names_the_leader(pg_server: postgres.Server, tmp_path: Path) -> None:
    settings = on(pg_server.new_database(), tmp_path)
    say = Say(Lang.EN)
    assert "no instance has led yet" in await status_text(settings, say)
    leader = Leadership(str(settings.storage.url), "machine-a:42")
    assert await leader.try_acquire()
    text = await status_text(settings, say)
    assert "machine-a:42 leads" in text and "127.0.0.1" in text
    await leader.release()
    assert "nobody leads now; machine-a:42 led last" in await status_text(settings, say)


@pytest.mark.sqlite_only("the file's instance lock")
async def test_status_on_sqlite_says_whether_a_process_runs(settings: Settings) -> None:
    assert "no bot process runs" in await status_text(settings, Say(Lang.EN))
    with InstanceLock.acquire(settings.storage.path):
        assert "a bot process runs on it" in await status_text(settings, Say(Lang.EN))
