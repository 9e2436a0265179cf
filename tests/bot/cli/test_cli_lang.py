"""The `hotline` command speaks the operator's language from the chat's catalogs (bot/locales/*/cli.toml):
--lang, else LC_ALL / LC_MESSAGES / LANG, else [utility] cli_lang. Every command's help and the outputs of
the commands that report state, in both languages, with no catalog key missing."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import _parser, main
from bot.cli.text import Kit, Say, choose, lang_of_argv, lang_of_locale
from bot.i18n import Lang

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "config.example.toml"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def locale(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No locale variable set (the tests set the one they need)."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch


def test_the_language_is_the_flag_then_the_locale_then_the_configuration() -> None:
    assert choose("en", "zh", {"LANG": "zh_CN.UTF-8"}) is Lang.EN
    assert choose(None, "en", {"LANG": "zh_CN.UTF-8"}) is Lang.ZH
    assert choose(None, "en", {"LANG": "C.UTF-8"}) is Lang.EN  # C names no language: the configuration's
    assert choose(None, None, {}) is Lang.ZH
    assert lang_of_locale({"LC_ALL": "en_GB.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "zh_CN"}) is Lang.EN
    assert lang_of_locale({"LC_MESSAGES": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}) is Lang.ZH
    assert lang_of_locale({"LC_ALL": "", "LANG": "zh_HK"}) is Lang.ZH  # an empty variable is not set
    assert lang_of_locale({"LANG": "de_DE.UTF-8"}) is None
    assert lang_of_argv(["roster", "show", "--lang", "en"]) is Lang.EN
    assert lang_of_argv(["--lang=zh", "roster", "show"]) is Lang.ZH
    assert lang_of_argv(["roster", "show"]) is None


def _parsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield " ".join(path), parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _parsers(child, (*path, name))


@pytest.mark.parametrize("lang", list(Lang))
def test_every_commands_help_is_in_the_language(lang: Lang) -> None:
    helps = dict((name, p.format_help()) for name, p in _parsers(_parser(Kit(Say(lang)))))
    assert {"roster show", "broadcast send", "db backup", "invite", "staff revoke", "campaigns show"} <= set(helps)
    english = {name: p.format_help() for name, p in _parsers(_parser(Kit(Say(Lang.EN))))}
    for name, text in helps.items():
        if lang is Lang.ZH:
            assert text.startswith("用法：") and CJK.search(text.split("\n", 1)[1]), name
            assert text != english[name], name
        else:
            assert text.startswith("usage: "), name
            assert name in ("roster import", "sites import") or not CJK.search(text), name  # Chinese headers allowed


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    text = EXAMPLE.read_text(encoding="utf-8").replace('"data/hotline.sqlite3"', f'"{tmp_path / "h.sqlite3"}"')
    path.write_text(text, encoding="utf-8")
    return path


STATUS_COMMANDS = (
    ("check-config", "{config}"),
    ("db", "migrate", "--config", "{config}"),
    ("broadcast", "status", "--config", "{config}"),
    ("invite", "list", "--config", "{config}"),
    ("staff", "list", "--config", "{config}"),
    ("roster", "show", "--at", "2027-03-01 10:00", "--config", "{config}"),
    ("campaigns", "show", "--year", "2027", "--config", "{config}"),
    ("purge", "--older-than", "30", "--dry-run", "--config", "{config}"),
)


@pytest.mark.parametrize("command", STATUS_COMMANDS, ids=lambda c: " ".join(w for w in c[:2] if "{" not in w))
def test_the_status_outputs_in_both_languages(
    command: tuple[str, ...], config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [word.format(config=config) for word in command]
    outputs = {}
    for lang in Lang:
        assert main([*argv, "--lang", lang.value]) == 0
        outputs[lang] = capsys.readouterr().out
    assert CJK.search(outputs[Lang.ZH]), outputs[Lang.ZH]
    assert not CJK.search(outputs[Lang.EN]), outputs[Lang.EN]
    assert outputs[Lang.ZH] != outputs[Lang.EN]


def test_lang_zh_cn_gives_chinese_and_the_flag_wins(
    locale: pytest.MonkeyPatch, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locale.setenv("LANG", "zh_CN.UTF-8")
    assert main(["broadcast", "status", "--config", str(config)]) == 0
    assert capsys.readouterr().out == "没有群发\n"
    assert main(["broadcast", "status", "--config", str(config), "--lang", "en"]) == 0
    assert capsys.readouterr().out == "no broadcasts\n"
    assert main(["--lang", "en", "broadcast", "status", "--config", str(config)]) == 0  # before the command too
    assert capsys.readouterr().out == "no broadcasts\n"


def test_without_a_locale_the_configured_language_is_used(
    locale: pytest.MonkeyPatch, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locale.setenv("LANG", "C.UTF-8")
    assert main(["staff", "list", "--config", str(config)]) == 0
    assert CJK.search(capsys.readouterr().out)  # [utility] cli_lang = "zh" in the example
    config.write_text(config.read_text(encoding="utf-8").replace('cli_lang = "zh"', 'cli_lang = "en"'))
    assert main(["staff", "list", "--config", str(config)]) == 0
    assert not CJK.search(capsys.readouterr().out)


def test_errors_are_in_the_language(
    locale: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locale.setenv("LANG", "zh_CN.UTF-8")
    assert main(["check-config", str(tmp_path / "nope.toml")]) == 2
    assert capsys.readouterr().err.startswith("配置错误：")


@pytest.mark.e2e  # a real process: the end-to-end suite (make test), not the inner loop
def test_a_real_hotline_with_lang_zh_cn_prints_chinese_help() -> None:
    command = Path(sys.executable).with_name("hotline")
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")} | {"LANG": "zh_CN.UTF-8"}
    done = subprocess.run(
        [str(command), "roster", "import", "--help"], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("用法：hotline roster import")
    assert "CSV 文件：UTF-8" in done.stdout and "显示本帮助并退出" in done.stdout  # the file format, in Chinese


@pytest.mark.parametrize(
    ("argv", "zh", "en"),
    [
        (["invite", "cancel", "99"], "错误：没有邀请 '99'", "error: no invite '99' (give its number"),
        (["invite", "--role", "lead"], "错误：--role lead 需要 --crew", "error: --role lead needs --crew"),
        (["staff", "revoke", "4242"], "错误：telegram 上没有账号 4242", "error: no account 4242 on telegram"),
        (
            ["roster", "export", "out.csv", "--from", "2027-01-02 08:00", "--to", "2027-01-01 08:00"],
            "错误：--to 必须晚于 --from",
            "error: --to must be after --from",
        ),
    ],
)
def test_the_commands_refusals_are_in_the_language(
    argv: list[str], zh: str, en: str, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for lang, expected in ((Lang.ZH, zh), (Lang.EN, en)):
        assert main([*argv, "--config", str(config), "--lang", lang.value]) == 2
        assert capsys.readouterr().err.startswith(expected)
