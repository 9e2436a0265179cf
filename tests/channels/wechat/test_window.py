"""The customer-service window: the ledger's count, the 50-resident run against the sandbox's own count, the
template message for a ticket's status outside the window, and the desk told to phone when neither works."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.demo import DISPATCHER, LEAD, tap
from bot.clock import FakeClock
from bot.config.settings import Settings
from bot.outbound.delivery import OutOfWindow, Transient
from channels.wechat import window
from channels.wechat.api import WechatApi
from channels.wechat.sender import WechatSender
from common.events import Priority, Text
from sandbox import Sandbox
from sandbox.ports import free_port
from sandbox.wechat import WechatSandbox
from storage.db import Database
from storage.wechat import WechatWindowsRepo, Window
from tests.kit.wechat import has_button, wechat_bot, wechat_settings

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_the_ledger_counts_as_wechat_does() -> None:
    w = window.opened(Window("o1"), "message", T0)
    assert window.left(w, T0) == 5
    w = window.opened(w, "event", T0 + timedelta(hours=1))
    assert window.left(w, T0 + timedelta(hours=1)) == 3 + 5  # the minute's 3 first, the 48 hours' 5 after
    assert window.left(w, T0 + timedelta(hours=1, minutes=2)) == 5
    assert window.left(w, T0 + timedelta(hours=48)) == 0  # the margin: not in the last 30 s either
    assert window.allowed(window.opened(w, "unsubscribe", T0), T0) is None
    used = w
    for _ in range(8):
        use = window.allowed(used, T0 + timedelta(hours=1))
        assert use is not None
        used = window.spend(used, use)
    assert window.allowed(used, T0 + timedelta(hours=1)) is None


@pytest.mark.e2e
async def test_fifty_residents_never_meet_45015_or_45047(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = FakeClock(datetime.now(UTC))
    residents = [f"oStress{n:03d}" for n in range(50)]
    async with WechatSandbox(clock=clock.now) as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "fifty.sqlite3")
        async with wechat_bot(settings, clock=clock) as runtime:
            await asyncio.gather(*(wx.text(openid, "/start") for openid in residents))  # a message: 48 h, 5 sends
            for n, openid in enumerate(residents[:10]):  # a few clicked the menu too: a minute, 3 more
                await wx.click(openid, "menu:questions" if n % 2 else "menu:status")
            sent = closed = 0
            for step in range(9):  # nine notices each, time passing, some past the minute and the 48 hours
                futures = [
                    runtime.lanes.submit("wechat", Text(chat=openid, text=f"notice {step}", priority=Priority.NOTICE))
                    for openid in residents
                ]
                for outcome in await asyncio.gather(*futures, return_exceptions=True):
                    if isinstance(outcome, OutOfWindow):
                        closed += 1
                    elif isinstance(outcome, BaseException):
                        raise outcome
                    else:
                        sent += 1
                clock.advance(timedelta(hours=7) if step % 3 == 2 else timedelta(seconds=40))
    print(f"wechat window: 50 residents, {sent} sent, {closed} held back by the ledger, sandbox errors {wx.api.errors}")
    assert not [e for e in wx.api.errors if e[1] in (45015, 45047)], wx.api.errors
    notices = [d for d in wx.api.delivered if d.kind == "custom" and d.text.startswith("notice")]
    assert len(notices) == sent and closed == 50 * 9 - sent
    assert sent >= 50 * 4  # the windows' places were used (the bot's own replies took some), not wasted


def template_status(path: Path) -> list[tuple[str, str | None]]:
    with closing(sqlite3.connect(path)) as conn:
        return [(str(r[0]), r[1]) for r in conn.execute("SELECT openid, status FROM wechat_templates")]


async def report(wx: WechatSandbox, sandbox: Sandbox, openid: str) -> None:
    assert await wx.text(openid, "I smell gas, it's strong in the kitchen") is not None
    await wx.location(openid, 31.2304, 121.4737)
    await sandbox.wait_for(LEAD, has_button("t:acc:1"), timeout_s=5)
    await wx.wait_for(openid, "工单 #1")


@pytest.mark.e2e
async def test_outside_the_window_a_status_goes_as_a_template(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with WechatSandbox(clock=clock.now) as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "tpl.sqlite3", status_template_id="TPL-status")
        async with wechat_bot(settings, clock=clock):
            await report(wx, sandbox, "oLate")
            clock.advance(timedelta(hours=49))
            before = len(wx.shown("oLate"))
            await tap(sandbox, None, LEAD, "t:acc:1")
            shown = await wx.wait_for("oLate", "#1", after=before)
            assert shown.kind == "template", shown
            for _ in range(100):  # the TEMPLATESENDJOBFINISH event arrives a moment later
                if template_status(settings.storage.path) == [("oLate", "success")]:
                    break
                await asyncio.sleep(0.02)
            assert template_status(settings.storage.path) == [("oLate", "success")]
    assert not wx.api.errors, wx.api.errors


@pytest.mark.e2e
async def test_with_neither_the_desk_phones_the_resident(sandbox: Sandbox, tmp_path: Path) -> None:
    clock = FakeClock(datetime.now(UTC))
    async with WechatSandbox(clock=clock.now) as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "phone.sqlite3")  # no template configured
        async with wechat_bot(settings, clock=clock):
            await report(wx, sandbox, "oGone")
            clock.advance(timedelta(hours=49))
            await tap(sandbox, None, LEAD, "t:acc:1")
            told = await sandbox.wait_for(
                DISPATCHER, lambda m: "can no longer be reached by chat" in m.text, timeout_s=5
            )
            assert "#1" in told.text
    assert not wx.api.errors, wx.api.errors


@pytest.mark.e2e
async def test_an_outage_of_wechat_delays_but_loses_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "outage.sqlite3")
        async with wechat_bot(settings):
            await report(wx, sandbox, "oOutage")
            wx.api.fail_next = 1  # WeChat answers 500 once: the outbox tries again
            await tap(sandbox, None, LEAD, "t:acc:1")
            accepted = await wx.wait_for("oOutage", "已接单", timeout_s=20)
            assert accepted.kind == "custom"
    assert sum("已接单" in text for text in wx.texts("oOutage")) == 1
    assert not wx.api.errors, wx.api.errors


async def test_a_send_that_never_left_gives_its_place_back(db: Database, clock: FakeClock, settings: Settings) -> None:
    await db.run(lambda tx: WechatWindowsRepo(tx).put(window.opened(Window("oNet"), "message", clock.now())))
    api = WechatApi(f"http://127.0.0.1:{free_port()}", "wxapp", "secret", db, clock)  # nothing listens there
    sender = WechatSender(api, db, clock, settings)
    try:
        with pytest.raises(Transient):
            await sender.send(Text(chat="oNet", text="hello"))
    finally:
        await api.close()
    kept = await db.read(lambda conn: WechatWindowsRepo(conn).get("oNet"))
    assert kept.message_sends == 0 and window.left(kept, clock.now()) == 5
