"""The key sites in force (the configuration's ``[[key_sites]]`` and the last imported spreadsheet), and
what a report's place and words make of its severity.

A configured site and an imported one of the same name: the configured one is used.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bot.config.settings import Settings
from bot.intake.forms import Severity
from bot.key_sites.model import KeySite, match, raised
from storage.db import Conn
from storage.key_sites import KeySitesRepo, StoredSite


def from_stored(row: StoredSite) -> KeySite | None:
    try:
        return KeySite(
            name=row.name, kind=row.kind, address=row.address, lat=row.latitude, lon=row.longitude, phone=row.phone
        )
    except ValidationError:  # a row written by an older program: not used
        return None


async def sites_in_force(tx: Conn, settings: Settings) -> list[KeySite]:
    configured = list(settings.key_sites)
    names = {site.name for site in configured}
    imported = [site for row in await KeySitesRepo(tx).all() if (site := from_stored(row)) and site.name not in names]
    return configured + imported


def record(site: KeySite) -> dict[str, Any]:
    """What the ticket keeps of its key site (``details["_key_site"]``, shown on the card)."""
    return {"name": site.name, "kind": site.kind, "phone": site.phone, "address": site.address}


def report_texts(address: str | None, details: dict[str, Any]) -> list[str]:
    """The words of a report a key site's name may appear in: its address and its typed answers."""
    texts = [address or ""]
    texts += [value for key, value in details.items() if not key.startswith("_") and isinstance(value, str)]
    return texts


async def raise_at_site(
    tx: Conn,
    settings: Settings,
    *,
    category: str,
    severity: Severity,
    address: str | None,
    latitude: float | None,
    longitude: float | None,
    details: dict[str, Any],
) -> tuple[Severity, dict[str, Any] | None]:
    """The severity at the report's key site (one level up, never below P2 for gas or CO) and its record
    (with ``from``, the severity before the raise); ``severity`` and None when the report is at none."""
    sites = await sites_in_force(tx, settings)
    if not sites:
        return severity, None
    site = match(sites, settings.key_site_match, lat=latitude, lon=longitude, texts=report_texts(address, details))
    if site is None:
        return severity, None
    return raised(severity, category), {**record(site), "from": severity.value}
