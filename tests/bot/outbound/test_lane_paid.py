"""Paid broadcasts for safety cards (``[outbound] paid_safety_cards``), in virtual time: the flag only on
safety cards, only while the free rate is exhausted, never on tips, questions or receipts; off by default."""

from __future__ import annotations

import asyncio

from bot.config.settings import OutboundConfig
from bot.outbound.channels import Channel, Lanes
from common.events import Priority, Text
from handlers.channel import TelegramPacing
from tests.kit.lane import DEFAULTS, FakeSender, started, text
from tests.kit.virtual_time import virtual

PAID = OutboundConfig(paid_safety_cards=True)  # the free rate: 28/s overall


def card(chat: str, body: str) -> Text:
    return Text(chat=chat, text=body, priority=Priority.EMERGENCY, safety=True)


async def surge(config: OutboundConfig) -> tuple[FakeSender, list[int]]:
    """200 residents' safety cards at once, with tips, answers and receipts to others; returns the sender and
    what ``on_paid`` was told."""
    sender = FakeSender()
    lane = await started(sender, config)
    told: list[int] = []
    lane.on_paid = lambda: told.append(1)
    futures = [lane.submit(text(str(9000 + i), f"tip{i}", Priority.BROADCAST)) for i in range(40)]
    futures += [lane.submit(text(str(8000 + i), f"answer{i}", Priority.CONVERSATION)) for i in range(20)]
    futures += [lane.submit(card(str(1000 + i), f"card{i}")) for i in range(200)]
    futures += [lane.submit(text(str(7000 + i), f"receipt{i}", Priority.EMERGENCY)) for i in range(20)]
    await asyncio.gather(*futures)
    assert lane.stats.paid == len(told) == len(sender.paid)
    await lane.stop(drain_s=0)
    return sender, told


@virtual
async def test_the_paid_flag_is_set_only_on_safety_cards_while_the_free_rate_is_exhausted() -> None:
    sender, _ = await surge(PAID)
    assert sender.paid and all(key.startswith("card") for key in sender.paid), "never on tips, answers or receipts"
    first = sender.calls[0][2]
    assert first.startswith("card") and first not in sender.paid, "the free rate is used first"
    cards = [t for t, _, key in sender.calls if key.startswith("card")]
    assert max(cards) - min(cards) < 1.0, "200 safety cards within a second, beyond the free 28/s"
    free = len(sender.calls) - len(sender.paid)
    assert free < 28 * (sender.calls[-1][0] - sender.calls[0][0]) + 3, "the free rate itself is kept"


@virtual
async def test_off_by_default_nothing_is_paid_for() -> None:
    assert DEFAULTS.paid_safety_cards is False
    sender, told = await surge(DEFAULTS)
    assert sender.paid == [] and told == []
    cards = [t for t, _, key in sender.calls if key.startswith("card")]
    assert max(cards) - min(cards) > 6, "at the free 28/s, 200 cards take about 7 s"


@virtual
async def test_safety_cards_behind_receipts_of_the_same_priority_are_still_paid_for() -> None:
    sender = FakeSender()
    lane = await started(sender, PAID)
    futures = []
    for i in range(200):  # a district: each resident's receipt and the next one's card, interleaved
        futures.append(lane.submit(text(str(7000 + i), f"receipt{i}", Priority.EMERGENCY)))
        futures.append(lane.submit(card(str(1000 + i), f"card{i}")))
    await asyncio.gather(*futures)
    cards = [t for t, _, key in sender.calls if key.startswith("card")]
    assert max(cards) - min(cards) < 1.0, "the cards do not wait behind the receipts' free rate"
    assert sender.paid and all(key.startswith("card") for key in sender.paid)
    await lane.stop(drain_s=0)


@virtual
async def test_only_a_channel_that_can_be_paid_pays() -> None:
    senders = {"telegram": FakeSender(), "wechat": FakeSender()}
    lanes = Lanes.of(
        [
            Channel("telegram", senders["telegram"], TelegramPacing(PAID), paid_broadcast=True),
            Channel("wechat", senders["wechat"], TelegramPacing(PAID)),
        ],
        PAID,
    )
    await lanes.start()
    await asyncio.gather(*(lanes.submit(name, card(str(1000 + i), "card")) for name in senders for i in range(60)))
    assert senders["telegram"].paid and senders["wechat"].paid == []
    await lanes.stop(drain_s=0)
