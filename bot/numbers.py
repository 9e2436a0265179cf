"""Numbers typed by people or carried in button data: ASCII digits only.

``str.isdigit`` is true for "²" and "①", which ``int`` cannot read, and ``int`` reads Arabic-Indic and
full-width digits that nobody types for a ticket number; a forged button can carry any of them. Every
ticket number, id or count read from a message or a button goes through here, so an odd character is a
kind "please give the number" and never an exception.
"""

from __future__ import annotations

MAX_DIGITS = 12  # a ticket or broadcast number; larger would not fit SQLite's INTEGER anyway (19 digits)


def ascii_int(text: str, *, max_digits: int = MAX_DIGITS) -> int | None:
    """``text`` as a number if it is 1..``max_digits`` ASCII digits, else None."""
    if 0 < len(text) <= max_digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def ticket_number(text: str) -> int | None:
    """A ticket number as staff type it: ``12`` or ``#12``."""
    return ascii_int(text.strip().removeprefix("#"))
