"""Both languages are complete: every key in both catalogs, with the same placeholders; every text the
forms and menus ask for exists; every text of the `hotline` command exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.i18n import Lang, catalog, lang_from_code, t
from bot.intake.forms import CATEGORIES, FIELDS, Ask
from bot.intake.menu import MENU_ITEMS
from bot.questions import knowledge

BOT = Path(__file__).resolve().parents[2] / "bot"
CLI_MODULES = ("cli/main.py", "cli/text.py", "cli/broadcast.py", "cli/roster.py", "cli/staff.py", "cli/content.py")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_exists_in_both_languages() -> None:
    zh, en = catalog(Lang.ZH), catalog(Lang.EN)
    assert sorted(set(zh) - set(en)) == [], "keys only in Chinese"
    assert sorted(set(en) - set(zh)) == [], "keys only in English"


def test_placeholders_agree() -> None:
    zh, en = catalog(Lang.ZH), catalog(Lang.EN)
    differ = [key for key in zh if _placeholders(zh[key]) != _placeholders(en[key])]
    assert differ == []


@pytest.mark.parametrize("lang", list(Lang))
def test_forms_and_menu_texts_exist(lang: Lang) -> None:
    texts = catalog(lang)
    needed = [f"category.{cid}" for cid in CATEGORIES] + [f"menu.{item}" for item in MENU_ITEMS]
    for spec in FIELDS.values():
        needed += [f"form.{spec.name}.ask", f"form.{spec.name}.label"]
        if spec.ask is Ask.CHOICE:
            needed += [f"form.{spec.name}.{opt}" for opt in spec.options]
    assert [key for key in needed if key not in texts] == []


def test_chinese_is_the_default_and_english_is_chosen_from_the_client() -> None:
    assert lang_from_code(None) is Lang.ZH
    assert lang_from_code("zh-hans") is Lang.ZH
    assert lang_from_code("ru") is Lang.ZH
    assert lang_from_code("en-GB") is Lang.EN


def test_knowledge_base_has_forty_questions_in_both_languages() -> None:
    entries = knowledge.entries()
    assert len(entries) >= 40
    assert all(e.question(Lang.ZH) and e.question(Lang.EN) for e in entries)


def test_a_text_is_found_by_the_language_or_its_code_and_an_unknown_language_is_refused() -> None:
    assert t(Lang.EN, "qa.no_match", hotline="96777") == t("en", "qa.no_match", hotline="96777")
    assert t("zh", "qa.no_match", hotline="96777") == catalog(Lang.ZH)["qa.no_match"].format(hotline="96777")
    with pytest.raises(ValueError):
        t("fr", "qa.no_match")
    with pytest.raises(KeyError):
        t("en", "no.such_key")


def test_every_text_the_command_names_is_in_both_catalogs() -> None:
    """The `hotline` command's texts (bot/locales/*/cli.toml): every key its modules name exists in both
    catalogs (keys built from a prefix are checked by tests/bot/cli/test_cli_lang.py, which renders every command)."""
    zh, en = catalog(Lang.ZH), catalog(Lang.EN)
    keys: set[str] = set()
    for module in CLI_MODULES:
        source = (BOT / module).read_text(encoding="utf-8")
        keys |= set(re.findall(r'say\("([a-z_]+\.[a-z_]+)"', source))  # say("out.migrated", ...)
        keys |= set(re.findall(r'"(help\.[a-z_]+)"', source))  # kit.add(sub, "run", "help.run")
    keys |= {"usage", "positional", "options", "description", "command_metavar"}
    assert len(keys) > 80
    missing = sorted(key for key in keys if f"cli.{key}" not in zh or f"cli.{key}" not in en)
    assert missing == []
    roster = (BOT / "rota" / "operator.py").read_text(encoding="utf-8")
    for key in re.findall(r'"(roster\.[a-z_]+)"', roster):  # the rota's sources, said by roster_cli
        assert f"cli.{key}" in zh and f"cli.{key}" in en, key
