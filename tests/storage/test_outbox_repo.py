"""The outbox repository against a real SQLite file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from common.events import Answer, Button, Edit, Location, Outbound, Photo, Priority, Text
from storage.db import Database, to_db
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo

T0 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


async def add(db: Database, message: Outbound, **kw: object) -> int:
    async with db._transaction() as conn:
        kw.setdefault("channel", "telegram")
        return await OutboxRepo(conn).add(message, now=kw.pop("now", T0), **kw)  # type: ignore[arg-type]


async def due(db: Database, now: datetime = T0, limit: int = 100, exclude: tuple[int, ...] = ()) -> list[int]:
    async with db.lock:
        return [row.id for row in await OutboxRepo(db.conn).due(now, limit, exclude=exclude)]


async def test_every_message_kind_round_trips(db: Database) -> None:
    messages: list[Outbound] = [
        Text(chat="1", text="hi", buttons=[[Button(text="ok", data="t:acc:1")]], priority=Priority.DISPATCH),
        Location(chat="-100", latitude=31.2, longitude=121.5, title="here"),
        Photo(chat="1", photo="file-1", caption="pipe"),
        Edit(chat="1", text="taken", of_outbox=1),
        Answer(chat="1", button_id="q1", text="ok"),
    ]
    ids = [await add(db, message, purpose="p", channel="wechat") for message in messages]
    async with db.lock:
        repo = OutboxRepo(db.conn)
        rows = [await repo.get(row_id) for row_id in ids]
    for row, message in zip(rows, messages, strict=True):
        assert row is not None
        assert row.message == message
        assert (row.chat, row.priority, row.channel, row.purpose) == (
            message.chat,
            message.priority,
            "wechat",
            "p",
        )
        assert (row.status, row.attempts, row.created_at, row.next_attempt_at) == ("pending", 0, T0, T0)
        with pytest.raises(ValueError):
            row.status = "sent"  # type: ignore[misc]


async def test_due_orders_by_priority_then_age_and_skips_later_rows(db: Database) -> None:
    broadcast = await add(db, Text(chat="1", text="b", priority=Priority.BROADCAST))
    conversation = await add(db, Text(chat="2", text="c"))
    emergency = await add(db, Text(chat="3", text="e", priority=Priority.EMERGENCY))
    conversation2 = await add(db, Text(chat="4", text="c2"))
    later = await add(db, Text(chat="5", text="later", priority=Priority.EMERGENCY), now=T0 + timedelta(minutes=1))
    assert await due(db) == [emergency, conversation, conversation2, broadcast]
    assert await due(db, limit=2) == [emergency, conversation]
    assert await due(db, limit=2, exclude=(emergency,)) == [conversation, conversation2]
    assert await due(db, T0 + timedelta(minutes=1)) == [
        emergency,
        later,
        conversation,
        conversation2,
        broadcast,
    ]


async def test_state_changes(db: Database) -> None:
    sent, retried, failed, dropped = [await add(db, Text(chat="1", text=str(n))) for n in range(4)]
    async with db._transaction() as conn:
        repo = OutboxRepo(conn)
        assert await repo.mark_sent(sent, "m-77", T0)
        assert not await repo.mark_sent(sent, "m-78", T0)  # only a pending row changes
        assert await repo.mark_retry(retried, "Transient: timeout", T0 + timedelta(seconds=2))
        assert await repo.postpone(retried, "waiting", T0 + timedelta(seconds=3))
        assert await repo.mark_failed(failed, "Blocked: 403", T0)
        assert await repo.mark_dropped(dropped, "original failed", T0)
        assert not await repo.mark_retry(failed, "late", T0)
    assert await due(db) == []
    assert await due(db, T0 + timedelta(seconds=3)) == [retried]
    async with db.lock:
        repo = OutboxRepo(db.conn)
        assert await repo.message_id_of(sent) == "m-77"
        assert await repo.message_id_of(retried) is None
        rows = {row_id: await repo.get(row_id) for row_id in (sent, retried, failed, dropped)}
        states = await repo.states([sent, failed, 999])
    got = {row_id: (row.status, row.attempts, row.last_error) for row_id, row in rows.items() if row}
    assert got == {
        sent: ("sent", 1, None),
        retried: ("pending", 1, "waiting"),
        failed: ("failed", 1, "Blocked: 403"),
        dropped: ("dropped", 0, "original failed"),
    }
    sent_row = rows[sent]
    assert sent_row is not None and sent_row.sent_at == T0 and sent_row.message_id == "m-77"
    assert states == {sent: ("sent", "m-77", T0), failed: ("failed", None, T0)}


async def test_rows_for_ticket(db: Database) -> None:
    async with db._transaction() as conn:
        await conn.execute(
            "INSERT INTO people (id, external_id, created_at) VALUES (1, '5001', ?), (2, '1001', ?)",
            (to_db(T0), to_db(T0)),
        )
        await conn.execute(
            "INSERT INTO tickets (id, resident_id, channel, chat, lang, category, severity, status, "
            "created_at) VALUES (9, 1, 'telegram', '5001', 'zh', 'leak_indoor', 'P1', 'new', ?)",
            (to_db(T0),),
        )
    first = await add(db, Text(chat="1001", text="card"), ticket_id=9, purpose="dispatch", recipient_id=2)
    await add(db, Text(chat="5001", text="received"), ticket_id=9, purpose="resident", recipient_id=1)
    second = await add(db, Text(chat="-100", text="card"), ticket_id=9, purpose="dispatch")
    async with db.lock:
        rows = await OutboxRepo(db.conn).rows_for_ticket(9, "dispatch")
    assert [(row.id, row.chat, row.recipient_id, row.ticket_id) for row in rows] == [
        (first, "1001", 2, 9),
        (second, "-100", None, 9),
    ]


async def add_unreadable(db: Database, chat: str, priority: Priority, payload: str) -> None:
    """A row whose payload this version cannot decode."""
    async with db._transaction() as conn:
        await conn.execute(
            "INSERT INTO outbox (channel, chat, priority, payload, next_attempt_at, created_at) "
            "VALUES ('telegram', ?, ?, ?, ?, ?)",
            (chat, int(priority), payload, to_db(T0), to_db(T0)),
        )


async def test_an_unreadable_payload_is_reported_not_raised(db: Database) -> None:
    good = await add(db, Text(chat="1", text="ok"))
    await add_unreadable(db, "1", Priority.EMERGENCY, '{"message": {"type": "hologram"}}')
    async with db.lock:
        repo = OutboxRepo(db.conn)
        rows = await repo.due(T0, 10)
    assert [row.id for row in rows] == [good]
    assert repo.undecodable == [good + 1]


async def test_due_takes_at_most_per_chat_rows_of_a_chat_and_reads_no_other_payload(db: Database) -> None:
    crew = [await add(db, Text(chat="-100", text=f"card {n}", priority=Priority.DISPATCH)) for n in range(6)]
    resident = await add(db, Text(chat="7", text="receipt"))
    busy = await add(db, Text(chat="8", text="second"))
    full = await add(db, Text(chat="9", text="fifth"))
    await add_unreadable(db, "-100", Priority.DISPATCH, "not json")  # left behind by the cap: never read
    async with db.lock:
        repo = OutboxRepo(db.conn)
        rows = await repo.due(T0, 100, per_chat=2, in_flight={"-100": 0, "8": 1, "9": 2})
    assert [row.id for row in rows] == [*crew[:2], resident, busy]
    assert [row.message.text for row in rows if isinstance(row.message, Text)][:2] == ["card 0", "card 1"]
    assert repo.held == {"-100"}  # chat 9 was full before: not looked at, so not known to be held back
    assert repo.undecodable == []
    assert full not in [row.id for row in rows]


async def test_a_persons_row_goes_on_the_channel_the_people_table_knows_them_on(db: Database) -> None:
    """A crew member on Telegram gets a WeChat ticket's card on Telegram, whatever channel the caller names."""
    async with db._transaction() as conn:
        crew = await PeopleRepo(conn).ensure("telegram", "1001", name="Wang", lang="zh", now=T0)
        resident = await PeopleRepo(conn).ensure("wechat", "wx-1", name="Zhang", lang="zh", now=T0)
    card = await add(db, Text(chat="1001", text="card"), recipient_id=crew.id, channel="wechat")
    update = await add(db, Text(chat="wx-1", text="accepted"), recipient_id=resident.id, channel=None)
    group = await add(db, Text(chat="-100", text="card"), channel="telegram")
    async with db.lock:
        repo = OutboxRepo(db.conn)
        channels = [row.channel for row in [await repo.get(card), await repo.get(update), await repo.get(group)] if row]
    assert channels == ["telegram", "wechat", "telegram"]


