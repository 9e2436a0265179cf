"""The board's pages: the live board, the wall view, one ticket, and the panels an open page fetches.

Every request but the sign-in page, the assets and /healthz passes ``require_staff``: the session cookie
is checked and the person looked up again, so a removed staff member loses access at once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.board import live, views
from bot.board.signin import current_person, signin, signin_page, signout
from bot.board.state import LANG_COOKIE, PERSON, STATE, BoardState, page_lang
from bot.i18n import Lang, t
from bot.people.phone import display_phone
from storage.people import Person

logger = logging.getLogger(__name__)

PUBLIC = ("/signin", "/healthz", "/static/")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def require_staff(request: web.Request, handler: Handler) -> web.StreamResponse:
    state = request.app[STATE]
    path = request.path.removeprefix(state.prefix)
    if path.startswith(PUBLIC):
        return await handler(request)
    person = await current_person(request)
    if person is None:
        if path == "/events" or path.startswith("/panels"):
            raise web.HTTPUnauthorized()
        raise web.HTTPFound(state.prefix + "/signin")
    request[PERSON] = person
    return await handler(request)


@web.middleware
async def headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"  # the sign-in link never leaves in a Referer
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'"
    )
    return response


def _context(request: web.Request, **values: Any) -> dict[str, Any]:
    state = request.app[STATE]
    person: Person = request[PERSON]
    lang = page_lang(request, person)
    return {"lang": lang, "person": person, "base": state.prefix, **values}


async def _board(request: web.Request) -> views.Board:
    state = request.app[STATE]
    filters = views.Filters.parse(request.query, state.settings)
    lang = page_lang(request, request[PERSON])
    now = state.clock.now()
    return await state.reader.read(lambda conn: views.board(conn, state.settings, now, filters, lang))


@aiohttp_jinja2.template("board.html")
async def board_page(request: web.Request) -> dict[str, Any]:
    return _context(request, board=await _board(request), wall=False)


@aiohttp_jinja2.template("wall.html")
async def wall_page(request: web.Request) -> dict[str, Any]:
    return _context(request, board=await _board(request), wall=True)


@aiohttp_jinja2.template("panels.html")
async def panels(request: web.Request) -> dict[str, Any]:
    return _context(request, board=await _board(request), wall=request.query.get("wall") == "1")


@aiohttp_jinja2.template("ticket.html")
async def ticket_page(request: web.Request) -> dict[str, Any]:
    state = request.app[STATE]
    number = request.match_info["number"]
    lang = page_lang(request, request[PERSON])
    now = state.clock.now()
    page = await state.reader.read(lambda conn: views.ticket_page(conn, state.settings, now, int(number), lang))
    if page is None:
        raise web.HTTPNotFound()
    logger.info("board: person %s opened ticket %s", request[PERSON].id, page.ticket.id)
    zone = state.settings.utility.tz
    return _context(request, page=page, zone=zone, now_ms=int(state.clock.now().timestamp() * 1000))


async def events(request: web.Request) -> web.StreamResponse:
    async def allowed() -> bool:
        return await current_person(request) is not None

    return await live.stream(request, request.app[STATE].changes, allowed)


async def choose_lang(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    code = request.match_info["code"]
    response = web.HTTPSeeOther(state.prefix + "/")
    if code in ("zh", "en"):
        response.set_cookie(LANG_COOKIE, code, path=state.prefix + "/", samesite="Strict", max_age=365 * 86400)
    raise response


async def healthz(request: web.Request) -> web.StreamResponse:
    return web.Response(text="ok\n")


def build_app(state: BoardState) -> web.Application:
    app = web.Application(middlewares=[headers, require_staff])
    app[STATE] = state
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("bot.board", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env = aiohttp_jinja2.get_env(app)
    zone = state.settings.utility.tz
    env.globals.update(
        t=lambda lang, key, **values: t(Lang(lang), key, **values),
        option_label=views.option_label,
        event_label=views.event_label,
        measures=views.measures,
        zone=str(zone),
    )
    env.filters["phone"] = display_phone
    env.filters["hm"] = lambda when: when.astimezone(zone).strftime("%H:%M")
    env.filters["hms"] = lambda when: when.astimezone(zone).strftime("%m-%d %H:%M:%S")
    p = state.prefix
    app.router.add_get(p + "/", board_page)
    app.router.add_get(p + "/wall", wall_page)
    app.router.add_get(p + "/panels", panels)
    app.router.add_get(p + "/ticket/{number:[0-9]{1,12}}", ticket_page)
    app.router.add_get(p + "/events", events)
    app.router.add_get(p + "/lang/{code}", choose_lang)
    app.router.add_get(p + "/signin", signin_page)
    app.router.add_post(p + "/signin", signin)
    app.router.add_post(p + "/signout", signout)
    app.router.add_get(p + "/healthz", healthz)
    app.router.add_static(p + "/static/", str(resources.files("bot.board") / "static"))
    return app
