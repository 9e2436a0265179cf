"""What the board's request handlers share: settings, its two connections, the clock, the change hub."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.board.live import Changes
from bot.clock import Clock
from bot.config.settings import Settings
from bot.i18n import Lang
from storage.db import Database
from storage.people import Person

LANG_COOKIE = "hotline_board_lang"


@dataclass
class BoardState:
    settings: Settings
    reader: Database  # mode=ro (Database.open_read_only): every page and the change poller
    writer: Database  # only for spending a sign-in link and recording the login
    clock: Clock
    changes: Changes

    @property
    def secret(self) -> str:
        return self.settings.board.secret.get_secret_value()

    @property
    def prefix(self) -> str:
        return self.settings.board.prefix


STATE = web.AppKey("board", BoardState)
PERSON = web.RequestKey("person", Person)  # the signed-in staff member (bot.board.web's middleware)


def page_lang(request: web.Request, person: Person | None) -> Lang:
    """The page's language: the one chosen on the board, else the staff member's own, else Chinese."""
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in ("zh", "en"):
        return Lang(chosen)
    return Lang(person.lang) if person is not None and person.lang in ("zh", "en") else Lang.ZH
