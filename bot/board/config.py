"""``[board]`` of the configuration: where the dispatch board listens and the address staff are sent to."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from bot.config.section import Section

MIN_SECRET = 32


class BoardConfig(Section):
    # where `hotline board` listens (keep it on loopback behind the reverse proxy)
    listen: str = "127.0.0.1:8090"
    # the address staff open, as the reverse proxy serves it (https:// makes the session cookie Secure);
    # its path is the board's prefix, e.g. https://hotline.example.cn/board/. Empty: /board is not offered.
    public_url: str = ""
    session_hours: float = Field(default=12.0, gt=0, le=24)  # one shift: then a new link from /board
    poll_s: float = Field(default=0.5, ge=0.1, le=1.5)  # how often the audit trail is read for changes
    # signs the links and the session cookie: HOTLINE_BOARD__SECRET in the environment, 32 characters or more
    secret: SecretStr = SecretStr("")

    @field_validator("listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8090)")
        return value

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and (not value.startswith(("https://", "http://")) or not urlsplit(value).netloc):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value

    @field_validator("secret")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and len(value.get_secret_value()) < MIN_SECRET:
            raise ValueError(f"the board's secret needs at least {MIN_SECRET} characters (HOTLINE_BOARD__SECRET)")
        return value

    @property
    def prefix(self) -> str:
        """The path the board is served under ("" at the root), from ``public_url``."""
        return urlsplit(self.public_url).path.rstrip("/")

    @property
    def secure(self) -> bool:
        """Behind TLS: the session cookie is sent over https only."""
        return self.public_url.startswith("https://")

    @property
    def ready(self) -> bool:
        return bool(self.public_url and self.secret.get_secret_value())
