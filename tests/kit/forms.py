"""Fill any category's form through the core, answering each question the form declares (data-driven)."""

from __future__ import annotations

from typing import Any

from bot.intake.forms import FIELDS, Ask
from common.events import EventKind, Outbound
from storage.conversations import ConversationsRepo
from tests.kit.harness import Harness
from tests.kit.people import RESIDENT

INSIDE = (31.2304, 121.4737)


def answer_for(name: str, lang: str) -> tuple[EventKind, dict[str, Any]]:
    """A sensible answer to question ``name`` as an event (kind, fields)."""
    spec = FIELDS[name]
    if spec.ask is Ask.LOCATION:
        return EventKind.LOCATION, {"latitude": INSIDE[0], "longitude": INSIDE[1]}
    if spec.ask is Ask.PHONE:
        return EventKind.CONTACT, {"phone": "+8613812345678"}
    if spec.ask is Ask.CHOICE:
        return EventKind.BUTTON, {"data": f"i:f:{name}:{spec.options[0]}"}
    if spec.ask is Ask.PHOTOS:
        return EventKind.PHOTO, {"photo": "photo-file-1"}
    text = "3号楼2单元501" if lang == "zh" else "Building 3, Unit 2, Flat 501"
    return EventKind.TEXT, {"text": text}


async def send(h: Harness, user: str, kind: EventKind, fields: dict[str, Any], lang: str) -> list[Outbound]:
    if kind is EventKind.BUTTON:
        return await h.press(user, fields["data"], lang=lang)
    return await h.event(user, kind, lang=lang, **fields)


async def step_of(h: Harness, user: str) -> str | None:
    """The question the user's report is at (None: no report in progress)."""
    async with h.db.lock:
        conv = await ConversationsRepo(h.db.conn).get("telegram", user)
    return conv.step if conv is not None and conv.flow == "intake" else None


async def fill(h: Harness, user: str, category: str, lang: str = "en") -> dict[str, Any]:
    """Answer every question of ``category`` the bot asks (the report must already be at its first question).

    An emergency ends without a summary (it was dispatched at its location); a service report ends at it.
    """
    answers: dict[str, Any] = {}
    for _ in range(40):
        step = await step_of(h, user)
        if step is None or step == "summary":
            return answers
        nxt = FIELDS[step]
        kind, fields = answer_for(nxt.name, lang)
        await send(h, user, kind, fields, lang)
        if nxt.ask is Ask.PHOTOS:  # one photo, then "done"
            await h.press(user, f"i:f:{nxt.name}:-", lang=lang)
        answers[nxt.name] = fields
        if nxt.ask is Ask.LOCATION:
            answers["location"] = {"lat": INSIDE[0], "lon": INSIDE[1]}
    raise AssertionError("the form did not end")


async def report(h: Harness, user: str, category: str, lang: str = "en") -> list[Outbound]:
    """/report, choose ``category``, answer everything, confirm if asked; returns the last replies."""
    await h.text(user, "/report", lang=lang)
    await h.press(user, f"i:c:{category}", lang=lang)
    await fill(h, user, category, lang)
    if await step_of(h, user) == "summary":
        return await h.press(user, "i:s:ok", lang=lang)
    return []


LEAK_STEPS = [
    ("location", EventKind.LOCATION, {"latitude": 31.2304, "longitude": 121.4737}),
    ("address", EventKind.TEXT, {"text": "Building 3, Unit 2, Flat 501"}),
    ("where", EventKind.BUTTON, {"data": "i:f:where:home"}),
    ("strength", EventKind.BUTTON, {"data": "i:f:strength:strong"}),
    ("valve", EventKind.BUTTON, {"data": "i:f:valve:closed"}),
    ("unwell", EventKind.BUTTON, {"data": "i:f:unwell:no"}),
    ("vulnerable", EventKind.BUTTON, {"data": "i:f:vulnerable:elderly"}),
    ("since", EventKind.BUTTON, {"data": "i:f:since:now"}),
    ("phone", EventKind.TEXT, {"text": "138 1234 5678"}),
    ("access", EventKind.BUTTON, {"data": "i:f:access:-"}),
    ("photos", EventKind.BUTTON, {"data": "i:f:photos:-"}),
]


async def fill_leak_form(
    h: Harness, user: str = RESIDENT, *, upto: str | None = None, start_at: str | None = None
) -> None:
    started = start_at is None
    for step, kind, fields in LEAK_STEPS:
        started = started or step == start_at
        if not started:
            continue
        if step == upto:
            return
        if kind is EventKind.BUTTON:
            await h.press(user, fields["data"])
        else:
            await h.event(user, kind, **fields)


async def report_leak(h: Harness, user: str = RESIDENT) -> int:
    """A leak report answered to the end (dispatched at its location; nothing to confirm)."""
    await h.text(user, "I smell gas in my kitchen")
    await fill_leak_form(h, user)
    rows = await h.db.fetchall("SELECT id FROM tickets ORDER BY id DESC LIMIT 1")
    ticket_id = int(rows[0][0])
    receipts = [r.message for r in await h.outbox("receipt") if r.ticket_id == ticket_id]
    assert len(receipts) == 1 and f"#{ticket_id}" in receipts[0].text  # type: ignore[union-attr]
    return ticket_id
