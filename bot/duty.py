"""Who is on duty now, from the configured rota."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Settings


def crews_on_duty(settings: Settings, now: datetime) -> list[str]:
    """Names of the crews on duty at ``now``; with no rota configured, every crew is."""
    rota = settings.rota
    if not rota.crews:
        return [crew.name for crew in settings.crews]
    anchor = rota.anchor if rota.anchor.tzinfo else rota.anchor.replace(tzinfo=settings.utility.tz)
    shifts = (now - anchor) // timedelta(hours=rota.shift_hours)
    return [rota.crews[shifts % len(rota.crews)]]
