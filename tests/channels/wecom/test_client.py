"""The qyapi client: one gettoken for every process (the token kept in the database with its expiry), a new one
when WeCom says it no longer holds (42001 / 40014), WeCom's refusals as the outbound errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.config.wecom import WeComConfig
from bot.outbound.delivery import ChannelRefused, NotStarted
from channels.wecom.client import QyApi
from sandbox.wecom import FakeWeCom
from storage.db import Database

MEMBER = "qian.yi"


def config_for(wecom: FakeWeCom, **changes: object) -> WeComConfig:
    data: dict[str, object] = {
        "corp_id": wecom.corp_id,
        "agent_id": wecom.agent_id,
        "secret": wecom.secret,
        "base_url": wecom.base_url,
    }
    return WeComConfig.model_validate({**data, **changes})


async def send(api: QyApi, userid: str = MEMBER) -> dict[str, object]:
    return await api.call(
        "message/send", {"touser": userid, "agentid": 1, "msgtype": "text", "text": {"content": "hi"}}
    )


async def test_the_token_is_shared_through_the_database_and_fetched_again_when_it_expires(tmp_path: Path) -> None:
    async with FakeWeCom() as wecom:
        wecom.world.member(MEMBER)
        db = await Database.open(tmp_path / "t.sqlite3")
        first, second = QyApi(config_for(wecom), db, SystemClock()), QyApi(config_for(wecom), db, SystemClock())
        try:
            await send(first)
            await send(second)  # another process on the same database: no second gettoken
            assert wecom.token_calls == 1
            wecom.expire_tokens()  # WeCom answers 42001 to the kept token
            await send(second)
            await send(first)  # the other process reads the new token from the database
            assert wecom.token_calls == 2
            assert len(wecom.messages(MEMBER)) == 4
        finally:
            await first.close()
            await second.close()
            await db.close()


@pytest.mark.parametrize(("changes", "says"), [({"secret": "wrong"}, "secret"), ({"corp_id": "wwother"}, "corp id")])
async def test_wrong_credentials_are_our_failure(tmp_path: Path, changes: dict[str, object], says: str) -> None:
    async with FakeWeCom() as wecom:
        db = await Database.open(tmp_path / "t.sqlite3")
        api, right = QyApi(config_for(wecom, **changes), db, SystemClock()), QyApi(config_for(wecom), db, SystemClock())
        try:
            with pytest.raises(ChannelRefused, match=says) as refused:
                await send(api)
            assert "hotline wecom check" in refused.value.advice  # the operator is told WeCom's remedy, not Telegram's
            wecom.ip_blocked = True
            with pytest.raises(ChannelRefused, match="trusted IPs"):
                await send(right)
        finally:
            await api.close()
            await right.close()
            await db.close()


async def test_an_unknown_member_is_unreachable_not_our_failure(tmp_path: Path) -> None:
    async with FakeWeCom() as wecom:
        db = await Database.open(tmp_path / "t.sqlite3")
        api = QyApi(config_for(wecom), db, SystemClock())
        try:
            with pytest.raises(NotStarted):
                await send(api, "nobody")
        finally:
            await api.close()
            await db.close()
