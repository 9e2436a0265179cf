"""Callback phone numbers, validated with Google's libphonenumber (the `phonenumbers` package).

It knows every region's numbering plan (Chinese mobiles, landlines with area codes, +86 prefixes,
spaces and dashes), which a hand-written pattern would get wrong at the edges.
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


def normalise_phone(raw: str, region: str) -> str | None:
    """The number in E.164 form (``+8613812345678``), or None when it is not a valid number."""
    text = raw.strip()
    if not text or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)  # a report's number is shown in its summary, receipt and every crew card
def display_phone(e164: str) -> str:
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
