"""Keep residents' data and the bot token out of the logs.

Third-party libraries log far too much for a hotline at DEBUG: PTB logs every Bot API call with its
parameters (message texts: addresses, callback numbers) and every update it processes (shared
contacts), httpx/aiohttp log request URLs (which carry the token). ``quiet_libraries`` caps those
loggers at INFO/WARNING whatever the root level is; our own modules never log such values (they log
ticket and row ids only).
"""

from __future__ import annotations

import logging

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
