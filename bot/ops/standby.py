"""A standby's operator endpoints, on ``[ops] listen`` while another instance leads: ``/healthz`` 200 (the
process is well), ``/readyz`` 503 ``standby`` (a load balancer sends nothing here; the leader's /readyz is the
one that says ready), ``/metrics`` the one gauge ``hotline_leader`` at 0. The leader's own server
(``bot.ops.server``) takes the address over once this instance leads."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.config.ops import OpsConfig
from bot.ops.server import split_listen
from common.errors import ConfigError

logger = logging.getLogger(__name__)


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"state": "standby"})


async def _readyz(request: web.Request) -> web.Response:
    return web.Response(status=503, text="standby\nanother instance leads\n")


async def _metrics(request: web.Request) -> web.Response:
    return web.Response(text="# TYPE hotline_leader gauge\nhotline_leader 0\n", content_type="text/plain")


async def serve_standby(config: OpsConfig) -> web.AppRunner | None:
    """The standby's endpoints (None when ``[ops] listen`` is empty); ``cleanup()`` the runner to stop them."""
    if not config.listen:
        return None
    app = web.Application()
    app.router.add_get("/healthz", _healthz)
    app.router.add_get("/readyz", _readyz)
    app.router.add_get("/metrics", _metrics)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    host, port = split_listen(config.listen)
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError(f"ops.listen: cannot listen on {config.listen} ({exc.strerror})") from exc
    return runner
