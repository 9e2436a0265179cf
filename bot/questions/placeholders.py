"""The placeholders safety texts may use, filled from the utility's configured facts.

Knowledge answers, campaign texts and card lines never name the utility's city, number, offices or accounts:
they say ``{hotline}``, ``{utility}``, ``{website}``, ``{wechat}``, ``{hours}`` or ``{offices}``, and
``facts`` fills them from ``[utility]`` in the configuration, in the reader's language.
"""

from __future__ import annotations

import string

PLACEHOLDERS = frozenset({"hotline", "utility", "website", "wechat", "hours", "offices"})


def placeholders(text: str) -> set[str]:
    """The placeholder names a text uses (``ValueError`` on a malformed brace)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def check_placeholders(text: str) -> str:
    """The text, if it uses only known placeholders (pydantic validator; ``ValueError`` otherwise)."""
    try:
        names = placeholders(text)
    except ValueError as exc:
        raise ValueError(f"a brace that is not a placeholder ({exc}); placeholders: {sorted(PLACEHOLDERS)}") from None
    if unknown := names - PLACEHOLDERS:
        raise ValueError(f"unknown placeholders {sorted(unknown)}; known: {sorted(PLACEHOLDERS)}")
    if any(not name for name in names):
        raise ValueError("an empty placeholder {}")
    return text
