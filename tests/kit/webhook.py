"""The bot behind a webhook on loopback: a free port, its settings, the secret the tests use."""

from __future__ import annotations

import socket
from pathlib import Path

from pydantic import SecretStr

from bot.cli.demo import sandbox_settings
from bot.config.settings import Settings
from sandbox import Sandbox

SECRET = "s3cret-Token_for-the-hook"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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
