"""TelegramSender against the sandbox through a real PTB ``Bot``: what reaches Telegram, the message ids it
returns, and Telegram's errors as delivery errors. Pins the one PTB private API it uses (``Bot._post``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken

from bot.cli.demo import DEMO_TOKEN
from bot.outbound.delivery import Blocked, ChannelRefused, NotStarted, Rejected, RetryLater, Transient
from common.events import Answer, Button, Edit, Key, Location, Text
from handlers.sender import TelegramSender, delivery_error, markup_dict, text_markup
from handlers.transport import AiohttpRequest
from sandbox import Sandbox

USER = 4242


@pytest.fixture
async def sent() -> AsyncIterator[tuple[Sandbox, TelegramSender]]:
    async with Sandbox(DEMO_TOKEN) as sb:
        sb.create_user(USER, first_name="Li", language_code="en")
        bot = Bot(DEMO_TOKEN, base_url=f"{sb.url}/bot", request=AiohttpRequest(connection_pool_size=4))
        async with bot:
            yield sb, TelegramSender(bot)


@pytest.mark.parametrize(
    "message",
    [
        Text(chat="1", text="x", buttons=[[Button(text="a", data="b"), Button(text="c", data="d")]]),
        Text(
            chat="1", text="x", keyboard=[[Key(text="l", location=True)], [Key(text="c", contact=True), Key(text="p")]]
        ),
        Text(chat="1", text="x", remove_keyboard=True),
        Text(chat="1", text="x"),
    ],
)
def test_markup_dicts_say_what_ptbs_objects_say(message: Text) -> None:
    markup = text_markup(message)
    expected = markup.to_dict() if markup is not None else None
    if expected is not None and "keyboard" in expected:  # PTB also writes the False flags out
        for row in expected["keyboard"]:
            for key in row:
                for flag in ("request_location", "request_contact"):
                    if key.get(flag) is False:
                        del key[flag]
    assert markup_dict(message) == expected


async def test_sends_edits_and_locations_reach_the_chat_with_their_message_ids(
    sent: tuple[Sandbox, TelegramSender],
) -> None:
    sb, sender = sent
    chat = str(USER)
    first = await sender.send(Text(chat=chat, text="hello", buttons=[[Button(text="OK", data="ok")]]))
    assert first is not None
    assert sb.messages(USER)[-1].message_id == int(first)
    assert sb.messages(USER)[-1].buttons()[0]["callback_data"] == "ok"
    assert await sender.send(Edit(chat=chat, message_id=first, text="edited")) == first
    assert sb.texts(USER)[-1] == "edited"
    pin = await sender.send(Location(chat=chat, latitude=31.2, longitude=121.4))
    venue = await sender.send(Location(chat=chat, latitude=31.2, longitude=121.4, title="Flat 501", address="Bldg 3"))
    assert pin is not None and venue is not None and int(venue) > int(pin) > int(first)


async def test_telegram_errors_become_delivery_errors(sent: tuple[Sandbox, TelegramSender]) -> None:
    sb, sender = sent
    sb.burst_429(1, retry_after_s=3)
    with pytest.raises(RetryLater) as later:
        await sender.send(Text(chat=str(USER), text="too fast"))
    assert later.value.after_s == 3
    with pytest.raises(NotStarted):
        await sender.send(Text(chat="999999", text="nobody there"))
    with pytest.raises(Rejected):
        await sender.send(Answer(chat=str(USER), button_id="no-such-query"))
    await sb.block(USER)
    with pytest.raises(Blocked):
        await sender.send(Text(chat=str(USER), text="blocked"))


async def test_a_chat_id_with_odd_digits_is_rejected_not_an_exception(sent: tuple[Sandbox, TelegramSender]) -> None:
    """A configured user id such as "4242²" (``str.isdigit`` is true for it, ``int`` fails) goes to Telegram
    as text, which refuses it: one failed message, not an error in the outbox worker."""
    _, sender = sent
    with pytest.raises(Rejected):
        await sender.send(Text(chat="4242²", text="hello"))


async def test_a_refused_token_or_a_wrong_address_is_ours_to_mend_not_the_messages(
    sent: tuple[Sandbox, TelegramSender],
) -> None:
    sb, sender = sent
    sb.set_not_started(USER)
    with pytest.raises(NotStarted) as not_started:
        await sender.send(Text(chat=str(USER), text="dispatch card"))
    assert not_started.value.method == "sendMessage"
    sb.revoke_token(DEMO_TOKEN)
    with pytest.raises(ChannelRefused) as refused:
        await sender.send(Text(chat=str(USER), text="after the revocation"))
    assert (refused.value.method, str(refused.value)) == ("sendMessage", "Unauthorized")
    request = AiohttpRequest(connection_pool_size=1)
    wrong = Bot(DEMO_TOKEN, base_url=f"{sb.url}/not-the-bot-api/bot", request=request)
    await request.initialize()
    try:  # the address answers 404 (not even JSON) to everything
        with pytest.raises(ChannelRefused):
            await TelegramSender(wrong).send(Text(chat=str(USER), text="to nowhere"))
    finally:
        await request.shutdown()


def test_each_client_error_means_what_it_says() -> None:
    assert isinstance(delivery_error(BadRequest("Bad Request: message is too long"), "sendMessage"), Rejected)
    assert isinstance(delivery_error(BadRequest("Bad Request: chat not found"), "sendMessage"), NotStarted)
    assert isinstance(delivery_error(Forbidden("Forbidden: bot was blocked by the user"), "sendMessage"), Blocked)
    for status in ("Unauthorized", "Not Found"):
        assert isinstance(delivery_error(InvalidToken(status), "sendMessage"), ChannelRefused)
    conflict = delivery_error(Conflict("Conflict: terminated by other getUpdates request"), "sendMessage")
    assert isinstance(conflict, Transient) and not isinstance(conflict, Rejected)
    assert delivery_error(BadRequest("Bad Request: chat not found"), "editMessageText").method == "editMessageText"


async def test_a_long_text_arrives_in_parts_with_its_buttons_on_the_last(sent: tuple[Sandbox, TelegramSender]) -> None:
    sb, sender = sent
    lines = [f"#{n} P1 gas leak · dispatched · {n} min · crew A " + "燃" * 40 for n in range(120)]
    text = "\n".join(lines)
    assert len(text) > 2 * 4096
    last = await sender.send(Text(chat=str(USER), text=text, buttons=[[Button(text="Next", data="n")]]))
    parts = sb.messages(USER)
    assert len(parts) == 3 and all(len(p.text or "") <= 4096 for p in parts)
    assert "\n".join(p.text or "" for p in parts) == text, "split on line ends, nothing lost"
    assert [bool(p.buttons()) for p in parts] == [False, False, True]
    assert last == str(parts[-1].message_id)
    card = await sender.send(Text(chat=str(USER), text="card", buttons=[[Button(text="Accept", data="a")]]))
    assert card is not None
    await sender.send(Edit(chat=str(USER), message_id=card, text=text, buttons=[[Button(text="Done", data="d")]]))
    edited = next(m for m in sb.messages(USER) if m.message_id == int(card))
    after = sb.messages(USER)[-2:]
    assert edited.buttons()[0]["callback_data"] == "d" and (edited.text or "").startswith("#0 P1")
    assert "\n".join([edited.text or "", *(m.text or "" for m in after)]) == text


async def test_a_paid_safety_card_carries_allow_paid_broadcast_and_nothing_else_does(
    sent: tuple[Sandbox, TelegramSender],
) -> None:
    sb, sender = sent
    await sender.send(Text(chat=str(USER), text="card", safety=True))  # a safety card the lane did not pay for
    await sender.send(Text(chat=str(USER), text="card", safety=True, paid=True))
    flags = [call.params.get("allow_paid_broadcast") for call in sb.calls("sendMessage")]
    assert flags == [None, True]
    assert sb.paid_sends == 1
