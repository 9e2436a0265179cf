"""Safety questions: free text that reports no danger is matched against the knowledge base.

A confident match is answered at once; likely matches are offered as buttons (``q:a:<entry>``); every
answer carries "this helped" (``q:ok``) and "this did not answer me" (``q:no:<entry>``; ``q:ask`` when no
entry was shown), which turns the resident's question into a
``question`` ticket on the dispatchers' desk, so every question gets an answer. The last question
typed is kept in the ``conversations`` table (flow ``qa``) so the button knows what was asked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.context import Ctx
from bot.dispatch import followup
from bot.dispatch import offer as dispatch
from bot.intake import conversation as intake
from bot.intake.menu import fold, menu_keyboard
from bot.questions import knowledge
from bot.questions.entries import ID_MAX
from bot.routes import Codec, Router
from common.events import Button
from storage.conversations import Conversation, ConversationsRepo
from storage.tickets import TicketsRepo

logger = logging.getLogger(__name__)

FLOW = "qa"
MAX_QUESTION = 1000
POPULAR = ("smell_gas", "close_valve", "co_symptoms", "hose_check", "book_inspection")
QaAction = Literal["a", "no", "ask", "ok"]  # show the entry, it did not answer me (entry / none), it helped


@dataclass(frozen=True)
class QaPress:
    """A press on a safety-question button (version 1, ``q:<action>[:<entry>]``); the entry is a knowledge
    base id, looked up when pressed (an entry since removed gets the stale-button answer)."""

    action: QaAction
    entry: str = ""

    def __post_init__(self) -> None:
        if (self.action in ("a", "no")) != bool(self.entry):
            raise ValueError(f"q:{self.action} does not take {self.entry!r}")


BUTTON = Codec("q:", QaPress, QaPress("no", "water_heater_bathroom"), text_max=ID_MAX)  # ids fit (ID_MAX)


async def _remember(ctx: Ctx, question: str) -> None:
    conv = Conversation(flow=FLOW, step="asked", data={"question": question}, started_at=ctx.now, updated_at=ctx.now)
    await ConversationsRepo(ctx.tx).put(ctx.ev.channel, ctx.ev.user, conv)


def _entry_button(ctx: Ctx, entry_id: str) -> Button:
    return Button(text=knowledge.entry(entry_id).question(ctx.lang), data=BUTTON.encode(QaPress("a", entry_id)))


async def menu(ctx: Ctx) -> None:
    """The menu's "safety questions": invite a question, offer the most asked ones."""
    known = {e.id for e in knowledge.entries()}
    popular = [p for p in POPULAR if p in known] or [e.id for e in knowledge.entries()[:5]]
    ctx.say("qa.prompt", buttons=[[_entry_button(ctx, p)] for p in popular])


async def on_free_text(ctx: Ctx, conv: Conversation | None) -> None:
    """Text outside a report that reports no danger: a rating comment, a question, or nothing we can read."""
    if conv is not None and conv.flow == followup.FLOW and await followup.on_comment(ctx, conv):
        return
    text = ctx.ev.text.strip()
    if not fold(text):  # empty, only emoji or punctuation
        ctx.say("qa.empty", keyboard=menu_keyboard(ctx.lang))
        return
    question = text[:MAX_QUESTION]
    await _remember(ctx, question)
    matches = knowledge.search(question, ctx.lang)
    verdict = knowledge.confidence(matches)
    if verdict is knowledge.Confidence.CONFIDENT:
        show(ctx, matches[0].id)
        return
    ask_person = [Button(text=ctx.t("qa.ask_person_button"), data=BUTTON.encode(QaPress("ask")))]
    if verdict is knowledge.Confidence.SUGGEST:
        ctx.say("qa.suggest", buttons=[*([_entry_button(ctx, m.id)] for m in matches), ask_person])
        return
    ctx.say("qa.no_match", buttons=[ask_person], keyboard=menu_keyboard(ctx.lang))


def show(ctx: Ctx, entry_id: str) -> None:
    entry = knowledge.entry(entry_id)
    buttons = [
        [Button(text=ctx.t("qa.helped_button"), data=BUTTON.encode(QaPress("ok")))],
        [Button(text=ctx.t("qa.not_answered_button"), data=BUTTON.encode(QaPress("no", entry_id)))],
        *([_entry_button(ctx, rel)] for rel in entry.related[:3]),
    ]
    ctx.say_text(entry.answer(ctx.lang, **ctx.settings.utility.facts(ctx.lang.value)), buttons=buttons)


async def ask_desk(ctx: Ctx, entry_id: str | None) -> None:
    """Turn the resident's last question into a question ticket for the dispatchers."""
    conv = await ConversationsRepo(ctx.tx).get(ctx.ev.channel, ctx.ev.user)
    question = conv.data.get("question") if conv is not None and conv.flow == FLOW else None
    if not question:
        # no typed question to pass on (they chose from the list): ask for it in words
        await intake.start(ctx, "question")
        return
    answers = {"details": question, "phone_optional": None}
    if entry_id:
        answers["offered"] = entry_id
    ticket_id = await intake.submit(ctx, {"category": "question", "answers": answers, "receipt": "qa.ticket_opened"})
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    if ticket is not None:  # how to answer: through the relay, so the answer reaches the resident here
        await dispatch.tell_desk(ctx, ticket, "qa.desk_question", card=False, question=question)
    logger.info("question passed to the desk as ticket %s", ticket_id)


async def on_button(ctx: Ctx, press: QaPress) -> None:
    known = press.entry in {e.id for e in knowledge.entries()}
    if press.action == "ok":
        ctx.say("qa.glad", keyboard=menu_keyboard(ctx.lang))
    elif press.action == "ask":
        await ask_desk(ctx, None)
    elif known and press.action == "a":
        show(ctx, press.entry)
    elif known:
        await ask_desk(ctx, press.entry)
    else:
        await stale(ctx)


async def stale(ctx: Ctx) -> None:
    ctx.say("start.stale_button", keyboard=menu_keyboard(ctx.lang))


ROUTES = Router("questions")
ROUTES.menu("questions", menu)
ROUTES.button(BUTTON, on_button, unreadable=stale)
