"""ChatOrderedProcessor: per-chat order, chats concurrent, a global bound, no stalls, no leaks. The tests whose
handlers sleep run in virtual time (tests/kit/virtual_time.py): the same interleaving, without the real waits."""

import asyncio
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from handlers.processor import SHARED_KEY, ChatOrderedProcessor, chat_key
from tests.kit.processor import IntKeyed
from tests.kit.virtual_time import virtual

TOKEN = "123456:TEST-token"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Hotline", "username": "hotline_bot"}


class GetMeOnly(BaseRequest):
    """A transport that only knows getMe: enough for Application.initialize()."""

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        assert url.endswith("/getMe"), url
        return 200, json.dumps({"ok": True, "result": BOT_USER}).encode()


def message_update(update_id: int, chat_id: int, text: str) -> Update:
    chat_type = "private" if chat_id > 0 else "group"
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 1_700_000_000,
                "chat": {"id": chat_id, "type": chat_type, "title": "crew"},
                "from": {"id": abs(chat_id), "is_bot": False, "first_name": "R"},
                "text": text,
            },
        },
        None,
    )


@dataclass
class Recorder:
    """What the handler saw: per-chat order, overlaps, concurrency."""

    rng: random.Random
    max_sleep_s: float = 0.004
    seen: dict[int, list[int]] = field(default_factory=lambda: defaultdict(list))
    running_chats: set[int] = field(default_factory=set)
    running: int = 0
    max_running: int = 0
    same_chat_overlaps: int = 0
    finished: list[int] = field(default_factory=list)  # chat ids, in the order updates finished

    async def handle(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.effective_message is not None
        chat_id, text = update.effective_chat.id, update.effective_message.text or ""
        if chat_id in self.running_chats:
            self.same_chat_overlaps += 1
        self.running_chats.add(chat_id)
        self.running += 1
        self.max_running = max(self.max_running, self.running)
        try:
            await asyncio.sleep(self.rng.uniform(0, self.max_sleep_s))
            self.seen[chat_id].append(int(text.split()[0]))
            if text.endswith("boom"):
                raise RuntimeError("handler failed")
        finally:
            self.running -= 1
            self.running_chats.discard(chat_id)
            self.finished.append(chat_id)


async def build_app(processor: ChatOrderedProcessor, recorder: Recorder) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .request(GetMeOnly())
        .get_updates_request(GetMeOnly())
        .updater(None)
        .concurrent_updates(processor)  # PTB: the builder takes a BaseUpdateProcessor here
        .build()
    )
    app.add_handler(TypeHandler(Update, recorder.handle))
    errors: list[BaseException] = []

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert context.error is not None
        errors.append(context.error)

    app.add_error_handler(on_error)
    app.bot_data["errors"] = errors
    return app


async def run_updates(app: Application[Any, Any, Any, Any, Any, Any], updates: list[Update]) -> None:
    async with app:
        await app.start()
        try:
            for update in updates:
                await app.update_queue.put(update)
            await asyncio.wait_for(app.update_queue.join(), 10)
        finally:
            await app.stop()


def interleaved(chats: list[int], per_chat: int, rng: random.Random, boom: set[tuple[int, int]]) -> list[Update]:
    """Updates of many chats, shuffled across chats but numbered 0.. in arrival order per chat."""
    order = [chat for chat in chats for _ in range(per_chat)]
    rng.shuffle(order)
    counters: dict[int, int] = defaultdict(int)
    updates = []
    for update_id, chat in enumerate(order):
        n = counters[chat]
        counters[chat] += 1
        text = f"{n} boom" if (chat, n) in boom else f"{n} text"
        updates.append(message_update(update_id, chat, text))
    return updates


@virtual
async def test_per_chat_order_chats_concurrent_global_bound() -> None:
    rng = random.Random(6)
    processor = ChatOrderedProcessor(max_concurrent_updates=8)
    recorder = Recorder(rng)
    app = await build_app(processor, recorder)
    chats = [*range(1, 31), *range(-40, -30)]  # residents and crew groups
    boom = {(5, 0), (5, 3), (-35, 7)}
    updates = interleaved(chats, per_chat=15, rng=rng, boom=boom)

    await run_updates(app, updates)

    assert {chat: seq for chat, seq in recorder.seen.items()} == {chat: list(range(15)) for chat in chats}
    assert recorder.same_chat_overlaps == 0
    assert 1 < recorder.max_running <= 8
    assert len(app.bot_data["errors"]) == len(boom)  # failures reached the error handler, chats went on
    assert processor.active_chats == 0
    assert processor.current_concurrent_updates == 0


