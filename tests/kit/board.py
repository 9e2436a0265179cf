"""Shared pieces of the board's tests: settings with a [board] section, a desk person's sign-in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from common.events import Text
from storage.db import Database
from tests.kit.harness import Harness
from tests.kit.settings import settings_dict

SECRET = "board-test-secret-" + "x" * 24  # not a real secret: the tests' own
LINK = re.compile(r"https?://\S+/signin\?t=[A-Za-z0-9_.-]+")


@dataclass
class World:
    settings: Settings
    db: Database
    clock: FakeClock
    h: Harness
    address: str
    ticket: int


def client() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))  # cookies for 127.0.0.1


def board_section(public_url: str = "http://127.0.0.1/", **extra: Any) -> dict[str, Any]:
    return {"listen": "127.0.0.1:0", "public_url": public_url, "secret": SECRET, "poll_s": 0.1, **extra}


def board_settings(tmp: Path, **extra: Any) -> Settings:
    data = settings_dict(tmp / "board.sqlite3", **{"board": board_section(), **extra})
    data["districts"] = [{"name": "Huangpu", "boxes": [[31.1, 121.4, 31.3, 121.6]]}]
    return load_settings(None, data)


async def link_for(h: Harness, user: str) -> str:
    """The sign-in link the bot sends ``user`` for /board."""
    replies = await h.text(user, "/board")
    for reply in replies:
        if isinstance(reply, Text) and (found := LINK.search(reply.text)):
            return found.group(0)
    raise AssertionError(f"no sign-in link in {replies!r}")


def on_board(link: str, address: str) -> str:
    """The link as the board at ``address`` serves it (the public URL in tests is a placeholder)."""
    return address + "/signin?" + link.split("?", 1)[1]


async def sign_in(session: aiohttp.ClientSession, link: str, address: str) -> aiohttp.ClientResponse:
    """Open the link and press the button, as a browser would; returns the final response."""
    async with session.get(on_board(link, address)) as page:
        assert page.status == 200, await page.text()
        token = link.split("t=", 1)[1]
        assert token in await page.text()
    resp = await session.post(address + "/signin", data={"t": token}, allow_redirects=True)
    await resp.read()
    resp.release()
    return resp
