"""The callback WeCom POSTs to (``[wecom] callback_url``): on the bot's webhook server when it runs with
``--webhook`` (the path of ``callback_url`` beside Telegram's), else on a small server of its own at
``callback_listen`` (polling has no web server).

- ``GET``: URL verification. ``echostr`` is encrypted; the answer is its plain text, only when
  ``msg_signature`` (over the token, timestamp, nonce and echostr) matches.
- ``POST``: a message or event, encrypted. The signature is checked in constant time, the body decrypted
  with the corp id and read; then it is written to the inbox (``storage.wecom``, keyed by MsgId or the
  event's key) *before* WeCom is answered, so a retry of the same callback is answered without acting twice
  and a crash after the answer loses nothing. An empty 200 is WeCom's "received".

A wrong signature or corp id is answered 403 and counted; a signed body that is not a message 400.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from channels.wecom.crypto import BadCallback, CallbackCrypto
from channels.wecom.xml import Message, envelope, message

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 512 * 1024
DEFAULT_PATH = "/wecom/callback"

Keep = Callable[[Message, str], Awaitable[bool]]  # write to the inbox; False if the key was there already


def callback_path(url: str) -> str:
    return urlsplit(url).path or DEFAULT_PATH


class CallbackServer:
    def __init__(self, crypto: CallbackCrypto, keep: Keep, *, listen: str, path: str) -> None:
        self.crypto, self.keep = crypto, keep
        host, _, port = listen.rpartition(":")
        self.host, self.port, self.path = host.strip("[]"), int(port), path
        self.received = self.repeated = self.refused = 0
        self._runner: web.AppRunner | None = None
        self.mounted = False  # on the Telegram webhook's server (``add_to``): no server of its own
        self._app = web.Application(client_max_size=MAX_BODY_BYTES)
        self._routes(self._app.router)

    def _routes(self, router: web.UrlDispatcher) -> None:
        router.add_get(self.path, self._verify)
        router.add_post(self.path, self._receive)

    def add_to(self, router: web.UrlDispatcher) -> None:
        """Serve the callback on another server (the bot's webhook server) instead of ``listen``."""
        self._routes(router)
        self.mounted = True

    @property
    def bound_port(self) -> int:
        if self._runner is None or not self._runner.addresses:
            return self.port
        return int(self._runner.addresses[0][1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.bound_port}{self.path}"

    async def start(self) -> None:
        if self.mounted:
            logger.info("WeCom callback served on the webhook's server at %s", self.path)
            return
        self._runner = web.AppRunner(self._app, access_log=None, shutdown_timeout=2.0, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        logger.info("WeCom callback listening on %s:%d%s", self.host, self.bound_port, self.path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def _signed(self, request: web.Request) -> tuple[str, str, str]:
        query = request.query
        return query.get("msg_signature", ""), query.get("timestamp", ""), query.get("nonce", "")

    def _refuse(self, exc: BadCallback) -> web.Response:
        self.refused += 1
        logger.warning("WeCom callback refused: %s", exc)
        return web.Response(status=403)

    async def _verify(self, request: web.Request) -> web.Response:
        given, timestamp, nonce = self._signed(request)
        try:
            plain = self.crypto.decrypt(given, timestamp, nonce, request.query.get("echostr", ""))
        except BadCallback as exc:
            return self._refuse(exc)
        return web.Response(text=plain)

    async def _receive(self, request: web.Request) -> web.Response:
        given, timestamp, nonce = self._signed(request)
        try:
            body = await request.read()
            plain = self.crypto.decrypt(given, timestamp, nonce, envelope(body))
        except BadCallback as exc:
            return self._refuse(exc)
        try:
            read = message(plain)
        except BadCallback as exc:
            logger.warning("WeCom callback: a signed body that is not a message (%s)", exc)
            return web.Response(status=400)
        if await self.keep(read, plain):
            self.received += 1
        else:
            self.repeated += 1
            logger.info("WeCom callback delivered again; already taken, not acted on twice")
        return web.Response(text="")
