"""Reaching Telegram at start-up and while polling, the way an operator needs it.

- ``connect``: ``getMe`` (PTB's ``initialize``) retried with backoff on network errors and 5xx answers
  (a 502 from a proxy in front of the Bot API is common for a few seconds), one log line per failure,
  "connection to Telegram restored" when it answers again. A refused token (401, or 404 from a wrong
  ``base_url``) is ours to fix: ``TokenRefused``, at once.
- ``commands_best_effort``: the command menu (``setMyCommands``) never stops a start.
- ``PollingWatch``: PTB's polling error callback. One line per failed ``getUpdates`` instead of PTB's
  traceback per retry; a 409 Conflict means another process polls this token: the bot stops
  (``bot.halt``). ``SafeUpdatesBot`` tells it when a poll succeeds again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.halt import first_of
from bot.routes import Routes
from common.errors import HotlineError
from handlers.commands import register_commands
from storage.db import Database

logger = logging.getLogger(__name__)

T = TypeVar("T")

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 30.0
CONFLICT = (
    "another instance is polling this token (409 Conflict from getUpdates): stopping. Stop the other "
    "process (or delete its webhook); two bots on one token answer every resident twice"
)


class TelegramUnreachable(HotlineError):
    """``telegram.startup_attempts`` attempts to reach Telegram at start all failed."""


class TokenRefused(HotlineError):
    """Telegram answered 401/404 to the bot's own request: the token, or ``telegram.base_url``, is wrong."""


def refused_message(base_url: str, what: str) -> str:
    hint = (
        f"telegram.base_url {base_url!r} does not end in '/bot' (the token follows it)"
        if not base_url.rstrip("/").endswith("/bot")
        else "check HOTLINE_TELEGRAM__TOKEN (revoked or mistyped?) and telegram.base_url"
    )
    return f"Telegram refused the bot token ({what}: 401/404): {hint}"


def describe(exc: BaseException) -> str:
    """An exception in one line (the token filter masks whatever it carries)."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def with_retries(
    what: str,
    call: Callable[[], Awaitable[T]],
    *,
    until: tuple[asyncio.Event, ...],
    base_url: str,
    attempts: int = 0,
    first_delay_s: float = FIRST_DELAY_S,
) -> T | None:
    """``call()`` until it succeeds (its result), one of ``until`` is set (None), or ``attempts`` failed
    (0: no limit; then ``TelegramUnreachable``). Network errors and 5xx are retried with backoff."""
    delay, failures = first_delay_s, 0
    while True:
        try:
            result = await call()
        except InvalidToken as exc:
            raise TokenRefused(refused_message(base_url, what)) from exc
        except (RetryAfter, NetworkError, TimedOut) as exc:  # 5xx answers are NetworkErrors too
            failures += 1
            if isinstance(exc, RetryAfter):
                after = exc.retry_after
                wait_s = after if isinstance(after, int | float) else after.total_seconds()
            else:
                wait_s, delay = delay, min(delay * 2, MAX_DELAY_S)
            if attempts and failures >= attempts:
                logger.warning("%s failed (attempt %d of %d): %s", what, failures, attempts, describe(exc))
                raise TelegramUnreachable(
                    f"Telegram unreachable at start ({what} failed {failures} time(s), the last: {describe(exc)})"
                ) from exc
            logger.warning("%s failed (attempt %d): %s; retrying in %.0f s", what, failures, describe(exc), wait_s)
        else:
            if failures:
                logger.info("connection to Telegram restored (%s after %d failed attempt(s))", what, failures)
            return result
        try:
            await asyncio.wait_for(first_of(*until), timeout=wait_s)
        except TimeoutError:
            continue
        return None


async def commands_best_effort(bot: Bot, db: Database, routes: Routes) -> list[int]:
    """The command menus; a failure is logged in one line and the start goes on (the next start retries).
    Returns the staff Telegram says the bot cannot reach yet (``register_commands``)."""
    try:
        return await register_commands(bot, db, routes)
    except InvalidToken:
        raise
    except TelegramError as exc:
        logger.warning("command menu not set (setMyCommands: %s); the bot works without it", describe(exc))
        return []


class PollingWatch:
    """``error_callback`` of ``Updater.start_polling``, and ``ok()`` after each successful ``getUpdates``."""

    def __init__(self, halt: Callable[[str], None]) -> None:
        self.halt = halt
        self.failures = 0
        self.on_ok: Callable[[], None] | None = None  # /readyz hears that the Bot API answered (bot.ops.server)
        self.on_error: Callable[[TelegramError], None] | None = None  # /metrics counts the failed polls

    def __call__(self, exc: TelegramError) -> None:  # PTB: must not raise, must not be a coroutine
        if self.on_error is not None:
            self.on_error(exc)
        if isinstance(exc, Conflict):
            logger.critical(CONFLICT)
            self.halt("another instance is polling this token (409 Conflict from getUpdates)")
            return
        self.failures += 1
        logger.warning("getUpdates failed (%d in a row): %s; retrying", self.failures, describe(exc))

    def failed(self, exc: TelegramError) -> None:
        """A failure PTB does not report to the callback (a timeout; PTB retries it at once)."""
        if self.on_error is not None and isinstance(exc, TimedOut):
            self.on_error(exc)
        if isinstance(exc, TimedOut):
            self.failures += 1
            if self.failures in (1, 10) or self.failures % 100 == 0:
                logger.warning("getUpdates timed out (%d in a row); retrying", self.failures)

    def ok(self) -> None:
        if self.on_ok is not None:
            self.on_ok()
        if self.failures:
            logger.info("connection to Telegram restored (getUpdates after %d failure(s))", self.failures)
            self.failures = 0
