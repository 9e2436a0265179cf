"""End to end: the first reply to 100 messages of the held-out evaluation set, through real PTB and the
sandbox; and a *maybe* -> "It is happening now" -> the full card and the report.

The test checks the wiring (the card the recogniser chose comes first, then the answer; a full card asks the
report's first question, where, after its advice) and prints how the first replies fall against the messages' labels.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from bot.cli.demo import running_bot, sandbox_settings, tap
from bot.danger.cards import Situation, compose, maybe_text
from bot.danger.detect import Outcome, detect
from bot.i18n import Lang, lang_from_code, t
from sandbox import Sandbox
from tests.kit.corpus import load

FIRST_USER = 7_000_000
SAMPLE = random.Random(12).sample(load("eval"), 100)


def _lang(text: str) -> str:
    return "zh-hans" if any("\u3400" <= ch <= "\u9fff" for ch in text) else "en"


def _expected_first(text: str, lang: Lang) -> str | None:
    """The first reply the recogniser's decision calls for (None: no card, an answer comes first)."""
    danger = detect(text)
    if danger.outcome is Outcome.NOW:  # the report's first question on the card, after its advice
        return f"{compose(Situation.of(danger), lang, '96777')}\n\n{t(lang, 'form.location.ask')}"
    if danger.outcome is Outcome.MEDICAL:
        return compose(Situation.of(danger), lang, "96777")
    if danger.outcome is Outcome.MAYBE:
        return maybe_text(lang, "96777")
    return None


async def test_the_first_reply_to_100_evaluation_messages(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3")
    cards = {compose(s, lang, "96777") for s in (Situation(*f) for f in _flags()) for lang in Lang}
    cards |= {maybe_text(lang, "96777") for lang in Lang}
    async with running_bot(settings):
        for n, case in enumerate(SAMPLE):
            sb.create_user(FIRST_USER + n, first_name=f"Resident {n}", language_code=_lang(case.text))
            await sb.send_text(FIRST_USER + n, case.text)
        for n in range(len(SAMPLE)):
            await sb.wait_for(FIRST_USER + n, lambda m: bool(m.text), timeout_s=15)
        await sb.wait_idle(quiet_s=0.3, timeout_s=30)
    tally: Counter[tuple[str, str]] = Counter()
    for n, case in enumerate(SAMPLE):
        lang = lang_from_code(_lang(case.text))
        replies = sb.texts(FIRST_USER + n)
        expected = _expected_first(case.text, lang)
        first = replies[0]
        if expected is None:
            assert not first.startswith(tuple(cards)), f"message {n}: a card where the recogniser found nothing"
            tally[(case.label, "answer")] += 1
            continue
        assert first == expected, f"message {n}: the card is not the first reply"
        assert len(replies) >= 2 or detect(case.text).outcome is Outcome.NOW, f"message {n}: nothing after the card"
        assert t(lang, "form.location.ask") not in replies, f"message {n}: where asked again after the card"
        tally[(case.label, "full" if first.startswith(("⚠️", "🔥", "🚑")) and first != maybe_text(lang, "96777")
                else "short")] += 1  # fmt: skip
    danger = sum(v for (label, _), v in tally.items() if label in ("now", "medical"))
    carded = sum(v for (label, got), v in tally.items() if label in ("now", "medical") and got != "answer")
    print(f"\n100 evaluation messages through the sandbox: danger -> a card first {carded}/{danger};", dict(tally))


def _flags() -> list[tuple[bool, ...]]:
    return [tuple(bool(n >> i & 1) for i in range(5)) for n in range(32)]


async def test_maybe_then_happening_now_gives_the_full_card_and_the_report(sandbox: Sandbox, tmp_path: Path) -> None:
    sb = sandbox
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3")
    resident = FIRST_USER + 999
    sb.create_user(resident, first_name="Zhang Wei", language_code="zh-hans")
    async with running_bot(settings):
        await sb.send_text(resident, "如果家里燃气泄漏了应该怎么办？")
        await sb.wait_for(resident, lambda m: m.text == maybe_text(Lang.ZH, "96777"), timeout_s=5)
        await tap(sb, None, resident, "d:now:")
        await sb.wait_for_text(resident, t("zh", "form.location.ask"), timeout_s=5)
        texts = sb.texts(resident)
        card = compose(Situation(gas=True), Lang.ZH, "96777")
        assert texts.index(maybe_text(Lang.ZH, "96777")) < texts.index(card) < texts.index(t("zh", "form.location.ask"))
