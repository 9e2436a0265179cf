"""The district rows' result (``bench.district.run_district``) and the table rows it makes: safety cards against
the physical bound (at 30 messages/s the k-th card cannot arrive before k/30 s), the first question, the crews."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.results import Row, ratio
from bench.standin import percentile

TELEGRAM_PER_S = 30.0


@dataclass
class DistrictResult:
    residents: int
    budget_s: float
    card_s: list[float] = field(default_factory=list)
    question_s: list[float] = field(default_factory=list)
    tickets: int = 0
    told: int = 0
    all_told_s: float | None = None  # from the first text until the last ticket's first crew card
    forms_done: int = 0
    crew_messages: int = 0  # sent to the crew members' chats
    crew_edits: int = 0  # edits of messages in the crew members' chats (Telegram counts them like sends)
    desk_messages: int = 0  # sends and edits to the desk (the duty dispatcher)
    rate_limited: int = 0
    bot_cpu_s: float | None = None
    updates: int = 0
    paid: bool = False  # [outbound] paid_safety_cards on
    paid_sends: int = 0  # safety cards the stand-in let through as paid broadcasts
    incidents: int = 0  # tickets with their own crew card (the rest joined one of these)
    accept_s: list[float] = field(default_factory=list)  # from each text until its ticket was accepted
    ticket_accept_s: list[float] = field(default_factory=list)  # from each ticket (its location) until accepted
    not_accepted: int = 0  # reports not on an accepted ticket ACCEPT_WITHIN_S after their text
    crew_kinds: dict[str, int] = field(default_factory=dict)  # the crews' messages (sends and edits) by kind
    presses: int = 0  # the crews' Accept presses
    unwell: int = 0  # residents who answer that someone is unwell
    unwell_answered: int = 0  # of those, who had answered it by the end
    unwell_own_card: int = 0  # of those, whose report had a card of its own at a crew chat by the end
    # messages (sends and edits) that reached the stand-in while a safety card was due, by kind
    while_card_waited: dict[str, int] = field(default_factory=dict)

    def bound_s(self, q: float) -> float:
        """The physical bound at percentile ``q`` of the cards: the k-th card is not before k/30 s."""
        k = max(1, round(q / 100 * len(self.card_s) + 0.5))
        return min(k, len(self.card_s)) / TELEGRAM_PER_S

    @property
    def card_p50_s(self) -> float:
        return percentile(self.card_s, 50)

    @property
    def card_p99_s(self) -> float:
        return percentile(self.card_s, 99)


ACCEPT_PRESS = "20-60 s after the card"


def district_rows(result: DistrictResult) -> list[Row]:
    """The table's rows for one run: safety cards against the bound, the first question, the crews."""
    n = result.residents
    name = f"district leak, real limits, {n:,} residents in 10 s" + (", paid safety cards" if result.paid else "")
    if not result.card_s:
        return [Row(name, ours="no safety card measured")]
    bound = result.bound_s(99)
    told = (
        f"{result.all_told_s:.0f}"
        if result.all_told_s is not None
        else f"{result.told:,}/{n:,} by {result.budget_s:.0f} (budget)"
    )
    cpu = f"{result.bot_cpu_s / result.updates * 1000:.2f}" if result.bot_cpu_s and result.updates else "-"
    return [
        Row(
            f"{name}: safety card p50 / p99 s (n={len(result.card_s):,})",
            "physical bound at p99, k/30 s",
            f"{bound:.1f}",
            f"{result.card_p50_s:.1f} / {result.card_p99_s:.1f}",
            ratio(result.card_p99_s, bound),
        ),
        Row(
            f"{name}: first question p99 s",
            ours=f"{percentile(result.question_s, 99):.1f} (n={len(result.question_s):,})"
            if result.question_s
            else f"none by {result.budget_s:.0f}",
        ),
        Row(f"{name}: every report on a ticket a crew was told of, s", ours=told),
        Row(
            f"{name}: danger text -> its ticket accepted p50 / p99 / max s (Accept {ACCEPT_PRESS});"
            " not accepted within 2 min",
            ours=(
                f"{percentile(result.accept_s, 50):.0f} / {percentile(result.accept_s, 99):.0f} / "
                f"{max(result.accept_s):.0f} (n={len(result.accept_s):,}); {result.not_accepted:,}"
                if result.accept_s
                else f"none by {result.budget_s:.0f}"
            ),
        ),
        *(
            [
                Row(
                    f"{name}: ticket (at its location) -> accepted p50 / p99 / max s",
                    ours=" / ".join(
                        f"{v:.0f}"
                        for v in (
                            *(percentile(result.ticket_accept_s, q) for q in (50, 99)),
                            max(result.ticket_accept_s),
                        )
                    ),
                )
            ]
            if result.ticket_accept_s
            else []
        ),
        Row(
            f"{name}: messages to the crews (sends + edits); tickets with a card of their own; to the desk",
            ours=f"{result.crew_messages + result.crew_edits:,} ({result.crew_edits:,} edits); {result.incidents:,};"
            f" {result.desk_messages:,}",
        ),
        Row(
            f"{name}: the crews' messages by kind",
            ours=", ".join(f"{n:,} {kind}" for kind, n in sorted(result.crew_kinds.items(), key=lambda kv: -kv[1])),
        ),
        *([Row(f"{name}: safety cards sent as paid broadcasts", ours=f"{result.paid_sends:,}")] if result.paid else []),
        Row(
            f"{name}: residents answering that someone is unwell; who had answered so; their reports with a card"
            " of their own",
            ours=f"{result.unwell:,}; {result.unwell_answered:,}; {result.unwell_own_card:,}",
        ),
        Row(
            f"{name}: other messages sent while a safety card waited",
            ours=", ".join(f"{n:,} {kind}" for kind, n in sorted(result.while_card_waited.items())) or "none",
        ),
        Row(
            f"{name}: forms completed; 429s; bot CPU ms per update",
            ours=f"{result.forms_done:,}/{n:,}; {result.rate_limited:,}; {cpu}",
        ),
    ]
