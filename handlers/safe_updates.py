"""Polling that decodes each update on its own, so that one malformed update can neither stall nor
crash the bot.

PTB decodes a whole ``getUpdates`` answer at once: if one update does not decode, it logs the raw
batch at CRITICAL (residents' texts and numbers in the log) and raises, the offset never advances,
and polling fetches the same batch again forever. ``SafeUpdatesBot`` decodes each update of the answer
on its own, once, with ``handlers.convert.decode_update``: one that does not decode becomes an empty
update of the same id, so the offset moves on, the bot ignores it, and only its id is logged. The
webhook server decodes with the same function.

A 401/404 answer to ``getUpdates`` (PTB's ``InvalidToken``: the token was revoked or is wrong, or the
address is) is not left to PTB, which logs "Invalid token. Aborting retry loop", ends its polling task and
leaves the process alive answering nothing: ``on_refused`` is told (the runtime stops sending and the bot
stops, ``bot.runtime.Runtime.refused``), and until then ``getUpdates`` answers nothing without calling
Telegram again. A 409 (another instance polls the token) goes to PTB's error callback (``PollingWatch``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import timedelta

from telegram import Bot
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram._utils.types import JSONDict, ODVInput, TimePeriod
from telegram.error import InvalidToken, TelegramError
from telegram.ext import ExtBot

from bot.outbound.delivery import ChannelRefused
from handlers.convert import TelegramUpdate, decode_update
from handlers.startup import PollingWatch


def decode_batch(result: object, bot_username: str | None = None) -> tuple[TelegramUpdate, ...]:
    """Every update of a ``getUpdates`` answer, each decoded on its own (one without an id is dropped)."""
    items = result if isinstance(result, list) else ()
    return tuple(update for item in items if (update := decode_update(item, bot_username)) is not None)


def own_username(bot: Bot) -> str | None:
    """The bot's @username once ``getMe`` answered (commands for other bots are told apart by it)."""
    try:
        return bot.username
    except RuntimeError:  # not initialised yet
        return None


class SafeUpdatesBot(ExtBot[None]):
    """PTB's ``ExtBot`` whose ``getUpdates`` answers ``TelegramUpdate``s, decoded update by update.

    ``Bot.get_updates`` decodes the whole answer into PTB's objects in one go and, when one update
    fails, logs the raw batch and raises: this replaces only that last step. The call itself is made as
    PTB makes it (the long poll's ``timeout`` added to the read timeout). PTB's updater needs only each
    update's ``update_id``, and the application hands it to ``handlers.updates.on_update``.

    ``watch`` (set by ``bot.app.serve``) hears of each poll's outcome: a success after failures logs that
    the connection is back."""

    watch: PollingWatch | None = None  # a class default: PTB's bots are frozen objects

    def set_watch(self, watch: PollingWatch) -> None:
        with self._unfrozen():
            self.watch = watch

    _on_refused: Callable[[ChannelRefused], None] | None = None
    _refused: ChannelRefused | None = None

    def set_on_refused(self, on_refused: Callable[[ChannelRefused], None] | None) -> None:
        """Who hears that ``getUpdates`` was answered 401/404 (the runtime, once it runs)."""
        self._on_refused = on_refused

    @property
    def refused(self) -> ChannelRefused | None:
        return self._refused

    async def get_updates(  # type: ignore[override]  # answers TelegramUpdate, not PTB's Update
        self,
        offset: int | None = None,
        limit: int | None = None,
        timeout: TimePeriod | None = None,  # noqa: ASYNC109  # PTB's signature
        allowed_updates: Sequence[str] | None = None,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
        api_kwargs: JSONDict | None = None,
    ) -> tuple[TelegramUpdate, ...]:
        base = self._request[0].read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        poll_s = timeout.total_seconds() if isinstance(timeout, timedelta) else (timeout or 0)
        if self._refused is not None:
            await asyncio.sleep(poll_s)  # the bot is stopping: nothing can be fetched with this token
            return ()
        try:
            result = await self._post(
                "getUpdates",
                {"timeout": timeout, "offset": offset, "limit": limit, "allowed_updates": allowed_updates},
                read_timeout=(base or 0) + poll_s,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
                api_kwargs=api_kwargs,
            )
        except InvalidToken as exc:
            if self._on_refused is None:
                raise
            self._refused = ChannelRefused(exc.message, method="getUpdates")
            self._on_refused(self._refused)
            return ()
        except TelegramError as exc:
            if self.watch is not None:
                self.watch.failed(exc)
            raise
        if self.watch is not None:
            self.watch.ok()
        return decode_batch(result, own_username(self))
