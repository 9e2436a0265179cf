"""What the board's pages show, read from the database (read-only) and shaped for the templates.

Phone numbers and addresses are masked on every list (``mask_phone``, ``mask_address``); only a ticket's
own page, which a signed-in staff member opens on purpose, shows them whole.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from bot.board import figures
from bot.config.broadcast import district_of
from bot.config.settings import Settings
from bot.dispatch import sla
from bot.i18n import Lang, catalog, t
from bot.rota.checks import uncovered
from bot.rota.duty import rota_around
from bot.rota.model import DutySlot, next_on_duty, on_duty
from storage.board import BoardReader, TimelineEntry
from storage.db import Conn
from storage.incidents import IncidentsRepo
from storage.tickets import OPEN_STATUSES, Ticket, TicketsRepo

UNACCEPTED = ("dispatched", "queued")
ESCALATION_EVENTS = frozenset({"escalated", "escalation_exhausted", "all_declined"})
GAPS_AHEAD = timedelta(hours=24)


def mask_phone(phone: str | None) -> str:
    """``+8613812345678`` -> ``+86 *******5678``: enough to tell two callers apart, not to call them."""
    if not phone:
        return ""
    digits = "".join(ch for ch in phone if ch.isdigit())
    country = "+86 " if phone.startswith("+86") else ""
    return country + "*" * max(len(digits) - len(country.strip("+ ")) - 4, 3) + digits[-4:]


def mask_address(address: str | None) -> str:
    """The first few characters (the district or road in a Chinese address), the rest hidden."""
    if not address:
        return ""
    text = address.strip()
    return text if len(text) <= 4 else text[:4] + "…"


def _label(lang: Lang, key: str, fallback: str) -> str:
    return t(lang, key) if key in catalog(lang) else fallback


def option_label(lang: Lang, name: str, value: str) -> str:
    """How a filter's value reads: a category or a state in words; districts and priorities as they are."""
    if name == "category":
        return _label(lang, f"category.{value}", value)
    if name == "state":
        return _label(lang, f"status.{value}", value)
    return value


def event_label(lang: Lang, kind: str) -> str:
    return _label(lang, f"board.ev_{kind}", _label(lang, f"status.ev_{kind}", kind))


def measures(lang: Lang, names: list[str]) -> str:
    return ", ".join(t(lang, f"sla.short_{name}") for name in names)


def epoch_ms(when: datetime | None) -> int | None:
    return None if when is None else int(when.timestamp() * 1000)


@dataclass(frozen=True)
class Filters:
    district: str = ""
    category: str = ""
    priority: str = ""
    state: str = ""

    @classmethod
    def parse(cls, query: Mapping[str, str], settings: Settings) -> Filters:
        """Only known values are kept (anything else is no filter)."""
        known = {
            "district": {d.name for d in settings.districts},
            "category": {key.removeprefix("category.") for key in catalog(Lang.EN) if key.startswith("category.")},
            "priority": set(figures.SEVERITIES),
            "state": set(OPEN_STATUSES),
        }
        values = {name: query.get(name, "") for name in known}
        return cls(**{name: value if value in known[name] else "" for name, value in values.items()})

    def matches(self, ticket: Ticket, district: str | None) -> bool:
        return (
            (not self.district or district == self.district)
            and (not self.category or ticket.category == self.category)
            and (not self.priority or ticket.severity == self.priority)
            and (not self.state or ticket.status == self.state)
        )

    def query(self) -> str:
        return urlencode({name: value for name, value in vars(self).items() if value})


@dataclass
class Row:
    id: int
    severity: str
    category: str
    status: str
    status_key: str
    district: str
    crew: str
    phone: str
    address: str
    created_ms: int
    accept_due_ms: int | None
    arrive_due_ms: int | None
    breached: list[str]
    escalated: bool
    reports: int = 1  # an incident's lead: its reports with it (joined reports have no row of their own)


@dataclass
class Board:
    now_ms: int
    now_text: str
    rows: list[Row]
    queue: list[Row]
    on_duty: list[DutySlot]
    next_duty: list[DutySlot]
    gaps: list[Any]
    today: figures.DayCounts
    filters: Filters
    options: dict[str, list[str]] = field(default_factory=dict)


