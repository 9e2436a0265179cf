"""The process's own health, for an operator and a supervisor: ``starting``, ``ok`` while it can do its
job, ``failing`` (with the reason) once a failure of our own stops it, such as a revoked token. A failing
process stops and exits non-zero (``bot.halt.Halted``); until it is gone, the health endpoint
(``GET /healthz`` in webhook mode) answers 503 with the reason."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Literal

State = Literal["starting", "ok", "failing"]


@dataclass
class Health:
    state: State = "starting"
    reason: str = ""
    failing: asyncio.Event = field(default_factory=asyncio.Event)

    def mark_ok(self) -> None:
        if self.state == "starting":
            self.state = "ok"

    def fail(self, reason: str) -> bool:
        """Mark the process failing (the first reason stays); True the first time."""
        if self.state == "failing":
            return False
        self.state, self.reason = "failing", reason
        self.failing.set()
        return True

    def as_json(self) -> dict[str, str]:
        return {"status": self.state, **({"reason": self.reason} if self.reason else {})}
