"""Texts built from a report's answers, shared by the resident's summary and the crew's dispatch."""

from __future__ import annotations

from typing import Any

from bot.i18n import Lang, t
from bot.intake.forms import Ask, Category, Field, answered_fields
from bot.people.phone import display_phone


def value_text(lang: Lang, spec: Field, value: Any) -> str:
    if value is None or value == []:
        return t(lang, "intake.not_given")
    if spec.ask is Ask.CHOICE:
        return t(lang, f"form.{spec.name}.{value}")
    if spec.ask is Ask.PHONE:
        return display_phone(str(value))
    if spec.ask is Ask.PHOTOS:
        return t(lang, "intake.photo_count", count=len(value))
    if spec.ask is Ask.LOCATION:
        if value.get("address"):
            return str(value["address"])
        return t(lang, "intake.pin", lat=f"{value['lat']:.5f}", lon=f"{value['lon']:.5f}")
    return str(value)


def answer_lines(lang: Lang, category: Category, answers: dict[str, Any], *, skip: tuple[str, ...] = ()) -> list[str]:
    """One "label: value" line per answered question, in the form's order."""
    return [
        f"{t(lang, f'form.{spec.name}.label')}: {value_text(lang, spec, answers[spec.name])}"
        for spec in answered_fields(category, answers)
        if spec.name not in skip
    ]
