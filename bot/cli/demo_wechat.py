"""``hotline demo --channel wechat``: the same evening with the resident on WeChat and crew A on WeCom, as a
utility in mainland China runs it.

The WeChat sandbox plays the resident's WeChat (signed, encrypted pushes; the 48-hour window counted); the WeCom
sandbox crew A's WeCom (template cards, taps as encrypted callbacks); the Telegram sandbox the rest of the staff.
The resident answers numbered choices by their number, as on a phone.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.cli.demo import DEMO_TOKEN, DISPATCHER, OTHER_CREW, Transcript, add_staff, quiet_demo_logs, running_bot
from bot.cli.demo_wecom import WECOM_LEAD, WeComView, settled, wecom_settings
from bot.runtime import Runtime
from common.jsonfast import loads
from sandbox import Sandbox
from sandbox.ports import free_port
from sandbox.wechat import WechatSandbox
from sandbox.wecom import FakeWeCom

RESIDENT = "oDemoResident0001"
TELEGRAM_STAFF = {OTHER_CREW: "Crew B (off duty, Telegram)", DISPATCHER: "Desk (Telegram)"}
CREW_STEPS = ("t:acc:", "t:enr:", "t:site:", "t:res:", "t:cause:")


class WechatTranscript(Transcript):
    """The resident's WeChat, crew A's WeCom and the other staff's Telegram chats, as they receive."""

    def __init__(self, sandbox: Sandbox, wx: WechatSandbox, wecom: FakeWeCom, runtime: Runtime) -> None:
        super().__init__(sandbox, dict(TELEGRAM_STAFF))
        self.wx, self.wecom, self.runtime = wx, wecom, runtime
        self.crews = WeComView(wecom)
        self.wx_seen = 0

    async def flush(self) -> None:
        await settled(self.runtime, self.wecom)
        await super().flush()
        self.crews.show()
        shown = self.wx.shown(RESIDENT)
        for seen in shown[self.wx_seen :]:
            how = {"passive": "passive reply", "custom": "message", "template": "template message"}[seen.kind]
            self.out(f"  🤖 → Resident (WeChat {how}): " + seen.text.replace("\n", "\n      "))
        self.wx_seen = len(shown)

    async def resident(self, what: str) -> None:
        self.out(f"\n👤 Resident on WeChat: {what}")
        await asyncio.sleep(0.3)  # the replies after the passive one are on their way
        await self.flush()


async def choose(runtime: Runtime, wx: WechatSandbox, log: WechatTranscript, prefix: str) -> None:
    """Reply with the number of the choice whose button starts with ``prefix`` (waiting for it to be shown)."""
    for _ in range(100):
        row = await runtime.db.fetchone("SELECT choices FROM wechat_choices WHERE openid = ?", (RESIDENT,))
        choices = loads(str(row[0])) if row else []
        for number, (_, value, label) in enumerate(choices, 1):
            if str(value).startswith(prefix):
                await wx.text(RESIDENT, str(number))
                await log.resident(f"replies {number} ({label})")
                return
        await asyncio.sleep(0.05)
    raise LookupError(f"no choice {prefix!r} shown to the resident")


async def play(runtime: Runtime, wx: WechatSandbox, lang: str, log: WechatTranscript) -> None:
    zh = lang == "zh"

    async def say(text: str) -> None:
        await wx.text(RESIDENT, text)
        await log.resident(text)

    await wx.subscribe(RESIDENT)
    await log.resident("follows the gas company's service account")
    await say("厨房里有很浓的燃气味，怎么办" if zh else "There is a strong smell of gas in my kitchen")
    await wx.location(RESIDENT, 31.230416, 121.473701, "上海市黄浦区")
    await log.resident("sends a location (+ → 位置)")
    await say("3号楼2单元501" if zh else "Building 3, Unit 2, Flat 501")
    for prefix in ("i:f:where:home", "i:f:strength:strong", "i:f:valve:closed", "i:f:unwell:no"):
        await choose(runtime, wx, log, prefix)
    for prefix in ("i:f:vulnerable:elderly", "i:f:since:now"):
        await choose(runtime, wx, log, prefix)
    await say("13812345678")
    await say("门禁密码 1234" if zh else "Door code 1234")
    await choose(runtime, wx, log, "i:f:photos:-")
    await log.wecom.wait_for(WECOM_LEAD, lambda r: any(k.startswith("t:acc:") for k in r.payloads()))
    for prefix in CREW_STEPS:
        log.out(f"\n👷 Crew A lead (WeCom) taps {prefix}")
        await log.wecom.press(WECOM_LEAD, prefix)
        await log.flush()
    await log.resident("")
    await say("/status")


async def run_wechat_demo(lang: str = "zh") -> int:
    quiet_demo_logs()
    async with Sandbox(DEMO_TOKEN) as sandbox, WechatSandbox() as wx, FakeWeCom() as wecom:
        add_staff(sandbox, "zh-hans" if lang == "zh" else "en")
        with tempfile.TemporaryDirectory(prefix="hotline-demo-wechat-") as tmp:
            callback = f"http://127.0.0.1:{free_port()}/wechat"
            settings = wecom_settings(
                sandbox, wecom, Path(tmp) / "demo.sqlite3", lang=lang, wechat=wx.wechat_settings(callback)
            )
            async with running_bot(settings) as runtime:
                log = WechatTranscript(sandbox, wx, wecom, runtime)
                log.out(
                    f"Gas Hotline Bot demo on WeChat and WeCom — the resident on WeChat ({wx.base_url}), "
                    f"crew A on WeCom ({wecom.base_url})"
                )
                await play(runtime, wx, lang, log)
                row = await runtime.db.fetchone("SELECT id, severity, status, cause FROM tickets ORDER BY id DESC")
        log.out("")
        refused = [code for _, code in wx.api.errors]
        if row is None:
            log.out("demo failed: no ticket was committed")
            return 1
        log.out(f"Ticket #{row[0]}: {row[1]}, {row[2]} ({row[3]}); WeChat refused {len(refused)} sends {refused}")
        return 0 if row[2] == "resolved" and not refused else 1
