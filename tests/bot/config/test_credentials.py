"""systemd credentials (LoadCredential=): the token read from $CREDENTIALS_DIRECTORY/telegram-token when the
environment has none, by a real bot process that then polls; the environment wins when it has one."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli.demo import DEMO_TOKEN
from bot.config.credentials import apply_credentials
from bot.config.settings import load_settings
from sandbox import Sandbox
from tests.kit.botproc import BotProcess, bot_config, toml_dump


def test_credentials_fill_what_the_environment_leaves_empty(tmp_path: Path) -> None:
    (tmp_path / "telegram-token").write_text(DEMO_TOKEN + "\n", encoding="utf-8")
    (tmp_path / "webhook-secret").write_text("s3cret_value", encoding="utf-8")
    settings = load_settings(None)
    used = apply_credentials(settings, {"CREDENTIALS_DIRECTORY": str(tmp_path)})
    assert used == ["telegram-token", "webhook-secret"]
    assert settings.require_token() == DEMO_TOKEN
    assert settings.telegram.webhook_secret.get_secret_value() == "s3cret_value"
    other = load_settings(None, {"telegram": {"token": "654321:" + "B" * 35}})
    env = {"CREDENTIALS_DIRECTORY": str(tmp_path), "HOTLINE_TELEGRAM__TOKEN": "654321:" + "B" * 35}
    assert apply_credentials(other, env) == ["webhook-secret"]
    assert other.require_token() == "654321:" + "B" * 35
    assert apply_credentials(load_settings(None), {}) == []


def test_the_wechat_secrets_from_credentials(tmp_path: Path) -> None:
    key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
    for name, value in (("wechat-app-secret", "app-secret"), ("wechat-token", "server-token"), ("wechat-aes-key", key)):
        (tmp_path / name).write_text(value + "\n", encoding="utf-8")
    settings = load_settings(None, {"wechat": {"app_id": "wx0001"}})
    env = {"CREDENTIALS_DIRECTORY": str(tmp_path), "HOTLINE_WECHAT__TOKEN": "from-the-environment"}
    assert apply_credentials(settings, env) == ["wechat-app-secret", "wechat-aes-key"]
    assert settings.wechat.app_secret.get_secret_value() == "app-secret"
    assert settings.wechat.encoding_aes_key.get_secret_value() == key
    assert settings.wechat.token.get_secret_value() == ""  # the environment has it: load_settings reads it there


@pytest.mark.e2e  # a real process: the end-to-end suite (make test), not the inner loop
async def test_a_real_process_polls_with_the_token_from_its_credentials(sandbox: Sandbox, tmp_path: Path) -> None:
    credentials = tmp_path / "credentials"
    credentials.mkdir(mode=0o700)
    (credentials / "telegram-token").write_text(DEMO_TOKEN, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(toml_dump(bot_config(sandbox, tmp_path / "cred.sqlite3")), encoding="utf-8")
    env = {"HOTLINE_TELEGRAM__TOKEN": "", "CREDENTIALS_DIRECTORY": str(credentials)}
    bot = BotProcess(config, tmp_path / "bot.log", env=env)
    await bot.start()
    try:
        for _ in range(150):  # bounded: about 30 s
            if sandbox.calls("getUpdates") or not bot.running:
                break
            await asyncio.sleep(0.2)
        assert sandbox.calls("getUpdates"), bot.log_text()
    finally:
        assert await bot.stop() == 0
    log = bot.log_text()
    assert "comes from the configuration file" not in log
    assert DEMO_TOKEN not in log and DEMO_TOKEN.split(":")[1] not in log
