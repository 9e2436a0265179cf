"""``hotline demo``: the bot against the built-in Bot API sandbox, with a scripted resident and crew.

Everything is real but Telegram: PTB talks HTTP to the sandbox on 127.0.0.1, tickets go to a
throw-away SQLite file, and the transcript of every chat is printed as it happens.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import serve
from bot.clock import Clock
from bot.config.settings import Settings, load_settings
from bot.outbound.channels import Channel
from bot.runtime import Runtime
from sandbox import Sandbox
from sandbox.botworld import ChatMessage

logger = logging.getLogger(__name__)

DEMO_TOKEN = "123456:DEMO-sandbox-token"
RESIDENT, LEAD, MEMBER, OTHER_CREW, DISPATCHER = 5001, 1001, 1002, 1003, 2001


def sandbox_settings(sandbox: Sandbox, db_path: Path, *, lang: str = "zh", **extra: Any) -> Settings:
    """Settings for the bot against ``sandbox``: crew A (on duty now) and crew B, one dispatcher."""
    zone = "Asia/Shanghai"
    anchor = datetime.now(ZoneInfo(zone)).replace(tzinfo=None) - timedelta(hours=1)
    data: dict[str, Any] = {
        "telegram": {
            "token": DEMO_TOKEN,
            "base_url": sandbox.base_url,
            "base_file_url": sandbox.base_file_url,
            "poll_timeout_s": 1,
        },
        "storage": {"path": str(db_path)},
        # the sandbox enforces no limits unless asked; scripted people tap faster than anyone could
        "outbound": {"private_burst": 20, "private_rate_per_s": 20.0},
        "utility": {"timezone": zone, "hotline": "96777"},
        "crews": [
            {
                "name": "A",
                "members": [
                    {"user_id": LEAD, "name": "Wang Qiang", "role": "lead", "lang": lang},
                    {"user_id": MEMBER, "name": "Li Ming", "lang": lang},
                ],
            },
            {"name": "B", "members": [{"user_id": OTHER_CREW, "name": "Zhao Lei", "role": "lead", "lang": lang}]},
        ],
        "staff": [{"user_id": DISPATCHER, "name": "Desk", "role": "dispatcher", "lang": lang}],
        "rota": {"crews": ["A", "B"], "shift_hours": 12, "anchor": anchor.isoformat(timespec="seconds")},
    }
    data.update(extra)
    return load_settings(None, data)


@asynccontextmanager
async def running_bot(
    settings: Settings,
    *,
    clock: Clock | None = None,
    webhook: bool = False,
    stop_timeout_s: float = 20.0,
    channels: Sequence[Channel] = (),
) -> AsyncIterator[Runtime]:
    """The whole bot, polling (or on its webhook), until the block ends (then a clean shutdown, which waits
    for every update in flight and its replies, up to ``stop_timeout_s``)."""
    stop = asyncio.Event()
    ready: asyncio.Future[Runtime] = asyncio.get_running_loop().create_future()

    async def on_ready(runtime: Runtime) -> None:
        ready.set_result(runtime)

    task = asyncio.create_task(
        serve(settings, stop, clock=clock, on_ready=on_ready, webhook=webhook, channels=channels)
    )
    waiters: set[asyncio.Future[Any]] = {task, ready}
    done, _ = await asyncio.wait(waiters, timeout=20, return_when=asyncio.FIRST_COMPLETED)
    if ready not in done:
        stop.set()
        if task in done:
            task.result()  # raises the start-up failure
        raise TimeoutError("the bot did not start within 20 s")
    try:
        yield ready.result()
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=stop_timeout_s)


class Transcript:
    """Prints what each chat receives, in order, as the script goes."""

    def __init__(self, sandbox: Sandbox, names: dict[int, str]) -> None:
        self.sandbox = sandbox
        self.names = names
        self.seen = dict.fromkeys(names, 0)
        self.edits: dict[tuple[int, int], int] = {}
        self.lines: list[str] = []

    def out(self, line: str = "") -> None:
        self.lines.append(line)
        print(line, flush=True)

    def _render(self, message: ChatMessage) -> str:
        if message.kind in ("location", "venue"):
            loc = message.data.get("location") or message.data.get("venue", {}).get("location", {})
            return f"[map pin {loc.get('latitude')}, {loc.get('longitude')}]"
        text = message.text or f"[{message.kind}]"
        buttons = [b.get("text", "") for b in message.buttons()]
        if buttons:
            text += "\n      " + "  ".join(f"[{b}]" for b in buttons)
        return text

    async def flush(self) -> None:
        await self.sandbox.wait_idle(quiet_s=0.2, timeout_s=10)
        for chat, name in self.names.items():
            messages = self.sandbox.messages(chat)
            for index, message in enumerate(messages):
                key = (chat, message.message_id)
                if index >= self.seen[chat]:
                    self.out(f"  🤖 → {name}: " + self._render(message).replace("\n", "\n      "))
                elif len(message.edits) > self.edits.get(key, 0):
                    self.out(f"  ✏️  {name}'s message edited to: " + self._render(message).replace("\n", "\n      "))
                self.edits[key] = len(message.edits)
            self.seen[chat] = len(messages)

    async def act(self, who: int, what: str) -> None:
        self.out(f"\n👤 {self.names[who]}: {what}")
        await self.flush()


def _has(prefix: str) -> Callable[[ChatMessage], bool]:
    return lambda message: any(str(b.get("callback_data", "")).startswith(prefix) for b in message.buttons())


def _newest(sandbox: Sandbox, user: int, prefix: str) -> tuple[int, str, str]:
    """(message id, callback data, label) of the newest button starting with ``prefix`` in ``user``'s chat."""
    for message in reversed(sandbox.messages(user)):
        for button in message.buttons():
            if str(button.get("callback_data", "")).startswith(prefix):
                return message.message_id, str(button["callback_data"]), str(button["text"])
    raise LookupError(f"no button {prefix!r} in chat {user}")


