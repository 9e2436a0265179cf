"""``python -m bench`` (``make bench``): every scenario, every peer, one stand-in latency, one table.

Options: ``--latency-ms`` (default 30), ``--quick`` (smaller loads, for a smoke run), ``--only`` (some
scenarios: recognition, echo, surge, broadcast, memory, district, scale; the surge's peer row needs echo),
``--large`` (``make bench-large``: instead of their usual sizes, the district and scale rows that take many
minutes, a district of 10,000 residents and a million subscribers), ``--residents`` (the district rows at these
sizes only, e.g. ``--only district --residents 10000``: without the paid row)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import tempfile
import time
from pathlib import Path

from bench.broadcast import run_broadcast
from bench.district import run_district
from bench.district_rows import district_rows
from bench.echo import PEERS, EchoResult, run_echo
from bench.memory import run_memory
from bench.recognition import run_recognition
from bench.results import Row, ratio
from bench.scale import run_scale, status_summary
from bench.standin import percentile
from bench.surge import SurgeResult, run_surge

BROADCAST_CAP_PER_S = 1000.0
# Little's law: 1,000/s with 30 ms per call needs at least 30 sends under way; the default 32 leaves no slack
SCENARIOS = ("recognition", "echo", "surge", "broadcast", "memory", "district", "scale")
# residents and the run's budget (s) of the district leak under real limits; 10,000 with --large. A run stops
# sooner once every report is accepted and every resident with someone unwell has had a card of their own (at
# 1,000 their answer, the sixth, comes after five rounds of questions to everyone: about 5 minutes at 30/s)
DISTRICT = ((100, 300.0), (1000, 600.0))
DISTRICT_LARGE = ((10_000, 1200.0),)  # the cards take 333 s at 30/s; the run stops once every report is accepted
DISTRICT_QUICK = ((20, 90.0),)
# subscribers of the scale rows; a million with --large
SCALE = (10_000, 100_000)
SCALE_LARGE = (1_000_000,)
SCALE_QUICK = (10_000,)
BROADCAST_IN_FLIGHT = (
    128  # at 30 ms a call 1,000/s needs 30+ under way; the window also holds sends done but not yet recorded
)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}, {platform.system()}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _latency_rows(scenario: str, result: SurgeResult, latency_ms: float) -> list[Row]:
    if not result.latencies_s:
        return [Row(scenario, ours="no dispatch measured")]
    budget = (latency_ms + 100) / 1000
    p50, p99 = percentile(result.latencies_s, 50), percentile(result.latencies_s, 99)
    return [
        Row(
            scenario,
            peer="target: stand-in latency + 100 ms",
            peer_figure=_ms(budget),
            ours=f"{_ms(p50)} / {_ms(p99)}",
            ratio=ratio(p99, budget),
            note=f"n={len(result.latencies_s)}",
        )
    ]


async def _broadcast_rows(tmp: Path, latency: float, quick: bool) -> list[Row]:
    subscribers = 5_000 if quick else 20_000
    cap, rows = BROADCAST_CAP_PER_S, []
    print(f"broadcast: {subscribers} subscribers at {cap:.0f}/s ...", flush=True)
    alone = await run_broadcast(
        tmp / "broadcast.sqlite3",
        latency_ms=latency,
        subscribers=subscribers,
        cap_per_s=cap,
        max_in_flight=BROADCAST_IN_FLIGHT,
    )
    rows.append(
        Row(
            f"broadcast {alone.delivered:,}/{subscribers:,} at cap {cap:,.0f}/s, achieved/s",
            "target: 0.95 x cap",
            f"{0.95 * cap:.0f}",
            f"{alone.achieved_per_s:.0f}",
            ratio(alone.achieved_per_s, cap),
        )
    )
    for residents, pace in ((100, 20.0), (200, 100.0)) if quick else ((300, 20.0), (1000, 100.0)):
        print(f"broadcast + {residents} danger texts at {pace:.0f}/s ...", flush=True)
        mixed = await run_broadcast(
            tmp / f"broadcast-surge-{pace:.0f}.sqlite3",
            latency_ms=latency,
            subscribers=subscribers,
            cap_per_s=cap,
            max_in_flight=BROADCAST_IN_FLIGHT,
            surge_residents=residents,
            surge_per_s=pace,
        )
        if not mixed.card_latencies_s:
            rows.append(Row(f"broadcast + danger texts {pace:.0f}/s, safety card", ours="no card measured"))
            continue
        p50, p99 = percentile(mixed.card_latencies_s, 50), percentile(mixed.card_latencies_s, 99)
        rows.append(
            Row(
                f"broadcast + {len(mixed.card_latencies_s)} danger texts at {pace:.0f}/s (broadcast meanwhile "
                f"{mixed.surge_window_rate_per_s:.0f}/s), safety card p50 / p99 ms",
                "target: p99 1 s",
                "1000",
                f"{_ms(p50)} / {_ms(p99)}",
                ratio(p99, 1.0),
            )
        )
    return rows


def _cpu_ms(seconds: float | None) -> str:
    return f"{seconds * 1000:.3f}" if seconds is not None else "-"


def _cpu_row(scenario: str, peer: str, peer_cpu: float | None, ours: float | None) -> Row:
    """CPU seconds per update of the bot's process beside the peer's: a ratio that does not move with the
    machine's speed (target <= 1.0)."""
    cpu_ratio = ratio(ours, peer_cpu) if ours is not None and peer_cpu else "-"
    return Row(scenario, peer, _cpu_ms(peer_cpu), _cpu_ms(ours), cpu_ratio)


