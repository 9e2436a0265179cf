"""Fuzz of the WeCom callback: Hypothesis-made plain XML (odd fields, forged button payloads, entity and DTD
tricks, broken markup) encrypted and signed as WeCom would, and envelopes that are not (random ciphertext,
truncated, unsigned). Expected: never a 500, a forged or broken body never acted on, the inbox's worker
takes every batch and the bot still answers, nothing reaches the adapter's catch-all, and the database stays sound."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli.demo_wecom import WECOM_DESK, WECOM_LEAD, WECOM_MEMBER
from sandbox import Sandbox
from sandbox.wecom import FakeWeCom
from tests.kit.wecom import wecom_bot

pytestmark = pytest.mark.e2e  # the whole bot against the sandboxes

ODD = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=200),
    st.sampled_from(["]]>", "<b>", "&amp;", "&xxe;", "/open", "/ticket x", "/" + "a" * 300, "t:acc:1", "t:acc:999"]),
)
FIELD = st.sampled_from(
    ["MsgType", "Event", "EventKey", "Content", "MsgId", "TaskId", "ResponseCode", "Location_X", "FromUserName"]
)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    "<xml><FromUserName>u</FromUserName><MsgType>text</MsgType><Content>&b;</Content></xml>"
)
XXE = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><MsgType>text</MsgType><Content>&e;</Content></xml>'


@st.composite
def plain(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["fields", "fields", "fields", "raw", "bomb", "xxe"]))
    if kind == "raw":
        return draw(st.text(max_size=300))
    if kind == "bomb":
        return BOMB
    if kind == "xxe":
        return XXE
    sender = draw(st.sampled_from([WECOM_LEAD, WECOM_MEMBER, "stranger", "", "x" * 300]))
    fields = {
        "FromUserName": sender,
        "MsgType": draw(st.sampled_from(["text", "event", "location", "image", "weird", ""])),
        "Event": draw(st.sampled_from(["template_card_event", "enter_agent", "LOCATION", ""])),
        "EventKey": draw(ODD),
    }
    fields.update(draw(st.dictionaries(FIELD, ODD, max_size=4)))
    cdata = draw(st.booleans())
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" if cdata else f"<{k}>{v}</{k}>" for k, v in fields.items())
    return "<xml>" + inner + "</xml>"


@st.composite
def delivery(draw: st.DrawFn) -> tuple[str, str]:
    return draw(st.sampled_from(["signed", "signed", "signed", "forged", "garbage", "truncated"])), draw(plain())


async def post(wecom: FakeWeCom, how: str, text: str) -> int:
    body, query = wecom.encrypt(text)
    if how == "forged":
        query = {**query, "msg_signature": "f" * 40}
    elif how == "garbage":
        body = b"<xml><Encrypt>" + text.encode()[:200] + b"</Encrypt></xml>"
    elif how == "truncated":
        body = body[: len(body) // 2]
    return await wecom.post_raw(body, query)


async def test_fuzz_of_encrypted_xml_bodies(sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    loop = asyncio.get_running_loop()
    statuses: list[int] = []
    async with wecom_bot(sandbox, tmp_path) as (wecom, runtime):

        async def feed(batch: list[tuple[str, str]]) -> None:
            for how, text in batch:
                statuses.append(await post(wecom, how, text))
            for _ in range(500):  # the inbox's worker took everything (it is still running)
                if not await runtime.db.scalar("SELECT COUNT(*) FROM wecom_inbox WHERE handled_at IS NULL"):
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("the inbox's worker stopped")

        @settings(
            max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        @given(st.lists(delivery(), min_size=1, max_size=4))
        def each(batch: list[tuple[str, str]]) -> None:
            asyncio.run_coroutine_threadsafe(feed(batch), loop).result(timeout=60)

        await asyncio.to_thread(each)
        before = len(wecom.messages(WECOM_DESK))
        await wecom.send_text(WECOM_DESK, "/help")  # still answering
        await wecom.wait_until(lambda: len(wecom.messages(WECOM_DESK)) > before)
        path = runtime.settings.storage.path
    assert statuses and set(statuses) <= {200, 400, 403}, set(statuses)
    assert not [r for r in caplog.records if "could not be handled" in r.getMessage()]
    with closing(sqlite3.connect(path)) as conn, conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT COUNT(*) FROM tickets").fetchone() == (0,)
        assert conn.execute("SELECT COUNT(*) FROM wecom_inbox WHERE handled_at IS NULL").fetchone() == (0,)
    print(
        f"WeCom fuzz: {len(statuses)} bodies: " + ", ".join(f"{s}: {statuses.count(s)}" for s in sorted(set(statuses)))
    )
