"""WeCom as a channel of the hotline: the core's messages out to members (app messages, template cards and
their updates) and to crew groups (robots), paced within WeCom's limits.

A card copy's message id is its ``task_id``; its response_code (from message/send, then from each click's
callback) is kept in the database (``storage.wecom``) and spent by one ``update_template_card`` within 72 h.
As a code updates a card once, an edit that keeps the card's buttons (a report's details filled in) arrives as
a text note and the code waits for the edit that changes them (accepted: "已由 〈接单人〉 接单", a status). An
edit whose copy has no usable code (spent, expired, or refused by WeCom) leaves the card as it is and sends its
new state as a note: a new card when it has buttons (later edits go to that one), else a text.

WeCom drops silently what exceeds 30 messages a minute to one member, and a robot takes 20 a minute: the
pacing keeps every member at most 3 + 25 and every robot at most 1 + 18 in any minute (a margin for latency).
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from bot.clock import Clock
from bot.config.wecom import WeComConfig
from bot.i18n import t
from bot.outbound.channels import Channel
from bot.outbound.delivery import NotStarted, Pace, Rejected
from channels.wecom import cards
from channels.wecom.client import CHANNEL, QyApi
from common.events import Answer, Edit, Location, Outbound, Photo, Text
from storage.db import Database
from storage.people import PeopleRepo
from storage.wecom import CardCopy, WeComCardsRepo

logger = logging.getLogger(__name__)

CODE_VALID = timedelta(hours=72)
# WeCom counts on its clock when a message arrives; ours starts it a little earlier or later (latency varies),
# so the pace keeps a margin below each limit
MEMBER_PACE = Pace(3.0, 25 / 60)  # ≤ 28 started in any minute: WeCom silently drops a member's 31st
ROBOT_PACE = Pace(1.0, 18 / 60)  # ≤ 19 in any minute: a robot refuses its 21st


class WeComPacing:
    def __init__(self, robots: set[str]) -> None:
        self.robots = robots

    def pace(self, chat: str) -> Pace:
        return ROBOT_PACE if chat in self.robots else MEMBER_PACE


def as_text(message: Location | Photo, lang: str) -> str:
    """A map pin or a photo as WeCom shows it here: words (a Telegram file id means nothing to WeCom)."""
    if isinstance(message, Location):
        where = t(lang, "wecom.location", latitude=message.latitude, longitude=message.longitude)
        return "\n".join(part for part in (where, message.title, message.address) if part)
    return "\n".join(part for part in (message.caption, t(lang, "wecom.photo")) if part)


def new_task_id() -> str:
    return "h" + secrets.token_hex(12)


class WeComSender:
    def __init__(self, api: QyApi, config: WeComConfig, db: Database, clock: Clock) -> None:
        self.api, self.config, self.db, self.clock = api, config, db, clock
        self.robots = {name: key.get_secret_value() for name, key in config.robots.items()}

    async def send(self, message: Outbound) -> str | None:
        if message.chat in self.robots:
            return await self._robot(message)
        if isinstance(message, Answer):
            if message.text:  # no toasts on WeCom: what a toast says arrives as a short text
                await self._app(message.chat, cards.text_message(message.text))
            return None
        if isinstance(message, Edit):
            return await self._edit(message)
        if isinstance(message, Text):
            return await self._text(message.chat, message.text, message)
        text = as_text(message, await self._lang(message.chat))
        return await self._app(message.chat, cards.text_message(text))

    async def _lang(self, userid: str) -> str:
        person = await self.db.read(lambda conn: PeopleRepo(conn).find(CHANNEL, userid))
        return person.lang if person is not None else "zh"

    async def _app(self, userid: str, body: dict[str, Any]) -> str:
        answer = await self.api.call("message/send", {"touser": userid, "agentid": self.config.agent_id, **body})
        invalid = str(answer.get("invaliduser") or "")
        if invalid:
            raise NotStarted("the userid is not a member of the app", method="message/send", code="invaliduser")
        return str(answer.get("msgid") or "")

    async def _text(self, userid: str, text: str, message: Text | Edit) -> str:
        if not message.buttons:
            return await self._app(userid, cards.text_message(text))
        if not cards.fits_card(text):
            await self._app(userid, cards.text_message(text))
        task_id = new_task_id()
        submit = t(await self._lang(userid), "wecom.submit")
        card = cards.template_card(text, message.buttons, task_id, submit_label=submit)
        answer = await self.api.call(
            "message/send",
            {"touser": userid, "agentid": self.config.agent_id, "msgtype": "template_card", "template_card": card},
        )
        code = str(answer.get("response_code") or "") or None
        now = self.clock.now()
        shown, told = cards.payloads(message.buttons), cards.digest(text)
        await self.db.run(lambda tx: WeComCardsRepo(tx).sent(task_id, userid, code, shown, told, now=now))
        return task_id

    async def _edit(self, message: Edit) -> str | None:
        task_id = message.message_id or ""
        copy = await self.db.read(lambda conn: WeComCardsRepo(conn).get(task_id))
        if copy is None:  # not a card of ours (a plain text was sent): its new state as a text
            return await self._text(message.chat, message.text, message) or task_id
        shown, told = cards.payloads(message.buttons), cards.digest(message.text)
        if shown == copy.payloads:  # the same buttons: the new text as a note, the code kept for a change
            if told != copy.told:  # (the same text again: nothing new to tell)
                await self._app(copy.userid, cards.text_message(message.text))
                await self.db.run(lambda tx: WeComCardsRepo(tx).updated(copy.task_id, shown, told))
            return task_id
        if await self._update(copy, message):
            await self.db.run(lambda tx: WeComCardsRepo(tx).updated(copy.task_id, shown, told))
            return task_id
        note = t(await self._lang(copy.userid), "wecom.card_note")
        newer = await self._text(copy.userid, f"{message.text}\n\n{note}", message)
        if message.buttons:
            await self.db.run(lambda tx: WeComCardsRepo(tx).replace(copy.task_id, newer))
        return task_id

    async def _update(self, copy: CardCopy, message: Edit) -> bool:
        """update_template_card with the copy's oldest valid code (the next one if WeCom refuses it); False
        when none is left."""
        change: dict[str, Any]
        if message.buttons:
            submit = t(await self._lang(copy.userid), "wecom.submit")
            change = {
                "template_card": cards.template_card(message.text, message.buttons, copy.task_id, submit_label=submit)
            }
        else:  # no buttons left: they become one that cannot be pressed, saying why ("已由 〈接单人〉 接单")
            change = {"button": {"replace_name": cards.replace_name(message.text)}}
        for _ in range(5):
            code = await self._spend(copy.task_id)
            if code is None:
                return False
            payload = {"userids": [copy.userid], "agentid": self.config.agent_id, "response_code": code}
            try:
                await self.api.call("message/update_template_card", {**payload, **change})
            except Rejected as exc:
                logger.info("card update refused (%s)", exc.kind)
                continue
            return True
        return False

    async def _spend(self, task_id: str) -> str | None:
        issued_after = self.clock.now() - CODE_VALID
        return await self.db.run(lambda tx: WeComCardsRepo(tx).spend(task_id, issued_after=issued_after))

    async def _robot(self, message: Outbound) -> str | None:
        if isinstance(message, Answer | Edit):
            return message.message_id if isinstance(message, Edit) else None  # push only: no edits
        text = message.text if isinstance(message, Text) else as_text(message, "zh")  # a group: the utility's language
        await self.api.robot(self.robots[message.chat], cards.markdown(text))
        return new_task_id()


def wecom_channel(sender: WeComSender) -> Channel:
    """WeCom for the runtime; a few sends at once (its API answers in tens of milliseconds)."""
    return Channel(CHANNEL, sender, WeComPacing(set(sender.robots)), concurrency=8)
