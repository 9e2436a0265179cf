"""``hotline demo --channel wecom``: a resident on Telegram (the Bot API sandbox), crew A on WeCom (the
WeCom sandbox: template cards, clicks as encrypted callbacks), the desk on Telegram.

``wecom_settings`` is the bot's configuration against both sandboxes, for the demo and the tests."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path
from typing import Any

from bot.cli.demo import DEMO_TOKEN, DISPATCHER, OTHER_CREW, RESIDENT, running_bot, sandbox_settings
from bot.config.settings import Settings
from bot.runtime import Runtime
from channels.wecom.client import CHANNEL
from common.events import Priority
from sandbox import Sandbox
from sandbox.ports import free_port
from sandbox.wecom import FakeWeCom, Received

logger = logging.getLogger(__name__)

WECOM_LEAD, WECOM_MEMBER, WECOM_DESK = "wang.qiang", "li.ming", "desk.wu"
ROBOT = "crew-a-group"
ROBOT_KEY = "sandbox-robot-key-a"


def wecom_settings(sandbox: Sandbox, wecom: FakeWeCom, db_path: Path, *, lang: str = "zh", **extra: Any) -> Settings:
    """Crew A on WeCom (a lead and a member, its group through a robot), crew B and the desk on Telegram, a
    dispatcher on WeCom too; the bot's callback on a free loopback port (``wecom.callback_url`` set)."""
    listen = f"127.0.0.1:{free_port()}"
    wecom.callback_url = f"http://{listen}/wecom/callback"
    for userid, name in ((WECOM_LEAD, "Wang Qiang"), (WECOM_MEMBER, "Li Ming"), (WECOM_DESK, "Wu Desk")):
        wecom.world.member(userid, name)
    data: dict[str, Any] = {
        "crews": [
            {
                "name": "A",
                "group_chat_id": ROBOT,
                "group_channel": "wecom",
                "members": [
                    {"user_id": WECOM_LEAD, "name": "Wang Qiang", "role": "lead", "lang": lang, "channel": "wecom"},
                    {"user_id": WECOM_MEMBER, "name": "Li Ming", "lang": lang, "channel": "wecom"},
                ],
            },
            {"name": "B", "members": [{"user_id": OTHER_CREW, "name": "Zhao Lei", "role": "lead", "lang": lang}]},
        ],
        "staff": [
            {"user_id": DISPATCHER, "name": "Desk", "role": "dispatcher", "lang": lang},
            {"user_id": WECOM_DESK, "name": "Wu Desk", "role": "dispatcher", "lang": lang, "channel": "wecom"},
        ],
        "wecom": wecom.settings(callback_listen=listen, robots={ROBOT: ROBOT_KEY}),
    }
    data.update(extra)
    return sandbox_settings(sandbox, db_path, lang=lang, **data)


def _shown(received: Received) -> str:
    card = received.card
    labels = [str(b.get("text", "")) for b in card.get("button_list", [])]
    options = [str(o.get("text", "")) for o in card.get("button_selection", {}).get("option_list", [])]
    keys = "  ".join(f"[{label}]" for label in labels)
    choice = " / ".join(options)
    return received.text + (f"\n▾ {choice}" if choice else "") + (f"\n{keys}" if keys else "")


def _line(who: str, text: str) -> None:
    print(f"  🤖 → {who}: " + text.replace("\n", "\n      "), flush=True)


class WeComView:
    """Prints what crew A's members receive on WeCom since the last look: new cards, and cards updated."""

    def __init__(self, wecom: FakeWeCom) -> None:
        self.wecom = wecom
        self.seen: dict[str, int] = {}

    def show(self) -> None:
        for userid, who in ((WECOM_LEAD, "Crew A lead (WeCom)"), (WECOM_MEMBER, "Crew A member (WeCom)")):
            for index, received in enumerate(self.wecom.messages(userid)):
                key = f"{userid}:{index}"
                if key not in self.seen:
                    _line(who, _shown(received))
                elif len(received.updates) > self.seen[key]:
                    _line(who, "✏️  card updated to: " + _shown(received))
                self.seen[key] = len(received.updates)


