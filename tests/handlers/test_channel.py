"""Telegram's limits on one chat come from the adapter: groups (negative ids) slower than private chats."""

from __future__ import annotations

from bot.config.settings import OutboundConfig
from bot.outbound.delivery import Pace
from handlers.channel import TelegramPacing, is_group


def test_groups_are_chats_with_negative_ids_and_are_paced_per_minute() -> None:
    pacing = TelegramPacing(OutboundConfig(private_burst=3, private_rate_per_s=1.0, group_rate_per_min=19.0))
    assert is_group("-1001234") and not is_group("1001")
    assert pacing.pace("1001") == Pace(3.0, 1.0)
    assert pacing.pace("-1001234") == Pace(1.0, 19.0 / 60)
