"""Callback phone numbers, validated with Google's libphonenumber (the `phonenumbers` package).

It knows every region's numbering plan (Chinese mobiles, landlines with area codes, +86 prefixes,
spaces and dashes), which a hand-written pattern would get wrong at the edges.

libphonenumber also reads letters as the keypad's digits ("1381234OOOO" becomes ...6666): right for a
vanity number, a silent wrong number when someone typed the letter O for 0 or l for 1. A number with a
Latin letter after its first digit is not guessed at: the resident is asked again.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import phonenumbers

_LETTER_AFTER_DIGIT = re.compile(r"[0-9].*[A-Za-z]", re.DOTALL)


def letters_in_number(raw: str) -> bool:
    """True if a Latin letter stands among or after the digits (``138l234567O``, full-width letters too)."""
    return bool(_LETTER_AFTER_DIGIT.search(unicodedata.normalize("NFKC", raw)))


def normalise_phone(raw: str, region: str) -> str | None:
    """The number in E.164 form (``+8613812345678``), or None when it is not a valid number."""
    text = raw.strip()
    if not text or len(text) > 40 or letters_in_number(text):
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
