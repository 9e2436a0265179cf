"""The safety card: one card per situation, its lines chosen and ordered for the combination.

Fire, gas, carbon monoxide and someone gravely ill each have advice of their own, and some of it
contradicts the others: with a fire, doors are closed behind you and windows stay shut (air feeds it);
with gas, no switch is pressed, so "switch off the water heater" becomes "leave it as it is and get
out"; with gas, 120 is phoned from outside. ``compose`` decides once, here, so a resident never reads
two cards that disagree. The texts live in ``bot/data/safety_cards.toml`` with their sources.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.danger.detect import Danger
from bot.i18n import Lang


@dataclass(frozen=True, slots=True)
class Situation:
    """What the card must answer. Built from a ``Danger`` or from a button's payload."""

    fire: bool = False
    gas: bool = False
    co: bool = False
    ill: bool = False  # someone ill next to a gas, CO or heat source
    medical: bool = False  # collapsed, unresponsive, not breathing, convulsing, several people ill

    @classmethod
    def of(cls, danger: Danger) -> Situation:
        return cls(danger.fire, danger.gas, danger.co, danger.co_symptoms, danger.medical)

    def code(self) -> str:
        """A compact form for button payloads ("fg": fire and gas)."""
        return "".join(
            c for c, on in zip("fgcim", (self.fire, self.gas, self.co, self.ill, self.medical), strict=True) if on
        )

    @classmethod
    def decode(cls, code: str) -> Situation:
        return cls(*(c in code for c in "fgcim"))


@cache
def _texts() -> dict[str, dict[str, dict[str, str]]]:
    raw = tomllib.loads((resources.files("bot") / "data" / "safety_cards.toml").read_text("utf-8"))
    return {"heading": raw["heading"], "line": raw["line"]}


def line_ids(s: Situation) -> tuple[str, list[str]]:
    """The heading and the ordered line ids for a situation (pure: the combination rules live here)."""
    aid = ["aid_cpr", "aid_breathing"] if s.medical else []
    if s.fire:
        lines = ["leave_fire", "smoke_low", "call_119", *aid]
        lines += ["no_switch"] if s.gas else []
        lines += ["valve_fire"]
        lines += [] if s.medical or s.gas else ["oil_fire"]
        lines += [] if s.medical else ["neighbours_fire"]
        return "fire", [*lines, "stay_out", "hotline"]
    if s.gas:
        lines = ["leave_gas", "no_switch", "no_flame", "windows_gas", "valve_gas"]
        lines += ["appliance_gas"] if s.co or s.ill else []
        lines += ["call_120_co_outside", *aid] if s.ill or s.medical else []
        lines += [] if s.medical else ["stay_out", "neighbours_gas"]
        heading = "co_medical" if s.medical else "gas"
        return heading, [*lines, "hotline_outside"]
    if s.co or s.ill:
        lines = ["leave_co"]
        lines += ["call_120_co", *aid] if s.ill or s.medical else []
        lines += [] if s.medical else ["aid_mild"]
        lines += ["appliance_co", "rescue", "stay_out"]
        return ("co_medical" if s.ill or s.medical else "co"), [*lines, "hotline"]
    if s.medical:
        return "medical", ["call_120", "aid_cpr", "aid_breathing", "aid_seizure", "air_first", "hotline"]
    return "gas", ["leave_gas", "no_switch", "no_flame", "windows_gas", "valve_gas", "stay_out", "neighbours_gas",
                   "hotline_outside"]  # fmt: skip


def compose(s: Situation, lang: Lang, hotline: str) -> str:
    """The card's text: heading, numbered lines, the hotline last."""
    texts = _texts()
    heading, ids = line_ids(s)
    body = [texts["line"][i][lang.value].format(hotline=hotline) for i in ids]
    numbered = [f"{n}. {text}" for n, text in enumerate(body[:-1], start=1)]
    return "\n".join([texts["heading"][heading][lang.value], *numbered, body[-1]])


def gas_card(lang: Lang | str, hotline: str = "96777") -> str:
    """The card for a smell of gas alone (the commonest report; also what tests and benchmarks compare)."""
    return compose(Situation(gas=True), Lang(lang), hotline)


def maybe_text(lang: Lang, hotline: str) -> str:
    """The short card shown with an answer when danger words may not be happening now."""
    texts = _texts()
    return "\n".join(
        [texts["heading"]["maybe"][lang.value], texts["line"]["maybe"][lang.value].format(hotline=hotline)]
    )
