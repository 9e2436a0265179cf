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
"""

from __future__ import annotations

import hmac
import json
import logging
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.config import Settings
from handlers.convert import decode_update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024


def webhook_path(url: str) -> str:
    return urlsplit(url).path or "/"


class WebhookServer:
    def __init__(self, app: Application, settings: Settings) -> None:  # type: ignore[type-arg]
        tg = settings.telegram
        self.app = app
        self.url = tg.webhook_url
        self.listen = tg.webhook_listen
        self.port = tg.webhook_port
        self.secret = settings.require_webhook_secret()
        self.received = 0
        self.refused = 0
        self._runner: web.AppRunner | None = None
        web_app = web.Application(client_max_size=MAX_BODY_BYTES)
        web_app.router.add_post(webhook_path(self.url), self._handle)
        self._web_app = web_app

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
            await self.app.bot.set_webhook(
                self.url, secret_token=self.secret, allowed_updates=Update.ALL_TYPES, drop_pending_updates=False
            )

    async def stop(self) -> None:
        # The webhook stays registered: while the bot is down, Telegram keeps the updates and retries.
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), self.secret.encode()):
            self.refused += 1
            logger.warning("webhook request without the right secret header refused")
            return web.Response(status=403)
        try:
            data = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            return web.Response(status=400)
        update = decode_update(data)
        if update is not None:
            self.received += 1
            await self.app.update_queue.put(update)
        return web.Response(status=200)
