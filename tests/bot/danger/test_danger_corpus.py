"""Recognition measured on the labelled corpus: the tuning set, the held-out evaluation set, and the
knowledge base's own questions.

Targets (issue: "the first answer is always right"): danger -> a card first >= 99%; danger -> the full or
the medical card >= 95%; harmless -> the full card <= 2%; harmless -> maybe <= 10%; knowledge-base
questions typed as written -> their answer, 100%. The evaluation set (``corpus/eval``) was written first
by someone who never saw the rules and is never tuned against: its test prints the figures and fails on
a regression below the floors recorded here, without showing its messages.
"""

from __future__ import annotations

import pytest

from bot.danger.detect import Outcome, detect
from bot.i18n import Lang
from bot.questions import knowledge
from tests.kit.corpus import CORPUS, Figures, load, score

TUNE = load("tune")
EVAL = load("eval")
PARAPHRASES = CORPUS / "knowledge_paraphrases.txt"

# The evaluation set's floors: the figures of the rules as submitted, so a change that loses ground fails.
EVAL_FLOORS = {"danger_any": 0.99, "danger_full": 0.965, "harmless_full": 0.02, "harmless_maybe": 0.10}


def _rates(fig: Figures) -> dict[str, float]:
    return {
        "danger_any": fig.danger_any_card / fig.danger,
        "danger_full": fig.danger_full_card / fig.danger,
        "harmless_full": fig.harmless_full_card / fig.harmless,
        "harmless_maybe": fig.harmless_maybe / fig.harmless,
    }


def test_the_corpus_is_large_split_and_labelled() -> None:
    assert len(TUNE) + len(EVAL) >= 800
    assert len(EVAL) >= 500, "the evaluation set"
    for cases in (TUNE, EVAL):
        assert {c.label for c in cases} == {"now", "medical", "maybe", "none"}
    tune_texts = {c.text for c in TUNE}
    shared = len(tune_texts & {c.text for c in EVAL})
    assert shared == 0, f"{shared} messages are in both sets (the evaluation set's messages are not shown)"
    assert len(tune_texts) == len(TUNE), "a tuning message is listed twice"


def test_tuning_set_meets_every_target() -> None:
    fig, confusion, misses = score(TUNE)
    print("\ntuning set:", *fig.lines(), sep="\n  ")
    for case, outcome in misses:
        print(f"  miss {case.source}: {case.label} -> {outcome.value}")
    rates = _rates(fig)
    assert rates["danger_any"] >= 0.99
    assert rates["danger_full"] >= 0.95
    assert rates["harmless_full"] <= 0.02
    assert rates["harmless_maybe"] <= 0.10


def test_evaluation_set_figures_do_not_regress() -> None:
    fig, confusion, _ = score(EVAL)  # the messages themselves are never printed
    print("\nevaluation set (held out, never tuned against):", *fig.lines(), sep="\n  ")
    print("  confusion (label -> outcome):", dict(sorted(confusion.items())))
    rates = _rates(fig)
    assert rates["danger_any"] >= EVAL_FLOORS["danger_any"]
    assert rates["danger_full"] >= EVAL_FLOORS["danger_full"]
    assert rates["harmless_full"] <= EVAL_FLOORS["harmless_full"]
    assert rates["harmless_maybe"] <= EVAL_FLOORS["harmless_maybe"]


def test_stress_set_of_reports_without_gas_words_does_not_regress() -> None:
    """tests/bot/corpus/stress: gas dangers told by people who do not know it is gas (no gas, smell or leak
    word), and ones that name gas in unusual sentences beside harmless look-alikes. The rules learn from it;
    the n-gram model does not (with them the model's harmless side blurred in cross-validation and the tuning
    targets slipped), so it is scored apart, with floors at today's figures."""
    fig, _, _ = score(load("stress"))
    print("\nstress set (unusual reports and look-alikes):", *fig.lines()[:3], sep="\n  ")
    assert fig.danger_any_card / fig.danger >= 0.99
    assert fig.danger_full_card / fig.danger >= 0.78
    assert fig.harmless_full_card / fig.harmless <= 0.07


QUESTIONS = [(e.id, lang, e.question(lang)) for e in knowledge.entries() for lang in Lang]


@pytest.mark.parametrize(("entry_id", "lang", "question"), QUESTIONS, ids=[q for _, _, q in QUESTIONS])
def test_knowledge_questions_typed_as_written_reach_their_answer(entry_id: str, lang: Lang, question: str) -> None:
    assert detect(question).outcome in (Outcome.NONE, Outcome.MAYBE), "a question, not a report"
    matches = knowledge.search(question, lang)
    assert matches[0].id == entry_id
    assert knowledge.confidence(matches) is knowledge.Confidence.CONFIDENT


def _paraphrases() -> list[tuple[str, str, bool]]:
    out = []
    for line in PARAPHRASES.read_text("utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            parts = [p.strip() for p in line.split("|")]
            out.append((parts[0], parts[1], len(parts) > 2 and parts[2] == "report"))
    return out


@pytest.mark.parametrize(("entry_id", "text", "report"), _paraphrases(), ids=[p[1] for p in _paraphrases()])
def test_paraphrases_are_answered_and_reports_among_them_get_the_card(entry_id: str, text: str, report: bool) -> None:
    outcome = detect(text).outcome
    if report:  # worded as something happening now: the card and the report come first
        assert outcome is Outcome.NOW
    else:
        assert outcome in (Outcome.NONE, Outcome.MAYBE)
        assert entry_id in [m.id for m in knowledge.search(text, Lang.ZH)[:3]]


def test_the_shipped_ngram_weights_are_built_from_the_tuning_set() -> None:
    """``make model`` rebuilds bot/data/danger_ngrams.json; a corpus change without it fails here."""
    import json
    from importlib import resources

    from bot.danger import ngrams

    shipped = json.loads((resources.files("bot") / "data" / "danger_ngrams.json").read_text("utf-8"))
    assert shipped == json.loads(json.dumps(ngrams.build(ngrams.corpus(CORPUS / "tune"))))