async def settled(runtime: Runtime, wecom: FakeWeCom) -> None:
    """Until nothing waits to go out: WeCom's lane paces a member at 28 a minute, so a busy card takes a while."""
    lane = runtime.lanes[CHANNEL]
    for _ in range(1200):  # 2 minutes at most
        pending = await runtime.db.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        if not pending and not lane.in_flight and not any(lane.backlog(p) for p in Priority):
            break
        await asyncio.sleep(0.1)
    await wecom.wait_quiet(quiet_s=0.4)


async def play(sandbox: Sandbox, wecom: FakeWeCom, runtime: Runtime, lang: str) -> None:
    zh = lang == "zh"
    crews = WeComView(wecom)
    resident_seen = 0

    async def show() -> None:
        nonlocal resident_seen
        await settled(runtime, wecom)
        await sandbox.wait_idle(quiet_s=0.3, timeout_s=10)
        crews.show()
        for message in sandbox.messages(RESIDENT)[resident_seen:]:
            _line("Resident (Telegram)", message.text or f"[{message.kind}]")
        resident_seen = len(sandbox.messages(RESIDENT))

    async def say(text: str) -> None:
        print(f"\n👤 Resident (Telegram): {text}", flush=True)
        await sandbox.send_text(RESIDENT, text)
        await show()

    await say("厨房里有很浓的燃气味" if zh else "There is a strong smell of gas in my kitchen")
    await sandbox.send_location(RESIDENT, 31.230416, 121.473701)
    print("\n👤 Resident (Telegram): shares a location pin", flush=True)
    await show()
    await wecom.wait_for(WECOM_LEAD, lambda r: any(k.startswith("t:acc:") for k in r.payloads()))
    await wecom.wait_for(WECOM_MEMBER, lambda r: any(k.startswith("t:acc:") for k in r.payloads()))
    await show()
    print("\n👤 Crew A lead and member (WeCom) both tap Accept", flush=True)
    await asyncio.gather(wecom.press(WECOM_LEAD, "t:acc:"), wecom.press(WECOM_MEMBER, "t:acc:"))
    await show()
    for prefix in ("t:enr:", "t:site:", "t:res:", "t:cause:"):
        print(f"\n👤 Crew A lead (WeCom) taps {prefix}", flush=True)
        await wecom.press(WECOM_LEAD, prefix)
        await show()


async def run_wecom_demo(lang: str = "zh") -> int:
    for name in ("", "telegram"):
        logging.getLogger(name).setLevel(logging.WARNING)
    language_code = "zh-hans" if lang == "zh" else "en"
    async with Sandbox(DEMO_TOKEN) as sandbox, FakeWeCom() as wecom:
        sandbox.create_user(RESIDENT, first_name="Zhang Wei", language_code=language_code)
        for user_id, name in ((OTHER_CREW, "Zhao Lei"), (DISPATCHER, "Desk")):
            sandbox.create_user(user_id, first_name=name, language_code=language_code)
        with tempfile.TemporaryDirectory(prefix="hotline-demo-") as tmp:
            settings = wecom_settings(sandbox, wecom, Path(tmp) / "demo.sqlite3", lang=lang)
            async with running_bot(settings) as runtime:
                print(f"Gas Hotline Bot demo — resident on Telegram, crew A on WeCom (sandbox {wecom.base_url})")
                await play(sandbox, wecom, runtime, lang)
                row = await runtime.db.fetchone("SELECT id, status, cause FROM tickets ORDER BY id DESC")
        print("")
        if row is None:
            print("demo failed: no ticket was committed")
            return 1
        print(f"Ticket #{row[0]}: {row[1]} ({row[2]}); WeCom sandbox: {wecom.stats()}")
        return 0 if row[1] == "resolved" else 1
