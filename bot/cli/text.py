"""The ``hotline`` command's words, from the same catalogs as the chat (``bot/locales/<lang>/cli.toml``).

The language: ``--lang zh|en`` (anywhere on the command line), else the locale (``LC_ALL``, then
``LC_MESSAGES``, then ``LANG``, as POSIX reads them: the first one set decides; ``zh_*`` is Chinese, ``en_*``
English, anything else such as ``C.UTF-8`` says nothing), else ``[utility] cli_lang`` once the configuration
is read (``zh`` by default). Help is printed before any configuration is read, so it follows the flag or the
locale, else Chinese. Log lines stay English (they are read by tools and searched for).

``Kit`` builds the parsers in that language: help texts, argparse's own headings ("usage:", "options"), and
``-h``/``--lang`` on every command.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.i18n import Lang, t
from bot.operator_error import OperatorError

LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")
LANGS = tuple(lang.value for lang in Lang)


def lang_of_locale(environ: Mapping[str, str] | None = None) -> Lang | None:
    """The catalog language the locale names, if any (the first of LC_ALL, LC_MESSAGES, LANG that is set)."""
    env = os.environ if environ is None else environ
    value = next((env[name] for name in LOCALE_VARIABLES if env.get(name)), "").lower()
    if value.startswith("zh"):
        return Lang.ZH
    if value.startswith("en"):
        return Lang.EN
    return None


def lang_of_argv(argv: Sequence[str]) -> Lang | None:
    """``--lang X`` or ``--lang=X`` anywhere on the command line (read before the parser is built)."""
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--lang", choices=LANGS)
    try:
        known, _ = pre.parse_known_args(list(argv))
    except SystemExit:  # an unknown value: the real parser says so, in the locale's language
        return None
    return Lang(known.lang) if known.lang else None


def choose(flag: str | Lang | None, configured: str | None = None, environ: Mapping[str, str] | None = None) -> Lang:
    """The flag, else the locale, else the configured language, else Chinese."""
    if flag:
        return Lang(flag)
    return lang_of_locale(environ) or Lang(configured or Lang.ZH)


@dataclass
class Say:
    """``say("out.config_ok", path=...)``: a text of ``cli.toml`` in the chosen language."""

    lang: Lang

    def __call__(self, key: str, /, **values: object) -> str:
        return t(self.lang, f"cli.{key}", **values)

    def error(self, exc: BaseException) -> str:
        """``error: ...`` in the language (an ``OperatorError``'s own text too; others as they read)."""
        detail = self(exc.key, **exc.values) if isinstance(exc, OperatorError) else str(exc)
        return self("err.error", error=detail)


def _formatter(usage: str, raw: bool) -> type[argparse.HelpFormatter]:
    base = argparse.RawDescriptionHelpFormatter if raw else argparse.HelpFormatter

    class Formatter(base):  # type: ignore[valid-type,misc]
        def add_usage(self, usage_text: Any, actions: Any, groups: Any, prefix: str | None = None) -> None:
            super().add_usage(usage_text, actions, groups, usage if prefix is None else prefix)

    return Formatter


@dataclass
class Kit:
    """Parsers in one language; every command gets ``-h`` and ``--lang``."""

    say: Say

    def localise(self, parser: argparse.ArgumentParser, *, lang_help: str = "help.lang") -> argparse.ArgumentParser:
        parser._positionals.title = self.say("positional")  # argparse's headings (stable since Python 3.2)
        parser._optionals.title = self.say("options")
        parser.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=self.say("help.help"))
        if lang_help:
            parser.add_argument("--lang", choices=LANGS, default=None, dest="lang", help=self.say(lang_help))
        return parser

    def top(self) -> argparse.ArgumentParser:
        parser = argparse.ArgumentParser(
            prog="hotline",
            description=self.say("description"),
            add_help=False,
            formatter_class=_formatter(self.say("usage"), False),
        )
        return self.localise(parser)

    def commands(self, parser: argparse.ArgumentParser, dest: str) -> argparse._SubParsersAction:  # type: ignore[type-arg]
        return parser.add_subparsers(dest=dest, required=True, metavar=self.say("command_metavar"))

    def add(
        self,
        sub: argparse._SubParsersAction,  # type: ignore[type-arg]
        name: str,
        help_key: str,
        *,
        description: str | None = None,
        lang_help: str = "help.lang",
    ) -> argparse.ArgumentParser:
        """A command ``name`` with the help ``help_key`` (``description`` is shown as written)."""
        text = self.say(help_key)
        parser: argparse.ArgumentParser = sub.add_parser(
            name,
            help=text,
            description=description or text,
            add_help=False,
            formatter_class=_formatter(self.say("usage"), description is not None),
        )
        return self.localise(parser, lang_help=lang_help)

    def with_config(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--config", type=Path, default=Path("config.toml"), help=self.say("help.config"))
