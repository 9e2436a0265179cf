"""Severity of a report, by the rules in DESIGN.md (UK controlled/uncontrolled escapes, US grade 1).

P1 immediate: strong smell or hissing, valve not closed or unknown, anyone unwell, fire, a pipe hit by
excavation, smell in a cellar or public building. P2 urgent: controlled escape (valve closed, faint
smell), faint outdoor smell, CO alarm with nobody unwell. P3 service. P4 follow-up.
"""

from __future__ import annotations

from bot.forms import CATEGORIES, Answers, Severity


def triage(category: str, answers: Answers, *, fire: bool = False) -> Severity:
    if fire:
        return Severity.P1
    spec = CATEGORIES[category]
    if category == "leak":
        if answers.get("strength") in ("strong", "hissing"):
            return Severity.P1
        if answers.get("valve") in ("open", "unsure", None) and answers.get("where") != "outdoors":
            return Severity.P1
        if answers.get("unwell") == "yes":
            return Severity.P1
        if answers.get("where") in ("basement", "public"):
            return Severity.P1
        return Severity.P2
    if category == "co":
        return Severity.P1 if answers.get("symptoms") in ("mild", "severe") else Severity.P2
    return spec.base


def routing(severity: Severity) -> str:
    """Where a new ticket goes: the crew on duty at once, the service queue, or the dispatcher's follow-up list."""
    return {
        Severity.P1: "dispatched",
        Severity.P2: "dispatched",
        Severity.P3: "queued",
        Severity.P4: "followup",
    }[severity]
