"""One callback, durably: taken into the inbox, handed to the core, its first reply kept as the passive reply.

The inbound is written (``wechat_inbox``, keyed by MsgId or by FromUserName + CreateTime for events) and the
resident's window opened in one transaction before anything else; then the core handles it; then the passive
reply is stored with the row marked handled. A WeChat retry of the same message (the first POST timed out on
WeChat's side) waits for the same work or gets the stored reply: never a second ticket. Rows taken but not
handled (the process was killed in between) are handled at the next start (``recover``), their replies sent as
customer-service messages.

The passive reply is the core's first message (the safety card when there is danger); everything after it
goes out through the WeChat lane (customer-service messages within the window). When the core takes longer
than ``reply_within_s``, the callback answers empty (WeChat shows nothing and does not retry) and the first
message goes through the lane as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from bot.i18n import Lang
from bot.outbound.delivery import DeliveryError
from bot.people.phone import normalise_phone
from bot.runtime import Runtime
from channels.wechat import window
from channels.wechat.convert import WECHAT, Received, received
from channels.wechat.protocol import Refused, parse, text_reply
from channels.wechat.render import BUTTON, Rendered, asks_contact, fit, parts, render, resolve
from channels.wechat.sender import WechatSender
from common.events import EventKind, Inbound, Outbound
from storage.db import Conn
from storage.people import PeopleRepo
from storage.wechat import WechatChoicesRepo, WechatInboxRepo, WechatTemplatesRepo, WechatWindowsRepo

logger = logging.getLogger(__name__)

Download = Callable[[str], None]
KEEP_HANDLED = timedelta(days=1)  # WeChat retries within seconds; a day of handled callbacks is plenty


class Inbox:
    def __init__(self, runtime: Runtime, sender: WechatSender, *, download: Download | None = None) -> None:
        self.runtime = runtime
        self.sender = sender
        self.download = download
        self.budget_s = runtime.settings.wechat.reply_within_s
        self._inflight: dict[str, asyncio.Task[str]] = {}
        self._late: set[str] = set()  # answered empty already: the first message goes through the lane
        self._passive: dict[str, Outbound] = {}  # the passive reply decided, until the POST answered with it
        self._chats: dict[str, tuple[asyncio.Lock, int]] = {}  # one resident's callbacks reach the core in order
        self._background: set[asyncio.Task[None]] = set()
        self.taken = 0
        self.repeated = 0

    async def reply(self, got: Received, xml: str, account: str) -> str:
        """The passive reply's plain XML for this callback ('' for none), within the budget."""
        task = self._inflight.get(got.key)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._process(got, xml, account), name=f"wechat-{got.key}")
            self._inflight[got.key] = task
            task.add_done_callback(lambda _: self._inflight.pop(got.key, None))
        else:
            self.repeated += 1
        try:
            reply = await asyncio.wait_for(asyncio.shield(task), self.budget_s)
        except TimeoutError:
            self._late.add(got.key)
            logger.warning("wechat: callback %s took longer than %.1f s; its replies follow as messages",
                           got.key[:2], self.budget_s)  # fmt: skip
            decided = self._passive.pop(got.key, None)
            if decided is not None:  # decided a moment too late for this POST: it goes as a message
                self._spawn(self._send_rest(got.key, [decided]))
            return ""
        self._passive.pop(got.key, None)
        return reply

    async def recover(self, account: str) -> int:
        """Handle the rows taken but never handled (a crash between); returns how many."""
        before = self.runtime.clock.now() - KEEP_HANDLED
        await self.runtime.db.run(lambda tx: WechatInboxRepo(tx).forget_before(before))
        rows = await self.runtime.db.read(lambda conn: WechatInboxRepo(conn).unhandled())
        for row in rows:
            try:
                got = received(parse(row.body), row.received_at)
            except Refused:
                await self._drop(row.key)
                continue
            self._late.add(got.key)
            await self._process(got, row.body, account)
        if rows:
            logger.warning("wechat: %d callback(s) taken before a stop were handled now", len(rows))
        return len(rows)

    async def _drop(self, key: str) -> None:
        now = self.runtime.clock.now()
        await self.runtime.db.run(lambda tx: WechatInboxRepo(tx).handled(key, "", now=now))

    async def _process(self, got: Received, xml: str, account: str) -> str:
        now = self.runtime.clock.now()
        stored, fresh = await self.runtime.db.run(lambda tx: _take(tx, got, xml, now))
        if not fresh:
            self.repeated += 1
            return stored
        self.taken += 1
        messages: list[Outbound] = []
        if got.event is not None:
            async with self._chat(got.openid):
                event = await self._choice(got.event)
                replies = await self.runtime.core.handle(event, messages.append)
                await asyncio.sleep(0)  # the urgent card, handed over from the database's thread
                messages.extend(replies)
        lang = await self.runtime.db.read(lambda conn: _lang(conn, got.openid))
        passive, rest = _first(messages, lang)
        reply_xml = ""
        late = got.key in self._late
        choices: list[list[str]] | None = None
        if passive is not None and not late:
            message, shown = passive
            self._passive[got.key] = message
            reply_xml = text_reply(got.openid, account, fit(shown.text), at=int(now.timestamp()))
            choices = shown.choices
        elif passive is not None:
            rest.insert(0, passive[0])
        done = self.runtime.clock.now()
        await self.runtime.db.run(lambda tx: _handled(tx, got, reply_xml, choices, done))
        self._late.discard(got.key)
        if rest:
            self._spawn(self._send_rest(got.key, rest))
        if got.media_id and self.download is not None:
            self.download(got.media_id)
        return reply_xml

    @contextlib.asynccontextmanager
    async def _chat(self, openid: str) -> AsyncIterator[None]:
        """One resident's callbacks one at a time, in arrival order (asyncio's locks are fair)."""
        lock, users = self._chats.get(openid, (asyncio.Lock(), 0))
        self._chats[openid] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._chats[openid]
            if users == 1:
                del self._chats[openid]
            else:
                self._chats[openid] = (lock, users - 1)

    async def _choice(self, event: Inbound) -> Inbound:
        """A reply to numbered choices as the button or key it names."""
        if event.kind is not EventKind.TEXT:
            return event
        shown = await self.runtime.db.read(lambda conn: WechatChoicesRepo(conn).get(event.user))
        if shown is None or not shown.choices:
            return event
        choice = resolve(event.text, shown.choices)
        if choice is None:
            region = self.runtime.settings.utility.phone_region
            if asks_contact(shown.choices) and normalise_phone(event.text, region) is not None:
                return event.model_copy(update={"kind": EventKind.CONTACT, "phone": event.text.strip(), "text": ""})
            return event
        kind, value, _ = choice
        if kind == BUTTON:
            return event.model_copy(
                update={"kind": EventKind.BUTTON, "data": value, "text": "", "message_id": shown.message_id}
            )
        return event.model_copy(update={"text": value})

    async def _send_rest(self, key: str, messages: list[Outbound]) -> None:
        pending = [self.runtime.lanes.submit(WECHAT, message) for message in messages]
        for outcome in await asyncio.gather(*pending, return_exceptions=True):
            if isinstance(outcome, DeliveryError):
                logger.warning("wechat: a reply to %s not delivered: %s", key[:2], outcome.kind)
            elif isinstance(outcome, Exception):
                logger.error("wechat: a reply to %s failed: %s", key[:2], type(outcome).__name__)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def drain(self) -> None:
        """Wait for the callbacks in hand and the replies they send (before the lanes stop)."""
        while self._inflight or self._background:
            await asyncio.gather(*self._inflight.values(), *self._background, return_exceptions=True)


