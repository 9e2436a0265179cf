"""Safety questions and answers: ``bot/data/knowledge.toml``, validated with pydantic, searched tolerantly.

``search(text, lang)`` scores every entry from 0 to 1 over the normalised text (``bot.danger.normalize``:
full width, case, traditional characters). Features are Chinese characters and character bigrams (no
word segmentation; greetings, particles and question words dropped) and lightly stemmed English words,
an unknown English word mapped to the nearest known one (1 edit, 2 for long words). The score adds:

- 40 % keyword hits: an entry's keyword in the text (Chinese as a substring, or with gaps of up to three
  characters at 0.6; English as all of its stems, a lone word at 0.5); a keyword that several entries'
  questions share counts less;
- 20 % question coverage: the IDF-weighted share of the entry's question features present in the text;
- 20 % text coverage: the IDF-weighted share of the text's features that the entry knows (its answer's
  words count 0.35);
- 20 % fuzzy similarity to the question (rapidfuzz); a text that is nearly the question (>= 0.85, or
  contains the Chinese question) scores at least 0.9.

``confidence(matches)``: CONFIDENT (top score >= 0.40 and 0.05 ahead of the next) -> answer directly;
SUGGEST (top score >= 0.30) -> offer the matches as buttons; NONE below. On the 188 paraphrases of
``tests/bot/corpus/knowledge_paraphrases.txt`` every intended entry is in the top 3, 77 % are confident
and all but two of those right (close siblings); 4 % fall below SUGGEST; nonsense stays below.
Texts are cut to their first ``MAX_QUERY_CHARS`` characters.
"""

from __future__ import annotations

import logging
import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.content import store as content_store
from bot.content.store import Content
from bot.danger.normalize import normalize
from bot.i18n import Lang
from bot.questions.entries import Entry, Knowledge, KnowledgeError

logger = logging.getLogger(__name__)

CONFIDENT = 0.40
CONFIDENT_MARGIN = 0.05
SUGGEST = 0.30
MAX_QUERY_CHARS = 600
_WEIGHTS = (0.40, 0.20, 0.20, 0.20)  # keywords, question coverage, text coverage, fuzzy
_NEAR = 0.85  # fuzzy similarity at which the text is taken to be the entry's question
_ANSWER_WEIGHT = 0.35  # a feature found only in an entry's answer
_UNKNOWN_IDF = 2.0  # weight of a text feature that no entry knows (filler words)
_CJK = re.compile(r"[\u3400-\u9fff]")
_ZH_FILLER = re.compile(  # greetings, particles and question words: they match every question
    r"请问|你好|您好|谢谢|一下|那个|这个|怎么办|怎么样|怎么|什么|为什么|为啥|如何|是否|能不能|可不可以|可以|应该|"
    r"要不要|[的了吗呢啊吧呀嘛哦哈]"
)
_STOPWORDS = (  # English words that say nothing about the topic
    "a an the i me my we our you your he she it its they them is are am was were be been do does did to of in "
    "on at for with and or if so this that there here what how can could should would will please hi hello "
    "any some have has had get got just about from by as up thank thanks thx ok okay sorry bye"
)
_EN_STOP = frozenset(_STOPWORDS.split())


class Confidence(StrEnum):
    CONFIDENT = "confident"  # answer directly
    SUGGEST = "suggest"  # offer the matches as buttons
    NONE = "none"  # say we have no answer; offer the menu and the hotline


@dataclass(frozen=True, slots=True)
class Match:
    id: str
    score: float  # 0..1


def confidence(matches: Sequence[Match]) -> Confidence:
    """What to do with ``search`` results (thresholds in the module doc)."""
    if not matches or matches[0].score < SUGGEST:
        return Confidence.NONE
    ahead = len(matches) == 1 or matches[0].score - matches[1].score >= CONFIDENT_MARGIN
    return Confidence.CONFIDENT if matches[0].score >= CONFIDENT and ahead else Confidence.SUGGEST