async def test_a_persons_row_goes_to_the_address_the_people_table_knows_them_by(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """A row for a person addressed to another chat (their Telegram id while their account is on WeChat, or
    someone else's chat) is queued to the person's own account: channel and address, payload included."""
    async with db._transaction() as conn:
        resident = await PeopleRepo(conn).ensure("wechat", "wx-1", name="Zhang", lang="zh", now=T0)
    moved = await add(db, Text(chat="5001", text="accepted"), recipient_id=resident.id, channel="telegram")
    edit = await add(db, Edit(chat="5001", text="taken", of_outbox=moved), recipient_id=resident.id)
    async with db.lock:
        repo = OutboxRepo(db.conn)
        rows = [row for row in (await repo.get(moved), await repo.get(edit)) if row]
    assert [(row.channel, row.chat, row.message.chat) for row in rows] == [("wechat", "wx-1", "wx-1")] * 2
    assert [r.getMessage() for r in caplog.records if r.name == "storage.outbox"] == [
        f"outbox row '' for person {resident.id} named another chat: queued to their own account"
    ] * 2
    assert "5001" not in caplog.text and "wx-1" not in caplog.text


async def test_a_row_for_no_person_must_name_its_channel(db: Database) -> None:
    with pytest.raises(ValueError, match="neither a known person nor a channel"):
        await add(db, Text(chat="-100", text="card"), channel=None)
    with pytest.raises(ValueError, match="neither a known person nor a channel"):
        await add(db, Text(chat="5001", text="hello"), recipient_id=404, channel=None)  # nobody has that id


async def test_a_backlog_in_busy_chats_does_not_hide_another_chats_row_behind_the_limit(db: Database) -> None:
    """Two crew chats with more due cards than ``limit``, one in flight each: the resident's later row of
    the same priority is still taken (the limit counts rows taken, not rows of chats already at their cap)."""
    cards = [
        await add(db, Text(chat=chat, text=f"card {n}", priority=Priority.DISPATCH))
        for n in range(6)
        for chat in ("1001", "1002")
    ]
    thanks = await add(db, Text(chat="7", text="thank you", priority=Priority.DISPATCH))
    async with db.lock:
        repo = OutboxRepo(db.conn)
        rows = await repo.due(T0, 4, per_chat=2, in_flight={"1001": 1, "1002": 1})
    assert [row.id for row in rows] == [cards[0], cards[1], thanks]
    assert repo.held == {"1001", "1002"}
