"""Signing in to the board with the one-time link from /board, and every request checked again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import FakeClock
from tests.kit import template
from tests.kit.board import World, board_settings, client, link_for, on_board, sign_in
from tests.kit.harness import Harness, texts
from tests.kit.people import CREW_A, DISPATCHER
from tests.kit.settings import T0


async def test_signed_out_visitor_is_sent_to_sign_in(world: World) -> None:
    async with client() as session:
        async with session.get(world.address + "/", allow_redirects=False) as resp:
            assert resp.status == 302 and resp.headers["Location"] == "/signin"
        async with session.get(world.address + "/signin") as resp:
            assert "/board" in await resp.text()
        for path in ("/panels", "/events"):
            async with session.get(world.address + path, allow_redirects=False) as resp:
                assert resp.status == 401


async def test_link_signs_in_once_and_the_login_is_audited(world: World) -> None:
    link = await link_for(world.h, DISPATCHER)
    async with client() as session:
        resp = await sign_in(session, link, world.address)
        assert resp.status == 200 and str(resp.url).endswith("/")
        cookie = next(c for c in session.cookie_jar if c.key == "hotline_board")
        assert cookie["httponly"] and cookie["samesite"] == "Strict"
        assert not cookie["secure"], "http:// public URL: no TLS in front"
        async with session.get(world.address + "/") as page:
            assert f"#{world.ticket}" in await page.text()
    assert await world.db.scalar("SELECT COUNT(*) FROM audit WHERE action = 'board_login'") == 1
    async with client() as other:
        token = link.split("t=", 1)[1]
        async with other.post(world.address + "/signin", data={"t": token}, allow_redirects=False) as again:
            assert again.status == 403, "a used link is refused"
            assert "hotline_board" not in again.cookies or not again.cookies["hotline_board"].value
    assert await world.db.scalar("SELECT COUNT(*) FROM audit WHERE action = 'board_login_refused'") == 1


async def test_expired_link_is_refused(world: World) -> None:
    link = await link_for(world.h, DISPATCHER)
    world.clock.advance(timedelta(minutes=5, seconds=1))
    async with client() as session:
        async with session.get(on_board(link, world.address)) as page:
            assert page.status == 403 and "/board" in await page.text()
        token = link.split("t=", 1)[1]
        async with session.post(world.address + "/signin", data={"t": token}, allow_redirects=False) as resp:
            assert resp.status == 403
        async with session.get(world.address + "/", allow_redirects=False) as resp:
            assert resp.status == 302


async def test_forged_or_other_peoples_tokens_are_refused(world: World) -> None:
    link = await link_for(world.h, DISPATCHER)
    token = link.split("t=", 1)[1]
    body, _, mac = token.partition(".")
    async with client() as session:
        for forged in (body + "." + mac[:-2] + "AA", body[:-2] + "." + mac, "x", "", "é." + mac):
            async with session.post(world.address + "/signin", data={"t": forged}, allow_redirects=False) as resp:
                assert resp.status == 403
        session.cookie_jar.update_cookies({"hotline_board": token})  # a link is not a session
        async with session.get(world.address + "/", allow_redirects=False) as resp:
            assert resp.status == 302


async def test_crew_gets_no_link(world: World) -> None:
    replies = await world.h.text(CREW_A[1], "/board")
    assert not any("signin" in text for text in texts(replies))
    assert await world.db.scalar("SELECT COUNT(*) FROM board_links") == 0


async def test_removed_staff_member_loses_access_at_once(world: World) -> None:
    link = await link_for(world.h, DISPATCHER)
    async with client() as session:
        await sign_in(session, link, world.address)
        async with session.get(world.address + "/", allow_redirects=False) as resp:
            assert resp.status == 200
        async with world.db._transaction() as tx:
            await tx.execute("UPDATE people SET role = 'resident' WHERE external_id = ?", (DISPATCHER,))
        async with session.get(world.address + "/", allow_redirects=False) as resp:
            assert resp.status == 302
        async with session.get(world.address + "/panels", allow_redirects=False) as resp:
            assert resp.status == 401


async def test_session_ends_after_a_shift(world: World) -> None:
    link = await link_for(world.h, DISPATCHER)
    async with client() as session:
        await sign_in(session, link, world.address)
        world.clock.advance(timedelta(hours=world.settings.board.session_hours, seconds=1))
        async with session.get(world.address + "/", allow_redirects=False) as resp:
            assert resp.status == 302


async def test_board_not_set_up_says_so(tmp_path: Path, migrated: Path) -> None:
    settings = board_settings(tmp_path, board={"public_url": ""})
    db = await template.fresh(migrated, settings.storage)
    try:
        h = await Harness(settings, db, FakeClock(T0)).setup()
        replies = texts(await h.text(DISPATCHER, "/board"))
        assert replies and "HOTLINE_BOARD__SECRET" in replies[0]
    finally:
        await db.close()