# Texts per echo run: aiogram's CPU per update, the surge row's peer, swung 0.46-0.70 ms over 1,500 texts (about a
# second of work, start-up and a busy neighbour's moments weigh in it); 6,000 read it over four times as long
ECHO_TEXTS = 6000


async def _echo_rows(latency: float, quick: bool) -> tuple[list[Row], dict[str, EchoResult]]:
    echo: dict[str, EchoResult] = {}
    for module in PEERS:
        print(f"echo floor: {module} ...", flush=True)
        echo[module] = await run_echo(module, latency_ms=latency, texts=300 if quick else ECHO_TEXTS, users=200)
    ours, rows = echo["echo_ours"], []
    for module in ("echo_ptb", "echo_aiogram"):
        peer = echo[module]
        rows.append(
            Row(
                "echo floor, updates/s",
                PEERS[module],
                f"{peer.updates_per_s:.0f}",
                f"{ours.updates_per_s:.0f}",
                ratio(ours.updates_per_s, peer.updates_per_s),
            )
        )
        rows.append(
            _cpu_row("echo floor, CPU ms per update", PEERS[module], peer.cpu_s_per_update, ours.cpu_s_per_update)
        )
    return rows, echo


async def _surge_rows(tmp: Path, latency: float, quick: bool, echo: dict[str, EchoResult]) -> list[Row]:
    rows: list[Row] = []
    residents = 100 if quick else 1000
    print(f"intake surge: {residents} residents ...", flush=True)
    surge = await run_surge(tmp / "surge.sqlite3", latency_ms=latency, residents=residents)
    aiogram = echo.get("echo_aiogram", EchoResult(0.0))
    rows.append(
        Row(
            f"intake surge ({surge.reports}/{residents} reports), updates/s",
            "aiogram echo, same run",
            f"{aiogram.updates_per_s:.0f}",
            f"{surge.updates_per_s:.0f}",
            ratio(surge.updates_per_s, aiogram.updates_per_s),
        )
    )
    rows.append(
        _cpu_row(
            "intake surge, bot's CPU ms per update",
            "aiogram echo, same run",
            aiogram.cpu_s_per_update,
            surge.cpu_s_per_update,
        )
    )
    rows.append(Row("intake surge, reports/s", ours=f"{surge.reports_per_s:.1f}"))
    rows += _latency_rows("intake surge, location -> dispatch p50 / p99 ms", surge, latency)
    paced_n, pace = (30, 10.0) if quick else (150, 10.0)
    print(f"dispatch under the cap: {paced_n} locations at {pace:.0f}/s ...", flush=True)
    paced = await run_surge(tmp / "paced.sqlite3", latency_ms=latency, residents=paced_n, pace_per_s=pace)
    rows += _latency_rows(f"dispatch, {pace:.0f} locations/s, p50 / p99 ms", paced, latency)
    return rows


async def _memory_rows(tmp: Path, latency: float, quick: bool) -> list[Row]:
    subscribers, tickets = (10_000, 2_000) if quick else (100_000, 20_000)
    print(f"memory: {subscribers} subscribers, {tickets} tickets ...", flush=True)
    memory = await run_memory(
        tmp / "memory.sqlite3", latency_ms=latency, subscribers=subscribers, tickets=tickets, residents=200
    )
    rss = memory.peak_rss_mb or 0.0
    return [
        Row(
            f"memory, {subscribers:,} subscribers + {tickets:,} tickets, peak RSS MB",
            "target",
            "150",
            f"{rss:.0f}",
            ratio(rss, 150),
        )
    ]


async def _scale_rows(tmp: Path, latency: float, quick: bool, large: bool) -> list[Row]:
    rows: list[Row] = []
    sizes = SCALE_QUICK if quick else SCALE_LARGE if large else SCALE
    for subscribers in sizes:
        print(f"scale: a tip to {subscribers:,} subscribers ...", flush=True)
        path = tmp / f"scale-{subscribers}.sqlite3"
        result = await run_scale(
            path, latency_ms=latency, subscribers=subscribers, cap_per_s=BROADCAST_CAP_PER_S,
            max_in_flight=BROADCAST_IN_FLIGHT, window=2_000 if quick else 10_000,
        )  # fmt: skip
        path.unlink(missing_ok=True)
        name = f"scale, a tip to {subscribers:,} subscribers"
        rss, cpu = result.peak_rss_mb, result.cpu_ms_per_message
        start = f"{result.start_s:.2f}" if result.start_s is not None else "no message"
        listed = f"{result.listed_s:.1f}" if result.listed_s is not None else "not listed in time"
        rows += [
            Row(f"{name}: bot's peak RSS MB", "target", "200", f"{rss:.0f}" if rss else "-", ratio(rss or 0, 200)),
            Row(f"{name}: time to start, s (every recipient listed, s)", "target", "2", f"{start} ({listed})",
                ratio(result.start_s or 0, 2) if result.start_s is not None else "-"),
            Row(f"{name}: bot's CPU ms per message sent (n={result.window:,})", ours=f"{cpu:.3f}" if cpu else "-"),
            Row(f"{name}: broadcast status, p50 / max ms", "target", "200", status_summary(result.status_ms),
                ratio(max(result.status_ms), 200) if result.status_ms else "-"),
        ]  # fmt: skip
    return rows