async def tap(sandbox: Sandbox, log: Transcript | None, user: int, prefix: str) -> None:
    """Press the newest button starting with ``prefix`` in ``user``'s chat (waiting for it to arrive)."""
    await sandbox.wait_for(user, _has(prefix), timeout_s=10)
    message_id, data, label = _newest(sandbox, user, prefix)
    await sandbox.press_button(user, message_id, data=data)
    if log is None:
        await sandbox.wait_idle(quiet_s=0.1, timeout_s=10)
    else:
        await log.act(user, f"taps [{label}]")


async def play(sandbox: Sandbox, lang: str, log: Transcript) -> None:
    """The scripted evening: a smell of gas reported, dispatched, accepted, resolved."""
    zh = lang == "zh"

    async def say(user: int, text: str) -> None:
        await sandbox.send_text(user, text)
        await log.act(user, text)

    await say(RESIDENT, "/start")
    await say(RESIDENT, "厨房里有很浓的燃气味，怎么办" if zh else "There is a strong smell of gas in my kitchen")
    await sandbox.send_location(RESIDENT, 31.230416, 121.473701)
    await log.act(RESIDENT, "shares a location pin")
    await say(RESIDENT, "3号楼2单元501" if zh else "Building 3, Unit 2, Flat 501")
    for prefix in ("i:f:where:home", "i:f:strength:strong", "i:f:valve:closed", "i:f:unwell:no"):
        await tap(sandbox, log, RESIDENT, prefix)
    for prefix in ("i:f:vulnerable:elderly", "i:f:since:now"):
        await tap(sandbox, log, RESIDENT, prefix)
    await sandbox.send_contact(RESIDENT, "+8613812345678", first_name="Zhang")
    await log.act(RESIDENT, "shares a phone number")
    await say(RESIDENT, "门禁密码 1234" if zh else "Door code 1234")
    await tap(sandbox, log, RESIDENT, "i:f:photos:-")  # no confirm: the crew had the card since the pin
    # both crew members on duty tap Accept at the same moment: the first one wins
    await asyncio.gather(
        sandbox.wait_for(LEAD, _has("t:acc:"), timeout_s=10), sandbox.wait_for(MEMBER, _has("t:acc:"), timeout_s=10)
    )
    presses = [(user, _newest(sandbox, user, "t:acc:")) for user in (LEAD, MEMBER)]
    await asyncio.gather(*(sandbox.press_button(user, mid, data=data) for user, (mid, data, _) in presses))
    await log.act(LEAD, "and Crew A member both tap Accept")
    await tap(sandbox, log, LEAD, "t:enr:")
    await tap(sandbox, log, LEAD, "t:site:")
    await tap(sandbox, log, LEAD, "t:res:")
    await tap(sandbox, log, LEAD, "t:cause:")
    await say(RESIDENT, "/status")


def quiet_demo_logs() -> None:
    for name in ("", "telegram"):  # the transcript is the output: only warnings besides it
        logging.getLogger(name).setLevel(logging.WARNING)


def add_staff(sandbox: Sandbox, language_code: str) -> None:
    """The crews and the desk of the demo, in the Telegram sandbox."""
    for user_id, name in ((LEAD, "Wang Qiang"), (MEMBER, "Li Ming"), (OTHER_CREW, "Zhao Lei"), (DISPATCHER, "Desk")):
        sandbox.create_user(user_id, first_name=name, language_code=language_code)


async def run_demo(lang: str = "zh") -> int:
    quiet_demo_logs()
    language_code = "zh-hans" if lang == "zh" else "en"
    async with Sandbox(DEMO_TOKEN) as sandbox:
        sandbox.create_user(RESIDENT, first_name="Zhang Wei", language_code=language_code)
        add_staff(sandbox, language_code)
        names = {
            RESIDENT: "Resident",
            LEAD: "Crew A lead",
            MEMBER: "Crew A member",
            OTHER_CREW: "Crew B (off duty)",
        }
        log = Transcript(sandbox, names)
        with tempfile.TemporaryDirectory(prefix="hotline-demo-") as tmp:
            settings = sandbox_settings(sandbox, Path(tmp) / "demo.sqlite3", lang=lang)
            async with running_bot(settings) as runtime:
                log.out(f"Gas Hotline Bot demo — sandbox at {sandbox.url}, language {lang}")
                await play(sandbox, lang, log)
                row = await runtime.db.fetchone("SELECT id, severity, status, cause FROM tickets ORDER BY id DESC")
                events = await runtime.db.fetchall("SELECT kind FROM ticket_events ORDER BY id")
        log.out("")
        if row is None:
            log.out("demo failed: no ticket was committed")
            return 1
        trail: list[str] = []
        for (kind,) in events:
            if trail and trail[-1].startswith(kind) and kind == "updated":
                count = int(trail[-1].partition("×")[2] or 1) + 1
                trail[-1] = f"updated×{count}"
            else:
                trail.append(str(kind))
        log.out(f"Ticket #{row[0]}: {row[1]}, {row[2]} ({row[3]}); audit trail: {' → '.join(trail)}")
        return 0 if row[2] == "resolved" else 1
