"""The customer-service window (客服消息) of one resident, as WeChat counts it, so that 45015 (window closed)
and 45047 (quota used) never come back.

After the resident's message: 5 messages within 48 hours. After a menu click, a follow or a scan: 3 messages
within one minute. A new message or event opens a fresh window of its kind (the count starts again). After
an unsubscribe nothing reaches them until they follow again. The passive reply to a callback is not counted.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Literal

from storage.wechat import Window

MESSAGE_WINDOW = timedelta(hours=48)
MESSAGE_SENDS = 5
EVENT_WINDOW = timedelta(minutes=1)
EVENT_SENDS = 3
MARGIN = timedelta(seconds=30)  # a send this close to the window's end is not tried: WeChat's clock is not ours

Use = Literal["event", "message"]


def opened(window: Window, opens: str, now: datetime) -> Window:
    """The window after the resident's message (``message``), click/follow/scan (``event``) or unsubscribe."""
    if opens == "message":
        return dataclasses.replace(window, message_at=now, message_sends=0, followed=True)
    if opens == "event":
        return dataclasses.replace(window, event_at=now, event_sends=0, followed=True)
    if opens == "unsubscribe":
        return dataclasses.replace(window, followed=False)
    return window


def allowed(window: Window, now: datetime) -> Use | None:
    """Which window a customer-service message may use now (the short one first), None if neither."""
    if not window.followed:
        return None
    margin = min(MARGIN, EVENT_WINDOW / 4)
    if (
        window.event_at is not None
        and now < window.event_at + EVENT_WINDOW - margin
        and window.event_sends < EVENT_SENDS
    ):
        return "event"
    if (
        window.message_at is not None
        and now < window.message_at + MESSAGE_WINDOW - MARGIN
        and window.message_sends < MESSAGE_SENDS
    ):
        return "message"
    return None


def spend(window: Window, use: Use) -> Window:
    if use == "event":
        return dataclasses.replace(window, event_sends=window.event_sends + 1)
    return dataclasses.replace(window, message_sends=window.message_sends + 1)


def left(window: Window, now: datetime) -> int:
    """How many customer-service messages may still go (both windows)."""
    count = 0
    while (use := allowed(window, now)) is not None:
        window = spend(window, use)
        count += 1
    return count


def refund(window: Window, use: Use) -> Window:
    """A place given back: the send never reached WeChat."""
    if use == "event":
        return dataclasses.replace(window, event_sends=max(0, window.event_sends - 1))
    return dataclasses.replace(window, message_sends=max(0, window.message_sends - 1))
