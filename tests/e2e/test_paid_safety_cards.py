"""End to end under Telegram's real limits (the sandbox enforcing 30/s overall, 1/s per private chat): with
``[outbound] paid_safety_cards`` on, a district's safety cards beyond the free rate go as paid broadcasts,
and nothing else does; off, none is paid for."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.demo import running_bot, sandbox_settings
from bot.danger.cards import gas_card
from sandbox import RateLimits, Sandbox

RESIDENTS = 40


async def district(sb: Sandbox, tmp_path: Path, *, paid: bool) -> list[int]:
    """``RESIDENTS`` residents write at once; returns them once each has the safety card."""
    outbound = {"private_burst": 3, "private_rate_per_s": 1.0, "paid_safety_cards": paid}
    settings = sandbox_settings(sb, tmp_path / "paid.sqlite3", lang="en", outbound=outbound)
    sb.set_rate_limits(RateLimits(global_per_s=30, global_burst=5))
    users = [sb.create_user(language_code="en").id for _ in range(RESIDENTS)]
    async with running_bot(settings):
        for user in users:
            await sb.send_text(user, "I smell gas in the kitchen")
        for user in users:
            await sb.wait_for_text(user, gas_card("en").splitlines()[0], timeout_s=30)
    return users


@pytest.mark.parametrize("paid", [True, False])
async def test_safety_cards_beyond_the_free_rate_are_paid_for_only_when_on(
    sandbox: Sandbox, tmp_path: Path, paid: bool
) -> None:
    await district(sandbox, tmp_path, paid=paid)
    flagged = [call for call in sandbox.calls("sendMessage") if call.params.get("allow_paid_broadcast")]
    print(f"\n{RESIDENTS} residents at once, paid_safety_cards={paid}: {len(flagged)} safety cards paid for")
    if not paid:
        assert flagged == [] and sandbox.paid_sends == 0
        return
    assert flagged and sandbox.paid_sends == len(flagged)
    assert all(str(call.params.get("text")).startswith(gas_card("en")) for call in flagged), "only safety cards"
