"""Drill scenarios: the scripted reports in ``bot/data/drills.toml`` (data, like the knowledge base)."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bot.intake.forms import CATEGORIES, FIELDS, Ask, Severity
from bot.intake.triage import triage


class ScenarioError(ValueError):
    """A scenario file that cannot be used (names the scenario and the field)."""


@dataclass(frozen=True)
class Scenario:
    id: str
    category: str
    answers: dict[str, Any]
    zh: str
    en: str
    source: str
    reviewed: dt.date

    @property
    def severity(self) -> Severity:
        return triage(self.category, self.answers, fire=self.category == "fire")

    def describe(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def _scenario(raw: dict[str, Any]) -> Scenario:
    sid = str(raw.get("id", "?"))
    category = raw.get("category")
    if category not in CATEGORIES:
        raise ScenarioError(f"scenario {sid}: category {category!r} is not a report form")
    answers = dict(raw.get("answers") or {})
    for name, value in answers.items():
        spec = FIELDS.get(name)
        if spec is None or name not in CATEGORIES[category].fields:
            raise ScenarioError(f"scenario {sid}: {name!r} is not a question of the {category} form")
        if spec.ask is Ask.CHOICE and value not in spec.options:
            raise ScenarioError(f"scenario {sid}: {name} = {value!r} is not one of {', '.join(spec.options)}")
    reviewed = raw.get("reviewed")
    if not isinstance(reviewed, dt.date) or not str(raw.get("source", "")).strip():
        raise ScenarioError(f"scenario {sid}: needs source = '...' and reviewed = YYYY-MM-DD")
    return Scenario(
        id=sid,
        category=category,
        answers=answers,
        zh=str(raw["zh"]),
        en=str(raw["en"]),
        source=str(raw["source"]),
        reviewed=reviewed,
    )


def parse(text: str) -> dict[str, Scenario]:
    found: dict[str, Scenario] = {}
    for raw in tomllib.loads(text).get("scenario", []):
        scenario = _scenario(raw)
        if scenario.id in found:
            raise ScenarioError(f"scenario {scenario.id}: defined twice")
        found[scenario.id] = scenario
    return found


@cache
def scenarios() -> dict[str, Scenario]:
    """The shipped scenarios by id."""
    return parse((resources.files("bot") / "data" / "drills.toml").read_text("utf-8"))
