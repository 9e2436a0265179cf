"""Signing in to the board with the one-time link from /board, and the session cookie it sets.

GET /signin?t=... only shows a button (link previews and scanners fetch the page, they do not press it);
POST /signin spends the link (``board_links``: once, within five minutes, for its own person) and sets the
session cookie: HttpOnly, SameSite=Strict, Secure behind TLS, valid ``[board] session_hours``. Logins and
refused links are rows of the audit table.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import aiohttp_jinja2
from aiohttp import web

from bot.board.state import STATE, BoardState, page_lang
from bot.board.tokens import Claims, sign, verify
from bot.dispatch.authz import may_use_desk
from storage.audit import AuditRepo
from storage.board import BoardLinksRepo
from storage.people import PeopleRepo, Person
from storage.sync import SyncConnection

logger = logging.getLogger(__name__)

COOKIE = "hotline_board"


async def current_person(request: web.Request) -> Person | None:
    """The signed-in staff member, looked up again now: None when signed out, expired, or no longer desk staff."""
    state = request.app[STATE]
    claims = verify(state.secret, request.cookies.get(COOKIE, ""), "session", state.clock.now())
    if claims is None:
        return None
    person = await state.reader.read(lambda conn: PeopleRepo(conn).get(claims.person_id))
    return person if person is not None and may_use_desk(person) else None


def _refused(request: web.Request, reason: str, status: int = 403) -> web.Response:
    context = {"lang": page_lang(request, None), "reason": reason, "token": "", "base": request.app[STATE].prefix}
    return aiohttp_jinja2.render_template("signin.html", request, context, status=status)


async def signin_page(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    token = request.query.get("t", "")
    if not token:
        return _refused(request, "ask", status=200)
    if verify(state.secret, token, "link", state.clock.now()) is None:
        return _refused(request, "expired")
    context = {"lang": page_lang(request, None), "reason": "", "token": token, "base": state.prefix}
    return aiohttp_jinja2.render_template("signin.html", request, context)


def _same_origin(request: web.Request) -> bool:
    """The form was sent from the board's own page (browsers say so in Sec-Fetch-Site; with no-referrer
    pages their Origin is "null")."""
    return request.headers.get("Sec-Fetch-Site", "same-origin") == "same-origin"


async def signin(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    token = str((await request.post()).get("t", ""))
    now = state.clock.now()
    claims = verify(state.secret, token, "link", now)
    if claims is None or not _same_origin(request):
        return _refused(request, "expired")

    async def spend(tx: SyncConnection) -> Person | None:
        person = await PeopleRepo(tx).get(claims.person_id)
        if person is None:
            return None
        fresh = await BoardLinksRepo(tx).consume(claims.link_id, person.id, now=now)
        allowed = fresh and may_use_desk(person)
        action, detail = ("board_login", "signed in") if allowed else ("board_login_refused", "link used or expired")
        if fresh and not allowed:
            detail = f"not desk staff ({person.role})"
        await AuditRepo(tx).refused(
            channel=person.channel, actor=person.external_id, action=action, detail=detail, now=now
        )
        return person if allowed else None

    person = await state.writer.run(spend)
    if person is None:
        logger.info("board sign-in refused (person %s)", claims.person_id)
        return _refused(request, "expired")
    logger.info("board sign-in: person %s", person.id)
    expires = now + timedelta(hours=state.settings.board.session_hours)
    session = sign(state.secret, Claims("session", person.id, claims.link_id, expires))
    response = web.HTTPSeeOther(state.prefix + "/")
    set_session(response, state, session, int((expires - now).total_seconds()))
    raise response


def set_session(response: web.StreamResponse, state: BoardState, value: str, max_age: int) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=max_age,
        path=state.prefix + "/",
        httponly=True,
        secure=state.settings.board.secure,
        samesite="Strict",
    )


async def signout(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    response = web.HTTPSeeOther(state.prefix + "/signin")
    set_session(response, state, "", 0)
    raise response
