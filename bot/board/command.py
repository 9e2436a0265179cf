"""/board in chat: a dispatcher, supervisor or admin gets a one-time sign-in link to the dispatch board.

The link is recorded (``board_links``) in the command's own transaction and signed with ``[board] secret``;
it works once, for five minutes, for the person it was sent to. Opening it shows a sign-in button (link
previews and scanners fetch pages, they do not press buttons), which spends it.
"""

from __future__ import annotations

import logging

from bot.board.tokens import LINK_VALID, Claims, new_link_id, sign
from bot.context import Ctx
from bot.routes import Router
from storage.board import BoardLinksRepo

logger = logging.getLogger(__name__)


def signin_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/signin?t={token}"


async def board_link(ctx: Ctx) -> None:
    board = ctx.settings.board
    if not board.ready:
        ctx.say("board.not_set_up")
        return
    link_id, expires_at = new_link_id(), ctx.now + LINK_VALID
    await BoardLinksRepo(ctx.tx).issue(link_id, ctx.person.id, now=ctx.now, expires_at=expires_at)
    token = sign(board.secret.get_secret_value(), Claims("link", ctx.person.id, link_id, expires_at))
    logger.info("board sign-in link sent to person %s", ctx.person.id)
    ctx.say("board.link", url=signin_url(board.public_url, token), minutes=int(LINK_VALID.total_seconds() // 60))


ROUTES = Router("board")
ROUTES.command("board", board_link, "desk")
