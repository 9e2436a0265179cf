"""The stand-in and the peer subprocess: a sandbox with added latency, per-chat counters of the bot's
messages (waits that cost O(1) per message, unlike ``wait_for`` which wakes every waiter), and a peer
process started, awaited until ready, measured (peak RSS) and stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from types import TracebackType
from typing import Any

from sandbox import Sandbox
from sandbox.botworld import ChatMessage

TOKEN = "123456:DEMO-sandbox-token"  # bot.cli.demo.DEMO_TOKEN: what sandbox_settings uses
REPO = Path(__file__).absolute().parent.parent
logger = logging.getLogger(__name__)


class Standin:
    """A started sandbox with ``latency_ms`` added to every call, counting the bot's messages per chat."""

    def __init__(self, latency_ms: float) -> None:
        self.sandbox = Sandbox(TOKEN, call_log_size=1_000)
        self.latency_ms = latency_ms
        self.counts: defaultdict[int, int] = defaultdict(int)
        self.total = 0
        self._waiters: defaultdict[int, list[tuple[int, asyncio.Future[None]]]] = defaultdict(list)
        self._total_waiters: list[tuple[int, asyncio.Future[None]]] = []

    async def __aenter__(self) -> Standin:
        await self.sandbox.start()
        self.sandbox.set_latency(self.latency_ms / 1000.0)
        world = self.sandbox._world  # the bench hooks the store: the sandbox's waits wake every waiter
        original = world.add_message

        def add_message(chat_id: int, body: dict[str, Any], *, from_bot: bool, sender: Any = None) -> ChatMessage:
            stored = original(chat_id, body, from_bot=from_bot, sender=sender)
            if from_bot:
                self._count(chat_id)
            return stored

        world.add_message = add_message  # type: ignore[method-assign]
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.sandbox.stop()

    @property
    def root(self) -> str:
        return self.sandbox.url

    def _count(self, chat_id: int) -> None:
        self.counts[chat_id] += 1
        self.total += 1
        self._release(self._waiters.get(chat_id), self.counts[chat_id])
        self._release(self._total_waiters, self.total)

    @staticmethod
    def _release(waiters: list[tuple[int, asyncio.Future[None]]] | None, value: int) -> None:
        if not waiters:
            return
        keep = []
        for target, future in waiters:
            if value >= target:
                if not future.done():
                    future.set_result(None)
            else:
                keep.append((target, future))
        waiters[:] = keep

    async def wait_count(self, chat_id: int, target: int, timeout_s: float) -> None:
        """Until the bot has sent ``target`` messages to ``chat_id`` (TimeoutError after ``timeout_s``)."""
        if self.counts[chat_id] >= target:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[chat_id].append((target, future))
        await asyncio.wait_for(future, timeout_s)

    async def wait_total(self, target: int, timeout_s: float) -> bool:
        """Until the bot has sent ``target`` messages in all; False on timeout."""
        if self.total >= target:
            return True
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._total_waiters.append((target, future))
        try:
            await asyncio.wait_for(future, timeout_s)
        except TimeoutError:
            return False
        return True


class Peer:
    """``python -m bench.peers.<module> <root-url> [args]`` in a subprocess."""

    def __init__(self, module: str, *args: str) -> None:
        self.module = module
        self.args = args
        self.proc: asyncio.subprocess.Process | None = None
        self._log = tempfile.NamedTemporaryFile(prefix=f"bench-{module}-", suffix=".log", delete=False)  # noqa: SIM115

    async def start(self, root: str, timeout_s: float = 60.0) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PTB_TIMEDELTA": "true"}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            f"bench.peers.{self.module}",
            root,
            *self.args,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._log,
            env=env,
            cwd=str(REPO),
        )
        assert self.proc.stdout is not None
        try:
            async with asyncio.timeout(timeout_s):
                while (line := await self.proc.stdout.readline()) != b"READY\n":
                    if not line:
                        raise RuntimeError(f"peer {self.module} exited before it was ready: {self.log_tail()}")
        except TimeoutError:
            await self.stop()
            raise RuntimeError(f"peer {self.module} not ready within {timeout_s:.0f} s: {self.log_tail()}") from None

    def peak_rss_mb(self) -> float | None:
        """The peer's peak resident set size so far (VmHWM), in MiB."""
        if self.proc is None:
            return None
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return None

    def cpu_s(self) -> float | None:
        """CPU seconds (user + system) the peer has used so far."""
        if self.proc is None:
            return None
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self, timeout_s: float = 20.0) -> None:
        proc = self.proc
        if proc is None or proc.returncode is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout_s)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        if proc.stdout is not None:
            with contextlib.suppress(Exception):
                await proc.stdout.read()

    def log_tail(self, lines: int = 15) -> str:
        self._log.flush()
        text = Path(self._log.name).read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    async def __aenter__(self) -> Peer:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
        self._log.close()
        if exc is None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self._log.name)
        else:
            print(f"  (peer log kept: {self._log.name})", file=sys.stderr)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def now() -> float:
    """The stand-in's clock (``ChatMessage.sent_at``): wall time."""
    return time.time()
