"""Fuzz suite: Hypothesis-generated Update JSON - valid and invalid shapes, huge and odd Unicode, control
characters, unknown update types, missing fields, wrong types, forged callback data - queued in the
sandbox as raw updates, so PTB's real ``getUpdates`` decoding feeds them to the running bot.

Expected: polling never stops (a probe is answered after every batch of examples), no update is lost to
an unhandled exception outside the error handler (PTB's "Error while parsing updates" / "Exception
happened while polling" never appear), each update that does fail is logged exactly once by the
catch-all error handler, and the state stays sane (the crew's ticket is untouched by forged buttons).

Hypothesis runs in a worker thread; the sandbox and the bot run on the test's event loop.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.demo import LEAD, MEMBER, OTHER_CREW, RESIDENT, running_bot, sandbox_settings
from sandbox import Sandbox

PROBE = 5_990_000  # probes count down from here, one new person each
USERS = (RESIDENT, LEAD, MEMBER, OTHER_CREW, 42, -1, 2**63, 0)

ODD_TEXT = st.one_of(
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=40),  # control characters
    st.sampled_from(
        [
            "\u202e" + "gas leak" * 3,  # right-to-left override
            "\ufeff/start",
            "/start@other_bot extra args",
            "/" + "a" * 300,
            "/report\x00",
            "I smell gas 😷" * 500,  # huge
            "煤气泄漏" * 2000,
            "\ud7ff\ue000\U0010ffff",
            "",
            " ",
            "t:site:1",
        ]
    ),
)
CALLBACK_DATA = st.one_of(
    st.sampled_from(
        ["t:acc:1", "t:site:1", "t:cause:1:repaired", "t:res:999999999999", "i:s:ok", "f:y:1", "r:1", "bc:go:1"]
    ),
    st.builds(lambda a, b: f"{a}:{b}", st.sampled_from(["t", "i", "f", "r", "bc", "m:lang", "q", "tips"]), ODD_TEXT),
    ODD_TEXT,
)
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    ODD_TEXT,
)
JSON = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12,
)


def _user(uid: Any) -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": "Fuzz", "language_code": "en"}


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    uid = draw(st.sampled_from(USERS))
    chat_type = draw(st.sampled_from(["private", "group", "supergroup", "channel", "weird"]))
    chat = {"id": uid if chat_type == "private" else -100123, "type": chat_type}
    message: dict[str, Any] = {"message_id": draw(st.integers(1, 10**6)), "date": 1790000000, "chat": chat}
    message["from"] = _user(uid)
    body = draw(st.sampled_from(["text", "contact", "location", "photo", "sticker", "caption_only", "nothing"]))
    if body == "text":
        message["text"] = draw(ODD_TEXT)
    elif body == "contact":
        message["contact"] = {"phone_number": draw(ODD_TEXT), "first_name": "x", "user_id": uid}
    elif body == "location":
        message["location"] = {"latitude": draw(st.floats(-1000, 1000)), "longitude": draw(st.floats(-1000, 1000))}
    elif body == "photo":
        message["photo"] = [{"file_id": draw(ODD_TEXT), "file_unique_id": "u", "width": 1, "height": 1}]
        message["caption"] = draw(ODD_TEXT)
    elif body == "sticker":
        message["sticker"] = draw(JSON)
    elif body == "caption_only":
        message["caption"] = draw(ODD_TEXT)
    kind = draw(st.sampled_from(["message", "edited_message", "callback_query", "unknown", "channel_post"]))
    if kind == "callback_query":
        update: dict[str, Any] = {
            "callback_query": {
                "id": draw(st.text(min_size=1, max_size=20)),
                "from": _user(uid),
                "chat_instance": "ci",
                "data": draw(CALLBACK_DATA),
                "message": message,
            }
        }
    elif kind == "unknown":
        update = {draw(st.sampled_from(["foo", "business_message", "purchased_paid_media", "x" * 50])): draw(JSON)}
    else:
        update = {kind: message}
    # break the shape: drop, retype or add fields anywhere in the first two levels
    for _ in range(draw(st.integers(0, 3))):
        target: dict[str, Any] = update
        inner: list[str] = [k for k, v in target.items() if isinstance(v, dict)]
        go_deeper: bool = draw(st.booleans())
        if inner and go_deeper:
            target = target[draw(st.sampled_from(inner))]
        keys = list(target)
        action = draw(st.sampled_from(["drop", "retype", "add"]))
        if action == "drop" and keys:
            target.pop(draw(st.sampled_from(keys)))
        elif action == "retype" and keys:
            target[draw(st.sampled_from(keys))] = draw(JSON)
        else:
            target[draw(st.text(max_size=12))] = draw(JSON)
    return update


_probes = iter(range(PROBE, PROBE - 100_000, -1))


async def _probe(sb: Sandbox) -> None:
    """A fresh person sends /help and is answered (fresh: the per-person flood limit must not interfere)."""
    user = next(_probes)
    sb.create_user(user, first_name="Probe", language_code="en")
    await sb.send_text(user, "/help")
    await sb.wait_for(user, timeout_s=15)


async def run_fuzz(sb: Sandbox, tmp: Path, caplog: pytest.LogCaptureFixture, *, examples: int) -> int:
    caplog.set_level(logging.INFO)
    settings_ = sandbox_settings(sb, tmp / "fuzz.sqlite3", lang="en")
    loop = asyncio.get_running_loop()
    fed: list[int] = []

    async def feed(batch: list[dict[str, Any]]) -> None:
        for update in batch:
            fed.append(await sb.inject_raw_update(update))
        await sb.wait_idle(quiet_s=0.05, timeout_s=20)
        if len(fed) % 40 < len(batch):
            await _probe(sb)

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(st.lists(updates(), min_size=1, max_size=4))
    def each(batch: list[dict[str, Any]]) -> None:
        asyncio.run_coroutine_threadsafe(feed(batch), loop).result(timeout=60)

    # Every group update goes to one group chat, at machine speed; the lane paces a group at Telegram's 20
    # messages a minute and each update of a chat waits for its replies, so the shutdown (which waits for
    # every update in flight) may have a minute or more of that chat's backlog to send.
    async with running_bot(settings_, stop_timeout_s=300):
        await _probe(sb)
        await asyncio.to_thread(each)
        await _probe(sb)  # still serving
    records = caplog.records
    assert not [r for r in records if "Error while parsing updates" in r.getMessage()]
    assert not [r for r in records if "Exception happened while polling" in r.getMessage()]
    failed = [r for r in records if r.name == "handlers.errors" and r.levelno >= logging.ERROR]
    ids = [r.args[0] if isinstance(r.args, tuple) and r.args else None for r in failed]
    assert len(ids) == len(set(ids)), "an update was reported twice"
    assert not failed, "updates that reached the catch-all: " + "; ".join(
        f"{r.getMessage()}: {r.exc_info[1]!r}" for r in failed if r.exc_info
    )
    with closing(sqlite3.connect(settings_.storage.path)) as conn, conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # every ticket went to a crew, or (a report that never gave a location, in a run of minutes) to the desk
        assert conn.execute(
            "SELECT COUNT(*) FROM tickets WHERE status != 'dispatched' AND NOT (status = 'followup' AND id IN"
            " (SELECT ticket_id FROM ticket_events WHERE kind = 'no_location'))"
        ).fetchone() == (0,)
    undecodable = sum("does not decode" in r.getMessage() for r in records)
    answered = len(sb.calls("sendMessage")) + len(sb.calls("answerCallbackQuery"))
    print(f"fuzz: {len(fed)} updates fed, {undecodable} undecodable (skipped), {answered} answers sent")
    return len(fed)


async def test_fuzz_short(sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cases = await run_fuzz(sandbox, tmp_path, caplog, examples=60)
    print(f"fuzz suite (short): {cases} updates")


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_fuzz_long(sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cases = await run_fuzz(sandbox, tmp_path, caplog, examples=1500)
    print(f"fuzz suite (long): {cases} updates")
