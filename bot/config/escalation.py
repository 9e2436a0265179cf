"""The ``[escalation]`` section: chains per severity (kept apart from ``bot.config.settings`` to keep that file small).

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

A section that gives only some keys (``[escalation.P1]`` with just ``ack_timeout_s = 60``) keeps the
default of every key it leaves out, the steps included. P1 and P2 must escalate: a chain of theirs with
no steps is refused (an emergency nobody accepts would otherwise wait unseen).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from bot.config.section import Section

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


def _defaults() -> dict[str, Chain]:
    return {
        "P1": _default_chain(None, None, None),
        "P2": _default_chain(600, 2, 60),
        "P3": Chain(),  # indoor repairs: [dispatch] resolve_target_min (4 h)
        "P4": Chain(resolve_target_min=24 * 60),  # complaints: answered within a day
    }


MUST_ESCALATE = ("P1", "P2")


class EscalationConfig(Section):
    """Chains per severity; P3 and P4 go to the dispatchers' desk and have none by default."""

    sweep_s: float = Field(default=5.0, gt=0)  # how often new timer rows are picked up
    P1: Chain = Field(default_factory=lambda: _defaults()["P1"])
    P2: Chain = Field(default_factory=lambda: _defaults()["P2"])
    P3: Chain = Field(default_factory=lambda: _defaults()["P3"])
    P4: Chain = Field(default_factory=lambda: _defaults()["P4"])

    @model_validator(mode="before")
    @classmethod
    def _merge_with_defaults(cls, data: Any) -> Any:
        """A partial chain section keeps the defaults of the keys it does not give (its steps above all)."""
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for severity, default in _defaults().items():
            given = merged.get(severity)
            if isinstance(given, dict):
                merged[severity] = {**default.model_dump(exclude_none=True), **given}
        return merged

    @model_validator(mode="after")
    def _emergencies_escalate(self) -> EscalationConfig:
        for severity in MUST_ESCALATE:
            if not self.chain(severity).steps:
                raise ValueError(
                    f"escalation.{severity}.steps is empty: a {severity} ticket nobody accepts would never"
                    " escalate; give at least one [[escalation."
                    f"{severity}.steps]] or leave steps out to keep the default steps"
                )
        return self

    def chain(self, severity: str) -> Chain:
        chain = getattr(self, severity, None)
        return chain if isinstance(chain, Chain) else Chain()
