"""The one PTB handler: every update goes to the core; its replies go out through the lane."""

from __future__ import annotations

import asyncio
import logging
import time

from telegram.ext import ContextTypes

from bot.ops.metrics import Metrics
from bot.outbound.delivery import DeliveryError
from bot.runtime import Runtime
from common.events import Outbound
from handlers.channel import TELEGRAM
from handlers.convert import TelegramUpdate
from handlers.processor import after_slot

logger = logging.getLogger(__name__)


def runtime_of(context: ContextTypes.DEFAULT_TYPE) -> Runtime:
    runtime = context.bot_data["runtime"]
    assert isinstance(runtime, Runtime)
    return runtime


async def on_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not isinstance(update, TelegramUpdate):
        return
    runtime = runtime_of(context)
    metrics: Metrics | None = context.bot_data.get("metrics")
    started = time.monotonic()
    if metrics is not None:
        metrics.updates.inc()
    event = update.inbound(runtime.clock.now())
    if event is None:
        return
    pending: list[asyncio.Future[str | None]] = []

    def urgent(message: Outbound) -> None:  # the safety card
        card = runtime.lanes.submit(TELEGRAM, message)
        if metrics is not None:
            card.add_done_callback(lambda f: None if f.cancelled() or f.exception() else metrics.card_sent(started))
        pending.append(card)

    replies = await runtime.core.handle(event, urgent)
    pending.extend(runtime.lanes.submit(TELEGRAM, message) for message in replies)
    delivered = _delivered(update.update_id, pending)
    if not after_slot(delivered):  # the chat's next update waits for these replies; other chats need not
        await delivered


async def _delivered(update_id: int, pending: list[asyncio.Future[str | None]]) -> None:
    for outcome in await asyncio.gather(*pending, return_exceptions=True):
        if isinstance(outcome, DeliveryError):  # the call and the channel's reason, never the text
            logger.warning(
                "reply to update %s not delivered: %s %s: %s",
                update_id,
                outcome.method or "send",
                type(outcome).__name__,
                outcome.reason,
            )
        elif isinstance(outcome, BaseException):
            raise outcome
