"""Secrets from systemd's credentials (``LoadCredential=`` in deploy/hotline.service): files in the directory
``$CREDENTIALS_DIRECTORY`` names, readable by the service alone and never in its environment.

``telegram-token`` is the bot token and ``webhook-secret`` the webhook's secret; each is used only when the
environment (``HOTLINE_TELEGRAM__TOKEN``, ``HOTLINE_TELEGRAM__WEBHOOK_SECRET``) does not set it already.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import SecretStr

from bot.config.settings import Settings

CREDENTIALS = {"telegram-token": "token", "webhook-secret": "webhook_secret"}
VARIABLES = {"token": "HOTLINE_TELEGRAM__TOKEN", "webhook_secret": "HOTLINE_TELEGRAM__WEBHOOK_SECRET"}


def apply_credentials(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """Fill the Telegram secrets from systemd's credentials; returns the names of those it used."""
    env = os.environ if environ is None else environ
    directory = env.get("CREDENTIALS_DIRECTORY")
    if not directory:
        return []
    used = []
    for name, field in CREDENTIALS.items():
        path = Path(directory) / name
        if env.get(VARIABLES[field]) or not path.is_file():
            continue
        value = path.read_text(encoding="utf-8").strip()
        if value:
            setattr(settings.telegram, field, SecretStr(value))
            used.append(name)
    return used
