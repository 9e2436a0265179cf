"""Leadership on a shared PostgreSQL database: one instance holds the advisory lock, a standby takes it once the
leader's session ends (a clean stop or a killed process), and a leader whose connection fails stops leading."""

from __future__ import annotations

import asyncio

import asyncpg

from storage.postgres.database import PostgresDatabase
from storage.postgres.leader import Leadership, current_lease
from tests.kit.leadership import Watched, when_refused


async def test_one_leads_a_standby_waits_and_takes_over_when_the_leader_stops(pg: PostgresDatabase) -> None:
    refused_thrice = asyncio.Event()
    first = Leadership(pg.url, "one", retry_s=0.05)
    second = Watched(pg.url, "two", retry_s=0.05, tries=[], on_try=when_refused(3, refused_thrice))
    assert await first.try_acquire()
    assert not await second.try_acquire(), "the lock is held: the second is a standby"
    lease = await current_lease(pg.url)
    assert lease is not None and lease.instance == "one" and lease.held
    stop = asyncio.Event()
    standby = asyncio.create_task(second.wait(stop))
    await asyncio.wait_for(refused_thrice.wait(), 10)  # refused twice more in its wait
    assert not standby.done(), "the standby keeps waiting while the leader holds the lock"
    await first.release()
    assert await asyncio.wait_for(standby, 10), "the standby took over"
    lease = await current_lease(pg.url)
    assert lease is not None and lease.instance == "two" and lease.held
    await second.release()
    lease = await current_lease(pg.url)
    assert lease is not None and not lease.held, "the row says who led last; nobody holds the lock"


async def test_a_killed_leader_s_session_frees_the_lock(pg: PostgresDatabase) -> None:
    leader, standby = Leadership(pg.url, "killed"), Leadership(pg.url, "next", retry_s=0.05)
    assert await leader.try_acquire()
    admin = await asyncpg.connect(pg.url)
    try:  # the leader's process is gone: the server ends its session
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hotline leader killed'"
        )
    finally:
        await admin.close()
    assert await asyncio.wait_for(standby.wait(asyncio.Event()), 10)
    await standby.release()
    await leader.release()


async def test_a_leader_whose_connection_fails_stops_leading(pg: PostgresDatabase) -> None:
    leader = Leadership(pg.url, "cut", check_s=0.02)
    assert await leader.try_acquire()
    lost: list[str] = []
    leader.watch(lost.append)
    admin = await asyncpg.connect(pg.url)
    try:
        for _ in range(200):  # the server lists the session by name once its start-up is recorded: looked for again
            ended = await admin.fetchval(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = 'hotline leader cut'"
            )
            if ended:
                break
            await asyncio.sleep(0.01)
    finally:
        await admin.close()
    assert ended == 1, "the leader's session was found and ended"
    for _ in range(1000):
        if lost:
            break
        await asyncio.sleep(0.01)
    assert lost and "lost the database connection" in lost[0]
    assert not leader.leading
    await leader.release()
