"""The crew's dispatch card, readable in the dark: where first, what is known, what is still unknown.

A ticket committed at its location (before the rest of the form) carries hidden keys in ``details``:
``_form`` (the form the resident is answering), ``_asked`` (the questions answered so far) and, once
its severity was raised, ``_dispatched_at`` (the acknowledgement clock's new start). Hidden keys start
with ``_`` and are never shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.config.settings import Settings
from bot.i18n import Lang, t
from bot.intake.forms import CATEGORIES, FIELDS
from bot.intake.geocode import map_link
from bot.intake.render import value_text
from bot.people.phone import display_phone
from storage.db import from_db
from storage.tickets import Ticket

ON_CARD_ELSEWHERE = frozenset({"location", "address", "phone", "phone_optional", "photos"})


def ack_timeout_s(settings: Settings, severity: str) -> int:
    return settings.escalation.chain(severity).ack_timeout_s or settings.dispatch.ack_timeout_s


def arrival_target_min(settings: Settings, severity: str) -> int:
    return settings.escalation.chain(severity).arrival_target_min or settings.dispatch.arrival_target_min


def local_time(settings: Settings, when: datetime) -> str:
    return when.astimezone(settings.utility.tz).strftime("%H:%M")


def dispatched_at(ticket: Ticket) -> datetime:
    """When the ticket was (last) dispatched at its current severity: the acknowledgement clock's start."""
    raised = ticket.details.get("_dispatched_at")
    return (from_db(str(raised)) if raised else None) or ticket.created_at


def detail_lines(lang: Lang, details: dict[str, Any]) -> list[str]:
    """One "label: value" line per answered question of any form, in the forms' order."""
    return [
        f"{t(lang, f'form.{name}.label')}: {value_text(lang, spec, details[name])}"
        for name, spec in FIELDS.items()
        if name in details and name not in ON_CARD_ELSEWHERE
    ]


def still_unknown(ticket: Ticket) -> list[str]:
    """The questions of the resident's form not answered yet (only while the ticket's form is open)."""
    form = CATEGORIES.get(str(ticket.details.get("_form", "")))
    if form is None:
        return []
    asked = set(ticket.details.get("_asked") or ())
    known: dict[str, Any] = {**ticket.details}
    if ticket.latitude is not None and ticket.longitude is not None:
        known["location"] = {"lat": ticket.latitude, "lon": ticket.longitude, "address": ticket.address}
    elif ticket.address:
        known["location"] = {"address": ticket.address}
    return [
        name
        for name in form.fields
        if name not in asked and name not in ticket.details and FIELDS[name].applies(known) and name != "location"
    ]


def where_lines(lang: Lang, ticket: Ticket, settings: Settings) -> list[str]:
    lines = []
    pin = ticket.latitude is not None and ticket.longitude is not None
    if ticket.address:
        key = "crew.card_address_looked_up" if ticket.details.get("_geocoded") else "crew.card_address"
        lines.append(t(lang, key, address=ticket.address))
    if pin and (not ticket.address or ticket.details.get("_geocoded")):
        assert ticket.latitude is not None and ticket.longitude is not None
        lines.append(
            t(
                lang,
                "crew.card_pin",
                lat=f"{ticket.latitude:.5f}",
                lon=f"{ticket.longitude:.5f}",
                link=map_link(settings, ticket.latitude, ticket.longitude),
            )
        )
    if not lines:
        lines.append(t(lang, "crew.card_address", address=t(lang, "crew.card_pin_only")))
    return lines


def drill_shown(ticket: Ticket) -> bool:
    """A drill says so on every message; an unannounced one (``[drills] announced = false`` when it was
    started) only once a crew member has accepted it."""
    if not ticket.drill:
        return False
    info = ticket.details.get("_drill")
    announced = not isinstance(info, dict) or bool(info.get("announced", True))
    return announced or ticket.accepted_at is not None or ticket.status not in ("dispatched", "waiting")


def key_site_lines(lang: Lang, ticket: Ticket) -> list[str]:
    """The key site (重点部位) the report is at, and its contact, when it is at one."""
    site = ticket.details.get("_key_site")
    if not isinstance(site, dict):
        return []
    return [
        t(
            lang,
            "key_sites.card_line",
            name=site.get("name", "?"),
            kind=t(lang, f"key_sites.kind_{site.get('kind', 'market')}"),
            phone=display_phone(str(site["phone"])) if site.get("phone") else "-",
        )
    ]


def incident_lines(lang: Lang, ticket: Ticket) -> list[str]:
    """An incident's lead card: how many reports, the nearest other addresses, the worst answers so far
    (``_incident``, kept by ``bot.dispatch.incidents``)."""
    incident = ticket.details.get("_incident")
    if not isinstance(incident, dict) or int(incident.get("reports", 1)) < 2:
        return []
    lines = [t(lang, "incidents.card_reports", count=incident["reports"])]
    if incident.get("addresses"):
        lines.append(t(lang, "incidents.card_nearest", addresses="; ".join(incident["addresses"])))
    lines.append(
        t(lang, "incidents.card_worst", unwell=incident.get("unwell", 0), vulnerable=incident.get("vulnerable", 0))
    )
    return lines


def ticket_text(lang: Lang, ticket: Ticket, settings: Settings, *, hints: tuple[int, ...] = ()) -> str:
    """The dispatch card: what a crew member needs to decide and to find the place, and the SLA clock."""
    lines = [t(lang, "drills.card_mark")] if drill_shown(ticket) else []
    lines += [
        t(
            lang,
            "crew.card_title",
            severity=ticket.severity,
            category=t(lang, f"category.{ticket.category}"),
            ticket=ticket.id,
        ),
        *where_lines(lang, ticket, settings),
        *key_site_lines(lang, ticket),
        *incident_lines(lang, ticket),
    ]
    if "stairwell" in (ticket.details.get("where"), ticket.details.get("fire_where")):
        lines.append(t(lang, "crew.card_neighbours"))
    lines.extend(detail_lines(lang, ticket.details))
    if ticket.phone:
        lines.append(t(lang, "crew.card_phone", phone=display_phone(ticket.phone)))
    if unknown := still_unknown(ticket):
        labels = ", ".join(t(lang, f"form.{name}.label") for name in unknown)
        lines.append(t(lang, "crew.card_unknown", fields=labels))
    lines.append(t(lang, "crew.card_reported", time=local_time(settings, ticket.created_at)))
    if ticket.status == "dispatched" and ticket.severity in ("P1", "P2"):
        deadline = dispatched_at(ticket) + timedelta(seconds=ack_timeout_s(settings, ticket.severity))
        lines.append(t(lang, "crew.card_accept_by", time=local_time(settings, deadline)))
    if ticket.severity in ("P1", "P2"):
        arrive_by = ticket.created_at + timedelta(minutes=arrival_target_min(settings, ticket.severity))
        lines.append(t(lang, "crew.card_arrive_by", time=local_time(settings, arrive_by)))
    if hints:
        lines.append(t(lang, "crew.card_duplicates", tickets=", ".join(f"#{n}" for n in hints)))
    return "\n".join(lines)
