"""Sending to a resident on WeChat after the passive reply: customer-service messages within the window,
a template message for a ticket's status outside it, else the desk phones them.

Each send takes one place in the resident's window (``channels.wechat.window``) in the database *before* the
call, so no two processes and no retry can go past WeChat's count (a send that then fails has used its place:
WeChat may have counted it too). Outside the window a message about a ticket (``Priority.DISPATCH``: accepted,
on the way, on site, resolved) goes as a template message with the ticket's status when ``status_template_id``
is set (``client_msg_id`` makes a retry harmless); otherwise ``WindowClosed`` says the resident cannot be reached
by chat, and the outbox tells the desk to phone them (``bot.outbound.resident_unreachable``).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime

from bot.clock import Clock
from bot.config.settings import Settings
from bot.i18n import Lang, t
from bot.outbound.delivery import Transient
from channels.wechat import window
from channels.wechat.api import NOT_SENT, WechatApi, WindowClosed
from channels.wechat.convert import WECHAT
from channels.wechat.render import Rendered, fit, parts, render
from common.events import Outbound, Priority, Text
from storage.db import Conn, Database
from storage.people import PeopleRepo
from storage.tickets import Ticket, TicketsRepo
from storage.wechat import WechatChoicesRepo, WechatTemplatesRepo, WechatWindowsRepo

logger = logging.getLogger(__name__)


class WechatSender:
    def __init__(self, api: WechatApi, db: Database, clock: Clock, settings: Settings) -> None:
        self.api = api
        self._db = db
        self._clock = clock
        self._settings = settings

    async def send(self, message: Outbound) -> str | None:
        openid = message.chat
        lang, ticket = await self._db.read(lambda conn: _about(conn, openid))
        sent: str | None = None
        for piece in parts(message, lang):  # a long text in several messages, each within WeChat's limit
            sent = await self._send_one(piece, openid, lang, ticket)
        return sent

    async def _send_one(self, message: Outbound, openid: str, lang: Lang, ticket: Ticket | None) -> str | None:
        rendered = render(message, lang)
        if rendered is None:
            return None
        now = self._clock.now()
        use = await self._db.run(lambda tx: _reserve(tx, openid, now))
        if use is None:
            template = self._settings.wechat.status_template_id
            if template and ticket is not None and isinstance(message, Text) and message.priority <= Priority.DISPATCH:
                return await self._template(template, openid, ticket, lang, message.text)
            raise WindowClosed("no customer-service message is allowed now", method="custom/send", code="45015")
        body = {"touser": openid, "msgtype": "text", "text": {"content": fit(rendered.text)}}
        try:
            await self.api.call("/cgi-bin/message/custom/send", body)
        except Transient as exc:
            if exc.code == NOT_SENT:  # WeChat never saw it: its place in the window is given back
                await self._db.run(lambda tx: _refund(tx, openid, use))
            raise
        message_id = f"c{uuid.uuid4().hex[:16]}"
        await self.remember(openid, message_id, rendered)
        return message_id

    async def remember(self, openid: str, message_id: str, rendered: Rendered) -> None:
        """What "1", "2", ... mean from now on for this resident (nothing, for a message without choices)."""
        now = self._clock.now()
        await self._db.run(lambda tx: WechatChoicesRepo(tx).put(openid, message_id, rendered.choices, now=now))

    async def _template(self, template: str, openid: str, ticket: Ticket, lang: Lang, text: str) -> str:
        hotline = self._settings.utility.hotline
        status = t(lang, f"status.{ticket.status}")
        client_msg_id = "h" + hashlib.sha256(f"{openid}|{ticket.id}|{text}".encode()).hexdigest()[:30]
        local = self._clock.now().astimezone(self._settings.utility.tz)
        body = {
            "touser": openid,
            "template_id": template,
            "client_msg_id": client_msg_id,
            "data": {
                "first": {"value": t(lang, "wechat.status_title", ticket=ticket.id)},
                "keyword1": {"value": f"#{ticket.id}"},
                "keyword2": {"value": status},
                "keyword3": {"value": local.strftime("%Y-%m-%d %H:%M")},
                "remark": {"value": t(lang, "wechat.status_remark", hotline=hotline)},
            },
        }
        answer = await self.api.call("/cgi-bin/message/template/send", body)
        msg_id = str(answer.get("msgid", ""))
        now = self._clock.now()
        await self._db.run(lambda tx: WechatTemplatesRepo(tx).sent(client_msg_id, openid, msg_id, now=now))
        logger.info("wechat: ticket %s status sent as a template message (window closed)", ticket.id)
        return f"t{msg_id}"


async def _about(conn: Conn, openid: str) -> tuple[Lang, Ticket | None]:
    person = await PeopleRepo(conn).find(WECHAT, openid)
    if person is None:
        return Lang.ZH, None
    tickets = await TicketsRepo(conn).of_resident(person.id, limit=1)
    return Lang(person.lang), (tickets[0] if tickets else None)


async def _reserve(tx: Conn, openid: str, now: datetime) -> window.Use | None:
    repo = WechatWindowsRepo(tx)
    current = await repo.get(openid)
    use = window.allowed(current, now)
    if use is not None:
        await repo.put(window.spend(current, use))
    return use


async def _refund(tx: Conn, openid: str, use: window.Use) -> None:
    repo = WechatWindowsRepo(tx)
    await repo.put(window.refund(await repo.get(openid), use))
