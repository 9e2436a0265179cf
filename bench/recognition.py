"""How long danger recognition takes per message: every message of the corpus, many times over, in-process.

Read on the thread's own CPU clock: recognition does no I/O, so its CPU time is its latency on an idle core, and
a busy machine (other processes preempting this one) does not move the figure."""

from __future__ import annotations

import time
from pathlib import Path

from bench.results import Row
from bench.standin import percentile
from bot.danger.detect import detect

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "bot" / "corpus"


def messages() -> list[str]:
    out = []
    for path in sorted(CORPUS.glob("*/*.tsv")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                out.append(line.split("\t", 2)[2])
    return out


def run_recognition(rounds: int = 5) -> list[Row]:
    texts = messages()
    for text in texts:  # warm the caches the way a running bot has them warm
        detect(text)
    times: list[float] = []
    for _ in range(rounds):
        for text in texts:
            start = time.thread_time()
            detect(text)
            times.append(time.thread_time() - start)
    p50, p99 = percentile(times, 50), percentile(times, 99)
    return [
        Row(
            f"danger recognition, {len(texts)} corpus messages x {rounds}, p50 / p99 CPU ms",
            "target: p99 well under 1 ms",
            "1.0",
            f"{p50 * 1000:.3f} / {p99 * 1000:.3f}",
            f"{p99 * 1000:.2f}x",
        )
    ]


if __name__ == "__main__":
    for row in run_recognition():
        print(row)
