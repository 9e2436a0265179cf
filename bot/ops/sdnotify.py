"""systemd's service notifications (``sd_notify(3)``), with the standard library: one datagram of
``KEY=VALUE`` lines to the unix socket named by ``$NOTIFY_SOCKET`` (a name starting with ``@`` is in the
abstract namespace). Without ``$NOTIFY_SOCKET`` (not started by systemd with ``Type=notify``) every call
does nothing. The protocol is a dozen lines, so no package (``sdnotify``, ``systemd-python``) is needed.

What the bot says (deploy/hotline.service is ``Type=notify`` with ``WatchdogSec=``):

- ``STATUS=`` at each step of the start ("opening the database", "connecting to Telegram", ...), shown by
  ``systemctl status``;
- ``READY=1`` once the database is open and Telegram answered (polling started, or the webhook listening);
- ``WATCHDOG=1`` from the event loop every half ``$WATCHDOG_USEC`` while the bot is healthy
  (``Keepalive``): a stuck event loop, a database thread that no longer answers or a bot that has stopped
  sending stops the pings, and systemd kills and restarts the process;
- ``EXTEND_TIMEOUT_USEC=`` before ``READY=1`` while the event loop runs: a start that waits for Telegram
  (retried for as long as it is unreachable) is not killed by the start timeout; a start that hangs is;
- ``STOPPING=1`` when the bot begins to stop.

Failing to notify never stops the bot: the first failure is logged (WARNING), the rest at DEBUG.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable, Mapping

logger = logging.getLogger(__name__)

Check = Callable[[], Awaitable[bool]]

START_PERIOD_S = 10.0  # how often the start timeout is extended when there is no watchdog


class Notifier:
    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        name = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + name[1:] if name.startswith("@") else name
        self.watchdog_s = _watchdog_s(env)
        self._warned = False

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def send(self, *lines: str) -> bool:
        """One notification (``"READY=1"``, ``"STATUS=..."``, ...); True if it was handed to the socket."""
        if not self.address:
            return False
        data = "\n".join(line.replace("\n", " ") for line in lines).encode("utf-8")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                sock.connect(self.address)
                sock.sendall(data)
        except OSError as exc:
            log = logger.debug if self._warned else logger.warning
            self._warned = True
            log("could not notify systemd (NOTIFY_SOCKET): %s", exc)
            return False
        return True

    def status(self, text: str) -> bool:
        return self.send(f"STATUS={text}")

    def ready(self, status: str) -> bool:
        return self.send("READY=1", f"STATUS={status}")

    def stopping(self, status: str = "stopping") -> bool:
        return self.send("STOPPING=1", f"STATUS={status}")


def _watchdog_s(env: Mapping[str, str]) -> float | None:
    """The watchdog interval systemd asks for (``$WATCHDOG_USEC``), if it is meant for this process."""
    usec, pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):
        return None
    return int(usec) / 1_000_000


class Keepalive:
    """A task on the event loop: before ``ready()`` it extends the start timeout at every tick; after it,
    it sends ``WATCHDOG=1`` every half watchdog interval when ``check()`` says the bot is healthy (a check
    that fails, raises or takes longer than the tick sends nothing). The ticks themselves prove the loop
    runs: a blocked loop sends nothing either."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.check: Check | None = None
        self.period_s = notifier.watchdog_s / 2 if notifier.watchdog_s else START_PERIOD_S
        self.is_ready = False
        self.pings = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self.notifier.enabled and self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="systemd-keepalive")

    def ready(self, status: str, check: Check) -> None:
        self.check, self.is_ready = check, True
        self.notifier.ready(status)
        self._ping()  # the first ping at once: the watchdog runs from now on

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.period_s)
            if not self.is_ready:
                self.notifier.send(f"EXTEND_TIMEOUT_USEC={int(self.period_s * 3 * 1_000_000)}")
            elif self.notifier.watchdog_s is None:
                return  # ready, and no watchdog asked for: nothing more to say
            elif await self._healthy():
                self._ping()

    def _ping(self) -> None:
        if self.notifier.watchdog_s is not None and self.notifier.send("WATCHDOG=1"):
            self.pings += 1

    async def _healthy(self) -> bool:
        if self.check is None:
            return True
        try:
            return await asyncio.wait_for(self.check(), timeout=self.period_s)
        except TimeoutError:
            logger.warning(
                "watchdog: the health check took over %.0f s; systemd is not told the bot is alive", self.period_s
            )
            return False
        except Exception:  # a broken check must not end the keepalive task
            logger.exception("watchdog: the health check failed")
            return False
