"""[ops] listen: /healthz, /readyz and /metrics of the whole bot running against the sandbox, scraped while a
resident reports a leak and a crew accepts; /readyz unready while the sandbox stops answering, ready again
when it answers."""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

import aiohttp
import pytest

from bot.cli.demo import DEMO_TOKEN, LEAD, RESIDENT, running_bot, sandbox_settings, tap
from sandbox import Sandbox
from tests.kit.chat import fill_report, has_button

# every Bot API method the bot calls, so that the sandbox answers none of them (connections dropped)
EVERY_METHOD = frozenset(
    {
        "getupdates",
        "getme",
        "sendmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "answercallbackquery",
        "sendlocation",
        "sendvenue",
        "sendphoto",
        "setmycommands",
        "deletewebhook",
        "sendchataction",
    }
)


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of the Prometheus text ``text`` (0 when absent)."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if wanted else "") + r" (\S+)$"
    for line in text.splitlines():
        match = re.match(pattern, line)
        if match:
            return float(match.group(1))
    return 0.0


async def get(http: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with http.get(url) as response:
        return response.status, await response.text()


async def wait_status(http: aiohttp.ClientSession, url: str, status: int, *, tries: int = 100) -> str:
    """Poll ``url`` until it answers ``status`` (at most ``tries`` times, 0.2 s apart)."""
    seen = (0, "")
    for _ in range(tries):
        seen = await get(http, url)
        if seen[0] == status:
            return seen[1]
        await asyncio.sleep(0.2)
    raise AssertionError(f"{url} never answered {status}; last {seen}")


async def test_scrape_during_a_report_and_readiness_through_an_outage(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    sb = sandbox
    ops = {"listen": "127.0.0.1:0", "api_stale_s": 1.5, "probe_s": 0.3, "outbox_stuck_s": 600}
    settings = sandbox_settings(sb, tmp_path / "ops.sqlite3", ops=ops)
    async with running_bot(settings) as runtime, aiohttp.ClientSession() as http:
        assert runtime.ops is not None
        base = f"http://127.0.0.1:{runtime.ops.port}"  # type: ignore[attr-defined]
        assert await get(http, f"{base}/healthz") == (200, '{"status": "ok"}')
        assert await get(http, f"{base}/readyz") == (200, "ready\n")

        await fill_report(sb)
        await sb.wait_for_text(RESIDENT, "on ticket #1", timeout_s=5)
        await sb.wait_for(LEAD, lambda m: has_button(m, "t:acc:1"), timeout_s=5)
        await tap(sb, None, LEAD, "t:acc:1")
        await sb.wait_for_text(RESIDENT, "Wang Qiang of our crew accepted", timeout_s=5)

        status, metrics = await get(http, f"{base}/metrics")
        assert status == 200
        assert sample(metrics, "hotline_updates_received_total") >= 10
        assert sample(metrics, "hotline_safety_cards_sent_total") >= 1
        assert sample(metrics, "hotline_safety_card_latency_seconds_count") == sample(
            metrics, "hotline_safety_cards_sent_total"
        )
        assert sample(metrics, "hotline_tickets", severity="P1", status="accepted") == 1
        assert sample(metrics, "hotline_dispatch_accept_seconds_count") == 1
        assert sample(metrics, "hotline_dispatch_accept_seconds_bucket", le="+Inf") == 1
        assert "hotline_escalations_total 0.0" in metrics
        assert "hotline_outbox_oldest_pending_age_seconds" in metrics
        assert sample(metrics, "hotline_bot_api_last_success_age_seconds") >= 0
        for private in ("+8613812345678", "Building 3", "Zhang", "kitchen", DEMO_TOKEN):
            assert private not in metrics

        # the sandbox stops answering (every connection dropped): unready once api_stale_s has passed
        sb.set_faults(drop_rate=1.0, methods=EVERY_METHOD, seed=3)
        body = await wait_status(http, f"{base}/readyz", 503)
        assert "bot_api: last answer" in body
        assert (await get(http, f"{base}/healthz"))[0] == 200  # alive all the same
        status, metrics = await get(http, f"{base}/metrics")
        assert sample(metrics, "hotline_ready") == 0
        assert sample(metrics, "hotline_bot_api_errors_total", code="network") >= 1  # the dropped polls and probes
        # it answers again: ready again (the next poll or getMe probe)
        sb.set_faults()
        assert await wait_status(http, f"{base}/readyz", 200) == "ready\n"
        assert sample((await get(http, f"{base}/metrics"))[1], "hotline_ready") == 1
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "not ready: bot_api" in logged and "ops endpoints on http://127.0.0.1:" in logged
    assert "+8613812345678" not in logged and DEMO_TOKEN not in logged


async def test_ops_is_off_by_default(sandbox: Sandbox, tmp_path: Path) -> None:
    settings = sandbox_settings(sandbox, tmp_path / "off.sqlite3")
    assert settings.ops.listen == ""
    async with running_bot(settings) as runtime:
        assert runtime.ops is None


async def test_a_taken_ops_port_stops_the_start_with_one_clear_error(sandbox: Sandbox, tmp_path: Path) -> None:
    import socket

    from common.errors import ConfigError

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = sandbox_settings(sandbox, tmp_path / "taken.sqlite3", ops={"listen": f"127.0.0.1:{port}"})
        with pytest.raises(ConfigError, match=f"ops.listen: cannot listen on 127.0.0.1:{port}"):
            async with running_bot(settings):
                pass
