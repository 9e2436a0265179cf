"""Drills join dispatch (``bot.dispatch.hooks``): a real P1 offered to a crew holds back its unaccepted
drills, and a waiting drill's timer sends it once the crew has no real P1 open. Imported by ``bot.core``."""

from __future__ import annotations

from bot.dispatch import hooks
from bot.dispatch.escalation import DRILL_WAIT
from bot.drills.hold import yield_to
from bot.drills.start import on_wait_timer

if yield_to not in hooks.real_p1_offered:
    hooks.real_p1_offered.append(yield_to)
hooks.timers[DRILL_WAIT] = on_wait_timer
