"""The Chinese operator documents in step with the English ones: README.zh-CN.md names the same commands
and configuration keys as README.md, and config.example.zh-CN.toml has the same keys and values as
config.example.toml (only its comments are Chinese), and is a valid configuration."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = set(Settings.model_fields)
# `hotline roster show`, `make lock`: a command and up to two sub-command words (options excluded)
COMMAND = re.compile(r"`((?:hotline|make) [a-z][a-z-]*(?: (?!--)[a-z][a-z-]*)?)")
DOTTED_KEY = re.compile(r"`([a-z_]+)\.([a-z_]+)`")  # `telegram.proxy_url`
TABLE_KEY = re.compile(r"`\[([a-z_]+)\] ([a-z_]+)")  # `[ops] listen = ...`


def commands(text: str) -> set[str]:
    return set(COMMAND.findall(text))


def config_keys(text: str) -> set[str]:
    keys = {f"{a}.{b}" for a, b in DOTTED_KEY.findall(text) if a in SECTIONS}
    return keys | {f"{a}.{b}" for a, b in TABLE_KEY.findall(text) if a in SECTIONS}


def test_the_extractors_find_what_they_should() -> None:
    text = "`hotline roster show [--at TIME]`, `make lock`, `telegram.proxy_url`, `[ops] listen = 1`, `os.path`"
    assert commands(text) == {"hotline roster show", "make lock"}
    assert config_keys(text) == {"telegram.proxy_url", "ops.listen"}


@pytest.mark.parametrize("what", [commands, config_keys])
def test_both_readmes_name_the_same(what: object) -> None:
    assert callable(what)
    english = what((ROOT / "README.md").read_text(encoding="utf-8"))
    chinese = what((ROOT / "README.zh-CN.md").read_text(encoding="utf-8"))
    assert english, "nothing found: the extractor is broken"
    assert english - chinese == set(), "README.zh-CN.md does not mention these yet (add them in Chinese)"
    assert chinese - english == set(), "README.zh-CN.md mentions these but README.md does not"


def test_the_chinese_example_configuration_is_the_english_one() -> None:
    english = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    chinese = tomllib.loads((ROOT / "config.example.zh-CN.toml").read_text(encoding="utf-8"))
    assert chinese == english, "config.example.zh-CN.toml differs from config.example.toml: copy the change"
    commented = re.compile(r"^# ?([a-z_]+) = ", re.MULTILINE)  # the optional keys shown commented out
    en_text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    zh_text = (ROOT / "config.example.zh-CN.toml").read_text(encoding="utf-8")
    assert set(commented.findall(en_text)) == set(commented.findall(zh_text))
    assert re.search(r"[\u4e00-\u9fff]", zh_text), "the comments are Chinese"


def test_the_chinese_example_configuration_is_valid() -> None:
    assert main(["check-config", str(ROOT / "config.example.zh-CN.toml")]) == 0
