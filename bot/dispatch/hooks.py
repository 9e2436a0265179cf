"""Where features built on dispatch join in without dispatch importing them (drills build on dispatch).

``real_p1_offered``: called when a real P1 is offered to a crew (``offer``), with the scope, the ticket and
the crew; ``timers``: the handler of a timer kind dispatch does not own (``escalation`` runs it). They are
filled once at start-up by the feature (``bot.drills.joins``, imported by ``bot.core``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

real_p1_offered: list[Callable[..., Awaitable[Any]]] = []
timers: dict[str, Callable[..., Awaitable[None]]] = {}