async def _take(tx: Conn, got: Received, xml: str, now: datetime) -> tuple[str, bool]:
    """Take the inbound (and open the window) unless it was handled already: (stored reply, fresh)."""
    inbox = WechatInboxRepo(tx)
    row = await inbox.get(got.key)
    if row is not None and row.handled:
        return row.reply or "", False
    if row is None:
        await inbox.take(got.key, got.openid, xml, now=now)
        if got.opens != "none":
            windows = WechatWindowsRepo(tx)
            await windows.put(window.opened(await windows.get(got.openid), got.opens, now))
        if got.template is not None:
            await WechatTemplatesRepo(tx).finished(*got.template)
    return "", True


async def _handled(tx: Conn, got: Received, reply: str, choices: list[list[str]] | None, now: datetime) -> None:
    """The callback handled, its passive reply kept (for a retry) and its numbered choices in force."""
    await WechatInboxRepo(tx).handled(got.key, reply, now=now)
    if choices is not None:
        await WechatChoicesRepo(tx).put(got.openid, f"p{got.key}", choices, now=now)


async def _lang(conn: Conn, openid: str) -> Lang:
    person = await PeopleRepo(conn).find(WECHAT, openid)
    return Lang(person.lang) if person is not None else Lang.ZH


def _first(messages: list[Outbound], lang: Lang) -> tuple[tuple[Outbound, Rendered] | None, list[Outbound]]:
    """The first message WeChat can show (the passive reply: the first part of a long one) and the rest, in
    order."""
    for index, message in enumerate(messages):
        shown = render(message, lang)
        if shown is not None:
            first, *more = parts(message, lang)
            head = render(first, lang)
            assert head is not None
            return (first, head), [*more, *(m for m in messages[index + 1 :] if render(m, lang) is not None)]
    return None, []
