"""Echo floor: bare echo bots (PTB default transport, aiogram, PTB on our transport) answering texts
from many users; updates/s measured at the stand-in, from the first injected update to the last echo."""

from __future__ import annotations

import random

from bench.standin import Peer, Standin, now

PEERS = {
    "echo_ptb": "PTB 22, default transport (httpx), concurrent_updates=True",
    "echo_aiogram": "aiogram 3, defaults",
    "echo_ours": "PTB 22 + our AiohttpRequest + ChatOrderedProcessor(256)",
}


async def run_echo(module: str, *, latency_ms: float, texts: int, users: int, seed: int = 1) -> float:
    """Updates per second the echo peer ``module`` sustained (0.0 if it did not finish in time)."""
    rng = random.Random(seed)
    async with Standin(latency_ms) as standin, Peer(module) as peer:
        sb = standin.sandbox
        ids = [700_000 + i for i in range(users)]
        for user_id in ids:
            sb.create_user(user_id, first_name=f"U{user_id}", language_code="en")
        await peer.start(standin.root)
        await sb.wait_idle(quiet_s=0.2, timeout_s=10)
        started = now()
        for n in range(texts):
            await sb.send_text(rng.choice(ids), f"echo {n}")
        finished = await standin.wait_total(texts, timeout_s=120)
        if not finished:
            return 0.0
        last = max(m.sent_at for user_id in ids for m in sb.messages(user_id))
        return texts / (last - started)
