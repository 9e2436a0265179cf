"""Seasonal tips, from the resident's side: subscribed at the first /start (and told how to stop),
``/tips on|off``, the "stop these tips" button under every tip, and ``/district`` for area notices.

Their buttons: ``tips:off``, ``tips:on`` and ``tips:dk:<key>`` (a district, by a digest of its name so
any name fits the 64 bytes and a renamed district's old buttons expire); ``tips:d:<name>`` is the
district button of version 1, still decoded (names in ASCII; others get the expired answer)."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Literal

from bot.config.broadcast import district_of
from bot.context import Ctx
from bot.routes import Codec, Router, expired
from common.events import Answer, Button
from storage.subscriptions import SubscriptionsRepo

logger = logging.getLogger(__name__)

TipsAction = Literal["off", "on", "dk", "d"]  # "d": a district by name (version 1)


@dataclass(frozen=True)
class TipsPress:
    action: TipsAction
    district: str = ""  # "dk": the district's key; "d": its name

    def __post_init__(self) -> None:
        if (self.action in ("dk", "d")) != bool(self.district):
            raise ValueError(f"tips:{self.action} does not take {self.district!r}")


def district_key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:10]


BUTTON = Codec("tips:", TipsPress, TipsPress("dk", district_key("黄浦区")))
STOP_TIPS = BUTTON.encode(TipsPress("off"))  # under every tip (bot.broadcast.broadcaster)


async def on_start(ctx: Ctx) -> None:
    """Called by /start: the first time, tell a subscribed resident about tips and how to stop them."""
    repo = SubscriptionsRepo(ctx.tx)
    if ctx.person.is_staff or not ctx.person.tips or await repo.was_notified(ctx.person.id):
        return
    await repo.record(ctx.person.id, "notified", "start", ctx.now)
    ctx.say("tips.start_notice")


async def _set(ctx: Ctx, on: bool, source: str) -> None:
    repo = SubscriptionsRepo(ctx.tx)
    if ctx.person.tips != on:
        await repo.set_tips(ctx.person.id, on)
        await repo.record(ctx.person.id, "on" if on else "off", source, ctx.now)
        ctx.person = ctx.person.model_copy(update={"tips": on})


async def tips(ctx: Ctx) -> None:
    arg = ctx.ev.args[0].lower() if ctx.ev.args else ""
    if arg in ("on", "off", "开", "关"):
        on = arg in ("on", "开")
        await _set(ctx, on, "command")
        ctx.say("tips.now_on" if on else "tips.now_off")
        return
    ctx.say("tips.state_on" if ctx.person.tips else "tips.state_off")


async def on_button(ctx: Ctx, press: TipsPress) -> None:
    if press.action in ("off", "on"):
        on = press.action == "on"
        await _set(ctx, on, "button")
        ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or "", text=ctx.t("tips.toast_done")))
        if on:
            ctx.say("tips.now_on")
        else:
            undo = BUTTON.encode(TipsPress("on"))
            ctx.say("tips.now_off", buttons=[[Button(text=ctx.t("tips.undo_button"), data=undo)]])
        return
    names = [d.name for d in ctx.settings.districts]
    name = next((n for n in names if press.district == (district_key(n) if press.action == "dk" else n)), None)
    if name is None:
        expired(ctx)
        return
    await SubscriptionsRepo(ctx.tx).choose_district(ctx.person.id, name, ctx.now)
    ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or ""))
    ctx.say("tips.district_set", district=name)


async def current_district(ctx: Ctx) -> str | None:
    repo = SubscriptionsRepo(ctx.tx)
    chosen = await repo.chosen_district(ctx.person.id)
    if chosen is not None:
        return chosen
    where = await repo.latest_location(ctx.person.id)
    return district_of(ctx.settings.districts, *where) if where else None


async def district(ctx: Ctx) -> None:
    """Show the resident's district (chosen, or from their latest report) and let them choose one."""
    names = [d.name for d in ctx.settings.districts]
    if not names:
        ctx.say("tips.no_districts")
        return
    current = await current_district(ctx)
    rows = [
        [Button(text=name, data=BUTTON.encode(TipsPress("dk", district_key(name)))) for name in names[i : i + 3]]
        for i in range(0, len(names), 3)
    ]
    if current is None:
        ctx.say("tips.district_unknown", buttons=rows)
    else:
        ctx.say("tips.district_is", district=current, buttons=rows)


ROUTES = Router("subscriptions")
ROUTES.command("tips", tips)
ROUTES.command("district", district)
ROUTES.button(BUTTON, on_button)
