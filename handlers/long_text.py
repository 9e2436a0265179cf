"""Telegram's length limit on a message's text: 4,096 characters, counted as Telegram counts them (UTF-16
code units, so an emoji outside the BMP counts twice). A longer text is split, never dropped: on line
boundaries where possible, inside a line only when the line alone is too long."""

from __future__ import annotations

MAX_TEXT_UNITS = 4096


def units(text: str) -> int:
    """The text's length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _hard_split(line: str, limit: int) -> list[str]:
    """A line longer than ``limit`` in pieces of at most ``limit`` units (never inside a character)."""
    pieces: list[str] = []
    start = size = 0
    for index, char in enumerate(line):
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > limit:
            pieces.append(line[start:index])
            start, size = index, 0
        size += width
    pieces.append(line[start:])
    return pieces


def split_text(text: str, limit: int = MAX_TEXT_UNITS) -> list[str]:
    """``text`` in consecutive parts of at most ``limit`` units, cut at line ends where possible (the line
    break at a cut is dropped; parts of nothing but blank lines are left out)."""
    if units(text) <= limit:
        return [text]
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        pieces = _hard_split(line, limit) if units(line) > limit else [line]
        for piece in pieces:
            width = units(piece)
            extra = width + (1 if current else 0)
            if current and size + extra > limit:
                parts.append("\n".join(current))
                current, size = [], 0
                extra = width
            current.append(piece)
            size += extra
    if current:
        parts.append("\n".join(current))
    # a part of nothing but line breaks carries no text: Telegram refuses an empty message
    return [part for part in parts if part.strip()] or [text[:limit]]
