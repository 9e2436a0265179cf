"""Echo floor: bare echo bots (PTB default transport, aiogram, PTB on our transport) answering texts
from many users; updates/s measured at the stand-in, from the first injected update to the last echo; and
the CPU seconds the peer's process spent per update (its own user + system time, from /proc), a figure
that does not move with the machine's speed as a rate does."""

from __future__ import annotations

import random
from dataclasses import dataclass

from bench.standin import Peer, Standin, now

PEERS = {
    "echo_ptb": "PTB 22, default transport (httpx), concurrent_updates=True",
    "echo_aiogram": "aiogram 3, defaults",
    "echo_ours": "PTB 22 + our AiohttpRequest + ChatOrderedProcessor(256)",
}


@dataclass(frozen=True)
class EchoResult:
    updates_per_s: float  # 0.0 if the peer did not finish in time
    cpu_s_per_update: float | None = None


async def run_echo(module: str, *, latency_ms: float, texts: int, users: int, seed: int = 1) -> EchoResult:
    """Updates per second the echo peer ``module`` sustained, and its CPU per update."""
    rng = random.Random(seed)
    async with Standin(latency_ms) as standin, Peer(module) as peer:
        sb = standin.sandbox
        ids = [700_000 + i for i in range(users)]
        for user_id in ids:
            sb.create_user(user_id, first_name=f"U{user_id}", language_code="en")
        await peer.start(standin.root)
        await sb.wait_idle(quiet_s=0.2, timeout_s=10)
        cpu_before = peer.cpu_s()
        started = now()
        for n in range(texts):
            await sb.send_text(rng.choice(ids), f"echo {n}")
        finished = await standin.wait_total(texts, timeout_s=120)
        if not finished:
            return EchoResult(0.0)
        cpu_after = peer.cpu_s()
        last = max(m.sent_at for user_id in ids for m in sb.messages(user_id))
        cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
        return EchoResult(texts / (last - started), cpu / texts if cpu is not None else None)