def load(text: str) -> Knowledge:
    """Parse and validate a knowledge base (the TOML text of ``knowledge.toml``)."""
    try:
        return Knowledge.model_validate(tomllib.loads(text))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise KnowledgeError(f"knowledge base invalid: {exc}") from exc


_content: list[Path | None] = [None]  # the content override in use (``use_content``)


def use_content(path: Path | None) -> None:
    """Answer from the packaged knowledge base with the safety officer's override at ``path`` applied
    (``bot.content.store``); None: the packaged one alone. An override is checked at once: a bad file raises here."""
    _content[0] = path
    for cached in (knowledge, _index, _correct):
        cached.cache_clear()
    if path is not None:
        knowledge()


@cache
def shipped() -> Knowledge:
    """The packaged knowledge base alone, as shipped: read and validated once (10 ms; the package's file does not
    change while the program runs, and the model is frozen), then shared by the bot's knowledge base with the
    override applied and the content commands (export, import and check each read it two or three times)."""
    try:
        text = (resources.files("bot") / "data" / "knowledge.toml").read_text("utf-8")
    except OSError as exc:
        raise KnowledgeError(f"knowledge base unreadable: {exc}") from exc
    return load(text)


def with_content(kb: Knowledge, content: Content) -> Knowledge:
    """``kb`` with the override's rows applied: texts, source and review date replaced, disabled entries dropped."""
    kept: list[dict[str, Any]] = []
    for e in kb.entry:
        data = e.model_dump()
        row = content.knowledge.get(e.id, {})
        if row.get("enabled") is False:
            continue
        for lang in ("zh", "en"):
            data[lang]["q"] = row.get(f"{lang}_q", data[lang]["q"])
            data[lang]["a"] = row.get(lang, data[lang]["a"])
        data |= {k: row[k] for k in ("source", "reviewed") if k in row}
        kept.append(data)
    ids = {d["id"] for d in kept}
    for d in kept:
        d["related"] = tuple(r for r in d["related"] if r in ids)
    try:
        return Knowledge.model_validate({"entry": kept})
    except ValidationError as exc:
        raise KnowledgeError(f"knowledge base with the content override invalid: {exc}") from exc


@cache
def knowledge() -> Knowledge:
    """The packaged knowledge base with the content override applied, read and validated once."""
    kb = shipped()
    if _content[0] is not None:
        kb = with_content(kb, content_store.read(_content[0]))
    logger.info("knowledge base loaded: %d entries", len(kb.entry))
    return kb


def entries() -> tuple[Entry, ...]:
    return knowledge().entry


def entry(entry_id: str) -> Entry:
    """The entry with this id; ``KeyError`` if there is none."""
    return knowledge().get(entry_id)


