"""The knowledge base's shape: entries with their two languages, validated with pydantic when it is read
(``bot.questions.knowledge`` reads and searches it)."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.i18n import Lang
from bot.questions.placeholders import check_placeholders
from common.errors import HotlineError

_CJK = re.compile(r"[\u3400-\u9fff]")


class KnowledgeError(HotlineError):
    """The knowledge base file is missing or invalid; the message names the entry and field."""


class Text(BaseModel):
    """One language of an entry: question, answer, keywords."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    q: str = Field(min_length=4, max_length=160, pattern=r"^[^\n]+$")
    a: str = Field(min_length=20, max_length=600)
    kw: tuple[str, ...] = Field(min_length=1)

    @field_validator("a")
    @classmethod
    def _placeholders(cls, answer: str) -> str:
        return check_placeholders(answer)

    @field_validator("kw")
    @classmethod
    def _keywords(cls, keywords: tuple[str, ...]) -> tuple[str, ...]:
        if any(not k.strip() for k in keywords):
            raise ValueError("empty keyword")
        return keywords


ID_MAX = 32  # an entry's id rides in its buttons (bot.questions.qa), within Telegram's 64 bytes


class Entry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=rf"^[a-z][a-z0-9_]{{1,{ID_MAX - 1}}}$")
    zh: Text
    en: Text
    related: tuple[str, ...] = ()
    source: str = Field(min_length=3)  # the standard, regulation or utility page the answer rests on
    reviewed: dt.date  # when the safety officer last checked it

    @model_validator(mode="after")
    def _scripts(self) -> Entry:
        if not (_CJK.search(self.zh.q) and _CJK.search(self.zh.a)):
            raise ValueError("the zh question and answer must be Chinese")
        if _CJK.search(self.en.q) or _CJK.search(self.en.a):
            raise ValueError("the en question and answer must not contain Chinese")
        return self

    def text(self, lang: Lang | str) -> Text:
        return self.zh if Lang(lang) is Lang.ZH else self.en

    def question(self, lang: Lang | str) -> str:
        return self.text(lang).q

    def answer(self, lang: Lang | str, **values: object) -> str:
        """The answer in ``lang`` with its placeholders filled (``UtilityConfig.facts``: ``hotline=...``)."""
        return self.text(lang).a.format_map(values)


class Knowledge(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    entry: tuple[Entry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> Knowledge:
        ids = [e.id for e in self.entry]
        if duplicates := sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"duplicate ids {duplicates}")
        for e in self.entry:
            if bad := [r for r in e.related if r not in ids or r == e.id]:
                raise ValueError(f"entry {e.id!r}: bad related ids {bad}")
        return self

    def get(self, entry_id: str) -> Entry:
        for e in self.entry:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)
