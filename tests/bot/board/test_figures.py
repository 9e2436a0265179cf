"""The figures behind the board's panels (pure functions), the masks, the filters and the signed tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.board import figures
from bot.board.tokens import Claims, sign, verify
from bot.board.views import Filters, mask_address, mask_phone
from bot.clock import FakeClock
from bot.config.settings import load_settings
from bot.dispatch.sla import targets
from storage.tickets import Ticket
from tests.kit.board import SECRET, board_settings
from tests.kit.settings import T0, settings_dict


def ticket(
    number: int, *, severity: str = "P1", status: str = "dispatched", category: str = "leak", **extra: object
) -> Ticket:
    values: dict[str, object] = {
        "id": number, "resident_id": 1, "channel": "telegram", "chat": "1", "lang": "zh", "category": category,
        "severity": severity, "status": status, "address": None, "latitude": None, "longitude": None,
        "phone": None, "details": {}, "crew_id": None, "assignee_id": None, "cause": None, "created_at": T0,
        "accepted_at": None, "arrived_at": None, "resolved_at": None,
    }  # fmt: skip
    values.update(extra)
    return Ticket.model_validate(values)


def test_day_counts_by_state_category_and_priority() -> None:
    tickets = [ticket(1), ticket(2, status="accepted"), ticket(3, severity="P3", category="meter"), ticket(4)]
    counts = figures.day_counts(tickets)
    assert counts.total == 4
    assert counts.by_status == {"dispatched": 3, "accepted": 1}
    assert counts.by_category == {"leak": 3, "meter": 1}
    assert counts.by_severity == {"P1": 3, "P2": 0, "P3": 1, "P4": 0}


def test_local_day_starts_at_midnight_in_the_utilitys_zone(tmp_path: Path) -> None:
    zone = load_settings(None, settings_dict(tmp_path / "x.sqlite3")).utility.tz
    start = figures.local_day_start(T0, zone)  # 10:00 in Shanghai
    assert start.utcoffset() == timedelta(hours=8) and (start.hour, start.minute) == (0, 0)
    assert T0 - start == timedelta(hours=10)


def test_clocks_against_the_targets(tmp_path: Path) -> None:
    settings = load_settings(None, settings_dict(tmp_path / "x.sqlite3"))
    limits = targets(settings, "P1")
    fresh = figures.clocks(ticket(1), limits, T0 + timedelta(minutes=1))
    assert fresh.accept_due == T0 + limits["accept"] and fresh.arrive_due == T0 + limits["arrive"]
    assert fresh.breached == []
    late = figures.clocks(ticket(1), limits, T0 + timedelta(minutes=3))
    assert late.breached == ["accept"] and late.age == timedelta(minutes=3)
    accepted = figures.clocks(ticket(1, accepted_at=T0 + timedelta(minutes=1)), limits, T0 + timedelta(minutes=3))
    assert accepted.accept_due is None and accepted.breached == []
    service = figures.clocks(ticket(2, severity="P3"), targets(settings, "P3"), T0)
    assert service.arrive_due is None, "no arrival target below P2"


def test_masks() -> None:
    assert mask_phone("+8613812345678") == "+86 *******5678"
    assert "13812345678" not in mask_phone("+8613812345678")
    assert mask_phone(None) == "" and mask_phone("12345").endswith("2345")
    assert mask_address("上海市黄浦区中山南路100号3楼") == "上海市黄…"
    assert mask_address("3楼") == "3楼"


def test_filters_keep_only_known_values(tmp_path: Path) -> None:
    settings = board_settings(tmp_path)
    chosen = Filters.parse({"priority": "P1", "category": "leak", "state": "nonsense", "district": "Huangpu"}, settings)
    assert chosen == Filters(district="Huangpu", category="leak", priority="P1", state="")
    assert chosen.query() == "district=Huangpu&category=leak&priority=P1"
    assert chosen.matches(ticket(1), "Huangpu") and not chosen.matches(ticket(1), None)
    assert Filters(district="黄浦&x").query() == "district=%E9%BB%84%E6%B5%A6%26x"


def test_tokens_are_bound_to_their_kind_expiry_and_secret() -> None:
    clock = FakeClock(T0)
    link = sign(SECRET, Claims("link", 7, "abc", T0 + timedelta(minutes=5)))
    assert verify(SECRET, link, "link", clock.now()) == Claims("link", 7, "abc", T0 + timedelta(minutes=5))
    assert verify(SECRET, link, "session", clock.now()) is None, "a link is not a session"
    assert verify(SECRET.upper(), link, "link", clock.now()) is None
    assert verify(SECRET, link, "link", T0 + timedelta(minutes=5)) is None, "expired"
    body, _, mac = link.partition(".")
    forged = sign(SECRET, Claims("link", 8, "abc", T0 + timedelta(minutes=5))).split(".")[0] + "." + mac
    assert verify(SECRET, forged, "link", clock.now()) is None
    for junk in ("", ".", "a.b", "é.é", link + "x"):
        assert verify(SECRET, junk, "link", clock.now()) is None
