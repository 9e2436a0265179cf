"""``[broadcast]`` was called ``[reminders]``: configuration files and environments written for the old name
keep working, and an error names the key as the file spelt it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.settings import Settings, load_settings
from common.errors import ConfigError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("section", ["broadcast", "reminders"])
def test_either_name_sets_the_broadcast_section(tmp_path: Path, section: str) -> None:
    path = _write(tmp_path, f'[{section}]\nrate_per_s = 7.5\nquiet_start = "22:00"\n')
    settings = load_settings(path)
    assert settings.broadcast.rate_per_s == 7.5
    assert settings.broadcast.quiet_start.hour == 22
    assert "reminders" not in Settings.model_fields


def test_keys_under_both_names_merge_and_the_current_name_wins(tmp_path: Path) -> None:
    path = _write(tmp_path, "[reminders]\nrate_per_s = 5.0\nmax_attempts = 2\n[broadcast]\nrate_per_s = 9.0\n")
    settings = load_settings(path)
    assert (settings.broadcast.rate_per_s, settings.broadcast.max_attempts) == (9.0, 2)


@pytest.mark.parametrize("section", ["broadcast", "reminders"])
def test_a_typo_is_named_under_the_name_the_file_used(tmp_path: Path, section: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, f"[{section}]\nrate_per_sec = 5\n"))
    assert f"{section}.rate_per_sec" in str(caught.value)


@pytest.mark.parametrize("variable", ["HOTLINE_BROADCAST__RATE_PER_S", "HOTLINE_REMINDERS__RATE_PER_S"])
def test_either_name_works_in_the_environment(monkeypatch: pytest.MonkeyPatch, variable: str) -> None:
    monkeypatch.setenv(variable, "3.5")
    assert load_settings(None).broadcast.rate_per_s == 3.5


def test_the_old_name_works_in_code_that_builds_settings() -> None:
    assert Settings(reminders={"catch_up_h": 1.0}).broadcast.catch_up_h == 1.0  # type: ignore[call-arg]
