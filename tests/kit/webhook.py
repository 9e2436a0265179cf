"""The bot behind a webhook on loopback: a free port, its settings, the secret the tests use."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from bot.cli.demo import sandbox_settings
from bot.config.settings import Settings
from sandbox import Sandbox

SECRET = "s3cret-Token_for-the-hook"


def webhook_settings(sb: Sandbox, db: Path, port: int, secret: str = SECRET) -> Settings:
    settings = sandbox_settings(sb, db, lang="en")
    settings.telegram = settings.telegram.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}/telegram-hook",
            "webhook_port": port,
            "webhook_secret": SecretStr(secret),
        }
    )
    return settings
