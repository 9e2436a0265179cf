"""Splitting texts longer than Telegram's limit: line ends first, UTF-16 units counted, nothing lost."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.long_text import MAX_TEXT_UNITS, split_text, units


def test_a_short_text_is_one_part() -> None:
    assert split_text("hello\nworld") == ["hello\nworld"]
    assert split_text("x" * MAX_TEXT_UNITS) == ["x" * MAX_TEXT_UNITS]


def test_parts_end_at_line_ends() -> None:
    lines = [f"line {n:03d} " + "x" * 90 for n in range(100)]
    parts = split_text("\n".join(lines), limit=1000)
    assert all(units(p) <= 1000 for p in parts)
    assert [line for part in parts for line in part.split("\n")] == lines


def test_a_line_longer_than_the_limit_is_cut_inside_it() -> None:
    parts = split_text("head\n" + "y" * 2500 + "\ntail", limit=1000)
    assert all(units(p) <= 1000 for p in parts)
    assert "".join(parts).replace("\n", "") == "head" + "y" * 2500 + "tail"


def test_emoji_count_twice_and_are_never_cut_in_half() -> None:
    text = "🔥" * 700  # 1,400 UTF-16 units in 700 characters
    parts = split_text(text, limit=1000)
    assert [units(p) for p in parts] == [1000, 400]
    assert "".join(parts) == text


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300), max_size=40))
def test_no_part_is_too_long_and_no_character_is_lost(lines: list[str]) -> None:
    text = "\n".join(lines)
    parts = split_text(text, limit=256)
    assert all(units(p) <= 256 for p in parts)
    kept = "".join(parts).replace("\n", "")
    if units(text) > 256:
        assert kept == text.replace("\n", "") or not text.strip()
    else:
        assert parts == [text]
