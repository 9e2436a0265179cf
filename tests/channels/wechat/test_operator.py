"""``hotline wechat check`` and ``hotline wechat menu push`` against the WeChat sandbox."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from channels.wechat.menu import MenuError, check_menu, default_menu, width
from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.wechat import wechat_bot, wechat_settings


def write_config(path: Path, wechat: dict[str, Any], db: Path) -> Path:
    lines = ["[storage]", f"path = {json.dumps(str(db))}", "", "[wechat]"]
    lines += [f"{key} = {json.dumps(value)}" for key, value in wechat.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def hotline(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = await asyncio.to_thread(main, [*argv, "--lang", "en"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.e2e
async def test_check_says_what_works_and_what_does_not(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with WechatSandbox() as wx:
        settings = wechat_settings(sandbox, wx, tmp_path / "bot.sqlite3")
        section = wx.wechat_settings(settings.wechat.callback_url)
        config = write_config(tmp_path / "hotline.toml", section, tmp_path / "cli.sqlite3")
        async with wechat_bot(settings):
            code, out, err = await hotline(capsys, "wechat", "check", "--config", str(config))
            assert code == 0, out + err
            assert out.count("ok ") == 3, out
            wx.api.refuse_ip = True
            code, out, _ = await hotline(capsys, "wechat", "check", "--config", str(config))
            assert code == 1 and "IP whitelist" in out and "40164" in out, out
            wx.api.refuse_ip = False
        code, out, _ = await hotline(capsys, "wechat", "check", "--config", str(config))  # the bot is not running
        assert code == 1 and "FAIL  the callback" in out and "reverse proxy" in out, out


async def test_menu_push(sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    async with WechatSandbox() as wx:
        section = wx.wechat_settings("http://127.0.0.1:9/wechat")
        config = write_config(tmp_path / "hotline.toml", section, tmp_path / "cli.sqlite3")
        code, out, err = await hotline(capsys, "wechat", "menu", "push", "--config", str(config))
        assert code == 0, err
        assert wx.api.menu == default_menu() and "3 buttons" in out
        bad = tmp_path / "menu.json"
        bad.write_text(json.dumps({"button": [{"type": "click", "name": "燃气泄漏报警", "key": "menu:smell_gas"}]}))
        wx.api.menu = None
        code, _, err = await hotline(capsys, "wechat", "menu", "push", "--file", str(bad), "--config", str(config))
        assert code == 2 and "longer than 4" in err and wx.api.menu is None
    assert not wx.api.errors


def test_menu_names_and_sizes() -> None:
    assert width("燃气泄漏") == 4 and width("English") == 3.5
    check_menu(default_menu())
    too_many = {"button": [{"type": "click", "name": "x", "key": "k"}] * 4}
    with pytest.raises(MenuError):
        check_menu(too_many)
    subs = {"button": [{"name": "报修", "sub_button": [{"type": "click", "name": "a", "key": "k"}] * 6}]}
    with pytest.raises(MenuError):
        check_menu(subs)
    with pytest.raises(MenuError):
        long_sub = {"type": "click", "name": "八个字的子菜单名", "key": "k"}
        check_menu({"button": [{"name": "报修", "sub_button": [long_sub]}]})
    with pytest.raises(MenuError):
        check_menu({"button": [{"type": "click", "name": "报修", "key": "menu:nothing"}]})
