"""Who is who in the in-process tests (string ids, as the core sees them): a resident, crew A (lead, member),
crew B's lead and a dispatcher. The sandbox's numeric ones are bot.cli.demo's (the same numbers)."""

from __future__ import annotations

RESIDENT = "5001"
CREW_A = ("1001", "1002")
CREW_B = ("1003",)
DISPATCHER = "2001"