def _row(ticket: Ticket, settings: Settings, now: datetime, crews: dict[int, str], kinds: set[str], lang: Lang) -> Row:
    state = figures.clocks(ticket, sla.targets(settings, ticket.severity), now)
    return Row(
        id=ticket.id,
        severity=ticket.severity,
        category=t(lang, f"category.{ticket.category}"),
        status=t(lang, f"status.{ticket.status}"),
        status_key=ticket.status,
        district=district_of(settings.districts, ticket.latitude, ticket.longitude) or "",
        crew=crews.get(ticket.crew_id, "") if ticket.crew_id else "",
        phone=mask_phone(ticket.phone),
        address=mask_address(ticket.address),
        created_ms=int(ticket.created_at.timestamp() * 1000),
        accept_due_ms=epoch_ms(state.accept_due),
        arrive_due_ms=epoch_ms(state.arrive_due),
        breached=state.breached,
        escalated=bool(kinds & ESCALATION_EVENTS),
    )


async def board(conn: Conn, settings: Settings, now: datetime, filters: Filters, lang: Lang) -> Board:
    reader = BoardReader(conn)
    tickets = await TicketsRepo(conn).open_tickets()
    joined = await IncidentsRepo(conn).joined_among([tk.id for tk in tickets])
    reports = Counter(joined.values())
    tickets = [tk for tk in tickets if tk.id not in joined]  # an incident's reports are counted on its lead
    tickets.sort(key=lambda tk: (figures.SEVERITIES.index(tk.severity), tk.created_at))
    crews = await reader.crew_names()
    kinds = await reader.event_kinds([tk.id for tk in tickets])
    rows = []
    for ticket in tickets:
        row = _row(ticket, settings, now, crews, kinds.get(ticket.id, set()), lang)
        row.reports += reports.get(ticket.id, 0)
        if filters.matches(ticket, row.district or None):
            rows.append(row)
    rota = await rota_around(conn, settings, now)
    zone = settings.utility.tz
    local_now = now.astimezone(zone)
    gaps = uncovered(rota.rotations, rota.overrides, local_now, local_now + GAPS_AHEAD) if not rota.empty else []
    return Board(
        now_ms=int(now.timestamp() * 1000),
        now_text=local_now.strftime("%Y-%m-%d %H:%M"),
        rows=rows,
        queue=[row for row in rows if row.status_key in UNACCEPTED or row.escalated],
        on_duty=on_duty(rota.rotations, rota.overrides, local_now) if not rota.empty else [],
        next_duty=next_on_duty(rota.rotations, rota.overrides, local_now) if not rota.empty else [],
        gaps=gaps,
        today=figures.day_counts(await _counted_since(conn, figures.local_day_start(now, zone))),
        filters=filters,
        options={
            "district": [d.name for d in settings.districts],
            "category": sorted({tk.category for tk in tickets}),
            "priority": list(figures.SEVERITIES),
            "state": list(OPEN_STATUSES),
        },
    )


async def _counted_since(conn: Conn, since: datetime) -> list[Ticket]:
    """The tickets reported since ``since``, an incident's joined reports left out (counted once, on its lead)."""
    tickets = await TicketsRepo(conn).created_since(since)
    joined = await IncidentsRepo(conn).joined_among([tk.id for tk in tickets])
    return [tk for tk in tickets if tk.id not in joined]


@dataclass
class TicketPage:
    ticket: Ticket
    row: Row
    timeline: list[TimelineEntry]


async def ticket_page(conn: Conn, settings: Settings, now: datetime, ticket_id: int, lang: Lang) -> TicketPage | None:
    ticket = await TicketsRepo(conn).get(ticket_id)
    if ticket is None:
        return None
    reader = BoardReader(conn)
    timeline = await reader.timeline(ticket_id)
    row = _row(ticket, settings, now, await reader.crew_names(), {e.kind for e in timeline}, lang)
    return TicketPage(ticket=ticket, row=row, timeline=timeline)
