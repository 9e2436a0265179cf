"""What follows the first card: the short card's two buttons, and the medical path's one question.

- A *maybe* (danger words asked as a question, in the past, hypothetical, unclear) is answered as a
  question *and* gets the short card (``maybe_card``) with "It is happening now" (``d:now:<situation>``,
  one tap to the full card and the report) and "Just asking" (``d:ask``).
- A *medical* message (someone collapsed, unresponsive, not breathing, convulsing, several people ill,
  with no gas word) gets the 120 card first, then one question (flow ``medical``): is a gas appliance,
  a heater, charcoal, a car engine or a closed room nearby? Yes or not sure -> the CO card and a P1 CO
  report; no -> the dispatchers are told at once (a ticket they answer through the relay) and the
  resident is told we are still here (``d:m:yes|no|unsure``).

The buttons' payload is ``DangerPress`` through a typed codec (version 1: the format sent so far).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.context import Ctx
from bot.danger.cards import Situation, compose, maybe_text
from bot.danger.detect import Danger
from bot.dispatch import offer as dispatch
from bot.i18n import Lang
from bot.i18n import t as translate
from bot.intake import conversation as intake
from bot.intake.menu import fold, menu_keyboard
from bot.intake.triage import danger_category
from bot.routes import Codec, Router
from common.events import Button, EventKind, Outbound, Priority, Text
from storage.conversations import Conversation, ConversationsRepo
from storage.tickets import TicketsRepo

logger = logging.getLogger(__name__)

DangerAction = Literal["now", "ask", "m"]  # it is happening now (the situation's code), just asking, medical answer
SOURCE_ANSWERS = ("yes", "no", "unsure")


@dataclass(frozen=True)
class DangerPress:
    action: DangerAction
    arg: str = ""

    def __post_init__(self) -> None:
        takes = {"now": self.arg != "", "ask": self.arg == "", "m": self.arg in SOURCE_ANSWERS}
        if not takes[self.action]:
            raise ValueError(f"d:{self.action} does not take {self.arg!r}")


BUTTON = Codec("d:", DangerPress, DangerPress("m", "unsure"))

FLOW = "medical"
MAX_TEXT = 500
_YES = frozenset(fold(w) for w in ("有", "是", "是的", "对", "有的", "yes", "y", "yeah", "yep", "1"))
_NO = frozenset(fold(w) for w in ("没有", "没", "无", "不是", "no", "n", "nope", "none", "2"))
_UNSURE = frozenset(fold(w) for w in ("不确定", "不知道", "不清楚", "说不好", "not sure", "unsure", "dont know", "3"))


def card(danger: Danger, lang: Lang, chat: str, hotline: str) -> Outbound:
    """The full (or medical) card for what was recognised."""
    text = compose(Situation.of(danger), lang, hotline)
    return Text(chat=chat, text=text, priority=Priority.EMERGENCY, safety=True)  # may be paid for: bot.outbound.lane


def maybe_card(danger: Danger, lang: Lang, chat: str, hotline: str) -> Outbound:
    """The short card: the hotline, one line on what "now" means, and the two buttons."""
    now = BUTTON.encode(DangerPress("now", Situation.of(danger).code() or "g"))
    buttons = [
        [Button(text=translate(lang, "danger.happening_now_button"), data=now)],
        [Button(text=translate(lang, "danger.just_asking_button"), data=BUTTON.encode(DangerPress("ask")))],
    ]
    return Text(chat=chat, text=maybe_text(lang, hotline), buttons=buttons, priority=Priority.EMERGENCY)


async def start_report(ctx: Ctx, danger: Danger) -> None:
    """The report after the full card: the category follows what was recognised."""
    category = danger_category(danger, ctx.ev.text or "")
    answers = {"symptoms": "severe"} if category == "co" and danger.medical else None
    said = (ctx.ev.text or "")[:MAX_TEXT]  # for the duty dispatcher, should no location follow
    await intake.start(ctx, category, answers=answers, card_shown=True, fire=danger.fire, said=said)


async def start_medical(ctx: Ctx) -> None:
    """After the medical card: the one question about a possible CO source."""
    data = {"text": ctx.ev.text[:MAX_TEXT]}
    conv = Conversation(flow=FLOW, step="source", data=data, started_at=ctx.now, updated_at=ctx.now)
    await ConversationsRepo(ctx.tx).put(ctx.ev.channel, ctx.ev.user, conv)
    _ask(ctx)


def _ask(ctx: Ctx) -> None:
    buttons = [
        [Button(text=ctx.t("danger.source_yes"), data=BUTTON.encode(DangerPress("m", "yes")))],
        [Button(text=ctx.t("danger.source_no"), data=BUTTON.encode(DangerPress("m", "no")))],
        [Button(text=ctx.t("danger.source_unsure"), data=BUTTON.encode(DangerPress("m", "unsure")))],
    ]
    ctx.say("danger.source_ask", buttons=buttons, priority=Priority.EMERGENCY)


async def _answer(ctx: Ctx, answer: str, conv: Conversation | None) -> None:
    text = str(conv.data.get("text", "")) if conv is not None and conv.flow == FLOW else ""
    await ConversationsRepo(ctx.tx).clear(ctx.ev.channel, ctx.ev.user)
    if answer in ("yes", "unsure"):
        situation = Situation(co=True, ill=True, medical=True)
        ctx.say_text(compose(situation, ctx.lang, ctx.settings.utility.hotline), priority=Priority.EMERGENCY)
        await intake.start(ctx, "co", answers={"symptoms": "severe"}, card_shown=True, said=text)
        return
    answers = {"details": text or ctx.t("danger.no_text"), "phone_optional": None, "medical": True}
    ticket_id = await intake.submit(ctx, {"category": "question", "answers": answers, "receipt": "danger.desk_told"})
    ticket = await TicketsRepo(ctx.tx).get(ticket_id)
    if ticket is not None:
        await dispatch.tell_desk(ctx, ticket, "danger.desk_medical", card=False, question=text)
    logger.info("medical emergency without a gas source passed to the desk as ticket %s", ticket_id)


async def on_text(ctx: Ctx) -> None:
    """A typed answer to the medical question (yes / no / not sure, in words or by number)."""
    folded = fold(ctx.ev.text) if ctx.ev.kind is EventKind.TEXT else ""
    answer = "yes" if folded in _YES else "no" if folded in _NO else "unsure" if folded in _UNSURE else None
    if answer is None:
        _ask(ctx)
        return
    await _answer(ctx, answer, ctx.conv)


async def on_button(ctx: Ctx, press: DangerPress) -> None:
    if press.action == "now":  # a code no version wrote still gets a card: the gas one
        situation = Situation.decode(press.arg) if set(press.arg) <= set("fgcim") else Situation(gas=True)
        ctx.say_text(compose(situation, ctx.lang, ctx.settings.utility.hotline), priority=Priority.EMERGENCY)
        danger = Danger(gas=situation.gas or not (situation.co or situation.ill or situation.fire), co=situation.co,
                        co_symptoms=situation.ill, fire=situation.fire, medical=situation.medical)  # fmt: skip
        await start_report(ctx, danger)
        return
    if press.action == "ask":
        ctx.say("danger.just_asking", keyboard=menu_keyboard(ctx.lang))
        return
    conv = ctx.conv if ctx.conv_read else await ConversationsRepo(ctx.tx).get(ctx.ev.channel, ctx.ev.user)
    if conv is None or conv.flow != FLOW:
        ctx.say("danger.question_over", keyboard=menu_keyboard(ctx.lang))
        return
    await _answer(ctx, press.arg, conv)


async def _stale(ctx: Ctx) -> None:
    ctx.say("start.stale_button", keyboard=menu_keyboard(ctx.lang))


ROUTES = Router("first_answer")
ROUTES.button(BUTTON, on_button, unreadable=_stale)
ROUTES.flow(FLOW, on_text)
