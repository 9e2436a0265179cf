"""The outbox's log lines about a notification that did not go through at once, for an operator.

Each notification that fails is logged once when it first fails ("will be retried", at WARNING) and once
with its outcome: "delivered after N attempt(s)" (INFO) or "given up after N attempt(s)" (WARNING); the
retries between them write nothing (``attempts`` is a column, so a restart does not log the first failure
again). A notification refused for good at its first attempt (a blocked recipient, a message Telegram
refuses) gets the one "given up" line. Each line names the ticket, the channel's call (the Bot API method),
the class of the failure (``DeliveryError.kind``: "429 retry after 3 s", "403 blocked", "network") and the
outbox row; never the text, the recipient's chat or phone, or the token (a transport's detail is masked).

``OutageWatch`` adds one line when the channel answers a send again after sends failed for want of an
answer (network, timeout, 5xx): "connection to Telegram restored (sends after N failed attempt(s))", the
outbound side of the lines ``handlers.startup`` writes for ``getMe`` and ``getUpdates``.
"""

from __future__ import annotations

import logging

from bot.outbound.delivery import DeliveryError, Transient
from storage.outbox import OutboxRow

logger = logging.getLogger("bot.outbound.outbox")

_CHANNELS = {"telegram": "Telegram"}


def reason(exc: Exception) -> str:
    return exc.kind if isinstance(exc, DeliveryError) else f"unexpected {type(exc).__name__}"


def method(row: OutboxRow, exc: Exception | None) -> str:
    """The channel's call that failed; the kind of message when the channel did not say."""
    if isinstance(exc, DeliveryError) and exc.method:
        return exc.method
    return type(row.message).__name__


def _about(row: OutboxRow, call: str) -> str:
    ticket = f"ticket #{row.ticket_id}" if row.ticket_id is not None else "no ticket"
    return f"{ticket}, {call}"


def first_failure(row: OutboxRow, exc: Exception, *, max_attempts: int, next_in_s: float) -> None:
    logger.warning(
        "notification failed, will be retried: %s, %s (row %s, %s; attempt 1 of %d, next in %.0f s)",
        _about(row, method(row, exc)),
        reason(exc),
        row.id,
        row.purpose or "-",
        max_attempts,
        next_in_s,
    )


def given_up(row: OutboxRow, exc: Exception, attempts: int) -> None:
    detail = exc.reason if isinstance(exc, DeliveryError) else "see the traceback above"
    logger.warning(
        "notification given up after %d attempt(s): %s, %s (row %s, %s): %s",
        attempts,
        _about(row, method(row, exc)),
        reason(exc),
        row.id,
        row.purpose or "-",
        detail,
    )


def delivered(row: OutboxRow, call: str) -> None:
    logger.info(
        "notification delivered after %d attempt(s): %s (row %s, %s)",
        row.attempts + 1,
        _about(row, call),
        row.id,
        row.purpose or "-",
    )


class OutageWatch:
    """Counts sends that failed because the channel did not answer; one line when one goes through again."""

    def __init__(self) -> None:
        self.failures = 0

    def failed(self, exc: Exception) -> None:
        if isinstance(exc, Transient) and exc.outage:
            self.failures += 1

    def sent(self, row: OutboxRow) -> None:
        if self.failures:
            logger.info(
                "connection to %s restored (sends after %d failed attempt(s))",
                _CHANNELS.get(row.channel, row.channel),
                self.failures,
            )
            self.failures = 0
