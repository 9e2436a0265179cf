"""Callback bodies that are not WeChat's messages: refused (400/413) before the core, the bot unharmed.

Signed correctly (whoever knows the token can sign anything): the XML itself must be refused when malformed,
huge, or carrying a DTD (XXE, entity expansion), in plain and in safe mode.
"""

from __future__ import annotations

import random
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from sandbox import Sandbox
from sandbox.wechat import WechatSandbox
from tests.kit.wechat import wechat_bot, wechat_settings

pytestmark = pytest.mark.e2e  # the whole bot against both sandboxes
RESIDENT = "oResidentFuzz"
HEAD = "<xml><ToUserName>gh</ToUserName><FromUserName>oX</FromUserName><CreateTime>1</CreateTime>"
BODIES = [
    "",
    "not xml at all",
    "<xml>",
    "<xml><MsgType>text</MsgType>",
    "<other><MsgType>text</MsgType></other>",
    HEAD + "</xml>",  # no MsgType
    '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + HEAD + "<MsgType>text</MsgType><Content>&xxe;</Content><MsgId>9</MsgId></xml>",
    '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    + HEAD + "<MsgType>text</MsgType><Content>&d;</Content><MsgId>10</MsgId></xml>",
    HEAD + "<MsgType>text</MsgType><Content>" + "燃" * 40_000 + "</Content><MsgId>11</MsgId></xml>",
    HEAD + "".join(f"<F{i}>x</F{i}>" for i in range(200)) + "</xml>",
    "<xml>" + "<a>" * 5000 + "</a>" * 5000 + "</xml>",
]  # fmt: skip


def mutations(seed: int, count: int) -> list[bytes]:
    rng = random.Random(seed)
    base = (HEAD + "<MsgType>text</MsgType><Content>I smell gas</Content><MsgId>77</MsgId></xml>").encode()
    out = []
    for _ in range(count):
        data = bytearray(base)
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        out.append(bytes(data))
    return out


def tickets(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM tickets").fetchone()[0])


async def test_bodies_that_are_not_messages_are_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    for mode in ("plain", "safe"):
        async with WechatSandbox(mode=mode) as wx:
            settings = wechat_settings(sandbox, wx, tmp_path / f"fuzz-{mode}.sqlite3")
            async with wechat_bot(settings):
                assert wx.pusher is not None
                statuses: dict[int, int] = {}
                for body in [b.encode() for b in BODIES] + mutations(17, 150):
                    query, sent = wx.pusher.request(body.decode("latin-1"), openid=RESIDENT, timestamp="1700000000")
                    status, answer = await wx.pusher.post(query, sent.encode("latin-1") if mode == "plain" else sent)
                    statuses[status] = statuses.get(status, 0) + 1
                    assert status in (200, 400, 413), (status, body[:80])
                    assert "passwd" not in answer and "root:" not in answer
                reply = await wx.text(RESIDENT, "I smell gas")  # the bot still answers
                assert reply is not None and "96777" in reply
            print(f"wechat fuzz ({mode}): {sum(statuses.values())} bodies, statuses {sorted(statuses.items())}")
            assert statuses.get(400, 0) + statuses.get(413, 0) >= len(BODIES) - 1
