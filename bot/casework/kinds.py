"""The hazard kinds a crew can record (``bot/data/hazard_kinds.toml``) and the deadline rules. Pure.

A rule names how long the responsible party has: ``immediate`` (a day: stop using it now), ``7d``,
``30d``. The reminder goes out a day before the deadline, or half-way for a deadline of a day.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources

from bot.i18n import Lang

RULES: dict[str, timedelta] = {"immediate": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}
PARTIES = ("resident", "property", "business")
REMIND_BEFORE = timedelta(days=1)


@dataclass(frozen=True)
class HazardKind:
    id: str
    names: dict[str, str]
    todos: dict[str, str]
    rule: str
    party: str
    source: str
    reviewed: str

    def name(self, lang: Lang | str) -> str:
        return self.names[str(lang)]

    def todo(self, lang: Lang | str) -> str:
        return self.todos[str(lang)]


@cache
def kinds() -> dict[str, HazardKind]:
    """Every kind, in the file's order; a bad entry fails at the first use (and in the tests)."""
    raw = tomllib.loads((resources.files("bot") / "data" / "hazard_kinds.toml").read_text("utf-8"))
    out: dict[str, HazardKind] = {}
    for kind_id, entry in raw["kind"].items():
        if entry["rule"] not in RULES or entry["party"] not in PARTIES:
            raise ValueError(f"hazard_kinds.toml [kind.{kind_id}]: unknown rule or party")
        out[kind_id] = HazardKind(
            id=kind_id,
            names={"zh": entry["zh"], "en": entry["en"]},
            todos={"zh": entry["todo_zh"], "en": entry["todo_en"]},
            rule=entry["rule"],
            party=entry["party"],
            source=entry["source"],
            reviewed=str(entry["reviewed"]),
        )
    return out


def deadline(rule: str, found_at: datetime) -> datetime:
    return found_at + RULES[rule]


def remind_at(found_at: datetime, due: datetime) -> datetime:
    """A day before the deadline; half-way when the whole period is not longer than two days."""
    period = due - found_at
    return due - min(REMIND_BEFORE, period / 2)
