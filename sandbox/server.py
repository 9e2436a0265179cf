"""The HTTP side: ``/bot<token>/<method>`` (GET or POST; form, JSON or multipart), file downloads at
``/file/bot<token>/<path>``, and the ``/control`` endpoints. Applies latency, faults and flood limits,
and keeps a bounded log of every call. Tokens never reach a log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from sandbox import methods_bot, methods_messages
from sandbox.botworld import BotWorld
from sandbox.errors import BAD_GATEWAY, NOT_FOUND, UNAUTHORIZED, ApiError
from sandbox.limits import SEND_METHODS, Fault, FaultInjector, RateLimiter
from sandbox.params import Params, read_params

logger = logging.getLogger(__name__)

METHODS = {**methods_bot.METHODS, **methods_messages.METHODS}
MAX_BODY_BYTES = 60 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One Bot API call as the server saw it; ``status`` 0 means the connection was dropped."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    bot_id: int | None
    duration_s: float
    fault: str | None = None


class SandboxServer:
    def __init__(self, bots: dict[str, BotWorld], *, clock: Callable[[], float], call_log_size: int) -> None:
        self.bots = bots
        self.clock = clock
        self.faults = FaultInjector()
        self.limiter = RateLimiter()
        self.calls: deque[ApiCall] = deque(maxlen=call_log_size)
        self.in_flight = 0
        self.last_call_at = time.monotonic()
        self.host = "127.0.0.1"
        self.port = 0
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.app = web.Application(client_max_size=MAX_BODY_BYTES)
        self.app.router.add_route("*", "/bot{token}/{method}", self._api)
        self.app.router.add_get("/file/bot{token}/{path:.+}", self._file)

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self, host: str, port: int) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        address = self._runner.addresses[0]
        self.host, self.port = str(address[0]), int(address[1])
        self._session = aiohttp.ClientSession()
        for world in self.bots.values():
            world.http_session = self._session
        logger.info("Bot API sandbox listening on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        self._closing.set()
        for world in self.bots.values():
            world.updates.close()
            await world.webhook.wait_stopped()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _sleep(self, delay_s: float) -> None:
        """Sleep that ends early when the server stops."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay_s):
                await self._closing.wait()

    # --- Bot API --------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.StreamResponse:
        world = self.bots.get(request.match_info["token"])
        method = request.match_info["method"]
        if world is None:  # logged without a bot: an unknown or revoked token
            self._record(method, {}, 401, None, time.monotonic(), None)
            self.last_call_at = time.monotonic()
            return web.json_response(UNAUTHORIZED.to_json(), status=401)
        key = method.lower()
        handler = METHODS.get(key)
        if handler is None:
            self._record(method, {}, 404, world, time.monotonic(), None)
            return web.json_response(NOT_FOUND.to_json(), status=404)
        started = time.monotonic()
        counted = key != "getupdates"
        if counted:
            self.in_flight += 1
        params = Params({})
        fault: Fault | None = None
        try:
            params = await read_params(request)
            if self.faults.config.latency_s > 0:
                await self._sleep(self.faults.config.latency_s)
            fault = self.faults.pick(key)
            if fault is Fault.DROP:
                if request.transport is not None:
                    request.transport.abort()
                self._record(method, params.summary(), 0, world, started, fault)
                return web.Response(status=500)
            if fault is Fault.ERROR_5XX:
                raise BAD_GATEWAY
            if fault is Fault.DELAY:
                await self._sleep(self.faults.config.delay_s)
            if key in SEND_METHODS:
                self._check_flood(key, params)
            body: dict[str, Any] = {"ok": True, "result": await handler(world, params)}
            status = 200
        except ApiError as exc:
            body, status = exc.to_json(), exc.status
        finally:
            if counted:
                self.in_flight -= 1
            self.last_call_at = time.monotonic()
        self._record(method, params.summary(), status, world, started, fault)
        return web.json_response(body, status=status)

    def _check_flood(self, key: str, params: Params) -> None:
        burst = self.faults.take_burst(key)
        if burst is not None:
            raise burst
        try:
            chat_id = methods_messages.chat_id_param(params)
        except ApiError:
            chat_id = None
        try:
            self.limiter.check(chat_id, paid=params.get_bool("allow_paid_broadcast"))
        except ApiError:
            self.faults.count(Fault.RATE_LIMITED)
            raise

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        status: int,
        world: BotWorld | None,
        started: float,
        fault: Fault | None,
    ) -> None:
        self.calls.append(
            ApiCall(
                method,
                params,
                self.clock(),
                status,
                world.id if world is not None else None,
                time.monotonic() - started,
                fault.value if fault else None,
            )
        )

    async def _file(self, request: web.Request) -> web.StreamResponse:
        world = self.bots.get(request.match_info["token"])
        if world is None:
            return web.json_response(UNAUTHORIZED.to_json(), status=401)
        stored = world.files.by_path(request.match_info["path"])
        if stored is None:
            return web.json_response(NOT_FOUND.to_json(), status=404)
        return web.Response(body=stored.data, content_type=stored.mime_type)
