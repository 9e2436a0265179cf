"""``[drills]``: how drills are announced, and how often a drill waiting behind a real P1 looks again."""

from __future__ import annotations

from pydantic import Field

from bot.config.section import Section


class DrillsConfig(Section):
    # announced (the default): the card says 演练/DRILL from the start; false: only once a crew member
    # accepted it (unannounced drills; some utilities forbid them)
    announced: bool = True
    # a drill is never sent while a real P1 of its crew is open: it looks again this often
    wait_recheck_s: int = Field(default=60, ge=5, le=3600)
    # the drill site named on the card when the command gives none ("" : the catalog's "drill site")
    address: str = Field(default="", max_length=200)
