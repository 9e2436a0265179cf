"""What a resident on WeChat sees: numbered choices, hints for the location and contact keys, long texts in
parts within WeChat's 2,048 bytes (never cut short), the choices last."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.i18n import Lang
from channels.wechat.render import MAX_TEXT_BYTES, parts, render, resolve
from common.events import Button, Edit, Key, Text
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.wechat import wechat_bot, wechat_settings


def test_buttons_and_keys_become_numbered_choices() -> None:
    message = Text(
        chat="o1",
        text="气味在哪里最明显？",
        buttons=[[Button(text="家里", data="i:f:where:home"), Button(text="室外", data="i:f:where:out")]],
        keyboard=[[Key(text="📍 发送我的位置", location=True)], [Key(text="取消")], [Key(text="🚨 我闻到燃气味")]],
    )
    shown = render(message, Lang.ZH)
    assert shown is not None
    assert "1. 家里\n2. 室外\n3. 取消" in shown.text and "＋ → 位置" in shown.text
    assert "我闻到燃气味" not in shown.text  # the resident menu's keys live in the account's custom menu
    assert resolve("２", shown.choices) == ["b", "i:f:where:out", "室外"]
    assert resolve("取消", shown.choices) == ["k", "取消", "取消"]
    assert resolve("4", shown.choices) is None and resolve("家里人", shown.choices) is None
    assert render(Edit(chat="o1", text="已选择", message_id="1"), Lang.ZH) is None  # no edits on WeChat


def test_a_long_text_goes_in_parts_with_the_choices_last() -> None:
    lines = [f"第{n}条：燃气安全提示，出门前关好阀门，不要在屋里打电话。" for n in range(120)]
    message = Text(chat="o1", text="\n".join(lines), buttons=[[Button(text="不再接收提示", data="tips:off")]])
    pieces = parts(message, Lang.ZH)
    shown = [render(piece, Lang.ZH) for piece in pieces]
    assert len(pieces) >= 3 and all(s is not None for s in shown)
    texts = [s.text for s in shown if s is not None]
    assert all(len(text.encode("utf-8")) <= MAX_TEXT_BYTES for text in texts)
    assert "\n".join(piece.text for piece in pieces if isinstance(piece, Text)) == message.text  # nothing lost
    assert texts[-1].endswith("1. 不再接收提示") and not any("1. 不再" in text for text in texts[:-1])
    one_line = Text(chat="o1", text="很" * 3000)
    assert "".join(p.text for p in parts(one_line, Lang.ZH) if isinstance(p, Text)) == one_line.text


@pytest.mark.e2e
async def test_a_long_message_arrives_whole_in_parts(sandbox: Sandbox, tmp_path: Path) -> None:
    lines = [f"第{n}条：燃气安全提示，出门前关好阀门，不要在屋里打电话。" for n in range(60)]
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "long.sqlite3")
        async with wechat_bot(settings) as runtime:
            await wx.text("oLong", "/start")
            await wx.text("oLong", "好的")  # a message: five sends in the next 48 hours
            before = len(wx.shown("oLong"))
            tip = Text(chat="oLong", text="\n".join(lines), buttons=[[Button(text="不再接收提示", data="tips:off")]])
            await runtime.lanes.submit("wechat", tip)
    got = [d.text for d in wx.shown("oLong")[before:]]
    assert len(got) >= 3 and not wx.api.errors, wx.api.errors
    assert all(line in "\n".join(got) for line in lines) and got[-1].endswith("1. 不再接收提示")
