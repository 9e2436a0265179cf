"""A patient scripted resident: files one leak report through the sandbox, whatever happens to the bot.

It looks at what the bot asked last (the newest message with report buttons, a location/contact
keyboard or a known question) and answers it; when nothing new comes within ``step_timeout_s`` (the bot
was killed, the update was lost, a reply was dropped by a fault) it answers again. It stops when it sees
its receipt, "ticket #N". Every loop is bounded by ``max_actions`` and ``deadline``.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field

from bot.cli.demo import RESIDENT, tap
from bot.i18n import t
from bot.intake.forms import FIELDS, Ask
from sandbox import Sandbox
from sandbox.botworld import ChatMessage
from sandbox.errors import SandboxError

# the receipt ("Ticket #N: a crew is being sent now", sent when the location commits the ticket; or
# "Report received: ticket #N" after a confirm; "Ticket #N: a crew is already on its way" when it joins an
# incident nearby), whatever the severity; other messages also name "#N"
RECEIPT = re.compile(
    "|".join(
        re.escape(t("en", key, ticket=0, hotline="0").split("#0")[0]) + r"#(\d+)"
        for key in ("intake.dispatched_now", "intake.received_p1", "intake.received_p2", "incidents.joined")
    )
)
# the end of an emergency's form ("Thank you. Everything you told us is on ticket #N ...")
THANKS = re.compile(re.escape(t("en", "intake.thanks_ticket", ticket=0, hotline="0").split("#0")[0]) + r"#(\d+)")
OPENING = "I smell gas, it's strong in the kitchen"
TEXT_PROMPTS = tuple(t("en", f"form.{name}.ask") for name, spec in FIELDS.items() if spec.ask is Ask.TEXT)
# what the bot says when an answer is of the wrong kind (e.g. a pin while it waits for the flat number,
# after the question itself was lost in a crash): answer in the kind it asks for
REFUSALS = {
    t("en", "intake.need_text"): "text",
    t("en", "intake.need_location"): "location",
    t("en", "intake.need_phone"): "contact",
    # "tap one of the buttons below" when the buttons were lost: options can be typed by number
    t("en", "intake.need_choice"): "1",
    t("en", "intake.need_photo"): "no photo",
}
AVOID = ("i:s:cancel", "i:s:edit", "i:e:")
# a strong smell with the valve open: a P1, which starts the escalation chain
PREFERRED = ("i:s:ok", "i:c:leak", "i:f:strength:strong", "i:f:valve:open")


@dataclass
class Outcome:
    user: int
    receipts: list[int] = field(default_factory=list)  # ticket numbers in receipts, one per receipt message
    actions: int = 0
    retries: int = 0


def receipts(sb: Sandbox, user: int) -> list[int]:
    found = [RECEIPT.search(msg.text or "") for msg in sb.messages(user)]
    return [int(next(g for g in m.groups() if g)) for m in found if m]


def _keyboard(message: ChatMessage) -> list[dict[str, object]]:
    markup = message.sent_markup or message.reply_markup or {}
    return [key for row in markup.get("keyboard", []) for key in row if isinstance(key, dict)]


def _report_buttons(message: ChatMessage) -> list[str]:
    data = [str(b.get("callback_data", "")) for b in message.buttons()]
    return [d for d in data if d.startswith("i:") and not d.startswith(AVOID)]


def _is_prompt(message: ChatMessage) -> bool:
    if _report_buttons(message) or (message.text or "").startswith(TEXT_PROMPTS) or message.text in REFUSALS:
        return True
    return any(k.get("request_location") or k.get("request_contact") for k in _keyboard(message))


def _prompt(sb: Sandbox, user: int) -> ChatMessage | None:
    return next((m for m in reversed(sb.messages(user)) if _is_prompt(m)), None)


async def _answer(sb: Sandbox, user: int, prompt: ChatMessage | None, n: int) -> None:
    if prompt is None:
        await sb.send_text(user, OPENING)
        return
    buttons = _report_buttons(prompt)
    if buttons:
        chosen = next((d for d in PREFERRED if d in buttons), buttons[0])
        await sb.press_button(user, prompt.message_id, data=chosen)
        return
    keys = _keyboard(prompt)
    wanted = REFUSALS.get(prompt.text or "")
    if wanted == "location" or (wanted is None and any(k.get("request_location") for k in keys)):
        # each resident about 220 m from the next, beyond [intake] duplicate_radius_m: every report its own
        # card, which these drivers follow (reports of one leak joining an incident: tests/bot/dispatch)
        await sb.send_location(user, 31.2304 + user % 100 / 500, 121.4737)
    elif wanted == "contact" or (wanted is None and any(k.get("request_contact") for k in keys)):
        await sb.send_contact(user, f"+86138{user % 100000000:08d}", first_name="R")
    elif wanted not in (None, "text"):
        await sb.send_text(user, wanted)
    else:
        await sb.send_text(user, f"Building {n % 9 + 1}, Flat {user % 1000}")


def finished(sb: Sandbox, user: int) -> bool:
    return any(THANKS.search(msg.text or "") for msg in sb.messages(user))


async def file_report(
    sb: Sandbox,
    user: int,
    *,
    deadline: float,
    step_timeout_s: float = 3.0,
    max_actions: int = 200,
    to_the_end: bool = False,
) -> Outcome:
    """Drive ``user``'s report until its receipt arrives (or the deadline / action budget runs out).

    With ``to_the_end`` the resident goes on answering after the receipt (each answer updates the
    dispatched ticket and edits the crew's cards) until the form's thank-you."""
    loop = asyncio.get_running_loop()
    out = Outcome(user)
    last: tuple[int, int] | None = None
    while out.actions < max_actions and loop.time() < deadline:
        out.receipts = receipts(sb, user)
        if out.receipts and (not to_the_end or finished(sb, user)):
            return out
        prompt = _prompt(sb, user)
        key = (prompt.message_id, len(prompt.edits)) if prompt else (0, 0)
        if key == last:
            out.retries += 1
        last = key
        since = sb.message_count(user)
        with contextlib.suppress(SandboxError):  # the message is gone (e.g. edited without the button)
            await _answer(sb, user, prompt, out.actions)
        out.actions += 1
        # after the receipt the crew is on its way and the resident is in no hurry: a slow answer under
        # load is waited for longer before it is given again (each repeat costs the bot two messages)
        patience = step_timeout_s * (3 if out.receipts else 1)
        remaining = max(0.05, min(patience, deadline - loop.time()))
        # the next question (or the receipt) is what the bot says after an accepted answer
        with contextlib.suppress(TimeoutError):
            # the receipt ends the wait only when it ends the report (it comes with the pin, before the
            # next question: answering the pin's question again on seeing it would be a repeat)
            await sb.wait_for(
                user,
                lambda m: _is_prompt(m) or bool((RECEIPT if not to_the_end else THANKS).search(m.text or "")),
                since=since,
                timeout_s=remaining,
            )
    out.receipts = receipts(sb, user)
    return out


def transcript(sb: Sandbox, user: int) -> str:
    lines = [f"chat {user}:"]
    for m in sb.history(user):
        data = [b.get("callback_data") for b in m.buttons()]
        lines.append(f"  {'bot' if m.from_bot else 'usr'} {(m.text or m.kind)[:70]!r} {data or ''}")
    return "\n".join(lines)


def has_button(message: ChatMessage, prefix: str) -> bool:
    return any(str(b.get("callback_data", "")).startswith(prefix) for b in message.buttons())


async def fill_report(sb: Sandbox) -> None:
    await sb.send_text(RESIDENT, "I smell gas, it's strong in the kitchen")
    await sb.wait_for(RESIDENT, lambda m: "96777" in (m.text or ""), timeout_s=5)
    await sb.send_location(RESIDENT, 31.2304, 121.4737)
    await sb.wait_for_text(RESIDENT, "Location received", timeout_s=5)
    await sb.send_text(RESIDENT, "Building 3, Flat 501")
    await sb.wait_idle(quiet_s=0.1, timeout_s=10)
    for prefix in ("i:f:where:home", "i:f:strength:strong", "i:f:valve:closed", "i:f:unwell:no"):
        await tap(sb, None, RESIDENT, prefix)
    for prefix in ("i:f:vulnerable:none", "i:f:since:now"):
        await tap(sb, None, RESIDENT, prefix)
    await sb.send_contact(RESIDENT, "+8613812345678", first_name="Zhang")
    await sb.wait_idle(quiet_s=0.1, timeout_s=10)
    await tap(sb, None, RESIDENT, "i:f:access:-")
    await tap(sb, None, RESIDENT, "i:f:photos:-")


async def press(sb: Sandbox, user: int, data: str) -> None:
    """Press the newest button with exactly this callback data (waiting for it)."""

    def has(message: ChatMessage) -> bool:
        return any(b.get("callback_data") == data for b in message.buttons())

    await sb.wait_for(user, has, timeout_s=10)
    message = next(m for m in reversed(sb.messages(user)) if has(m))
    await sb.press_button(user, message.message_id, data=data)
