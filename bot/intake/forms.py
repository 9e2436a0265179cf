"""Report categories and the questions each one asks, declared in one place.

The intake conversation (``bot/intake/conversation.py``) walks a category's ``fields`` in order, skipping those whose
condition does not hold; texts for each field live in the ``form`` catalog (``form.<field>.ask``,
``form.<field>.<option>``), category names in ``category.<id>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Ask(StrEnum):
    LOCATION = "location"  # a shared pin, or a typed address
    PHONE = "phone"  # a shared contact, or a typed number
    CHOICE = "choice"  # one of `options`, by button or by typing it
    TEXT = "text"  # free text
    PHOTOS = "photos"  # any number of photos, then "done"


Answers = dict[str, Any]


@dataclass(frozen=True)
class Field:
    name: str
    ask: Ask
    options: tuple[str, ...] = ()
    optional: bool = False
    when: Callable[[Answers], bool] | None = None

    def applies(self, answers: Answers) -> bool:
        return self.when is None or self.when(answers)


def _pin_without_address(answers: Answers) -> bool:
    loc = answers.get("location")
    return isinstance(loc, dict) and not loc.get("address")


def _heating_season(answers: Answers) -> bool:
    """Set by the intake from ``[intake] heating_months`` when a no-gas report starts."""
    return bool(answers.get(HEATING_SEASON))


HEATING_SEASON = "_heating_season"  # a hidden answer: never shown, never stored on the ticket

FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field("location", Ask.LOCATION),
        Field("address", Ask.TEXT, optional=True, when=_pin_without_address),
        Field("where", Ask.CHOICE, ("home", "stairwell", "basement", "public", "outdoors")),
        Field("strength", Ask.CHOICE, ("faint", "strong", "hissing")),
        Field("valve", Ask.CHOICE, ("closed", "open", "unsure")),
        Field("unwell", Ask.CHOICE, ("no", "yes")),
        Field("symptoms", Ask.CHOICE, ("none", "mild", "severe")),
        Field("vulnerable", Ask.CHOICE, ("none", "elderly", "children", "disabled")),
        Field("since", Ask.CHOICE, ("now", "hour", "today", "days")),
        Field("access", Ask.TEXT, optional=True),
        Field("phone", Ask.PHONE),
        Field("phone_optional", Ask.PHONE, optional=True),
        Field("photos", Ask.PHOTOS, optional=True),
        Field("details", Ask.TEXT),
        Field("notes", Ask.TEXT, optional=True),
        Field("preferred_time", Ask.TEXT),
        # fire: a short form, no smell questions
        Field("fire_where", Ask.CHOICE, ("home", "stairwell", "public", "outdoors")),
        Field("inside", Ask.CHOICE, ("no", "yes", "unsure")),
        Field("injured", Ask.CHOICE, ("no", "yes")),
        # no gas: who relies on gas heating (asked in the heating season only), and the neighbours
        Field("heating", Ask.CHOICE, ("none", "vulnerable", "others"), when=_heating_season),
        Field("neighbours_out", Ask.CHOICE, ("no", "yes", "unsure")),
        # meter: is it turning with every appliance off (gas escaping somewhere)
        Field("meter_turning", Ask.CHOICE, ("no", "yes", "unsure")),
        # building over a pipe, illegal works: is it going on now
        Field("happening_now", Ask.CHOICE, ("no", "yes")),
    )
}


class Severity(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


@dataclass(frozen=True)
class Category:
    id: str
    fields: tuple[str, ...]
    base: Severity  # the severity unless triage finds more (anonymous reports ask `phone_optional`)


_SITE = ("location", "address")

CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category(
            "leak",
            (
                *_SITE,
                "where",
                "strength",
                "valve",
                "unwell",
                "vulnerable",
                "since",
                "phone",
                "access",
                "photos",
            ),
            Severity.P2,
        ),
        Category("co", (*_SITE, "symptoms", "vulnerable", "phone", "access", "notes"), Severity.P2),
        Category("fire", (*_SITE, "fire_where", "inside", "injured", "phone", "access"), Severity.P1),
        Category("excavation", (*_SITE, "strength", "phone", "photos", "notes"), Severity.P1),
        Category("occupation", (*_SITE, "happening_now", "details", "photos", "phone_optional"), Severity.P4),
        Category("illegal", (*_SITE, "happening_now", "details", "photos", "phone_optional"), Severity.P4),
        Category("theft", (*_SITE, "details", "photos", "phone_optional"), Severity.P4),
        Category("no_gas", (*_SITE, "heating", "neighbours_out", "since", "phone", "notes"), Severity.P3),
        Category("meter", (*_SITE, "meter_turning", "details", "photos", "phone"), Severity.P3),
        Category("appliance", (*_SITE, "details", "photos", "phone"), Severity.P3),
        Category("inspection", (*_SITE, "preferred_time", "phone"), Severity.P3),
        Category("complaint", ("details", "phone_optional"), Severity.P4),
        Category("question", ("details", "phone_optional"), Severity.P4),
    )
}


# Categories that are an emergency whatever the answers: the report starts with *where*, and the ticket
# is committed and dispatched as soon as the bot has a location (DESIGN.md, principle 9).
EMERGENCY = frozenset({"leak", "co", "fire", "excavation"})


def next_field(category: Category, answers: Answers) -> Field | None:
    """The first question of the category not answered yet (None: ready for the summary)."""
    for name in category.fields:
        spec = FIELDS[name]
        if name not in answers and spec.applies(answers):
            return spec
    return None


def answered_fields(category: Category, answers: Answers) -> list[Field]:
    return [FIELDS[name] for name in category.fields if name in answers and FIELDS[name].applies(answers)]
