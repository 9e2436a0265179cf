"""``Sandbox``: a local Telegram Bot API on 127.0.0.1 for tests, demos and benchmarks.

async with Sandbox("123456:TEST") as sb:
    bot = telegram.Bot("123456:TEST", base_url=sb.base_url, base_file_url=sb.base_file_url)
    user = sb.create_user(first_name="Li")
    await sb.send_text(user, "/start")
    reply = await sb.wait_for(user.id)
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from types import TracebackType
from typing import Any

from sandbox.botworld import BotWorld
from sandbox.control_http import add_control_routes
from sandbox.errors import SandboxError
from sandbox.limits import FaultConfig, RateLimits
from sandbox.reading import BotView
from sandbox.server import ApiCall, SandboxServer
from sandbox.world import Directory, FileStore

DEFAULT_TOKEN = "123456:TEST-TOKEN"


class Sandbox(BotView):
    """The server plus the view of its first bot token. Other tokens: ``sandbox.bot(token)``."""

    def __init__(
        self,
        tokens: str | Sequence[str] = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "gas_hotline_sandbox_bot",
        clock: Callable[[], float] = time.time,
        call_log_size: int = 100_000,
    ) -> None:
        token_list = [tokens] if isinstance(tokens, str) else list(tokens)
        if not token_list:
            raise SandboxError("at least one bot token is needed")
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            raise SandboxError("the sandbox listens on loopback addresses only")
        self.directory = Directory()
        self.files = FileStore()
        worlds = {
            token: BotWorld(token, self.directory, self.files, clock, bot_username if i == 0 else f"{bot_username}{i}")
            for i, token in enumerate(token_list)
        }
        super().__init__(worlds[token_list[0]])
        self._worlds = worlds
        self._host, self._port = host, port
        self.server = SandboxServer(worlds, clock=clock, call_log_size=call_log_size)
        self._started = False
        add_control_routes(self.server.app, self, self)

    # --- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> Sandbox:
        if not self._started:
            await self.server.start(self._host, self._port)
            self._started = True
        return self

    async def stop(self) -> None:
        if self._started:
            self._started = False
            await self.server.stop()

    async def __aenter__(self) -> Sandbox:
        return await self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        """Root URL, e.g. ``http://127.0.0.1:41234`` (control endpoints live under ``/control``)."""
        if not self._started:
            raise SandboxError("the sandbox is not started")
        return f"http://{self.server.host}:{self.server.port}"

    @property
    def base_url(self) -> str:
        """For ``telegram.Bot(token, base_url=...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    def bot(self, token: str) -> BotView:
        try:
            return BotView(self._worlds[token])
        except KeyError:
            raise SandboxError("unknown bot token") from None

    def revoke_token(self, token: str, new_token: str | None = None) -> None:
        """As @BotFather's /revoke: ``token`` answers 401 Unauthorized from now on (every method, files
        too); ``new_token``, if given, reaches the same bot (its chats, pending updates, webhook)."""
        world = self._worlds.get(token)
        if world is None:
            raise SandboxError("unknown bot token")
        if new_token is not None and new_token in self._worlds:
            raise SandboxError("that token is in use")
        for table in (self._worlds, self.server.bots):  # the same dict today; kept apart if that changes
            table.pop(token, None)
            if new_token is not None:
                table[new_token] = world

    def bot_by_id(self, bot_id: int) -> BotView:
        for world in self._worlds.values():
            if world.id == bot_id:
                return BotView(world)
        raise SandboxError(f"unknown bot id {bot_id}")

    # --- limits and faults ----------------------------------------------------------------------
    def set_faults(self, config: FaultConfig | None = None, **fields: Any) -> FaultConfig:
        """Replace the fault settings (``FaultConfig`` fields as keywords); no arguments = all off."""
        new = replace(config or FaultConfig(), **fields)
        self.server.faults.configure(new)
        return new

    def set_latency(self, latency_s: float) -> None:
        self.server.faults.configure(replace(self.server.faults.config, latency_s=latency_s))

    def set_rate_limits(self, limits: RateLimits | bool = True) -> None:
        """``True`` = Telegram-like defaults, ``False`` = off, or a ``RateLimits``."""
        chosen = limits if isinstance(limits, RateLimits) else RateLimits(enabled=limits)
        self.server.limiter.configure(chosen)

    def burst_429(self, count: int, retry_after_s: int = 1) -> None:
        """The next ``count`` send/edit calls answer 429 ``retry after retry_after_s``."""
        self.server.faults.burst_429(count, retry_after_s)

    @property
    def fault_counts(self) -> dict[str, int]:
        return dict(self.server.faults.counts)

    @property
    def paid_sends(self) -> int:
        """Sends let through with ``allow_paid_broadcast`` (their own overall rate, ``RateLimits.paid_per_s``)."""
        return self.server.limiter.paid

    # --- the call log ---------------------------------------------------------------------------
    def calls(self, method: str | None = None) -> list[ApiCall]:
        """Every Bot API call (bounded log), optionally only one method (case-insensitive)."""
        if method is None:
            return list(self.server.calls)
        wanted = method.lower()
        return [call for call in self.server.calls if call.method.lower() == wanted]

    def clear_calls(self) -> None:
        self.server.calls.clear()

    async def wait_idle(self, *, quiet_s: float = 0.05, timeout_s: float = 5.0) -> None:
        """Wait until no update is pending, no call is running (long polls aside) and none came for
        ``quiet_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            pending = sum(len(world.updates) for world in self._worlds.values())
            quiet = time.monotonic() - self.server.last_call_at
            if pending == 0 and self.server.in_flight == 0 and quiet >= quiet_s:
                return
            if loop.time() >= deadline:
                raise TimeoutError(
                    f"sandbox not idle after {timeout_s:.1f}s: {pending} updates pending, "
                    f"{self.server.in_flight} calls running"
                )
            await asyncio.sleep(min(quiet_s, 0.02))

    def stats(self) -> dict[str, Any]:
        return {
            "users": len(self.directory.users),
            "groups": len(self.directory.groups),
            "calls_logged": len(self.server.calls),
            "faults": self.fault_counts,
            "bots": [
                {
                    "id": world.id,
                    "username": world.user["username"],
                    "pending_updates": len(world.updates),
                    "filtered_updates": world.updates.filtered,
                    "webhook_url": world.webhook.url,
                    "webhook_posted": world.webhook.posted,
                    "webhook_dropped": world.webhook.dropped,
                }
                for world in self._worlds.values()
            ],
        }
