"""Fill any category's form through the core, answering each question the form declares (data-driven)."""

from __future__ import annotations

from typing import Any

from bot.events import Kind, Outbound
from bot.forms import CATEGORIES, FIELDS, Ask, next_field
from tests.core.harness import Harness

INSIDE = (31.2304, 121.4737)


def answer_for(name: str, lang: str) -> tuple[Kind, dict[str, Any]]:
    """A sensible answer to question ``name`` as an event (kind, fields)."""
    spec = FIELDS[name]
    if spec.ask is Ask.LOCATION:
        return Kind.LOCATION, {"latitude": INSIDE[0], "longitude": INSIDE[1]}
    if spec.ask is Ask.PHONE:
        return Kind.CONTACT, {"phone": "+8613812345678"}
    if spec.ask is Ask.CHOICE:
        return Kind.BUTTON, {"data": f"i:f:{name}:{spec.options[0]}"}
    if spec.ask is Ask.PHOTOS:
        return Kind.PHOTO, {"photo": "photo-file-1"}
    text = "3号楼2单元501" if lang == "zh" else "Building 3, Unit 2, Flat 501"
    return Kind.TEXT, {"text": text}


async def send(h: Harness, user: str, kind: Kind, fields: dict[str, Any], lang: str) -> list[Outbound]:
    if kind is Kind.BUTTON:
        return await h.press(user, fields["data"], lang=lang)
    return await h.event(user, kind, lang=lang, **fields)


async def fill(h: Harness, user: str, category: str, lang: str = "en") -> dict[str, Any]:
    """Answer every question of ``category`` (the report must already be at its first question)."""
    answers: dict[str, Any] = {}
    spec = CATEGORIES[category]
    for _ in range(40):
        nxt = next_field(spec, answers)
        if nxt is None:
            return answers
        kind, fields = answer_for(nxt.name, lang)
        await send(h, user, kind, fields, lang)
        if nxt.ask is Ask.PHOTOS:  # one photo, then "done"
            await h.press(user, f"i:f:{nxt.name}:-", lang=lang)
        answers[nxt.name] = fields
        if nxt.ask is Ask.LOCATION:
            answers["location"] = {"lat": INSIDE[0], "lon": INSIDE[1]}
    raise AssertionError("the form did not end")


async def report(h: Harness, user: str, category: str, lang: str = "en") -> list[Outbound]:
    """/report, choose ``category``, answer everything, confirm; returns the confirm's replies."""
    await h.text(user, "/report", lang=lang)
    await h.press(user, f"i:c:{category}", lang=lang)
    await fill(h, user, category, lang)
    return await h.press(user, "i:s:ok", lang=lang)
