"""WeCom's adapter: the callback's inbox -> core events, the core's replies -> the WeCom lane.

What the callback kept (``storage.wecom``) is handled in arrival order by one worker: a text (``/open``,
``/ticket 12``: a command, through the same router as Telegram's), a location, a card's click
(``template_card_event``: its ``EventKey`` is the core's button payload; the fresh ``ResponseCode`` it carries
is kept for that copy of the card). A row is marked handled once the core committed it; rows left pending by
a crash are handled at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime

from bot.clock import Clock
from bot.config.settings import Settings
from bot.outbound.channels import Channel
from bot.outbound.delivery import DeliveryError
from bot.people.invites import looks_like_code
from bot.runtime import Runtime
from channels.wecom.callback import CallbackServer, callback_path
from channels.wecom.cards import SUBMIT_KEY
from channels.wecom.client import CHANNEL, QyApi
from channels.wecom.crypto import BadCallback, CallbackCrypto
from channels.wecom.sender import WeComSender, wecom_channel
from channels.wecom.xml import Message, message
from common.errors import StorageError
from common.events import EventKind, Inbound, Outbound
from storage.db import Database
from storage.wecom import WeComCardsRepo, WeComInboxRepo

logger = logging.getLogger(__name__)


def inbound(msg: Message, at: datetime) -> Inbound | None:
    """The core's event for a message or event (None: nothing for the hotline, e.g. entering the app)."""
    base = {"channel": CHANNEL, "user": msg.from_user, "chat": msg.from_user, "at": at}
    if msg.msg_type == "text":
        text = msg.content
        if looks_like_code(text):  # an invite's code, sent as hotline invite --channel wecom says
            return Inbound(kind=EventKind.COMMAND, command="start", args=(text,), text=text, **base)
        if text.startswith("/") and len(text) > 1:
            head, _, rest = text[1:].partition(" ")
            return Inbound(kind=EventKind.COMMAND, command=head.lower(), args=tuple(rest.split()), text=text, **base)
        return Inbound(kind=EventKind.TEXT, text=text, message_id=msg.msg_id or None, **base)
    if msg.msg_type == "location" and msg.latitude is not None and msg.longitude is not None:
        return Inbound(kind=EventKind.LOCATION, latitude=msg.latitude, longitude=msg.longitude, **base)
    if msg.msg_type in ("image", "voice", "video", "file"):
        return Inbound(kind=EventKind.MEDIA, media=msg.msg_type, **base)
    if msg.msg_type == "event" and msg.event == "template_card_event":
        data = msg.event_key
        if data == SUBMIT_KEY:
            data = msg.selected[0] if msg.selected else ""
        if not data:
            return None
        task = msg.task_id or None
        return Inbound(kind=EventKind.BUTTON, data=data, button_id=task, message_id=task, **base)
    return None


class WeComAdapter:
    def __init__(self, settings: Settings, db: Database, clock: Clock) -> None:
        config = settings.wecom
        self.db, self.clock = db, clock
        self.api = QyApi(config, db, clock)
        self.sender = WeComSender(self.api, config, db, clock)
        crypto = CallbackCrypto(
            config.token.get_secret_value(), config.encoding_aes_key.get_secret_value(), config.corp_id
        )
        self.server = CallbackServer(
            crypto, self._keep, listen=config.callback_listen, path=callback_path(config.callback_url)
        )
        self.runtime: Runtime | None = None
        self._wake = asyncio.Event()
        self._worker: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()
        self.handled = 0

    @property
    def channel(self) -> Channel:
        return wecom_channel(self.sender)

    async def start(self, runtime: Runtime) -> None:
        """Handle what a crash left pending, then listen."""
        self.runtime = runtime
        self._worker = asyncio.create_task(self._work(), name="wecom-inbox")
        self._wake.set()
        await self.server.start()

    async def stop(self) -> None:
        await self.server.stop()
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        if self._sends:
            await asyncio.wait(self._sends, timeout=5)

    async def close(self) -> None:
        """After the runtime stopped (the outbox sends through the API until then)."""
        await self.api.close()

    async def _keep(self, msg: Message, plain: str) -> bool:
        now = self.clock.now()
        added = await self.db.run(lambda tx: WeComInboxRepo(tx).add(msg.dedupe_key, plain, now=now))
        if added:
            self._wake.set()
        return added

    async def _work(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while rows := await self.db.read(lambda conn: WeComInboxRepo(conn).pending()):
                    for row in rows:
                        try:
                            await self._handle(row.body)
                        except StorageError:
                            raise
                        except Exception:  # the update boundary: one bad event must not stop the others
                            logger.exception("WeCom callback %s could not be handled", row.id)
                        await self._handled(row.id)
        except StorageError as exc:  # a failure of our own: stop loudly; what was kept stays for the next start
            logger.critical("WeCom callbacks cannot be handled: the database failed (%s); stopping", exc)
            runtime = self.runtime
            if runtime is not None and runtime.on_fatal is not None:
                runtime.on_fatal("the database failed while handling WeCom callbacks")

    async def _handled(self, row_id: int) -> None:
        now = self.clock.now()
        await self.db.run(lambda tx: WeComInboxRepo(tx).handled(row_id, now=now))
        self.handled += 1

    async def _handle(self, plain: str) -> None:
        runtime = self.runtime
        assert runtime is not None
        try:
            msg = message(plain)
        except BadCallback:  # kept before it was read: cannot happen, but never loop on it
            return
        now = self.clock.now()
        if msg.event == "template_card_event" and msg.task_id and msg.response_code:
            code = msg.response_code
            await self.db.run(lambda tx: WeComCardsRepo(tx).clicked(msg.task_id, msg.from_user, code, now=now))
        event = inbound(msg, now)
        if event is None:
            return
        pending: list[asyncio.Future[str | None]] = []

        def urgent(out: Outbound) -> None:
            pending.append(runtime.lanes.submit(CHANNEL, out))

        replies = await runtime.core.handle(event, urgent)
        pending.extend(runtime.lanes.submit(CHANNEL, out) for out in replies)
        task = asyncio.create_task(_delivered(pending))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)


async def _delivered(pending: list[asyncio.Future[str | None]]) -> None:
    for outcome in await asyncio.gather(*pending, return_exceptions=True):
        if isinstance(outcome, DeliveryError):
            logger.warning("WeCom reply not delivered: %s %s", outcome.method or "send", outcome.kind)
        elif isinstance(outcome, BaseException) and not isinstance(outcome, asyncio.CancelledError):
            logger.error("WeCom reply failed", exc_info=outcome)


def wecom_for(settings: Settings, db: Database, clock: Clock) -> WeComAdapter | None:
    return WeComAdapter(settings, db, clock) if settings.wecom.enabled else None
