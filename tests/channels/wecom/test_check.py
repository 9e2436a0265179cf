"""``hotline wecom check``: the token, the trusted IP (60020) and the callback URL, in plain words."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.cli import wecom as wecom_cli
from bot.cli.demo_wecom import wecom_settings
from bot.cli.text import Say
from bot.config.wecom import WeComConfig
from bot.i18n import Lang
from channels.wecom.check import check
from sandbox import Sandbox
from sandbox.wecom import FakeWeCom
from tests.kit.wecom import wecom_bot

pytestmark = pytest.mark.e2e  # the whole bot against the sandboxes


async def test_every_check_passes_against_a_running_bot(sandbox: Sandbox, tmp_path: Path) -> None:
    async with wecom_bot(sandbox, tmp_path) as (_, runtime):
        findings = await check(runtime.settings.wecom)
        assert [(f.ok, f.key) for f in findings] == [(True, "token_ok"), (True, "callback_ok")]


async def test_the_ip_whitelist_error_is_said_in_plain_words(
    sandbox: Sandbox, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeWeCom() as wecom:
        settings = wecom_settings(sandbox, wecom, tmp_path / "c.sqlite3", lang="en")
        settings.wecom.trusted_ip = "203.0.113.7"
        wecom.ip_blocked = True
        code = await asyncio.to_thread(wecom_cli.run, argparse.Namespace(), settings, Say(Lang.EN))
    out = capsys.readouterr().out
    assert code == 1
    assert "60020" in out and "203.0.113.7" in out and "企业可信IP" in out
    assert "cannot be reached from this server" in out  # no bot runs: the callback URL does not answer


async def test_a_wrong_secret_and_a_missing_key_are_named(sandbox: Sandbox, tmp_path: Path) -> None:
    async with FakeWeCom() as wecom:
        settings = wecom_settings(sandbox, wecom, tmp_path / "c.sqlite3", lang="en")
        wrong = settings.wecom.model_copy(update={"secret": SecretStr("not-it")})
        findings = await check(wrong)
        assert findings[0].key == "bad_secret" and not findings[0].ok
    assert (await check(WeComConfig(corp_id="ww1")))[0].key == "missing"
    assert (await check(WeComConfig()))[0].key == "off"
