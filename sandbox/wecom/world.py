"""The fake WeCom's state: members, what each received (texts and template cards with their updates), the
response codes (single use, 72 h), the robots' pushes, and what the limits dropped or refused.

Rates are counted on the event loop's clock (a virtual-time loop in tests); the 72 h of a response code on
``now()``, which ``advance`` moves forward."""

from __future__ import annotations

import secrets
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

MEMBER_PER_MIN = 30  # WeCom drops the excess silently
ROBOT_PER_MIN = 20  # a robot answers 45009 beyond it
CODE_VALID = timedelta(hours=72)


@dataclass
class Received:
    """One message in a member's chat with the app."""

    msgid: str
    msgtype: str
    body: dict[str, Any]
    task_id: str = ""
    updates: list[dict[str, Any]] = field(default_factory=list)  # the template cards it was updated to

    @property
    def card(self) -> dict[str, Any]:
        """The card as the member sees it now."""
        return self.updates[-1] if self.updates else dict(self.body.get("template_card") or {})

    @property
    def text(self) -> str:
        if self.msgtype == "text":
            return str(self.body["text"]["content"])
        card = self.card
        parts = (card.get("main_title", {}).get("title", ""), card.get("sub_title_text", ""), card.get("replace_name"))
        return "\n".join(str(part) for part in parts if part)

    def payloads(self) -> list[str]:
        """The payloads the member can press now (buttons, or the dropdown's options)."""
        card = self.card
        options = card.get("button_selection", {}).get("option_list", [])
        if options:
            return [str(option["id"]) for option in options]
        return [str(button["key"]) for button in card.get("button_list", [])]


@dataclass
class Code:
    task_id: str
    userids: tuple[str, ...]
    issued: datetime
    used: bool = False


class WeComWorld:
    def __init__(self) -> None:
        self.members: dict[str, str] = {}  # userid -> name
        self.chats: dict[str, list[Received]] = {}
        self.robots: dict[str, list[str]] = {}  # key -> pushes
        self.codes: dict[str, Code] = {}
        self.sent_at: dict[str, deque[float]] = {}
        self.robot_at: dict[str, deque[float]] = {}
        self.dropped: dict[str, int] = {}  # userid -> messages over 30/min, dropped silently
        self.robot_refused = 0
        self.update_refused = 0
        self.offset = timedelta()
        self._ids = 0

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta

    def member(self, userid: str, name: str = "") -> None:
        self.members[userid] = name or userid
        self.chats.setdefault(userid, [])

    def issue_code(self, task_id: str, userids: tuple[str, ...]) -> str:
        code = "rc-" + secrets.token_hex(10)
        self.codes[code] = Code(task_id, userids, self.now())
        return code

    def _within(self, stamps: deque[float], now: float, limit: int) -> bool:
        while stamps and stamps[0] <= now - 60.0:
            stamps.popleft()
        if len(stamps) >= limit:
            return False
        stamps.append(now)
        return True

    def deliver(self, userid: str, msgtype: str, body: dict[str, Any], loop_now: float) -> Received | None:
        """A message to a member, or None when it is over the member's 30 a minute (dropped silently)."""
        if not self._within(self.sent_at.setdefault(userid, deque()), loop_now, MEMBER_PER_MIN):
            self.dropped[userid] = self.dropped.get(userid, 0) + 1
            return None
        self._ids += 1
        task_id = str((body.get("template_card") or {}).get("task_id", ""))
        received = Received(f"msg{self._ids}", msgtype, body, task_id)
        self.chats.setdefault(userid, []).append(received)
        return received

    def push(self, key: str, content: str, loop_now: float) -> bool:
        if not self._within(self.robot_at.setdefault(key, deque()), loop_now, ROBOT_PER_MIN):
            self.robot_refused += 1
            return False
        self.robots.setdefault(key, []).append(content)
        return True

    def card_copy(self, userid: str, task_id: str) -> Received | None:
        return next((r for r in self.chats.get(userid, []) if r.task_id == task_id), None)

    def spend(self, code: str) -> Code | None:
        """A code for one update: None if unknown, used or older than 72 h."""
        found = self.codes.get(code)
        if found is None or found.used or found.issued + CODE_VALID <= self.now():
            self.update_refused += 1
            return None
        found.used = True
        return found
