"""The ``[escalation]`` section: chains per severity (kept apart from ``bot.config`` to keep that file small).

[escalation.P1]
ack_timeout_s = 120           # default: [dispatch] ack_timeout_s
repeats = 3                   # how often the last step repeats (default: [dispatch] escalation_repeats)
arrival_target_min = 30       # default: [dispatch] arrival_target_min
backup_crew = "B"             # default: the next crew in the rota
[[escalation.P1.steps]]
notify = ["backup", "dispatcher"]
tell_resident = true
[[escalation.P1.steps]]
notify = ["supervisor", "group"]
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.config_section import Section

EscalationTarget = Literal["backup", "dispatcher", "supervisor", "group", "crew"]


class EscalationStep(Section):
    """One step of a chain: ``after_s`` after the previous step (the first: after dispatch), page ``notify``."""

    after_s: int | None = Field(default=None, ge=10)  # None: the chain's ack timeout
    notify: list[EscalationTarget] = Field(min_length=1)
    tell_resident: bool = False


class Chain(Section):
    """What happens to a ticket of one severity that nobody accepts, and its targets (None: ``[dispatch]``)."""

    ack_timeout_s: int | None = Field(default=None, ge=10)
    steps: list[EscalationStep] = Field(default_factory=list)
    repeats: int | None = Field(default=None, ge=0, le=20)  # how often the last step repeats
    arrival_target_min: int | None = Field(default=None, ge=5)
    resolve_target_min: int | None = Field(default=None, ge=10)
    backup_crew: str | None = None  # None: the next crew in the rota


def _default_chain(after_s: int | None, repeats: int | None, arrival_min: int | None) -> Chain:
    return Chain(
        ack_timeout_s=after_s,
        repeats=repeats,
        arrival_target_min=arrival_min,
        steps=[
            EscalationStep(notify=["backup", "dispatcher"], tell_resident=True),
            EscalationStep(notify=["supervisor", "group"]),
        ],
    )


class EscalationConfig(Section):
    """Chains per severity; P3 and P4 go to the dispatchers' desk and have none by default."""

    sweep_s: float = Field(default=5.0, gt=0)  # how often new timer rows are picked up
    P1: Chain = Field(default_factory=lambda: _default_chain(None, None, None))
    P2: Chain = Field(default_factory=lambda: _default_chain(600, 2, 60))
    P3: Chain = Chain()  # indoor repairs: [dispatch] resolve_target_min (4 h)
    P4: Chain = Chain(resolve_target_min=24 * 60)  # complaints: answered within a day

    def chain(self, severity: str) -> Chain:
        chain = getattr(self, severity, None)
        return chain if isinstance(chain, Chain) else Chain()
