"""Seasonal tips, from the resident's side: subscribed at the first /start (and told how to stop),
``/tips on|off``, the "stop these tips" button under every tip, and ``/district`` for area notices."""

from __future__ import annotations

import logging

from bot.broadcast.broadcaster import STOP_TIPS
from bot.config.broadcast import district_of
from bot.context import Ctx
from bot.routes import Router
from common.events import Answer, Button
from storage.subscriptions import SubscriptionsRepo

logger = logging.getLogger(__name__)

_ON, _DISTRICT = "tips:on", "tips:d:"


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


async def on_button(ctx: Ctx) -> None:
    data = ctx.ev.data or ""
    if data in (STOP_TIPS, _ON):
        on = data == _ON
        await _set(ctx, on, "button")
        ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or "", text=ctx.t("tips.toast_done")))
        if on:
            ctx.say("tips.now_on")
        else:
            ctx.say("tips.now_off", buttons=[[Button(text=ctx.t("tips.undo_button"), data=_ON)]])
        return
    if data.startswith(_DISTRICT):
        name = data.removeprefix(_DISTRICT)
        if any(d.name == name for d in ctx.settings.districts):
            await SubscriptionsRepo(ctx.tx).choose_district(ctx.person.id, name, ctx.now)
            ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or ""))
            ctx.say("tips.district_set", district=name)
            return
    ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or "", text=ctx.t("start.stale_button")))


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
        [Button(text=name, data=f"{_DISTRICT}{name}") for name in names[i : i + 3]] for i in range(0, len(names), 3)
    ]
    if current is None:
        ctx.say("tips.district_unknown", buttons=rows)
    else:
        ctx.say("tips.district_is", district=current, buttons=rows)


ROUTES = Router("subscriptions")
ROUTES.command("tips", tips)
ROUTES.command("district", district)
ROUTES.prefix("tips:", on_button)