def district_budget_s(residents: int) -> float:
    """The run's budget for a district of ``residents``: the usual sizes' own, else 300 s or, for a larger
    district, its cards' time at 30/s three times over and two minutes for the crews."""
    known = dict((*DISTRICT_QUICK, *DISTRICT, *DISTRICT_LARGE))
    return known.get(residents, max(300.0, 3 * residents / 30 + 120))


async def _district_rows(tmp: Path, latency: float, quick: bool, large: bool, sizes: list[int]) -> list[Row]:
    rows: list[Row] = []
    if sizes:
        runs = tuple((residents, district_budget_s(residents)) for residents in sizes)
    else:
        runs = DISTRICT_QUICK if quick else DISTRICT_LARGE if large else DISTRICT
    for residents, budget in runs:
        print(f"district leak under real limits: {residents} residents (budget {budget:.0f} s) ...", flush=True)
        result = await run_district(
            tmp / f"district-{residents}.sqlite3", latency_ms=latency, residents=residents, budget_s=budget
        )
        rows += district_rows(result)
    if sizes:
        return rows
    # the largest again with [outbound] paid_safety_cards on (the stand-in lets flagged messages through at 1,000/s)
    print(f"district leak with paid safety cards: {residents} residents ...", flush=True)
    paid = await run_district(
        tmp / "district-paid.sqlite3", latency_ms=latency, residents=residents, budget_s=budget, paid=True
    )
    return rows + district_rows(paid)


async def run_all(args: argparse.Namespace) -> tuple[list[Row], float]:
    latency, quick = args.latency_ms, args.quick
    only = set(args.only.split(",")) if args.only else set(SCENARIOS)
    rows: list[Row] = []
    started = time.monotonic()
    if "recognition" in only:
        print("danger recognition ...", flush=True)
        rows += run_recognition(rounds=1 if quick else 5)
    echo: dict[str, EchoResult] = {}
    if "echo" in only:
        echo_rows, echo = await _echo_rows(latency, quick)
        rows += echo_rows
    with tempfile.TemporaryDirectory(prefix="hotline-bench-") as tmp:
        if "surge" in only:
            rows += await _surge_rows(Path(tmp), latency, quick, echo)
        if "broadcast" in only:
            rows += await _broadcast_rows(Path(tmp), latency, quick)
        if "memory" in only:
            rows += await _memory_rows(Path(tmp), latency, quick)
        if "district" in only:
            rows += await _district_rows(Path(tmp), latency, quick, args.large, args.residents)
        if "scale" in only:
            rows += await _scale_rows(Path(tmp), latency, quick, args.large)
    return rows, time.monotonic() - started


def render(rows: list[Row], latency_ms: float, elapsed_s: float) -> str:
    header = ("scenario", "peer", "peer figure", "ours", "ratio")
    table = [header, *((r.scenario, r.peer, r.peer_figure, r.ours, r.ratio) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    out = ["| " + " | ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)) + " |" for line in table]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    out.append("")
    out.append(
        f"Stand-in: sandbox, {latency_ms:.0f} ms added to every call, no flood limits (except the district rows: "
        f"Telegram's real limits, the bot's own outbound defaults); every peer in its own subprocess, the stand-in "
        f"and load driver in the benchmark's process, none sharing the bot's. CPU ms per update: each peer "
        f"process's own user + system time during the load. The hotline bot runs with the "
        f"outbound limits raised (global_rate_per_s, private_rate_per_s, private_burst), since the stand-in enforces "
        f"none, and 256 Bot API connections (telegram.connection_pool_size). Broadcasts: [broadcast] rate_per_s "
        f"{BROADCAST_CAP_PER_S:.0f}, max_in_flight {BROADCAST_IN_FLIGHT}, quiet hours off. Machine: {machine()}. "
        f"Whole run {elapsed_s:.0f} s."
    )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    parser.add_argument("--quick", action="store_true", help="small loads (a smoke run, not for the README)")
    parser.add_argument("--large", action="store_true", help="10,000 residents and a million subscribers instead")
    parser.add_argument(
        "--residents",
        type=lambda text: [int(n) for n in text.replace("_", "").split(",")],
        default=[],
        help="comma-separated district sizes to run instead of the usual ones (without the paid row)",
    )
    parser.add_argument("--only", default="", help=f"comma-separated scenarios among {', '.join(SCENARIOS)}")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    rows, elapsed = asyncio.run(run_all(args))
    print()
    print(render(rows, args.latency_ms, elapsed))


if __name__ == "__main__":
    main()
