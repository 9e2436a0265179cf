"""ChatOrderedProcessor and ``after_slot``: what an update hands over (its replies' delivery) is awaited
outside the global bound but before the chat's next update; failures are logged, waits called off are not
failures, and an update cancelled while it waits calls its waits off."""

import asyncio
import logging

import pytest

from handlers.processor import after_slot
from tests.kit.processor import IntKeyed


async def test_waiting_for_delivery_gives_the_slot_back_but_holds_the_chat() -> None:
    """One slot: an update that hands its replies' delivery to ``after_slot`` lets another chat's update run
    meanwhile, while its own chat's next update waits for that delivery."""
    processor = IntKeyed(max_concurrent_updates=1)
    log: list[str] = []
    delivered = asyncio.Event()

    async def deliveries(name: str) -> None:
        await delivered.wait()
        log.append(f"{name} delivered")

    async def update(name: str, *, hand_over: bool = False) -> None:
        log.append(f"{name} ran")
        if hand_over:
            assert after_slot(deliveries(name))

    first = asyncio.create_task(processor.process_update("resident 1", update("a", hand_over=True)))
    same_chat = asyncio.create_task(processor.process_update("resident 1", update("b")))
    other_chat = asyncio.create_task(processor.process_update("resident 2", update("c")))
    await asyncio.wait_for(other_chat, 5)  # the only slot is free although "a" still waits for its delivery
    assert log == ["a ran", "c ran"] and not same_chat.done()
    delivered.set()
    await asyncio.wait_for(asyncio.gather(first, same_chat), 5)
    assert log == ["a ran", "c ran", "a delivered", "b ran"]
    assert processor.active_chats == 0 and processor.current_concurrent_updates == 0


def test_after_slot_outside_the_processor_says_so() -> None:
    async def nothing() -> None:
        pass

    waiting = nothing()
    assert not after_slot(waiting)
    waiting.close()


async def test_everything_handed_over_is_awaited_and_a_failure_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    """Two waits handed to ``after_slot``, the first failing: the failure is logged with the chat, the second
    is still awaited, and the chat's next update runs only after both."""
    processor = IntKeyed(max_concurrent_updates=1)
    log: list[str] = []
    release = asyncio.Event()

    async def fails() -> None:
        await release.wait()
        log.append("first failed")
        raise RuntimeError("send failed")

    async def delivered() -> None:
        await release.wait()
        log.append("second delivered")

    async def update(name: str, *, hand_over: bool = False) -> None:
        log.append(f"{name} ran")
        if hand_over:
            assert after_slot(fails()) and after_slot(delivered())

    first = asyncio.create_task(processor.process_update("resident 1", update("a", hand_over=True)))
    next_one = asyncio.create_task(processor.process_update("resident 1", update("b")))
    await asyncio.sleep(0.01)
    assert log == ["a ran"]
    release.set()
    with caplog.at_level(logging.ERROR, logger="handlers.processor"):
        await asyncio.wait_for(asyncio.gather(first, next_one), 5)
    assert log == ["a ran", "first failed", "second delivered", "b ran"]
    assert any("what it waited for failed" in r.getMessage() and r.exc_info for r in caplog.records)
    assert processor.active_chats == 0 and processor.current_concurrent_updates == 0


async def test_a_wait_called_off_is_not_the_updates_failure(caplog: pytest.LogCaptureFixture) -> None:
    """What an update handed over is called off (a reply withdrawn: its future cancelled): nothing is logged,
    the update ends as done, not cancelled, and the chat's next update runs."""
    processor = IntKeyed(max_concurrent_updates=1)
    log: list[str] = []
    reply: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def delivered() -> None:
        await reply

    async def update(name: str, *, hand_over: bool = False) -> None:
        log.append(f"{name} ran")
        if hand_over:
            assert after_slot(delivered())

    first = asyncio.create_task(processor.process_update("resident 1", update("a", hand_over=True)))
    next_one = asyncio.create_task(processor.process_update("resident 1", update("b")))
    await asyncio.sleep(0.01)
    reply.cancel()
    with caplog.at_level(logging.ERROR, logger="handlers.processor"):
        await asyncio.wait_for(asyncio.gather(first, next_one), 5)
    assert not first.cancelled() and log == ["a ran", "b ran"]
    assert not caplog.records


async def test_an_update_cancelled_while_it_waits_calls_its_waits_off() -> None:
    """The update's own task cancelled while it waits for what it handed over: the waits are called off with it
    (the first cancelled, the ones after it never started), and its chat is free again."""
    processor = IntKeyed(max_concurrent_updates=1)
    reply: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    started: list[str] = []

    async def waits(name: str) -> None:
        started.append(name)
        await reply

    async def update() -> None:
        assert after_slot(waits("first")) and after_slot(waits("second"))

    task = asyncio.create_task(processor.process_update("resident 1", update()))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert reply.cancelled() and started == ["first"]
    assert processor.active_chats == 0 and processor.current_concurrent_updates == 0
