"""The seam for a reverse geocoder: an address for a shared pin, shown on the crew's card.

No network geocoder ships with the bot. A deployment that has one (a utility's own GIS, AMap, ...)
registers a function under a name and sets ``[intake] geocoder`` to that name; the intake calls it once,
when it commits a ticket that has a pin but no typed address, and the answer is stored on the ticket
(marked as looked up). Without one the card shows the coordinates and a map link
(``[dispatch] map_link``). A lookup must be quick and must not raise: it runs inside the report's
transaction, so return None rather than wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot.config.settings import Settings

logger = logging.getLogger(__name__)

Geocoder = Callable[[float, float], str | None]  # (lat, lon) -> an address, or None

_REGISTERED: dict[str, Geocoder] = {}


def register(name: str, geocoder: Geocoder) -> None:
    _REGISTERED[name] = geocoder


def unregister(name: str) -> None:
    _REGISTERED.pop(name, None)


def address_of(settings: Settings, lat: float, lon: float) -> str | None:
    """The configured geocoder's address for the pin, or None (none configured, or it found nothing)."""
    name = settings.intake.geocoder
    if not name:
        return None
    geocoder = _REGISTERED.get(name)
    if geocoder is None:
        logger.warning("geocoder %r is configured but not registered", name)
        return None
    try:
        found = geocoder(lat, lon)
    except Exception:  # a lookup must never stop a dispatch
        logger.warning("geocoder %r failed", name, exc_info=True)
        return None
    return found.strip()[:300] if found and found.strip() else None


def map_link(settings: Settings, lat: float, lon: float) -> str:
    return settings.dispatch.map_link.format(lat=f"{lat:.6f}", lon=f"{lon:.6f}")
