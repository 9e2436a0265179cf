"""How the core's outbound messages reach a channel, in channel-neutral terms.

A channel adapter implements ``Sender``; it turns its transport's failures into these errors. Two kinds
of failure must never be confused:

- *this message or this recipient* is the problem (``Rejected``, ``Unreachable``): the message fails on
  its own, the rest goes on, and someone is told when a person cannot be reached;
- *we* are the problem (``ChannelRefused``: our credentials or address are refused): nothing can be
  sent by this process, so nothing is marked failed; sending stops and the process exits to be restarted
  (see ``bot.runtime``).

Each error may name the channel's call that failed (``method``, e.g. ``sendMessage``) and the channel's
code (``code``: "429", "403", "network", ...) for the log; ``kind`` joins the code and what the error means
("429 retry after 3 s", "403 blocked", "network"); the detail is the channel's reason, never the message's text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Protocol

from common.errors import HotlineError
from common.events import Outbound

_TOKEN_LIKE = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")


class DeliveryError(HotlineError):
    """A message could not be delivered."""

    _MEANING: ClassVar[str] = ""

    def __init__(self, detail: str = "", *, method: str = "", code: str = "") -> None:
        super().__init__(detail)
        self.method = method
        self.code = code

    @property
    def meaning(self) -> str:
        """What this class of error means, for ``kind``."""
        return self._MEANING

    @property
    def kind(self) -> str:
        """The class of the failure for a log line: the channel's code and its meaning ("403 blocked",
        "429 retry after 3 s", "network"), never the message or the recipient."""
        return " ".join(part for part in (self.code, self.meaning) if part) or type(self).__name__

    @property
    def reason(self) -> str:
        """The channel's reason, fit for a log: at most 200 characters, anything shaped like a bot token
        (a transport error may quote a URL) masked."""
        return _TOKEN_LIKE.sub("<token>", str(self))[:200]


class Unreachable(DeliveryError):
    """The recipient cannot be reached by the bot: do not retry; tell someone (``bot.dispatch.desk``)."""

    _MEANING = "unreachable"


class Blocked(Unreachable):
    """The person blocked the bot or left (Telegram 403)."""

    _MEANING = "blocked"


class NotStarted(Unreachable):
    """The channel knows no chat with this person: they never opened the bot (Telegram 400 "chat not
    found"). It ends as soon as they write to the bot."""

    _MEANING = "chat not found"


class OutOfWindow(Unreachable):
    """The channel lets the bot write to a person only for a while after they last wrote (WeChat's 48 hours), and
    that time is over: it ends as soon as they write again."""

    _MEANING = "out of window"


class Rejected(DeliveryError):
    """The channel refused this message as such (Telegram 400): retrying it unchanged will not help."""

    _MEANING = "rejected"


class NotModified(Rejected):
    """An edit that changes nothing: harmless, counts as delivered."""

    _MEANING = "not modified"


class RetryLater(DeliveryError):
    """Flood control: wait ``after_s`` seconds before sending to this chat again (Telegram 429)."""

    def __init__(self, after_s: float, detail: str = "", *, method: str = "", code: str = "") -> None:
        super().__init__(detail or f"retry after {after_s} s", method=method, code=code)
        self.after_s = after_s

    @property
    def meaning(self) -> str:
        return f"retry after {self.after_s:g} s"


class Transient(DeliveryError):
    """A network fault, timeout or 5xx: try again later."""

    @property
    def outage(self) -> bool:
        """The channel did not answer (network, timeout, 5xx), as opposed to an answer that says "again"
        (Telegram's 409 while another instance polls)."""
        return self.code in ("", "network", "timeout")


class ChannelRefused(DeliveryError):
    """The channel refused *us*, not the message: a revoked or wrong token, a wrong address (Telegram 401
    or 404). Every other message would fail the same way, so nothing is sent and nothing is marked failed
    until the process is restarted with a working configuration. ``advice`` says what the operator does about
    it on this channel (empty: the runtime's own advice, Telegram's)."""

    _MEANING = "refused our credentials"

    def __init__(self, detail: str = "", *, method: str = "", code: str = "", advice: str = "") -> None:
        super().__init__(detail, method=method, code=code)
        self.advice = advice


class Sender(Protocol):
    async def send(self, message: Outbound) -> str | None:
        """Deliver one message; returns the channel's message id (None for acknowledgements)."""
        ...


@dataclass(frozen=True, slots=True)
class Pace:
    """One chat's token bucket: ``burst`` messages at once, then ``rate_per_s``."""

    burst: float
    rate_per_s: float


class Pacing(Protocol):
    def pace(self, chat: str) -> Pace:
        """How fast the chat ``chat`` may be sent to (a group is usually slower than a private chat)."""
        ...
