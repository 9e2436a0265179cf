"""Keep residents' data and the bot token out of the logs.

Third-party libraries log far too much for a hotline at DEBUG: PTB logs every Bot API call with its
parameters (message texts: addresses, callback numbers) and every update it processes (shared
contacts), httpx/aiohttp log request URLs (which carry the token). ``quiet_libraries`` caps those
loggers at INFO/WARNING whatever the root level is; our own modules never log such values (they log
ticket and row ids only). Whatever still carries the token (PTB puts it in ``InvalidToken``'s message, aiohttp
in an invalid URL's) is masked by ``TokenFilter`` on the root handlers (``mask_tokens``).
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

# logger name -> the most verbose level it may use
CAPS: dict[str, int] = {
    "telegram": logging.INFO,  # DEBUG: "Calling Bot API endpoint ... with parameters ...", "Processing update ..."
    "httpx": logging.WARNING,  # request URLs carry the token
    "httpcore": logging.WARNING,
    "aiohttp.access": logging.WARNING,
    "aiohttp.client": logging.WARNING,
    "aiosqlite": logging.INFO,  # DEBUG: every statement with its parameters
    "apscheduler": logging.WARNING,
    "hpack": logging.WARNING,
}


def quiet_libraries() -> None:
    """Raise the level of every chatty library logger to its cap (never lowers a stricter level)."""
    for name, cap in CAPS.items():
        target = logging.getLogger(name)
        if target.level == logging.NOTSET or target.level < cap:
            target.setLevel(cap)


MASK = "<token>"
# A Bot API token: the bot's numeric id, a colon, 35 characters of [A-Za-z0-9_-] (masked even when unknown).
TOKEN_SHAPE = re.compile(r"\d{6,12}:[A-Za-z0-9_-]{30,}")


class TokenFilter(logging.Filter):
    """Masks bot tokens (the configured ones, and anything shaped like one) in a record's message, its
    traceback and its stack, whoever logged it: installed on the handlers, it sees every record they
    write (a filter on a logger would see only that logger's own records, not its children's)."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__("hotline.token")
        self.secrets: tuple[str, ...] = ()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        known = {s for s in (*self.secrets, *secrets) if s}
        # the secret part alone too (``bot123:abc`` in a URL path is still the token after ``bot``)
        known |= {s.split(":", 1)[1] for s in known if ":" in s and len(s.split(":", 1)[1]) >= 8}
        self.secrets = tuple(sorted(known, key=len, reverse=True))

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return TOKEN_SHAPE.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: the handler reports it, not us
            return True
        masked = self.mask(message)
        if masked != message or record.args:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


_FILTER = TokenFilter()


def mask_tokens(*secrets: str) -> TokenFilter:
    """Mask ``secrets`` (and anything shaped like a token) in every record the root logger's handlers write;
    idempotent, and each call adds its secrets to the ones masked already."""
    _FILTER.add(*secrets)
    for handler in logging.getLogger().handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    return _FILTER
