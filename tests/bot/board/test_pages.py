"""What the board shows a signed-in dispatcher: masked lists, the ticket opened in full, filters, the wall
view, SLA breaches in words, both languages, and the live change event."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest

from bot.rota.duty import save_overrides
from bot.rota.model import Override, OverrideKind
from tests.kit.board import World, client, link_for, sign_in
from tests.kit.people import CREW_A, DISPATCHER
from tests.kit.settings import T0

PHONE_DIGITS = "13812345678"


@pytest.fixture
async def desk(world: World) -> AsyncIterator[aiohttp.ClientSession]:
    async with client() as session:
        await sign_in(session, await link_for(world.h, DISPATCHER), world.address)
        yield session


async def get(session: aiohttp.ClientSession, url: str) -> str:
    async with session.get(url) as resp:
        assert resp.status == 200, url
        return await resp.text()


async def test_lists_mask_phone_and_address_the_ticket_page_shows_them(
    world: World, desk: aiohttp.ClientSession
) -> None:
    for path in ("/", "/panels", "/wall"):
        page = await get(desk, world.address + path)
        assert f"#{world.ticket}" in page
        assert PHONE_DIGITS not in page and "1234 5678" not in page, path
        assert "Flat 501" not in page, path
    board = await get(desk, world.address + "/")
    assert "*5678" in board and "Buil…" in board
    assert "*5678" not in await get(desk, world.address + "/wall"), "the wall shows no personal data at all"
    ticket = await get(desk, world.address + f"/ticket/{world.ticket}")
    assert "+86 138 1234 5678" in ticket and "Building 3, Unit 2, Flat 501" in ticket


async def test_board_in_chinese_then_english(world: World, desk: aiohttp.ClientSession) -> None:
    page = await get(desk, world.address + "/")
    assert "调度看板" in page and "未结工单" in page and 'lang="zh-CN"' in page
    assert "燃气泄漏" in page or "泄漏" in page  # the category in words, from the catalog
    english = await get(desk, world.address + "/lang/en")
    assert "Dispatch board" in english and "Open tickets" in english


async def test_filters(world: World, desk: aiohttp.ClientSession) -> None:
    def listed(page: str) -> bool:
        return f'data-ticket="{world.ticket}"' in page

    assert listed(await get(desk, world.address + "/?priority=P1&category=leak&district=Huangpu"))
    assert not listed(await get(desk, world.address + "/?priority=P4"))
    assert not listed(await get(desk, world.address + "/panels?state=on_site"))
    assert listed(await get(desk, world.address + "/?priority=<script>"))  # unknown values filter nothing
    assert "<script>" not in await get(desk, world.address + "/?category=<script>")


async def test_unaccepted_ticket_queued_then_breach_in_words(world: World, desk: aiohttp.ClientSession) -> None:
    page = await get(desk, world.address + "/panels")
    queue = page.split('class="queue"', 1)[1].split('class="open"', 1)[0]
    assert f'data-ticket="{world.ticket}"' in queue, "dispatched, not accepted: in the queue"
    world.clock.advance(timedelta(minutes=3))  # past the P1 accept target (2 min)
    page = await get(desk, world.address + "/panels")
    assert "超时" in page and "breached" in page


async def test_timeline_names_the_crew_member(world: World, desk: aiohttp.ClientSession) -> None:
    await world.h.press(CREW_A[1], f"t:acc:{world.ticket}")
    page = await get(desk, world.address + f"/ticket/{world.ticket}")
    assert "Li Ming" in page and "报警人" in page and "报警人补充了信息" in page


async def test_a_change_reaches_the_open_stream(world: World, desk: aiohttp.ClientSession) -> None:
    async with desk.get(world.address + "/events") as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")

        async def next_event() -> str:
            while True:
                line = (await stream.content.readline()).decode()
                if line.startswith("event:"):
                    return line.split(":", 1)[1].strip()

        assert await asyncio.wait_for(next_event(), 10) == "hello"
        await world.h.press(CREW_A[1], f"t:acc:{world.ticket}")
        assert await asyncio.wait_for(next_event(), 10) == "change"
        async with world.db._transaction() as tx:  # the dispatcher's role is taken away
            await tx.execute("UPDATE people SET role = 'resident' WHERE external_id = ?", (DISPATCHER,))
        await world.h.press(CREW_A[1], f"t:enr:{world.ticket}")
        assert await asyncio.wait_for(next_event(), 10) == "signedout"


async def test_duty_now_next_and_the_uncovered_period(world: World, desk: aiohttp.ClientSession) -> None:
    page = await get(desk, world.address + "/panels")
    duty = page.split('class="duty"', 1)[1].split('class="today"', 1)[0]
    assert "<li>A – 20:00</li>" in duty and "<li>B 20:00</li>" in duty  # crew A's day shift in Shanghai
    leave = Override(
        start=T0 + timedelta(hours=12), end=T0 + timedelta(hours=14), crew=None, kind=OverrideKind.LEAVE, replaces="B"
    )
    async with world.db._transaction() as tx:
        await save_overrides(tx, [leave], fmt="csv", source="test", now=T0)
    page = await get(desk, world.address + "/panels")
    duty = page.split('class="duty"', 1)[1].split('class="today"', 1)[0]
    assert "⚠ 22:00–00:00" in duty, duty
