"""Updates a real client (or a forger) sends that are not plain private messages, through the sandbox and
the running bot: a command addressed to another bot, a danger message from an anonymous group admin, a
button under an inline message, a forged button with a superscript number; and in webhook mode the same
update delivered twice. None may reach the catch-all error handler."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli.demo import running_bot, sandbox_settings
from bot.danger import flows as first_answer
from bot.danger.detect import detect
from bot.i18n import Lang, t
from handlers.webhook import SECRET_HEADER
from sandbox import Sandbox
from sandbox.ports import free_port
from tests.kit.webhook import SECRET, webhook_settings

OURS = "gas_hotline_sandbox_bot"
ANONYMOUS = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
PERSON = 7400


pytestmark = pytest.mark.people(PERSON)


def _message(update_id: int, chat: dict[str, Any], sender: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
    body = {"message_id": update_id, "date": 1790000000, "chat": chat, "from": sender, "text": text, **extra}
    return {"update_id": update_id, "message": body}


def _person(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Li", "language_code": "en"}


def _no_catch_all(caplog: pytest.LogCaptureFixture) -> None:
    failed = [r.getMessage() for r in caplog.records if r.name == "handlers.errors"]
    assert failed == [], failed


async def test_odd_updates_get_the_right_answer_or_none(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    caplog.set_level(logging.INFO)
    group = sb.create_group("Building 3 neighbours", members=[PERSON], supergroup=True)
    group_chat = {"id": group.id, "type": "supergroup", "title": "Building 3 neighbours"}
    private = {"id": PERSON, "type": "private"}
    async with running_bot(sandbox_settings(sb, tmp_path / "odd.sqlite3", lang="en")):
        # a command for another bot is not ours; one for us (any case) is
        await sb.inject_raw_update(_message(9001, group_chat, _person(PERSON), "/help@OtherBot"))
        await sb.inject_raw_update(_message(9002, private, _person(PERSON), "/help@OtherBot"))
        await sb.wait_idle(quiet_s=0.3, timeout_s=5)
        assert sb.message_count(PERSON) == 0 and sb.message_count(group.id) == 0
        await sb.inject_raw_update(_message(9003, private, _person(PERSON), f"/help@{OURS.upper()}"))
        await sb.wait_for(PERSON, timeout_s=5)
        # "I smell gas" sent as the group by an anonymous admin: the safety card in the group
        sender_chat = {"id": group.id, "type": "supergroup", "title": "Building 3 neighbours"}
        await sb.inject_raw_update(_message(9004, group_chat, ANONYMOUS, "I smell gas!", sender_chat=sender_chat))
        card = first_answer.card(detect("I smell gas!"), Lang.ZH, str(group.id), "96777").text.splitlines()[0]  # type: ignore[union-attr]
        await sb.wait_for_text(group.id, card, timeout_s=5)
        await sb.wait_for_text(group.id, t("zh", "start.anonymous_sender", hotline="96777")[:20], timeout_s=5)
        # a button under an inline message (no message, an inline_message_id) is answered
        pressed = await sb.press_inline_button(PERSON, "t:acc:1")
        assert pressed.callback_query_id is not None
        answer = await sb.wait_for_answer(pressed.callback_query_id, timeout_s=5)
        assert answer.get("text") == t("en", "start.inline_button")
        # a forged button with a superscript ticket number: refused with a toast, not an error
        last = sb.messages(PERSON)[-1]
        forged = await sb.press_button(PERSON, last.message_id, data="t:acc:²", forge=True)
        assert forged.callback_query_id is not None
        assert (await sb.wait_for_answer(forged.callback_query_id, timeout_s=5)).get("text")
        before = sb.message_count(PERSON)
        await sb.inject_raw_update(_message(9007, private, _person(PERSON), "/msg ² hello"))
        await sb.wait_for(PERSON, since=before, timeout_s=5)
    _no_catch_all(caplog)


async def test_webhook_acts_once_on_a_redelivered_update(
    sandbox: Sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sb = sandbox
    caplog.set_level(logging.INFO)
    port = free_port()
    settings = webhook_settings(sb, tmp_path / "hook.sqlite3", port)
    url = settings.telegram.webhook_url
    update = _message(10**6, {"id": PERSON, "type": "private"}, _person(PERSON), "I smell gas")
    async with running_bot(settings, webhook=True), aiohttp.ClientSession() as http:
        async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
        await sb.wait_for(PERSON, timeout_s=5)
        await sb.wait_idle(quiet_s=0.3, timeout_s=5)
        once = sb.message_count(PERSON)
        for _ in range(2):  # Telegram did not see our 200 in time and sends it again
            async with http.post(url, json=update, headers={SECRET_HEADER: SECRET}) as response:
                assert response.status == 200
        await asyncio.sleep(0.3)
        await sb.wait_idle(quiet_s=0.3, timeout_s=5)
        assert sb.message_count(PERSON) == once, "a redelivered update was acted on again"
    assert any("delivered again" in r.getMessage() for r in caplog.records)
    _no_catch_all(caplog)
