"""``[ops]`` (health, readiness and metrics endpoints) and ``[logging]`` of the configuration."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from bot.config.section import Section


class OpsConfig(Section):
    # "127.0.0.1:9464": serve /healthz, /readyz and /metrics there (keep it on loopback or a private
    # interface: it is not authenticated); empty: off
    listen: str = ""
    api_stale_s: float = Field(default=120.0, gt=0)  # /readyz: the Bot API answered within this
    probe_s: float = Field(default=30.0, gt=0)  # getMe when nothing was heard from the Bot API for this long
    outbox_stuck_s: float = Field(default=600.0, gt=0)  # /readyz: the oldest pending notification is younger

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        if value:
            host, sep, port = value.rpartition(":")
            if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
                raise ValueError(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:9464)")
        return value


class LoggingConfig(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    # text: one readable line per record; json: one JSON object per line (for a log shipper)
    format: Literal["text", "json"] = "text"

    @field_validator("level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value
