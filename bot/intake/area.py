"""The service area (``[intake]`` boxes and circles) and distances on the ground."""

from __future__ import annotations

import math

from bot.config.settings import IntakeConfig

EARTH_RADIUS_M = 6_371_000.0


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def valid_point(lat: float | None, lon: float | None) -> bool:
    """A point on the Earth: finite, latitude within ±90, longitude within ±180."""
    if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
        return False
    return -90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0


def in_service_area(config: IntakeConfig, lat: float, lon: float) -> bool:
    """True when the point lies in any configured box or circle (or no area is configured)."""
    if not config.area_boxes and not config.area_circles:
        return True
    for box in config.area_boxes:
        if box.min_lat <= lat <= box.max_lat and box.min_lon <= lon <= box.max_lon:
            return True
    return any(distance_m(c.lat, c.lon, lat, lon) <= c.radius_km * 1000 for c in config.area_circles)
