"""``hotline broadcast``: queue, preview and status against a real database file; the progress bar."""

from __future__ import annotations

import io
from pathlib import Path

from bot.cli import main
from tests.bot.broadcast_helpers import fast_settings


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

    from bot.broadcast import Progress
    from bot.broadcast_cli import ProgressBar
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
    bar = ProgressBar(out)
    for done in range(0, 101, 5):
        bar.show(Progress(b, 100, done, 0, 0, 0, 100 - done, None))
    assert out.getvalue().splitlines() == [f"{p}% {p}/100" for p in range(0, 101, 10)]