# --- features ---------------------------------------------------------------------------------------
def _stem(word: str) -> str:
    """Light English stemming: plurals, -ing, -ed, a final e ("hoses", "hose" -> "hos")."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if word[-1] == word[-2] and word[-1] not in "lsz":
                word = word[:-1]
            break
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def _zh(norm: str) -> str:
    """The Chinese characters of a normalised text, fillers removed."""
    return _ZH_FILLER.sub("", "".join(_CJK.findall(norm)))


def _words(norm: str) -> list[str]:
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", norm.replace("'", "")) if w not in _EN_STOP]


def _features(text: str) -> set[str]:
    """Chinese character bigrams and English stems of a (not yet normalised) text."""
    return _normal_features(normalize(text))


def _normal_features(norm: str) -> set[str]:
    return _grams(_zh(norm)) | set(_words(norm))


def _grams(zh: str) -> set[str]:
    """Chinese character bigrams and single characters (IDF decides what they are worth)."""
    return {zh[i : i + 2] for i in range(len(zh) - 1)} | set(zh)


Keyword = tuple[str, tuple[str, ...]]  # a Chinese substring, or English stems that must all be present


@dataclass(frozen=True, slots=True)
class _Doc:
    id: str
    question: frozenset[str]  # features of both questions
    weights: dict[str, float]  # every feature: 1 from questions and keywords, less from answers
    zh_q: str
    en_q: str
    keywords: tuple[Keyword, ...]


@dataclass(frozen=True, slots=True)
class _Index:
    docs: tuple[_Doc, ...]
    idf: dict[str, float]
    vocab: tuple[str, ...]  # English stems, for typo correction
    kw_weight: dict[Keyword, float]  # 1 / number of entries whose question or keywords contain it
    question_idf: dict[str, float]  # entry id -> the IDF sum of its question's features
    by_first: dict[str, tuple[Keyword, ...]]  # a keyword's first character (Chinese) or stem -> the keywords
    postings: dict[str, tuple[tuple[int, float], ...]]  # feature -> (position in docs, weight) of the docs knowing it


def _first(key: Keyword) -> str:
    """What a text must contain for ``key`` to be in it at all (``_contains`` above 0)."""
    return key[0][0] if key[0] else key[1][0]


def _keyword(norm: str) -> Keyword:
    """The keyword of a normalised text."""
    return (norm.replace(" ", ""), ()) if _CJK.search(norm) else ("", tuple(_words(norm)))


def _exact(key: Keyword, compact: str, stems: set[str]) -> bool:
    return bool((key[0] and key[0] in compact) or (key[1] and set(key[1]) <= stems))


def _contains(key: Keyword, compact: str, stems: set[str]) -> float:
    """How well a keyword is in the text: 1, less for one English word or a gapped Chinese one."""
    if _exact(key, compact, stems):
        return 1.0 if key[0] or len(key[1]) > 1 else 0.5  # a lone English word ("bus", "test") says less
    return 0.6 if key[0] and _gapped(key[0]).search(compact) else 0.0


@lru_cache(maxsize=1024)
def _gapped(keyword: str) -> re.Pattern[str]:
    return re.compile("[^，。！？,.!?]{0,3}".join(map(re.escape, keyword)))


def _doc(e: Entry) -> _Doc:
    question = _features(e.zh.q) | _features(e.en.q)
    weights = dict.fromkeys(_features(e.zh.a) | _features(e.en.a), _ANSWER_WEIGHT)
    kws = [normalize(k) for k in (*e.zh.kw, *e.en.kw)]  # each normalised once, for its features and as a keyword
    weights.update(dict.fromkeys(question.union(*map(_normal_features, kws)), 1.0))
    keywords = tuple(k for k in map(_keyword, kws) if k[0] or k[1])
    en_q = " ".join(_words(normalize(e.en.q)))
    return _Doc(e.id, frozenset(question), weights, _zh(normalize(e.zh.q)), en_q, keywords)


@cache
def _index() -> _Index:
    docs = tuple(_doc(e) for e in entries())
    df: dict[str, int] = {}
    for d in docs:
        for f in d.weights:
            df[f] = df.get(f, 0) + 1
    idf = {f: math.log(1 + len(docs) / c) for f, c in df.items()}
    texts = [
        (normalize(e.zh.q + "".join(e.zh.kw)).replace(" ", ""), set(_words(normalize(" ".join((e.en.q, *e.en.kw))))))
        for e in entries()
    ]
    keys = dict.fromkeys(k for d in docs for k in d.keywords)  # each keyword once, in the order of first use
    kw_weight = {k: 1 / max(1, sum(_exact(k, *t) for t in texts)) for k in keys}
    vocab = tuple(sorted({f for f in df if not _CJK.search(f) and len(f) >= 3 and not f.isdigit()}))
    question_idf = {d.id: sum(idf[f] for f in d.question) for d in docs}
    by_first: dict[str, tuple[Keyword, ...]] = {}
    for k in kw_weight:
        by_first[_first(k)] = (*by_first.get(_first(k), ()), k)
    # feature -> the docs knowing it, in the order of docs; the features in the order of df (their first doc's)
    known: dict[str, list[tuple[int, float]]] = {}
    for i, d in enumerate(docs):
        for f, weight in d.weights.items():
            known.setdefault(f, []).append((i, weight))
    postings = {f: tuple(found) for f, found in known.items()}
    return _Index(docs, idf, vocab, kw_weight, question_idf, by_first, postings)


@lru_cache(maxsize=4096)
def _correct(word: str) -> str:
    """An unknown English word mapped to the nearest known stem (1 edit, 2 for long words)."""
    index = _index()
    if len(word) < 4 or word in index.idf or word.isdigit():
        return word
    edits = 1 if len(word) < 7 else 2
    found = process.extractOne(word, index.vocab, scorer=Levenshtein.distance, score_cutoff=edits)
    return str(found[0]) if found else word


# --- search -----------------------------------------------------------------------------------------
def _fuzzy(query: str, question: str, inside: bool) -> tuple[float, bool]:
    """Similarity of text and question, and whether the text *is* the question (typos; or, if
    ``inside``, the question within a longer message)."""
    if not query or not question:
        return 0.0, False
    if len(query) <= len(question):
        ratio = fuzz.ratio(query, question) / 100
        return ratio, ratio >= _NEAR
    partial = fuzz.partial_ratio(question, query) / 100
    return partial * math.sqrt(len(question) / len(query)), inside and partial >= 0.95 and len(question) >= 6


def search(text: str, lang: Lang | str, limit: int = 3) -> list[Match]:
    """The best entries for a resident's text, best first, with scores from 0 to 1 (see module doc)."""
    index = _index()
    norm = normalize(text)[:MAX_QUERY_CHARS]
    zh = _zh(norm)
    words = [_correct(w) for w in _words(norm)]
    query = _grams(zh) | set(words)
    if not query:
        return []
    compact, stems, en_query = norm.replace(" ", ""), set(words), " ".join(words)
    total = sum(index.idf.get(f, _UNKNOWN_IDF) for f in query)
    known = [f for f in query if f in index.idf]
    prefer_zh = bool(zh) and (not words or Lang(lang) is Lang.ZH)  # mixed scripts: the user's language
    kw_w, q_w, t_w, f_w = _WEIGHTS
    # Only the keywords that can be in the text, each looked for once; the others would multiply ``miss`` by
    # exactly 1; and each entry's known-feature sum adds only the features it knows, in the order of ``known``
    # (the others add exactly 0): the same products and sums in the same order, so the same scores, faster.
    found = {
        key: 1 - 0.6 * index.kw_weight[key] * hit
        for first in set(compact) | stems
        for key in index.by_first.get(first, ())
        if (hit := _contains(key, compact, stems))
    }
    known_terms: list[list[float]] = [[] for _ in index.docs]
    for f in known:
        for i, weight in index.postings[f]:
            known_terms[i].append(index.idf[f] * weight)
    matches: list[Match] = []
    for doc, terms in zip(index.docs, known_terms, strict=True):
        miss = 1.0
        for key in doc.keywords:
            if key in found:
                miss *= found[key]
        q_cov = sum(index.idf[f] for f in query & doc.question) / index.question_idf[doc.id]
        t_cov = sum(terms) / total
        fuzzy, near = _fuzzy(zh, doc.zh_q, True) if prefer_zh else _fuzzy(en_query, doc.en_q, False)
        score = kw_w * (1 - miss) + q_w * q_cov + t_w * t_cov + f_w * fuzzy
        if near:  # the question itself, typed with typos or inside a longer message
            score = max(score, fuzzy, 0.9)
        if score > 0:
            matches.append(Match(doc.id, round(min(1.0, score), 4)))
    matches.sort(key=lambda m: (-m.score, m.id))
    return matches[:limit]
