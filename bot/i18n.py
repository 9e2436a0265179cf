"""Text catalogs: every user-facing string lives in ``bot/locales/<lang>/<feature>.toml``.

Each file is a TOML table whose keys are prefixed with the file's stem, so ``intake.toml`` holding
``ask_location = "..."`` is looked up as ``intake.ask_location``. Placeholders use ``str.format``.
"""

from __future__ import annotations

import tomllib
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any


class Lang(StrEnum):
    ZH = "zh"
    EN = "en"


DEFAULT_LANG = Lang.ZH


def lang_from_code(code: str | None) -> Lang:
    """Map a client language code (``zh-hans``, ``en-US``, ...) to a catalog language."""
    if code and code.lower().startswith("en"):
        return Lang.EN
    return DEFAULT_LANG


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        name = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(name, value, out)
        else:
            out[name] = str(value)


@cache
def catalog(lang: Lang) -> dict[str, str]:
    out: dict[str, str] = {}
    folder = resources.files("bot") / "locales" / lang.value
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            _flatten(entry.name.removesuffix(".toml"), tomllib.loads(entry.read_text("utf-8")), out)
    return out


_BY_CODE: dict[str, dict[str, str]] = {}  # "zh" / Lang.ZH -> its catalog: a dict lookup per text, no Enum call


def t(lang: Lang | str, key: str, /, **values: object) -> str:
    """The text for ``key`` in ``lang``; a missing key raises ``KeyError`` (tests check both catalogs)."""
    texts = _BY_CODE.get(lang)
    if texts is None:
        texts = _BY_CODE[lang] = catalog(Lang(lang))
    text = texts[key]
    return text.format(**values) if values else text
