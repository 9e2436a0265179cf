"""``hotline broadcast``: queue, preview and status against a real database file; the progress bar."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.cli.main import main
from tests.kit.broadcast import fast_settings


def test_cli_preview_send_status(tmp_path: Path, capsys: object) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "h.sqlite3"}"\n', encoding="utf-8")
    assert main(["broadcast", "preview", "--text", "Hall closed", "--config", str(config)]) == 0
    assert main(["broadcast", "send", "--text", "Hall closed", "--no-wait", "--config", str(config)]) == 0
    assert main(["broadcast", "status", "--config", str(config)]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "0 recipients" in out and "broadcast #1 queued" in out and "#1 broadcast -> subscribers [queued]" in out
    assert main(["broadcast", "send", "--text", "x", "--audience", "district:West", "--config", str(config)]) == 1


def test_progress_bar_without_a_tty_prints_a_line_per_tenth(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from bot.broadcast.audience import Progress
    from bot.cli.broadcast import ProgressBar
    from bot.cli.text import Say
    from bot.i18n import Lang
    from storage.broadcasts import Broadcast

    fast_settings(tmp_path / "unused.sqlite3")
    now = datetime(2027, 1, 1, tzinfo=UTC)
    b = Broadcast.model_validate(
        dict(
            id=1,
            kind="tip",
            campaign_id=None,
            audience="subscribers",
            texts={"zh": "x"},
            photo=None,
            priority=4,
            urgent=False,
            channel="telegram",
            status="sending",
            created_by=None,
            created_at=now,
            confirmed_at=None,
            started_at=None,
            finished_at=None,
            prepared_upto=0,
            audience_size=100,
            sent=0,
            blocked=0,
            failed=0,
            uncertain=0,
        )
    )
    out = io.StringIO()
    bar = ProgressBar(out, Say(Lang.EN))
    for done in range(0, 101, 5):
        bar.show(Progress(b, 100, done, 0, 0, 0, 100 - done, None))
    assert out.getvalue().splitlines() == [f"{p}% {p}/100" for p in range(0, 101, 10)]


def test_status_with_nothing_says_so(tmp_path: Path, capsys: object) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "h.sqlite3"}"\n', encoding="utf-8")
    assert main(["broadcast", "status", "--config", str(config)]) == 0
    assert capsys.readouterr().out == "no broadcasts\n"  # type: ignore[attr-defined]


async def test_send_without_a_running_bot_says_nobody_picked_it_up(tmp_path: Path) -> None:
    import argparse
    import asyncio
    import contextlib

    from bot.cli.broadcast import run
    from bot.cli.text import Say
    from bot.i18n import Lang

    settings = fast_settings(tmp_path / "h.sqlite3")
    args = argparse.Namespace(
        broadcast_command="send", text="Hall closed", audience="subscribers", notice=False, no_wait=False
    )
    out = io.StringIO()
    task = asyncio.create_task(run(settings, args, Say(Lang.EN), out, poll_s=0.02, pickup_s=0.1))
    for _ in range(250):  # bounded: at most ~5 s
        if "no running bot" in out.getvalue():
            break
        await asyncio.sleep(0.02)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    lines = out.getvalue().splitlines()
    assert lines[0] == "broadcast #1 queued; the running bot sends it"
    assert lines[1].startswith("no running bot has picked this up yet: start `hotline run`")
    assert len(lines) == 2  # said once


def test_times_are_shown_in_the_utilitys_zone_with_its_name() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.cli.broadcast import shown_time

    moment = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    assert shown_time(moment, ZoneInfo("Asia/Shanghai")) == "2027-01-04 16:00:00 Asia/Shanghai"


@pytest.mark.e2e  # a real process: the end-to-end suite (make test), not the inner loop
def test_python_dash_m_bot_is_the_hotline_command() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "usage: hotline" in done.stdout and "check-config" in done.stdout
