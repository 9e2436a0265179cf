"""Webhook mode: a small aiohttp server that takes Telegram's POSTs and feeds PTB's update queue.

Telegram sends every update as a POST to ``[telegram] webhook_url`` with the header
``X-Telegram-Bot-Api-Secret-Token`` set to the secret given in ``setWebhook``. A request without the
header, or with another value, is answered 403 and never reaches the bot. The server listens on
``webhook_listen:webhook_port`` (loopback by default) behind a TLS-terminating reverse proxy; the
path it serves is the path of ``webhook_url``.

Durability is the same as with polling: an update is answered 200 once it is in PTB's queue, so a
crash between that answer and its processing loses it (the resident sees no reply and repeats; no
confirmation was shown). A request that is not JSON is answered 400; an update that does not decode
is answered 200 (Telegram would otherwise redeliver it forever) and ignored.

Telegram redelivers an update whose POST it saw fail or time out, though the bot may have taken it: the
server remembers the last ``RECENT_UPDATES`` update ids and answers a repeat 200 without acting on it
again (a report is not filed twice, a button not pressed twice). Polling needs no such memory: the
offset already says what was taken.

With a database several instances share (PostgreSQL), every instance takes the POSTs (``inbox``): the update
is stored (``storage.inbox``; a repeated ``update_id`` once) and answered 200 only once committed, and the leader
hands the stored updates to the bot (``handlers.inbox``); a standby stores them and answers, nothing more. A
crash after the answer loses nothing then.

``GET /healthz`` answers the process's health (``bot.ops.health``): 200 while it is ok, 503 with the reason
once a failure of our own (a refused token) is stopping it, or while it is still starting.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections import deque
from collections.abc import Callable
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.clock import Clock, SystemClock
from bot.config.settings import Settings
from common.errors import StorageError
from handlers.convert import decode_update, update_id_of
from handlers.safe_updates import own_username
from storage.db import Database
from storage.inbox import InboxRepo

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024
RECENT_UPDATES = 10_000


class RecentIds:
    """The last ``size`` update ids seen, in arrival order (a bounded set)."""

    def __init__(self, size: int = RECENT_UPDATES) -> None:
        self._order: deque[int] = deque()
        self._seen: set[int] = set()
        self._size = size

    def add(self, update_id: int) -> bool:
        """Remember ``update_id``; False if it was seen already."""
        if update_id in self._seen:
            return False
        self._order.append(update_id)
        self._seen.add(update_id)
        if len(self._order) > self._size:
            self._seen.discard(self._order.popleft())
        return True


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class WebhookServer:
    def __init__(
        self,
        app: Application | None,  # type: ignore[type-arg]
        settings: Settings,
        *,
        inbox: Database | None = None,
        clock: Clock | None = None,
    ) -> None:
        """``app`` None: a standby's server, which only stores (``inbox`` then required)."""
        tg = settings.telegram
        self.app = app
        self.inbox = inbox
        self.clock = clock or SystemClock()
        self.url = tg.webhook_url
        self.listen = tg.webhook_listen
        self.port = tg.webhook_port
        self.secret = settings.require_webhook_secret()
        self.received = 0
        self.refused = 0
        self.repeated = 0
        self._recent = RecentIds()
        self._runner: web.AppRunner | None = None
        web_app = web.Application(client_max_size=MAX_BODY_BYTES)
        web_app.router.add_post(webhook_path(self.url), self._handle)
        web_app.router.add_get("/healthz", self._health)
        self._web_app = web_app

    def add_routes(self, register: Callable[[web.UrlDispatcher], None]) -> None:
        """More routes on this server (another channel's callback), before ``start``."""
        register(self._web_app.router)

    @property
    def bound_port(self) -> int:
        """The port actually listened on (``webhook_port = 0`` picks a free one, for tests)."""
        if self._runner is None or not self._runner.addresses:
            return self.port
        return int(self._runner.addresses[0][1])

    async def start(self, *, register: bool = True) -> None:
        self._runner = web.AppRunner(self._web_app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.listen, self.port).start()
        logger.info("webhook server listening on %s:%d%s", self.listen, self.bound_port, webhook_path(self.url))
        if register:
            await self.register()

    async def register(self) -> bool:
        """``setWebhook`` with the URL and the secret (True once Telegram accepted it)."""
        assert self.app is not None, "a standby does not register the webhook"
        done: bool = await self.app.bot.set_webhook(
            self.url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
        )
        return done

    async def stop(self) -> None:
        # The webhook stays registered: while the bot is down, Telegram keeps the updates and retries.
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        if self.app is None:
            return web.json_response({"status": "standby"}, status=200)
        runtime = self.app.bot_data.get("runtime")
        health = getattr(runtime, "health", None)
        if health is None:
            return web.json_response({"status": "starting"}, status=503)
        return web.json_response(health.as_json(), status=200 if health.state == "ok" else 503)

    async def _handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.secret.encode()):
            self.refused += 1
            logger.warning("webhook request without the right secret header refused")
            return web.Response(status=403)
        try:
            raw = await request.read()
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400)
        if self.inbox is not None:
            return await self._store(data, raw.decode("utf-8"))
        assert self.app is not None
        update = decode_update(data, own_username(self.app.bot))
        if update is not None and not self._recent.add(update.update_id):
            self.repeated += 1
            logger.info("webhook: update %s delivered again; already taken, not acted on twice", update.update_id)
        elif update is not None:
            self.received += 1
            await self.app.update_queue.put(update)
        return web.Response(status=200)

    async def _store(self, data: object, body: str) -> web.Response:
        """Keep the update in the inbox; 200 once it is committed, 503 (Telegram retries) when it cannot be."""
        assert self.inbox is not None
        update_id = update_id_of(data)
        if update_id is None:
            return web.Response(status=200)  # nothing to act on; Telegram would redeliver it forever
        now = self.clock.now()
        try:
            new = await self.inbox.run(lambda tx: InboxRepo(tx).add(update_id, body, now))
        except StorageError as exc:
            logger.warning("webhook: update %s not stored (%s); Telegram will deliver it again", update_id, exc)
            return web.Response(status=503)
        if new:
            self.received += 1
        else:
            self.repeated += 1
            logger.info("webhook: update %s delivered again; stored already, not acted on twice", update_id)
        return web.Response(status=200)
