"""The WeChat callback on the bot's web server, and the adapter that joins it to the runtime.

``GET <path>`` answers WeChat's server check (its ``echostr``, once the signature holds); ``POST <path>`` takes
a message or event: the signature (and in safe mode ``msg_signature``) checked in constant time, the body
decrypted with the current or the previous EncodingAESKey, read with entities refused, taken durably, and
answered with the passive reply (encrypted with the key that opened the request). A bad signature is 403,
a body that is not a WeChat message 400 (WeChat does not send those: nothing to retry).

``hotline run`` starts it beside Telegram when ``[wechat] app_id`` is set (``bot.app.serve``); it listens on
``[wechat] listen:port`` at the path of ``callback_url`` (the reverse proxy forwards WeChat's https there).
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.clock import Clock
from bot.config.settings import Settings
from bot.outbound.channels import Channel
from bot.outbound.delivery import DeliveryError
from bot.runtime import Runtime
from channels.wechat.api import WechatApi
from channels.wechat.channel import wechat_channel
from channels.wechat.convert import media_file, received
from channels.wechat.inbox import Inbox
from channels.wechat.protocol import MAX_BODY_BYTES, Keys, Refused, parse, signed
from channels.wechat.sender import WechatSender
from storage.db import Database

logger = logging.getLogger(__name__)


def callback_path(url: str) -> str:
    return urlsplit(url).path or "/"


class WechatAdapter:
    """The WeChat channel of one process: its API client, sender, inbox and callback server."""

    def __init__(self, settings: Settings, db: Database, clock: Clock) -> None:
        cfg = settings.wechat
        cfg.require()
        self.settings = settings
        self.api = WechatApi(cfg.base_url, cfg.app_id, cfg.app_secret.get_secret_value(), db, clock)
        self.sender = WechatSender(self.api, db, clock, settings)
        self.channel: Channel = wechat_channel(self.sender)
        aes = (cfg.encoding_aes_key.get_secret_value(), cfg.previous_aes_key.get_secret_value())
        self.keys = Keys(cfg.token.get_secret_value(), cfg.app_id, tuple(key for key in aes if key))
        self.account = cfg.app_id
        self.inbox: Inbox | None = None
        self.refused = 0
        self._runner: web.AppRunner | None = None
        self._downloads: set[asyncio.Task[None]] = set()
        media_dir = cfg.media_dir
        self.media_dir = media_dir if media_dir.is_absolute() else settings.storage.path.parent / media_dir

    def routes(self) -> list[web.RouteDef]:
        path = callback_path(self.settings.wechat.callback_url)
        return [web.get(path, self._check), web.post(path, self._post)]

    def add_to(self, router: web.UrlDispatcher) -> None:
        """The callback's routes on another server's router (Telegram's webhook server)."""
        router.add_routes(self.routes())

    def shares_port_with_webhook(self) -> bool:
        """WeChat's callback on Telegram's webhook server: the same address and port (one proxy target)."""
        cfg, tg = self.settings.wechat, self.settings.telegram
        return (cfg.listen, cfg.port) == (tg.webhook_listen, tg.webhook_port)

    async def start(self, runtime: Runtime, *, listen: bool = True) -> None:
        """Handle what a stop left in the inbox, then take callbacks (on a server of its own with ``listen``,
        else on the server its ``routes`` were given to)."""
        self.inbox = Inbox(runtime, self.sender, download=self._download)
        await self.inbox.recover(self.account)
        if not listen:
            logger.info(
                "wechat: callback on the webhook server at %s", callback_path(self.settings.wechat.callback_url)
            )
            return
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.add_routes(self.routes())
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        cfg = self.settings.wechat
        await web.TCPSite(self._runner, cfg.listen, cfg.port).start()
        logger.info("wechat: callback listening on %s:%d%s", cfg.listen, self.port, callback_path(cfg.callback_url))

    @property
    def port(self) -> int:
        if self._runner is None or not self._runner.addresses:
            return self.settings.wechat.port
        return int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop taking callbacks and finish the ones in hand (the lanes still run: their replies go out)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self.inbox is not None:
            await self.inbox.drain()
        for task in list(self._downloads):
            task.cancel()
        await asyncio.gather(*self._downloads, return_exceptions=True)

    async def close(self) -> None:
        """After the runtime stopped (nothing sends any more): the API client's connections."""
        await self.api.close()

    def _signed(self, request: web.Request) -> bool:
        q = request.query
        return signed(self.keys.token, q.get("signature", ""), q.get("timestamp", ""), q.get("nonce", ""))

    async def _check(self, request: web.Request) -> web.Response:
        if not self._signed(request):
            self.refused += 1
            return web.Response(status=403, text="forbidden")
        return web.Response(text=request.query.get("echostr", ""))

    async def _post(self, request: web.Request) -> web.Response:
        if not self._signed(request) or self.inbox is None:
            self.refused += 1
            logger.warning("wechat: a callback with a bad signature refused")
            return web.Response(status=403, text="forbidden")
        q = request.query
        mode = self.settings.wechat.mode
        encrypted = q.get("encrypt_type", "raw") == "aes"
        if (mode == "safe" and not encrypted) or (mode == "plain" and encrypted):
            self.refused += 1
            return web.Response(status=400, text="wrong mode")
        try:
            body = await request.read()
            key: str | None = None
            if encrypted:
                xml, key = self.keys.open(body, q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", ""))
            else:
                xml = body.decode("utf-8")
            got = received(parse(xml), self.inbox.runtime.clock.now())
        except (Refused, UnicodeDecodeError) as exc:
            self.refused += 1
            logger.warning("wechat: a callback refused: %s", exc if isinstance(exc, Refused) else "not UTF-8")
            return web.Response(status=403 if "signature" in str(exc) else 400, text="refused")
        except web.HTTPRequestEntityTooLarge:
            self.refused += 1
            return web.Response(status=413, text="too large")
        if not got.openid:
            return web.Response(text="success")
        reply = await self.inbox.reply(got, xml, self.account)
        if not reply:
            return web.Response(text="success")
        if key is not None:
            reply = self.keys.seal(reply, key, q.get("nonce", ""), q.get("timestamp", ""))
        return web.Response(text=reply, content_type="application/xml")

    def _download(self, media_id: str) -> None:
        task = asyncio.get_running_loop().create_task(self._fetch(media_id))
        self._downloads.add(task)
        task.add_done_callback(self._downloads.discard)

    async def _fetch(self, media_id: str) -> None:
        """A resident's photo into our storage (WeChat keeps it 3 days)."""
        target = self.media_dir / media_file(media_id)
        if target.exists():
            return
        try:
            data = await self.api.media(media_id)
        except DeliveryError as exc:
            logger.warning("wechat: a photo could not be fetched: %s", exc.kind)
            return
        await asyncio.to_thread(_write, target, data)


def _write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
