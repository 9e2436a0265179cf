"""The Telegram sender, counted: each Bot API failure by its HTTP code (or "network", "timeout"), and
when the Bot API last answered (for ``/readyz``). Wraps ``TelegramSender`` without changing it."""

from __future__ import annotations

from collections.abc import Callable

from telegram.error import TelegramError

from bot.ops.metrics import Metrics
from bot.ops.server import ApiHealth
from bot.outbound.delivery import NotModified, Sender
from common.events import Outbound
from handlers.sender import telegram_code


def error_code(exc: BaseException) -> str:
    """The Bot API's answer behind a delivery error, as a label: "400", "401", "403", "409", "429", "timeout",
    "network" or "other"."""
    cause = exc if isinstance(exc, TelegramError) or exc.__cause__ is None else exc.__cause__
    return telegram_code(cause)


def count_error(metrics: Metrics) -> Callable[[BaseException], None]:
    """``PollingWatch.on_error``: a failed ``getUpdates`` counted like a failed send."""

    def count(exc: BaseException) -> None:
        metrics.api_errors.labels(code=error_code(exc)).inc()

    return count


class MeteredSender:
    def __init__(self, inner: Sender, metrics: Metrics, health: ApiHealth) -> None:
        self.inner, self.metrics, self.health = inner, metrics, health

    async def send(self, message: Outbound) -> str | None:
        try:
            sent = await self.inner.send(message)
        except NotModified:
            self.health.ok()  # Telegram answered: the edit changed nothing
            raise
        except Exception as exc:
            code = error_code(exc)
            self.metrics.api_errors.labels(code=code).inc()
            if code not in ("timeout", "network", "other"):
                self.health.ok()  # Telegram answered, with a refusal: it is reachable
            raise
        self.health.ok()
        return sent
