"""Telegram as a channel of the hotline: its name, its sender, its limits on one chat.

Telegram lets a bot send about one message a second into a private chat (after a short burst) and about
twenty a minute into a group; a group's chat id starts with ``-``. The numbers are the ``[outbound]``
settings (``private_burst``, ``private_rate_per_s``, ``group_rate_per_min``).
"""

from __future__ import annotations

from bot.config.settings import OutboundConfig, Settings
from bot.outbound.channels import Channel
from bot.outbound.delivery import Pace, Sender

TELEGRAM = "telegram"


class TelegramPacing:
    """A private chat: ``private_burst`` messages, then ``private_rate_per_s``; a group (chat id starting
    with ``-``): one message, then ``group_rate_per_min`` (never more than 1 + rate in any minute)."""

    def __init__(self, config: OutboundConfig) -> None:
        self._private = Pace(float(config.private_burst), config.private_rate_per_s)
        self._group = Pace(1.0, config.group_rate_per_min / 60)

    def pace(self, chat: str) -> Pace:
        return self._group if is_group(chat) else self._private


def is_group(chat: str) -> bool:
    """Telegram's groups and channels have negative ids."""
    return chat.startswith("-")


def telegram_channel(sender: Sender, settings: Settings) -> Channel:
    """Telegram for the runtime: one send per connection of the transport (more would only queue there)."""
    return Channel(
        TELEGRAM,
        sender,
        TelegramPacing(settings.outbound),
        concurrency=settings.telegram.connection_pool_size,
        paid_broadcast=True,  # allow_paid_broadcast ([outbound] paid_safety_cards)
    )
