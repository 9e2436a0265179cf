"""The bot's processes run on uvloop where it is installed (it is a dependency on Linux), with a short
interpreter switch interval and a frozen heap with rarer garbage collections while they run."""

from __future__ import annotations

import asyncio
import gc
import sys

import pytest

from bot.loop import GC_THRESHOLDS, SWITCH_INTERVAL_S, run_loop


async def _loop_module() -> str:
    return type(asyncio.get_running_loop()).__module__


@pytest.mark.skipif(sys.platform == "win32", reason="uvloop is not built for Windows")
def test_run_loop_runs_on_uvloop() -> None:
    assert run_loop(_loop_module()).startswith("uvloop")


def test_run_loop_returns_the_result_and_closes_its_loop() -> None:
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert run_loop(answer()) == 42
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # nothing left running


def test_the_switch_interval_is_short_while_the_loop_runs_and_restored_after() -> None:
    before = sys.getswitchinterval()

    async def during() -> float:
        return sys.getswitchinterval()

    assert run_loop(during()) == SWITCH_INTERVAL_S != before
    assert sys.getswitchinterval() == before


async def _gc_state() -> tuple[tuple[int, int, int], int]:
    return gc.get_threshold(), gc.get_freeze_count()


def test_the_heap_is_frozen_and_collections_rarer_while_the_loop_runs_and_restored_after() -> None:
    thresholds = gc.get_threshold()
    frozen_by_the_tests = gc.get_freeze_count()
    gc.unfreeze()  # as in the bot's process: nothing frozen before the loop
    try:
        seen, frozen_during = run_loop(_gc_state())
        assert seen == GC_THRESHOLDS != thresholds
        assert frozen_during > 0  # what the imports made is out of the collector's view
        assert gc.get_threshold() == thresholds
        assert gc.get_freeze_count() == 0
    finally:
        if frozen_by_the_tests:
            gc.freeze()


def test_a_heap_frozen_by_the_caller_stays_frozen_after_the_loop() -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    seen, frozen_during = run_loop(_gc_state())
    assert seen == GC_THRESHOLDS
    assert frozen_during == frozen == gc.get_freeze_count()
