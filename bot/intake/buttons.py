"""The report's button payload: ``i:<step>:<name>[:<value>]`` (bot.routes.Codec).

- ``i:c:<category>``: the category chosen;
- ``i:f:<field>:<option>``: an answer to the field's question (``-``: skip it, or "no more photos");
- ``i:s:ok|edit|cancel``: the summary's buttons (cancel is also under the category list);
- ``i:e:<field>``: the answer to change (``-``: back to the summary).

Version 1 is the format every report's buttons carried so far. The payload's shape is checked here;
whether the category or field still exists is the conversation's question (a button from an older
form gets its question asked again).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from bot.routes import Codec

ReportStep = Literal["c", "f", "s", "e"]
SummaryAction = Literal["ok", "edit", "cancel"]
SKIP = "-"  # a field's skip (or "done" for photos); as an edit: back to the summary
_SUMMARY = ("ok", "edit", "cancel")


@dataclass(frozen=True)
class ReportPress:
    """A press on a report button: the step it belongs to, the category / field / summary action, and a
    field's answer."""

    step: ReportStep
    name: str
    value: str = ""

    def __post_init__(self) -> None:
        if (self.step == "f") != bool(self.value) or (self.step == "s" and self.name not in _SUMMARY):
            raise ValueError(f"i:{self.step}:{self.name} does not take {self.value!r}")

    def answers(self, field: str) -> str | None:
        """The option this press gives ``field`` (``SKIP`` included), or None when it is not that field's."""
        return self.value if self.step == "f" and self.name == field else None


BUTTON = Codec("i:", ReportPress, ReportPress("f", "phone_optional", "vulnerable"))
# A report's buttons are few and the same for every resident: each payload is encoded (and checked) once.
_ONCE = lru_cache(maxsize=512)


@_ONCE
def category_button(category: str) -> str:
    return BUTTON.encode(ReportPress("c", category))


@_ONCE
def field_button(field: str, option: str = SKIP) -> str:
    return BUTTON.encode(ReportPress("f", field, option))


@_ONCE
def summary_button(action: SummaryAction) -> str:
    return BUTTON.encode(ReportPress("s", action))


@_ONCE
def edit_button(field: str = SKIP) -> str:
    return BUTTON.encode(ReportPress("e", field))


CANCEL = ReportPress("s", "cancel")
