"""Times and duty look-ups the rota tests share (tests/bot/rota/test_rota*.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.rota.model import Override, Rotation, on_duty

ZONE = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    """``2027-01-04 08:00`` in Shanghai."""
    return datetime.fromisoformat(text).replace(tzinfo=ZONE)


def crews_at(rotations: list[Rotation], overrides: list[Override], at: datetime) -> list[str]:
    return sorted(slot.crew for slot in on_duty(rotations, overrides, at))
