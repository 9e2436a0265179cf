"""Secrets from systemd's credentials (``LoadCredential=`` in deploy/hotline.service): files in the directory
``$CREDENTIALS_DIRECTORY`` names, readable by the service alone and never in its environment.

``telegram-token`` is the bot token and ``webhook-secret`` the webhook's secret; ``wechat-app-secret``,
``wechat-token``, ``wechat-aes-key`` and ``wechat-previous-aes-key`` the WeChat account's. Each is used only when
the environment (``HOTLINE_TELEGRAM__TOKEN``, ``HOTLINE_WECHAT__APP_SECRET``, ...) does not set it already.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from bot.config.settings import Settings

CREDENTIALS = {  # the credential's name -> (section, key)
    "telegram-token": ("telegram", "token"),
    "webhook-secret": ("telegram", "webhook_secret"),
    "wechat-app-secret": ("wechat", "app_secret"),
    "wechat-token": ("wechat", "token"),
    "wechat-aes-key": ("wechat", "encoding_aes_key"),
    "wechat-previous-aes-key": ("wechat", "previous_aes_key"),
}


def variable(section: str, key: str) -> str:
    return f"HOTLINE_{section.upper()}__{key.upper()}"


def apply_credentials(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """Fill the secrets from systemd's credentials; returns the names of those it used."""
    env = os.environ if environ is None else environ
    directory = env.get("CREDENTIALS_DIRECTORY")
    if not directory:
        return []
    used = []
    for name, (section, key) in CREDENTIALS.items():
        path = Path(directory) / name
        if env.get(variable(section, key)) or not path.is_file():
            continue
        value = path.read_text(encoding="utf-8").strip()
        if value:
            setattr(getattr(settings, section), key, SecretStr(value))
            used.append(name)
    return used
