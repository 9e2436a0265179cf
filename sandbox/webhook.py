"""Webhook mode: POST each queued update, in order, to the bot's URL (loopback only), with
``X-Telegram-Bot-Api-Secret-Token`` when a secret is set, retrying a few times on failure."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from sandbox.errors import bad_request
from sandbox.updates import UpdateQueue

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def check_webhook_url(url: str) -> None:
    """The sandbox only ever delivers to this machine."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host:
        raise bad_request("bad webhook: invalid URL")
    if host != "localhost":
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise bad_request("bad webhook: the sandbox delivers only to loopback addresses")


@dataclass
class Webhook:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    attempts: int = 4
    retry_delay_s: float = 0.05
    request_timeout_s: float = 5.0
    last_error_date: int | None = None
    last_error_message: str | None = None
    dropped: int = 0
    posted: int = 0
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    def info(self, pending: int, allowed: frozenset[str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "url": self.url,
            "has_custom_certificate": False,
            "pending_update_count": pending,
        }
        if self.url:
            data["max_connections"] = self.max_connections
            if allowed:
                data["allowed_updates"] = sorted(allowed)
        if self.last_error_date is not None:
            data["last_error_date"] = self.last_error_date
            data["last_error_message"] = self.last_error_message or ""
        return data

    def start(self, queue: UpdateQueue, session: aiohttp.ClientSession) -> None:
        self.stop()
        self._task = asyncio.get_running_loop().create_task(self._deliver_loop(queue, session))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def wait_stopped(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver_loop(self, queue: UpdateQueue, session: aiohttp.ClientSession) -> None:
        while self.url:
            batch = queue.peek(1)
            if not batch:
                await queue.wait_changed(1.0)
                continue
            update = batch[0]
            for attempt in range(1, self.attempts + 1):
                error = await self._post(session, update)
                if error is None:
                    self.posted += 1
                    break
                self.last_error_date = int(time.time())
                self.last_error_message = error
                logger.debug("webhook delivery attempt %d failed: %s", attempt, error)
                if attempt < self.attempts:
                    await asyncio.sleep(self.retry_delay_s * 2 ** (attempt - 1))
            else:
                self.dropped += 1
                logger.warning("webhook update %s dropped after %d attempts", update.get("update_id"), self.attempts)
            queue.pop_first()

    async def _post(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> str | None:
        headers = {SECRET_HEADER: self.secret_token} if self.secret_token else {}
        try:
            async with session.post(
                self.url,
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.request_timeout_s),
            ) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except (aiohttp.ClientError, TimeoutError) as exc:
            return f"Connection failed: {exc.__class__.__name__}"
