"""What an incident's card must show and when it is worth an edit (``bot.dispatch.incidents`` applies them).

A report that adds something a crew must act on gets its own card (``must_act``). The card is edited for the first
report's where, whom and how, a vulnerable person, a new address among the nearest shown, and the number of
reports only when it reaches the next of ``COUNT_STEPS`` (2, 5, 10, 20, 50, ...).
"""

from __future__ import annotations

import bisect
from typing import Any

from storage.tickets import Ticket

MAX_ADDRESSES = 3
COUNT_STEPS = tuple(base * 10**power for power in range(6) for base in (2, 5, 10))  # 2, 5, 10, 20, 50, ...
WHERE_AND_WHO = ("address", "phone", "access", "photos")  # the first report's answers always worth an edit
REPORT_WORTH = ("vulnerable", "address")  # the only answers of a joined report that may be worth an edit
ACT_NOW = {"unwell": ("yes",), "symptoms": ("mild", "severe"), "injured": ("yes",), "inside": ("yes",)}


def must_act(ticket: Ticket, *, fire: bool = False) -> bool:
    """Does the report add something a crew must act on by itself (its own card at once)?"""
    if fire or ticket.category == "fire" or "_key_site" in ticket.details:
        return True
    return any(ticket.details.get(name) in values for name, values in ACT_NOW.items())


def count_step(reports: int) -> int:
    """How many of ``COUNT_STEPS`` ``reports`` has reached: the count alone is worth an edit at a new step."""
    return bisect.bisect_right(COUNT_STEPS, reports)


def shown(lead: Ticket) -> dict[str, Any]:
    """The incident as its card shows it now (the summary of its last edit)."""
    incident = lead.details.get("_incident")
    return incident if isinstance(incident, dict) else {"reports": 1, "addresses": []}


def count_worth(lead: Ticket, reports: int) -> bool:
    """Has the incident's number of reports reached a step its card has not shown yet?"""
    return count_step(reports) > count_step(int(shown(lead).get("reports", 1)))


def _newly_vulnerable(ticket: Ticket, changed: list[str]) -> bool:
    """The answer just given says a vulnerable person is there."""
    return "vulnerable" in changed and ticket.details.get("vulnerable") not in (None, "none")


def report_worth(lead: Ticket, report: Ticket, changed: list[str]) -> bool:
    """Does a joined report's answer change what the incident's card should say now (only a vulnerable person
    or an address: ``REPORT_WORTH``)?"""
    if _newly_vulnerable(report, changed):
        return True
    addresses = shown(lead).get("addresses") or []
    return (
        "address" in changed
        and bool(report.address)
        and report.address != lead.address
        and report.address not in addresses
        and len(addresses) < MAX_ADDRESSES
    )


def lead_worth(lead: Ticket, changed: list[str]) -> bool:
    """Is the first report's answer worth an edit of the incident's card? Where to go, whom to call, how to get
    in; a vulnerable person; what a crew must act on. Not how one kitchen smells (the next edit carries it)."""
    if any(name in changed for name in WHERE_AND_WHO):
        return True
    if _newly_vulnerable(lead, changed):
        return True
    return any(name in changed and lead.details.get(name) in values for name, values in ACT_NOW.items())
