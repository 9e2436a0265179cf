"""The transport's pool gate: places taken and given back in order, never lost to a cancelled waiter."""

import asyncio

import pytest

from handlers.pool_gate import PoolGate


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_places_then_waiters_in_arrival_order() -> None:
    gate = PoolGate(2)
    await gate.acquire()
    await gate.acquire()
    assert gate.locked()
    order: list[int] = []

    async def waiter(n: int) -> None:
        await gate.acquire()
        order.append(n)

    tasks = [asyncio.create_task(waiter(n)) for n in range(5)]
    await _settle()
    assert order == []
    gate.release()
    gate.release()
    await _settle()
    assert order == [0, 1]  # the two places given back went to the two oldest waiters
    for served in range(2, 5):
        gate.release()  # a waiter done with its call gives its place back
        await _settle()
        assert order == list(range(served + 1))
    await asyncio.gather(*tasks)
    assert gate.locked()
    gate.release()
    gate.release()
    assert not gate.locked()


async def test_a_cancelled_waiter_does_not_take_a_place() -> None:
    gate = PoolGate(1)
    await gate.acquire()
    cancelled = asyncio.create_task(gate.acquire())
    second = asyncio.create_task(gate.acquire())
    await _settle()
    cancelled.cancel()
    await _settle()
    gate.release()  # passes the cancelled waiter by
    await asyncio.wait_for(second, 1)
    gate.release()
    assert not gate.locked()


async def test_a_waiter_cancelled_after_it_was_handed_a_place_passes_it_on() -> None:
    gate = PoolGate(1)
    await gate.acquire()
    first = asyncio.create_task(gate.acquire())
    second = asyncio.create_task(gate.acquire())
    await _settle()
    gate.release()  # handed to ``first``, which is cancelled before it runs again
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.wait_for(second, 1)  # the place went on to the next in line
    gate.release()
    assert not gate.locked()


async def test_a_timed_out_wait_leaves_the_count_whole() -> None:
    gate = PoolGate(1)
    await gate.acquire()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.01):
            await gate.acquire()
    gate.release()
    assert not gate.locked()
    await gate.acquire()
    assert gate.locked()


def test_at_least_one_place() -> None:
    with pytest.raises(ValueError):
        PoolGate(0)
