"""The labelled corpus of first messages and how recognition is scored against it.

Files are ``LABEL<TAB>KIND<TAB>MESSAGE`` lines (``#`` comments): ``tune/`` is the set the rules are
developed against (``stress/``: reports without gas words, scored apart); ``eval/`` was written first, by
someone who never saw the rules, and is never tuned against (its test prints figures and fails on a
regression, it does not show the messages).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.danger.detect import Outcome, detect

CORPUS = Path(__file__).parents[1] / "bot" / "corpus"
LABELS = ("now", "medical", "maybe", "none")


@dataclass(frozen=True)
class Case:
    label: str
    kind: str
    text: str
    source: str


def load(folder: str) -> list[Case]:
    cases: list[Case] = []
    for path in sorted((CORPUS / folder).glob("*.tsv")):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            label, kind, text = line.split("\t", 2)
            if label not in LABELS:
                raise ValueError(f"{path.name}:{number}: unknown label {label!r}")
            cases.append(Case(label, kind, text.strip(), f"{path.name}:{number}"))
    return cases


@dataclass
class Figures:
    danger: int = 0  # labelled now or medical
    danger_any_card: int = 0  # ... answered with the full, the medical or the short card
    danger_full_card: int = 0  # ... answered with the full or the medical card
    harmless: int = 0  # labelled none
    harmless_full_card: int = 0
    harmless_maybe: int = 0
    maybe: int = 0  # labelled maybe
    maybe_carded: int = 0  # ... answered with at least the short card
    medical: int = 0
    medical_card: int = 0  # ... answered with the medical card or the full card (CO context found)

    def lines(self) -> list[str]:
        def pct(a: int, b: int) -> str:
            return f"{a}/{b} = {100 * a / b:.1f}%" if b else "n/a"

        return [
            f"danger -> a card first (full, medical or short): {pct(self.danger_any_card, self.danger)}"
            " (target >= 99%)",
            f"danger -> the full or the medical card: {pct(self.danger_full_card, self.danger)} (target >= 95%)",
            f"harmless -> the full card: {pct(self.harmless_full_card, self.harmless)} (target <= 2%)",
            f"harmless -> maybe: {pct(self.harmless_maybe, self.harmless)} (target <= 10%)",
            f"maybe-labelled -> at least the short card: {pct(self.maybe_carded, self.maybe)}",
            f"medical-labelled -> the medical or full card: {pct(self.medical_card, self.medical)}",
        ]


def score(cases: list[Case]) -> tuple[Figures, Counter[tuple[str, str]], list[tuple[Case, Outcome]]]:
    """The figures, the (label, outcome) confusion counts, and the cases that missed their label's target."""
    fig = Figures()
    confusion: Counter[tuple[str, str]] = Counter()
    misses: list[tuple[Case, Outcome]] = []
    for case in cases:
        outcome = detect(case.text).outcome
        confusion[(case.label, outcome.value)] += 1
        carded = outcome is not Outcome.NONE
        full = outcome in (Outcome.NOW, Outcome.MEDICAL)
        if case.label in ("now", "medical"):
            fig.danger += 1
            fig.danger_any_card += carded
            fig.danger_full_card += full
            ok = full
            if case.label == "medical":
                fig.medical += 1
                fig.medical_card += full
        elif case.label == "none":
            fig.harmless += 1
            fig.harmless_full_card += full
            fig.harmless_maybe += outcome is Outcome.MAYBE
            ok = outcome is Outcome.NONE
        else:
            fig.maybe += 1
            fig.maybe_carded += carded
            ok = carded and outcome is not Outcome.MEDICAL
        if not ok:
            misses.append((case, outcome))
    return fig, confusion, misses
