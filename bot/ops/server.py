"""The operator's endpoints, on ``[ops] listen`` (loopback; off when empty), in their own small aiohttp server:

- ``GET /healthz``: the process's own state (``bot.ops.health``, as the webhook's ``/healthz``): 200 while it
  starts and runs, 503 with the reason once a failure of our own (a refused token) stops it;
- ``GET /readyz``: 200 when the bot can do its job, else 503 with the failing checks, one per line:
  the database's write lock can be taken, the Bot API answered within ``[ops] api_stale_s`` (a ``getMe``
  probe is made when nothing else was heard for ``probe_s``), and the oldest notification still pending
  is younger than ``[ops] outbox_stuck_s``;
- ``GET /metrics``: Prometheus' text format (``bot.ops.metrics``).

Nothing here names a person: counts, ages and check names only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.clock import Clock
from bot.config.ops import OpsConfig
from bot.ops.health import Health
from bot.ops.metrics import Metrics
from common.errors import ConfigError
from storage.db import Database
from storage.ops_figures import oldest_pending_at, read_figures, writable

logger = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[object]]


class ApiHealth:
    """When the Bot API last answered (any answer: a refusal proves it is reachable)."""

    def __init__(self) -> None:
        self.last_ok: float | None = None  # time.monotonic()

    def ok(self) -> None:
        self.last_ok = time.monotonic()

    def age_s(self) -> float | None:
        return None if self.last_ok is None else time.monotonic() - self.last_ok


def split_listen(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "127.0.0.1", int(port)


class OpsServer:
    def __init__(
        self,
        config: OpsConfig,
        db: Database,
        clock: Clock,
        metrics: Metrics,
        health: ApiHealth,
        probe: Probe | None = None,
        process: Health | None = None,
    ) -> None:
        self.config, self.db, self.clock, self.metrics = config, db, clock, metrics
        self.health, self.probe = health, probe
        self.process = process or Health()  # the process's own state (bot.ops.health): failing once it stops
        self._runner: web.AppRunner | None = None
        self._probe_task: asyncio.Task[None] | None = None
        self._was_ready: bool | None = None
        self.port = 0  # the bound port (``listen`` may ask for 0 in tests)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        host, port = split_listen(self.config.listen)
        site = web.TCPSite(self._runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            await self._runner.cleanup()
            self._runner = None
            raise ConfigError(f"ops.listen: cannot listen on {self.config.listen} ({exc.strerror})") from exc
        addresses = self._runner.addresses
        self.port = int(addresses[0][1]) if addresses else port
        logger.info("ops endpoints on http://%s:%d (/healthz /readyz /metrics)", host, self.port)
        if self.probe is not None:
            self._probe_task = asyncio.get_running_loop().create_task(self._probe_loop())

    async def stop(self) -> None:
        if self._probe_task is not None:
            self._probe_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._probe_task
        if self._runner is not None:
            await self._runner.cleanup()

    async def _probe_loop(self) -> None:
        """``getMe`` when the Bot API has not been heard from for ``probe_s`` (a quiet bot in webhook mode)."""
        assert self.probe is not None
        while True:
            await asyncio.sleep(self.config.probe_s)
            age = self.health.age_s()
            if age is not None and age < self.config.probe_s:
                continue
            try:
                await asyncio.wait_for(self.probe(), timeout=max(1.0, self.config.probe_s))
            except Exception as exc:  # unreachable: /readyz says so once api_stale_s has passed
                logger.debug("Bot API probe failed: %s", type(exc).__name__)
            else:
                self.health.ok()

    async def checks(self) -> list[str]:
        """The failing readiness checks (empty: ready)."""
        failing = [f"process: failing ({self.process.reason})"] if self.process.state == "failing" else []
        try:
            await asyncio.wait_for(writable(self.db), timeout=10)
        except Exception as exc:
            failing.append(f"database: not writable ({type(exc).__name__})")
        age = self.health.age_s()
        if age is None or age > self.config.api_stale_s:
            heard = "never" if age is None else f"{age:.0f} s ago"
            failing.append(f"bot_api: last answer {heard} (limit {self.config.api_stale_s:.0f} s)")
        try:
            oldest = await oldest_pending_at(self.db)
        except Exception as exc:
            failing.append(f"outbox: unreadable ({type(exc).__name__})")
        else:
            if oldest is not None:
                waiting = (self.clock.now() - oldest).total_seconds()
                if waiting > self.config.outbox_stuck_s:
                    limit = self.config.outbox_stuck_s
                    failing.append(f"outbox: oldest pending notification {waiting:.0f} s old (limit {limit:.0f} s)")
        return failing

    async def _healthz(self, request: web.Request) -> web.Response:
        """200 while the process runs (starting or ok); 503 with the reason once a failure of our own stops it."""
        status = 503 if self.process.state == "failing" else 200
        return web.json_response(self.process.as_json(), status=status)

    async def _readyz(self, request: web.Request) -> web.Response:
        failing = await self.checks()
        ready = not failing
        self.metrics.ready.set(1 if ready else 0)
        if ready != self._was_ready:
            if ready:
                logger.info("ready")
            else:
                logger.warning("not ready: %s", "; ".join(failing))
            self._was_ready = ready
        if ready:
            return web.Response(text="ready\n")
        return web.Response(status=503, text="not ready\n" + "".join(f"{line}\n" for line in failing))

    async def _metrics(self, request: web.Request) -> web.Response:
        try:
            figures = await read_figures(self.db)
        except Exception as exc:  # the process' own counters are still worth having
            logger.warning("metrics: the database's figures could not be read (%s)", type(exc).__name__)
        else:
            self.metrics.update(figures, self.clock.now().timestamp())
        age = self.health.age_s()
        self.metrics.api_age.set(-1 if age is None else age)
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE_LATEST})
