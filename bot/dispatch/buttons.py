"""The crew's button payload on a dispatch card: ``t:<action>:<ticket>[:<arg>]`` (bot.routes.Codec).

Built only through ``crew_button``; read by the route in bot.dispatch.crew_actions. Version 1 is the
format every card sent so far carries.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Literal

from bot.routes import Codec

CAUSES = ("repaired", "valve_hose", "no_leak", "appliance", "third_party", "meter", "other")
DECLINE_REASONS = ("busy", "far", "equipment", "off_duty", "other")
CrewAction = Literal["acc", "dec", "decr", "enr", "site", "res", "cause", "bk", "ho", "skip"]
ACTIONS = frozenset(typing.get_args(CrewAction))
OFFER_ACTIONS = frozenset({"acc", "dec", "decr"})
WORK_ACTIONS = ACTIONS - OFFER_ACTIONS
_ARGS = {"cause": CAUSES, "decr": DECLINE_REASONS}


@dataclass(frozen=True)
class CrewPress:
    """A press on a crew button: the action, the ticket, and the cause or decline reason it carries."""

    action: CrewAction
    ticket: int
    arg: str = ""

    def __post_init__(self) -> None:
        if self.arg not in _ARGS.get(self.action, ("",)):
            raise ValueError(f"{self.action} does not take {self.arg!r}")


CREW = Codec("t:", CrewPress, CrewPress("cause", 1, "third_party"))


def crew_button(action: CrewAction, ticket: int, arg: str = "") -> str:
    return CREW.encode(CrewPress(action, ticket, arg))
