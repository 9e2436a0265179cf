"""Broadcasts from chat: ``/broadcast TEXT`` (admins) and ``/notice DISTRICT TEXT`` (dispatchers,
supervisors, admins) each make a draft and show a preview (exactly what residents will see, to how many,
how long it takes); nothing is sent until the explicit "Send" button. ``/broadcasts`` shows progress.

Every broadcast is a row: who, when, audience size, then sent / blocked / failed (see ``bot.broadcast.broadcaster``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.broadcast.audience import add_broadcast, audience_size, effective_rate, progress_on, quiet_hours
from bot.broadcast.calendar import apply_quiet_hours
from bot.context import Ctx
from bot.i18n import Lang, t
from bot.routes import PERMISSIONS, Codec, Router
from common.events import Answer, Button, Edit
from storage.broadcasts import BroadcastsRepo

logger = logging.getLogger(__name__)

BROADCASTERS = PERMISSIONS["admin"].roles or frozenset()  # a broadcast's buttons: who made that kind
NOTIFIERS = PERMISSIONS["desk"].roles or frozenset()
_COMMAND = re.compile(r"^/\S+\s*", re.UNICODE)


@dataclass(frozen=True)
class BroadcastPress:
    """``bc:<action>:<broadcast>``: send, cancel (the preview) or stop (once confirmed) a broadcast."""

    action: Literal["go", "no", "stop"]
    broadcast: int


BUTTON = Codec("bc:", BroadcastPress, BroadcastPress("stop", 1))


def _body(ctx: Ctx) -> str:
    """What follows the command, newlines kept."""
    return _COMMAND.sub("", ctx.ev.text, count=1).strip() if ctx.ev.text else " ".join(ctx.ev.args)


async def _allowed(ctx: Ctx, roles: frozenset[str], action: str) -> bool:
    if ctx.person.role in roles:
        return True
    await ctx.audit_refusal(action, ctx.ev.command)
    ctx.say("admin.not_allowed")
    return False


def _local(ctx: Ctx, when: datetime) -> str:
    return when.astimezone(ctx.settings.utility.tz).strftime("%m-%d %H:%M")


async def _preview(ctx: Ctx, broadcast_id: int, audience: str, texts: dict[str, str], urgent: bool) -> None:
    sizes = await audience_size(ctx.tx, ctx.settings, audience)
    total = sum(sizes.values())
    start = ctx.now if urgent else apply_quiet_hours(ctx.now, ctx.settings.utility.tz, quiet_hours(ctx.settings), False)
    minutes = max(1, round(total / effective_rate(ctx.settings) / 60))
    ctx.say(
        "admin.preview",
        id=broadcast_id,
        total=total,
        zh=sizes.get("zh", 0),
        en=sizes.get("en", 0),
        minutes=minutes,
        start=ctx.t("admin.start_now") if start <= ctx.now else ctx.t("admin.start_at", time=_local(ctx, start)),
    )
    buttons = [
        [
            Button(
                text=ctx.t("admin.send_button", total=total), data=BUTTON.encode(BroadcastPress("go", broadcast_id))
            ),
            Button(text=ctx.t("admin.cancel_button"), data=BUTTON.encode(BroadcastPress("no", broadcast_id))),
        ]
    ]
    ctx.say_text(texts.get(ctx.lang.value, texts["zh"]), buttons=buttons)


async def broadcast(ctx: Ctx) -> None:
    body = _body(ctx)
    if not body:
        ctx.say("admin.broadcast_usage")
        return
    hotline = ctx.settings.utility.hotline
    texts = {lang.value: t(lang, "broadcast.message", text=body, hotline=hotline) for lang in Lang}
    broadcast_id = await add_broadcast(
        BroadcastsRepo(ctx.tx),
        ctx.settings,
        kind="broadcast",
        audience="subscribers",
        texts=texts,
        now=ctx.now,
        draft=True,
        created_by=ctx.person.id,
        channel=ctx.ev.channel,
    )
    await _preview(ctx, broadcast_id, "subscribers", texts, urgent=False)


async def notice(ctx: Ctx) -> None:
    district, _, body = _body(ctx).partition(" ")
    names = [d.name for d in ctx.settings.districts]
    if not body.strip() or district not in names:
        ctx.say("admin.notice_usage", districts=", ".join(names) or "-")
        return
    hotline = ctx.settings.utility.hotline
    texts = {
        lang.value: t(lang, "broadcast.notice", district=district, text=body.strip(), hotline=hotline) for lang in Lang
    }
    audience = f"district:{district}"
    broadcast_id = await add_broadcast(
        BroadcastsRepo(ctx.tx),
        ctx.settings,
        kind="notice",
        audience=audience,
        texts=texts,
        now=ctx.now,
        draft=True,
        created_by=ctx.person.id,
        channel=ctx.ev.channel,
    )
    await _preview(ctx, broadcast_id, audience, texts, urgent=True)


async def broadcasts(ctx: Ctx) -> None:
    recent = await BroadcastsRepo(ctx.tx).recent(10)
    if not recent:
        ctx.say("admin.none")
        return
    lines = [ctx.t("admin.list_title")]
    for item in recent:
        state = await progress_on(ctx.tx, ctx.settings, item.id, ctx.now)
        finish = state.expected_finish or item.finished_at
        lines.append(
            ctx.t(
                "admin.list_line",
                id=item.id,
                kind=ctx.t(f"admin.kind_{item.kind}"),
                audience=item.audience.removeprefix("district:"),
                created=_local(ctx, item.created_at),
                status=ctx.t(f"admin.status_{item.status}"),
                total=state.audience,
                sent=state.sent,
                failed=state.failed + state.uncertain,
                blocked=state.blocked,
                pending=state.pending,
                finish=_local(ctx, finish) if finish else "-",
            )
        )
    ctx.say_text("\n".join(lines))


async def on_button(ctx: Ctx, press: BroadcastPress) -> None:
    action, broadcast_id, button_id = press.action, press.broadcast, ctx.ev.button_id or ""
    repo = BroadcastsRepo(ctx.tx)
    item = await repo.get(broadcast_id)
    roles = BROADCASTERS if item is not None and item.kind != "notice" else NOTIFIERS
    if item is None or not await _allowed(ctx, roles, f"broadcast_{action}"):
        ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=button_id))
        return
    if action == "go" and await repo.confirm(broadcast_id, ctx.now):
        key, buttons = (
            "admin.confirmed",
            [[Button(text=ctx.t("admin.stop_button"), data=BUTTON.encode(BroadcastPress("stop", broadcast_id)))]],
        )
        logger.info("broadcast %s confirmed by person %s", broadcast_id, ctx.person.id)
    elif action in ("no", "stop") and await repo.cancel(broadcast_id, ctx.now):
        key, buttons = "admin.cancelled", []
        logger.info("broadcast %s cancelled by person %s", broadcast_id, ctx.person.id)
    else:
        ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=button_id, text=ctx.t("start.stale_button")))
        return
    ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=button_id, text=ctx.t("tips.toast_done")))
    text = ctx.t(key, id=broadcast_id) + "\n\n" + item.text(ctx.lang.value)
    if ctx.ev.message_id:
        ctx.replies.append(Edit(chat=ctx.ev.chat, message_id=ctx.ev.message_id, text=text, buttons=buttons))
    else:
        ctx.say_text(text, buttons=buttons)


ROUTES = Router("broadcast")
ROUTES.command("broadcast", broadcast, "admin")
ROUTES.command("notice", notice, "desk", refusal="admin.not_allowed")
ROUTES.command("broadcasts", broadcasts, "desk", refusal="admin.not_allowed")
ROUTES.button(BUTTON, on_button, "desk", refusal="admin.not_allowed")
