"""People's actions arrive through getUpdates as real PTB Updates, with offsets and long polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import MessageEntityType
from telegram.error import BadRequest, Conflict, Forbidden

from sandbox import Sandbox, SandboxError, User
from sandbox.testing import sandbox_and_bot
from tests.kit.quick_loop import quick_with

Env = tuple[Sandbox, Bot, User]


@asynccontextmanager
async def open_env() -> AsyncIterator[Env]:
    async with sandbox_and_bot() as (sandbox, bot):
        yield sandbox, bot, sandbox.create_user(first_name="Wang", language_code="zh-hans")


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    async with open_env() as opened:
        yield opened


# Tests that wait on the sandbox's clock (a poll's timeout) run on a loop whose clock runs 4 times faster
# (tests/kit/quick_loop.py): the sandbox's polls, the client's timeouts and the tests' waits are all in its seconds
# (bounds on waits raised so they stay seconds of real time). Not a test that gives a poll time to reach the
# sandbox: that is the network's time, which the faster clock does not speed up.
quickly = quick_with(4, open_env)


def message_of(update: Update) -> Message:
    assert update.message is not None
    return update.message


async def test_text_location_contact_photo_arrive_in_order_with_offsets(env: Env) -> None:
    sandbox, bot, user = env
    await sandbox.send_text(user, "/start CODE42")
    await sandbox.send_location(user, 31.2304, 121.4737)
    await sandbox.send_contact(user, "+8613800000000")
    await sandbox.send_photo(user, caption="the pipe")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [1, 2, 3, 4]
    start = message_of(updates[0])
    assert start.text == "/start CODE42" and start.from_user is not None and start.from_user.id == user.id
    assert start.entities[0].type == MessageEntityType.BOT_COMMAND and start.entities[0].length == 6
    assert start.chat.id == user.id and start.chat.type == "private"
    location = message_of(updates[1]).location
    assert location is not None and location.longitude == pytest.approx(121.4737)
    contact = message_of(updates[2]).contact
    assert contact is not None and contact.user_id == user.id and contact.phone_number == "+8613800000000"
    photo = message_of(updates[3])
    assert photo.caption == "the pipe" and len(photo.photo) == 3 and photo.photo[-1].file_unique_id
    assert [u.update_id for u in await bot.get_updates(offset=3, timeout=0)] == [3, 4]
    assert await bot.get_updates(offset=5, timeout=0) == ()
    assert sandbox.pending_updates == 0
    assert [m.kind for m in sandbox.history(user.id)] == ["text", "location", "contact", "photo"]


async def test_other_media_and_user_edits(env: Env) -> None:
    sandbox, bot, user = env
    await sandbox.send_sticker(user)
    await sandbox.send_voice(user, duration_s=4)
    await sandbox.send_video(user)
    await sandbox.send_document(user, file_name="bill.pdf")
    posted = await sandbox.send_text(user, "Gas smell at Room 301")
    assert posted.message_id is not None
    await sandbox.edit_text(user, posted.message_id, "Gas smell at Room 302")
    updates = await bot.get_updates(timeout=0)
    kinds = [m.effective_attachment.__class__.__name__ for m in (message_of(u) for u in updates[:4])]
    assert kinds == ["Sticker", "Voice", "Video", "Document"]
    edited = updates[5].edited_message
    assert edited is not None and edited.text == "Gas smell at Room 302" and edited.edit_date is not None
    assert message_of(updates[4]).text == "Gas smell at Room 301"


@quickly
async def test_long_poll_returns_promptly_when_an_update_arrives(env: Env) -> None:
    sandbox, bot, user = env
    clock = asyncio.get_running_loop().time
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await asyncio.sleep(0.1)
    started = clock()
    await sandbox.send_text(user, "help")
    updates = await asyncio.wait_for(poll, timeout=9)
    assert clock() - started < 9.0  # before the poll's own 10 s
    assert message_of(updates[0]).text == "help"
    started = clock()
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=1) == ()
    assert 0.9 <= clock() - started < 9.0


async def test_a_newer_poll_ends_the_older_with_conflict(env: Env) -> None:
    _, bot, _ = env
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert await bot.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await asyncio.wait_for(older, timeout=3)


async def test_button_press_and_callback_answer(env: Env) -> None:
    sandbox, bot, user = env
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Yes, indoors", callback_data="where:in")]])
    sent = await bot.send_message(user.id, "Is the smell indoors?", reply_markup=markup)
    pressed = await sandbox.press_button(user, sent.message_id, text="Yes, indoors")
    (update,) = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.data == "where:in" and query.from_user.id == user.id
    assert query.id == pressed.callback_query_id
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="Noted")
    answer = await sandbox.wait_for_answer(query.id, timeout_s=1)
    assert answer["text"] == "Noted" and answer["data"] == "where:in"
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(SandboxError, match="no button"):
        await sandbox.press_button(user, sent.message_id, data="where:out")


async def test_forged_callback_data_is_delivered_as_is(env: Env) -> None:
    sandbox, bot, user = env
    sent = await bot.send_message(
        user.id,
        "Accept?",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]]),
    )
    await sandbox.press_button(user, sent.message_id, data="accept:999999;DROP", forge=True)
    await sandbox.press_button(user, 12345, data="old", forge=True)
    first, second = await bot.get_updates(timeout=0)
    assert first.callback_query is not None and first.callback_query.data == "accept:999999;DROP"
    assert second.callback_query is not None and second.callback_query.message is not None
    assert not second.callback_query.message.is_accessible  # date 0: an inaccessible message


async def test_group_messages_and_raw_updates(env: Env) -> None:
    sandbox, bot, user = env
    group = sandbox.create_group("Crew A", [user.id], supergroup=True)
    await sandbox.send_text(user, "/accept@gas_hotline_sandbox_bot 7", chat_id=group.id)
    with pytest.raises(SandboxError, match="not a member"):
        await sandbox.send_text(sandbox.create_user(), "hi", chat_id=group.id)
    odd = {"message_id": 5, "date": 1, "chat": {"id": 1, "type": "private"}, "weird": True}
    raw_id = await sandbox.inject_raw_update({"message": odd})
    given = await sandbox.inject_raw_update({"update_id": 1000, "unknown_kind": {}})
    assert given == 1000
    updates = await bot.get_updates(timeout=0)
    group_message = message_of(updates[0])
    assert group_message.chat.type == "supergroup" and group_message.chat.id < 0
    assert group_message.entities[0].length == len("/accept@gas_hotline_sandbox_bot")
    assert [u.update_id for u in updates] == [1, raw_id, 1000]
    assert message_of(updates[1]).api_kwargs == {"weird": True}
    assert (await sandbox.send_text(user, "after")).update_id == 1001


async def test_allowed_updates_filters_new_updates(env: Env) -> None:
    sandbox, bot, user = env
    assert await bot.get_updates(timeout=0, allowed_updates=["callback_query"]) == ()
    filtered = await sandbox.send_text(user, "ignored")
    assert filtered.update_id is None and sandbox.pending_updates == 0
    await bot.get_updates(timeout=0, allowed_updates=[])
    assert (await sandbox.send_text(user, "seen")).update_id is not None


async def test_blocked_user_gives_forbidden_and_a_member_update(env: Env) -> None:
    sandbox, bot, user = env
    await sandbox.block(user)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(user.id, "Your ticket was closed")
    (update,) = await bot.get_updates(timeout=0)
    assert update.my_chat_member is not None and update.my_chat_member.new_chat_member.status == "kicked"
    with pytest.raises(SandboxError, match="blocked"):
        await sandbox.send_text(user, "hi")
    await sandbox.unblock(user)
    assert (await bot.send_message(user.id, "welcome back")).text == "welcome back"


@quickly
async def test_wait_for_reports_what_the_chat_received(env: Env) -> None:
    sandbox, bot, user = env
    await bot.send_message(user.id, "first")
    since = sandbox.message_count(user.id)
    waiter = asyncio.create_task(sandbox.wait_for_text(user.id, "ticket #", timeout_s=8, since=since))
    await asyncio.sleep(0.05)
    await bot.send_message(user.id, "Report received, ticket #12")
    found = await waiter
    assert found.text == "Report received, ticket #12"
    with pytest.raises(TimeoutError, match=r"(?s)within 0\.1s; it received 2:.*first.*ticket #12"):
        await sandbox.wait_for(user.id, lambda m: m.text == "never", timeout_s=0.1)
