"""``[casework]``: who works the inspection queue and complaints; ``[booking]``: the household safety
inspection slots residents book (``bot.casework.booking``)."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import Field

from bot.config.section import Section

DeskRole = Literal["dispatcher", "supervisor", "admin"]


def _desk() -> list[DeskRole]:
    return ["dispatcher", "supervisor"]


def _dispatchers() -> list[DeskRole]:
    return ["dispatcher"]


class CaseworkConfig(Section):
    # Occupation, illegal connection and theft reports go to this staff group (a chat id) if set, and to
    # every account with one of ``inspection_roles``; those accounts acknowledge them and give the outcome.
    inspection_chat: str = ""
    inspection_roles: list[DeskRole] = Field(default_factory=_desk, min_length=1)
    # Complaints are answered by these roles within one working day; a missed deadline goes to the supervisors.
    complaint_roles: list[DeskRole] = Field(default_factory=_dispatchers, min_length=1)


class SlotPlan(Section):
    """The slots of one district (``district = ""``: everywhere no other plan covers), on every working day."""

    district: str = ""
    times: list[time] = Field(min_length=1)
    capacity: int = Field(default=4, ge=1, le=100)


class BookingConfig(Section):
    plans: list[SlotPlan] = Field(default_factory=list)  # empty: inspection reports go to the desk as before
    days_ahead: int = Field(default=7, ge=1, le=30)  # working days offered, from tomorrow
    remind_at: time = time(18, 0)  # the reminder: this local time on the day before the visit
