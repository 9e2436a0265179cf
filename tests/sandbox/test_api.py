"""Bot API methods through real PTB over HTTP: identity, sending, keyboards, edits, media, commands."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, EndPointNotFound, InvalidToken

from sandbox import DEFAULT_TOKEN, Sandbox, User
from sandbox.testing import ptb_bot, sandbox_and_bot

Env = tuple[Sandbox, Bot, User]


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    async with sandbox_and_bot() as (sandbox, bot):
        yield sandbox, bot, sandbox.create_user(first_name="Li", username="li_na", language_code="zh-hans")


async def test_get_me_describes_the_bot_of_the_token(env: Env) -> None:
    sandbox, bot, _ = env
    me = await bot.get_me()
    assert me.id == int(DEFAULT_TOKEN.split(":")[0])
    assert me.is_bot and me.username == sandbox.bot_user["username"]
    assert sandbox.calls("getMe")[-1].status == 200


async def test_unknown_token_is_unauthorized_and_unknown_method_not_found(env: Env) -> None:
    sandbox, bot, _ = env
    stranger = ptb_bot(sandbox, "999:WRONG")
    with pytest.raises(InvalidToken):
        await stranger.initialize()
    await stranger.shutdown()
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicate")
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{sandbox.base_url}{DEFAULT_TOKEN}/GETME") as response:
            assert response.status == 200
            assert (await response.json())["result"]["is_bot"] is True
        async with http.post(f"{sandbox.base_url}{DEFAULT_TOKEN}/nope", json={}) as response:
            assert response.status == 404
            assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        async with http.post(f"{sandbox.base_url}{DEFAULT_TOKEN}/sendMessage", json={"chat_id": 1}) as response:
            assert (await response.json())["description"] == "Bad Request: message text is empty"


async def test_send_message_with_inline_keyboard_round_trips(env: Env) -> None:
    sandbox, bot, user = env
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Accept", callback_data="accept:7"),
                InlineKeyboardButton("Map", url="https://x.y"),
            ]
        ]
    )
    sent = await bot.send_message(user.id, "<b>Ticket</b> #7", parse_mode=ParseMode.HTML, reply_markup=markup)
    assert sent.text == "Ticket #7"
    assert sent.entities[0].type == "bold" and sent.entities[0].length == 6
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.chat.id == user.id and sent.chat.type == "private"
    assert sent.reply_markup == markup
    stored = sandbox.last_message(user.id)
    assert stored is not None and stored.message_id == sent.message_id and stored.text == "Ticket #7"
    assert [b["callback_data"] for b in stored.buttons() if "callback_data" in b] == ["accept:7"]
    second = await bot.send_message(user.id, "next")
    assert second.message_id == sent.message_id + 1


async def test_reply_keyboards_are_tracked_per_chat(env: Env) -> None:
    sandbox, bot, user = env
    keyboard = ReplyKeyboardMarkup(
        [
            [KeyboardButton("Share location", request_location=True)],
            [KeyboardButton("Phone", request_contact=True)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    sent = await bot.send_message(user.id, "Where are you?", reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram returns only inline keyboards on messages
    shown = sandbox.reply_keyboard(user.id)
    assert shown is not None
    assert shown["keyboard"][0][0] == {"text": "Share location", "request_location": True}
    assert shown["keyboard"][1][0]["request_contact"] is True
    await bot.send_message(user.id, "Name?", reply_markup=ForceReply(input_field_placeholder="name"))
    assert sandbox.reply_keyboard(user.id) == shown
    assert sandbox.messages(user.id)[-1].sent_markup == {
        "force_reply": True,
        "input_field_placeholder": "name",
    }
    await bot.send_message(user.id, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert sandbox.reply_keyboard(user.id) is None


async def test_send_errors_read_like_telegram(env: Env) -> None:
    _, bot, user = env
    with pytest.raises(BadRequest, match="(?i)message is too long"):
        await bot.send_message(user.id, "x" * 4097)
    await bot.send_message(user.id, "燃" * 4096)
    with pytest.raises(BadRequest, match="(?i)message text is empty"):
        await bot.send_message(user.id, "   ")
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(424242, "hello")
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(user.id, "I <3 gas safety", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(
            user.id,
            "x",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="d" * 65)]]),
        )
    with pytest.raises(BadRequest, match="(?i)message to be replied not found"):
        await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(message_id=999))


async def test_edit_text_and_markup(env: Env) -> None:
    sandbox, bot, user = env
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Accept", callback_data="a")]])
    sent = await bot.send_message(user.id, "Ticket #1: new", reply_markup=markup)
    edited = await bot.edit_message_text("Ticket #1: accepted", user.id, sent.message_id, reply_markup=markup)
    assert isinstance(edited, type(sent)) and edited.text == "Ticket #1: accepted"
    assert edited.edit_date is not None
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_text("Ticket #1: accepted", user.id, sent.message_id, reply_markup=markup)
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", user.id, 999)
    await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=None)
    with pytest.raises(BadRequest, match="(?i)message is not modified"):
        await bot.edit_message_reply_markup(user.id, sent.message_id, reply_markup=None)
    stored = sandbox.messages(user.id)[0]
    assert stored.text == "Ticket #1: accepted" and stored.reply_markup is None
    assert [(e.text, e.reply_markup is None) for e in stored.edits] == [
        ("Ticket #1: accepted", False),
        ("Ticket #1: accepted", True),
    ]
    assert await bot.delete_message(user.id, sent.message_id)
    assert sandbox.messages(user.id) == []
    assert sandbox.messages(user.id, include_deleted=True)[0].deleted
    with pytest.raises(BadRequest, match="(?i)message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)


async def test_location_venue_photo_and_files(env: Env) -> None:
    sandbox, bot, user = env
    location = await bot.send_location(user.id, latitude=31.23, longitude=121.47)
    assert location.location is not None and location.location.latitude == pytest.approx(31.23)
    venue = await bot.send_venue(user.id, latitude=31.2, longitude=121.4, title="Depot", address="1 Gas Rd")
    assert venue.venue is not None and venue.venue.title == "Depot"
    uploaded = await bot.send_photo(
        user.id, photo=b"\xff\xd8fake-jpeg\xff\xd9", caption="<i>map</i>", parse_mode="HTML"
    )
    assert uploaded.caption == "map" and len(uploaded.photo) == 3
    again = await bot.send_photo(user.id, photo=uploaded.photo[-1].file_id)
    assert again.photo[-1].file_id == uploaded.photo[-1].file_id
    with pytest.raises(BadRequest, match="(?i)wrong file identifier"):
        await bot.send_photo(user.id, photo="no-such-file-id")
    file = await bot.get_file(uploaded.photo[-1].file_id)
    assert file.file_path is not None
    assert bytes(await file.download_as_bytearray()) == b"\xff\xd8fake-jpeg\xff\xd9"
    assert await bot.send_chat_action(user.id, "typing")
    assert [m.kind for m in sandbox.messages(user.id)] == ["location", "venue", "photo", "photo"]


async def test_get_chat_and_groups(env: Env) -> None:
    sandbox, bot, user = env
    group = sandbox.create_group("Crew A", [user.id])
    chat = await bot.get_chat(group.id)
    assert chat.id < 0 and chat.type == "group" and chat.title == "Crew A"
    private = await bot.get_chat(user.id)
    assert private.first_name == "Li" and private.username == "li_na"
    sent = await bot.send_message(group.id, "Ticket for the crew")
    assert sent.chat.type == "group"


async def test_commands_per_scope_and_language(env: Env) -> None:
    sandbox, bot, _ = env
    assert await bot.set_my_commands([BotCommand("start", "Start"), BotCommand("report", "Report a leak")])
    assert await bot.set_my_commands([BotCommand("report", "报告燃气泄漏")], language_code="zh")
    scope = BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands([BotCommand("help", "Help")], scope=scope)
    assert [c.command for c in await bot.get_my_commands()] == ["start", "report"]
    assert [c.description for c in await bot.get_my_commands(language_code="zh")] == ["报告燃气泄漏"]
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["help"]
    assert sandbox.commands(language_code="zh") == [{"command": "report", "description": "报告燃气泄漏"}]
    assert await bot.delete_my_commands(language_code="zh")
    assert await bot.get_my_commands(language_code="zh") == ()
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_multipart_form_and_json_bodies_are_read_alike(env: Env) -> None:
    sandbox, _, user = env
    markup = '{"inline_keyboard": [[{"text": "OK", "callback_data": "ok"}]]}'
    url = f"{sandbox.base_url}{DEFAULT_TOKEN}/sendMessage"
    form = aiohttp.FormData({"chat_id": str(user.id), "text": "multipart", "reply_markup": markup})
    form.add_field("unused_file", b"abc", filename="a.bin")  # forces multipart/form-data
    async with aiohttp.ClientSession() as http:
        async with http.post(url, data=form) as response:
            assert (await response.json())["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "OK"
        native = {"chat_id": user.id, "text": "json", "reply_markup": {"remove_keyboard": True}}
        async with http.post(url, json=native) as response:
            assert (await response.json())["result"]["text"] == "json"
        async with http.get(url, params={"chat_id": str(user.id), "text": "query"}) as response:
            assert response.status == 200
    assert sandbox.texts(user.id) == ["multipart", "json", "query"]