@virtual
async def test_one_busy_chat_does_not_hold_slots_from_others() -> None:
    """With 2 slots, 50 queued updates of one chat must not block another chat behind them."""
    processor = ChatOrderedProcessor(max_concurrent_updates=2)
    recorder = Recorder(random.Random(1), max_sleep_s=0.002)
    app = await build_app(processor, recorder)
    updates = [message_update(i, 1, f"{i} text") for i in range(50)]
    updates.append(message_update(50, 2, "0 text"))

    await run_updates(app, updates)

    assert recorder.seen[1] == list(range(50))
    assert recorder.finished.index(2) <= 2  # chat 2 ran right away, not after chat 1's backlog
    assert processor.active_chats == 0


async def test_bookkeeping_empty_after_10k_chats() -> None:
    processor = IntKeyed(max_concurrent_updates=64)
    done = 0

    async def work() -> None:
        nonlocal done
        done += 1

    for start in range(0, 10_000, 2_000):  # each batch leaves nothing behind: a leak shows in the first
        await asyncio.gather(*(processor.process_update(k, work()) for k in range(start, start + 2_000)))
        assert processor.active_chats == 0
    assert done == 10_000
    assert processor.current_concurrent_updates == 0


async def test_failure_propagates_but_does_not_stall_the_chat() -> None:
    processor = IntKeyed(max_concurrent_updates=4)
    ran: list[int] = []

    async def step(n: int) -> None:
        await asyncio.sleep(0.001 * (3 - n % 3))
        ran.append(n)
        if n == 1:
            raise RuntimeError("boom")

    results = await asyncio.wait_for(
        asyncio.gather(*(processor.process_update("chat", step(n)) for n in range(6)), return_exceptions=True),
        5,
    )

    assert ran == list(range(6))
    assert isinstance(results[1], RuntimeError)
    assert processor.active_chats == 0


async def test_cancelled_waiter_keeps_order_and_closes_its_coroutine() -> None:
    processor = IntKeyed(max_concurrent_updates=4)
    log: list[str] = []
    release_first = asyncio.Event()

    async def step(name: str, gate: asyncio.Event | None = None) -> None:
        log.append(f"{name} start")
        if gate is not None:
            await gate.wait()
        log.append(f"{name} end")

    first = asyncio.create_task(processor.process_update("chat", step("a", release_first)))
    second = asyncio.create_task(processor.process_update("chat", step("b")))
    third = asyncio.create_task(processor.process_update("chat", step("c")))
    await asyncio.sleep(0.01)
    second.cancel()  # waiting for "a": its coroutine never runs
    await asyncio.sleep(0.01)
    assert log == ["a start"]  # "c" still waits for "a", through the cancelled "b"
    release_first.set()
    await asyncio.wait_for(asyncio.gather(first, third), 5)
    assert second.cancelled()
    assert log == ["a start", "a end", "c start", "c end"]
    assert processor.active_chats == 0


@settings(max_examples=25, deadline=None)
@given(
    keys=st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=60),
    delays=st.lists(st.integers(min_value=0, max_value=3), min_size=60, max_size=60),
    limit=st.integers(min_value=1, max_value=6),
)
def test_order_and_bound_for_any_arrival_pattern(keys: list[int], delays: list[int], limit: int) -> None:
    async def scenario() -> None:
        processor = IntKeyed(max_concurrent_updates=limit)
        seen: dict[int, list[int]] = defaultdict(list)
        running = 0
        peak = 0

        async def step(key: int, i: int) -> None:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            for _ in range(delays[i]):
                await asyncio.sleep(0)
            seen[key].append(i)
            running -= 1

        await asyncio.wait_for(
            asyncio.gather(*(processor.process_update(k, step(k, i)) for i, k in enumerate(keys))), 5
        )
        expected: dict[int, list[int]] = defaultdict(list)
        for i, k in enumerate(keys):
            expected[k].append(i)
        assert seen == expected
        assert peak <= limit
        assert processor.active_chats == 0

    asyncio.run(scenario())


def test_chat_key_falls_back_to_user_then_shared() -> None:
    assert chat_key(message_update(1, -100500, "x")) == -100500
    inline = Update.de_json(
        {
            "update_id": 2,
            "inline_query": {
                "id": "q",
                "from": {"id": 77, "is_bot": False, "first_name": "R"},
                "query": "gas",
                "offset": "",
            },
        },
        None,
    )
    assert chat_key(inline) == 77
    poll = Update.de_json(
        {
            "update_id": 3,
            "poll": {
                "id": "p",
                "question": "Smell?",
                "options": [{"text": "yes", "voter_count": 1, "persistent_id": "o1"}],
                "total_voter_count": 1,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
                "allows_revoting": False,
                "members_only": False,
            },
        },
        None,
    )
    assert chat_key(poll) == SHARED_KEY
    assert chat_key(object()) == SHARED_KEY


def test_rejects_non_positive_bound() -> None:
    with pytest.raises(ValueError, match="positive"):
        ChatOrderedProcessor(0)
