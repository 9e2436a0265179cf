"""Every resident flow of the Telegram bot, on WeChat: questions, status, the follow-up and its rating, tips
with their opt-out, area notices; crews on Telegram."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from bot.broadcast.broadcaster import Broadcaster
from bot.cli.demo import LEAD, tap
from bot.runtime import Runtime
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.broadcast import QUIET_HOURS_OFF, broadcast_changed
from tests.kit.wechat import has_button, wechat_bot, wechat_settings

pytestmark = pytest.mark.e2e  # the whole bot against both sandboxes
HUANGPU = {"name": "黄浦", "boxes": [[31.20, 121.46, 31.25, 121.50]]}


def rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as conn:
        return [tuple(row) for row in conn.execute(sql)]


def broadcaster(runtime: Runtime) -> Broadcaster:
    """The one broadcaster: each recipient hears on their own channel, WeChat residents through its lane."""
    return next(s for s in runtime.services if isinstance(s, Broadcaster))


async def test_questions_and_status(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "qa.sqlite3")
        async with wechat_bot(settings):
            topics = await wx.click("oAsk", "menu:questions")  # the custom menu's 安全知识
            assert topics is not None and "1. " in topics, topics
            answer = await wx.text("oAsk", "1")
            assert answer is not None and answer != topics, answer
            free = await wx.text("oAsk", "燃气热水器多久检查一次？")
            assert free is not None
            nothing = await wx.text("oAsk", "/status")
            assert nothing is not None  # no reports yet, said so
            await wx.text("oAsk", "I smell gas, it's strong in the kitchen")
            await wx.location("oAsk", 31.2304, 121.4737)
            await sandbox.wait_for(LEAD, has_button("t:acc:1"), timeout_s=5)
            status = await wx.click("oAsk", "menu:status")
            assert status is not None and "#1" in status, status


async def test_follow_up_and_rating(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "rate.sqlite3")
        async with wechat_bot(settings):
            await wx.text("oRate", "I smell gas, it's strong in the kitchen")
            await wx.location("oRate", 31.2304, 121.4737)
            for prefix in ("t:acc:1", "t:enr:", "t:site:"):
                await tap(sandbox, None, LEAD, prefix)
            await wx.wait_for("oRate", "已到达现场")
            assert await wx.text("oRate", "/status") is not None  # the resident writes: a fresh window
            before = len(wx.shown("oRate"))
            for prefix in ("t:res:", "t:cause:"):
                await tap(sandbox, None, LEAD, prefix)
            try:
                asked = await wx.wait_for("oRate", "1. ", after=before)
            except TimeoutError:
                raise AssertionError((wx.texts("oRate")[before:], wx.api.errors)) from None
            assert "2. " in asked.text, asked.text
            rate = await wx.text("oRate", "1")  # fixed: yes
            assert rate is not None and "5. ⭐⭐⭐⭐⭐" in rate, rate
            comment = await wx.text("oRate", "5")  # five stars
            assert comment is not None and "1. " in comment
            thanks = await wx.text("oRate", "1")  # no comment
            assert thanks is not None
    assert rows(settings.storage.path, "SELECT fixed, stars FROM feedback") == [(1, 5)]
    assert not wx.api.errors, wx.api.errors


async def test_tips_with_their_opt_out_and_area_notices(sandbox: Sandbox, tmp_path: Path) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "tips.sqlite3")
        settings.districts = type(settings).model_validate({"districts": [HUANGPU]}).districts
        settings.broadcast = broadcast_changed(settings.broadcast, rate_per_s=100.0, **QUIET_HOURS_OFF)
        async with wechat_bot(settings) as runtime:
            for openid in ("oStops", "oNear", "oFar"):  # follow: /start, subscribed to tips and told how to stop
                assert await wx.subscribe(openid) is not None
                await wx.wait_for(openid, "/tips off")
            district = await wx.text("oNear", "/district")
            assert district is not None and "1. 黄浦" in district, district
            assert await wx.text("oNear", "1") is not None  # chose 黄浦 by its number
            await wx.text("oFar", "你好")
            tip = await broadcaster(runtime).create(kind="tip", texts={"zh": "冬季燃气安全提示", "en": "tip"})
            shown = await wx.wait_for("oStops", "冬季燃气安全提示")
            assert "1. 🔕" in shown.text, shown.text  # the "stop these tips" button, as choice 1
            assert await wx.text("oStops", "1") is not None  # stop these tips
            second = await broadcaster(runtime).create(kind="tip", texts={"zh": "第二条提示", "en": "tip 2"})
            await wx.wait_for("oNear", "第二条提示")
            await broadcaster(runtime).wait_done(second, timeout_s=10)
            notice = await broadcaster(runtime).create(
                kind="notice", audience="district:黄浦", texts={"zh": "黄浦区明日停气通知", "en": "notice"}
            )
            await wx.wait_for("oNear", "黄浦区明日停气通知")  # an area notice reaches the area's subscribers
            await broadcaster(runtime).wait_done(notice, timeout_s=10)
    assert tip and "第二条提示" not in " ".join(wx.texts("oStops"))
    assert "黄浦区明日停气通知" not in " ".join(wx.texts("oFar"))  # not in that district
    assert rows(settings.storage.path, "SELECT tips FROM people WHERE external_id = 'oStops'") == [(0,)]
    assert not wx.api.errors, wx.api.errors
