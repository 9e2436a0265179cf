"""Which instance works: with SQLite, the one process on the file (``storage.instance``: a second one is refused);
with PostgreSQL, the leader among the instances sharing the database (``storage.postgres.leader``): the others
wait as standbys and the first to get the lock after the leader stops takes over, starting from the rows exactly
as a restarted single instance does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext

from bot.config.settings import Settings
from bot.halt import Halt
from bot.ops.sdnotify import Keepalive
from bot.ops.standby import serve_standby
from storage.instance import InstanceLock
from storage.postgres.leader import Leadership

logger = logging.getLogger(__name__)


@asynccontextmanager
async def instance_role(
    settings: Settings,
    stop: asyncio.Event,
    halt: Halt,
    keepalive: Keepalive,
    *,
    standby: Callable[[], AbstractAsyncContextManager[None]] | None = None,
) -> AsyncIterator[bool]:
    """Hold this instance's right to work for the block; yields False if ``stop`` came while standing by.

    A standby tells systemd it is ready (``STATUS=standby``; the watchdog pings while its loop runs) and answers
    ``/readyz`` with 503 ``standby`` (``bot.ops.standby``) until it leads; ``standby`` is what else it does
    meanwhile (in webhook mode: store Telegram's POSTs for the leader)."""
    url = settings.storage.url
    if url is None:
        with InstanceLock.acquire(settings.storage.path):
            yield True
        return
    leadership = Leadership(url)
    if not await leadership.try_acquire():
        logger.info("standby (%s): another instance leads; this one takes over when it stops", leadership.instance)
        keepalive.ready("standby: another instance leads", _standing_by)
        endpoints = await serve_standby(settings.ops)
        try:
            async with standby() if standby is not None else nullcontext():
                leads = await leadership.wait(stop)
        finally:
            if endpoints is not None:
                await endpoints.cleanup()
        if not leads:
            yield False
            return
    logger.info("leading (%s)", leadership.instance)
    leadership.watch(halt)
    try:
        yield True
    finally:
        await leadership.release()


async def _standing_by() -> bool:
    return True
