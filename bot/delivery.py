"""How the core's outbound messages reach a channel, in channel-neutral terms.

A channel adapter implements ``Sender``; it turns its transport's failures into these errors.
"""

from __future__ import annotations

from typing import Protocol

from bot.errors import HotlineError
from bot.events import Outbound


class DeliveryError(HotlineError):
    """A message could not be delivered."""


class Blocked(DeliveryError):
    """The person blocked the bot or left: do not retry (Telegram 403)."""


class Rejected(DeliveryError):
    """The channel refused this message as such (Telegram 400): retrying it unchanged will not help."""


class NotModified(Rejected):
    """An edit that changes nothing: harmless, counts as delivered."""


class RetryLater(DeliveryError):
    """Flood control: wait ``after_s`` seconds before sending to this chat again (Telegram 429)."""

    def __init__(self, after_s: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {after_s} s")
        self.after_s = after_s


class Transient(DeliveryError):
    """A network fault, timeout or 5xx: try again later."""


class Sender(Protocol):
    async def send(self, message: Outbound) -> str | None:
        """Deliver one message; returns the channel's message id (None for acknowledgements)."""
        ...
