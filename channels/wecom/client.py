"""A thin aiohttp client of WeCom's API (``[wecom] base_url``): gettoken (kept with its expiry in the
database, ``storage.channel_tokens``, fetched again on 40001/40014/42001), message/send,
message/update_template_card and the group robot's webhook. WeCom's answers become the outbound errors of
``bot.outbound.delivery``; no URL is ever logged (the access token and the robot's key are in it)."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.config.wecom import WeComConfig
from bot.outbound.delivery import ChannelRefused, NotStarted, Rejected, RetryLater, Transient
from storage.channel_tokens import ChannelTokensRepo
from storage.db import Database

logger = logging.getLogger(__name__)

CHANNEL = "wecom"
TOKEN_EXPIRED = frozenset({40001, 40014, 42001})  # invalid, invalid, expired access_token: fetch a new one
REFUSED = {
    40013: "WeCom: the corp id is wrong ([wecom] corp_id); hotline wecom check explains",
    40001: "WeCom: the app's secret is wrong ([wecom] secret); hotline wecom check explains",
    40056: "WeCom: the agent id is wrong ([wecom] agent_id)",
    60020: "WeCom: this server's IP address is not in the app's trusted IPs (企业可信IP); hotline wecom check explains",
    48002: "WeCom: the app may not call this API (check its permissions)",
}
NOT_REACHABLE = frozenset({60111, 81013, 60103})  # no such userid / none of the users is valid
FREQUENCY = frozenset({45009, 45033, 45047})  # too many calls: wait
TIMEOUT = aiohttp.ClientTimeout(total=15)

# what the operator does when WeCom refuses the app's credentials (see ``Runtime.refused``)
ADVICE = "check [wecom] corp_id, agent_id and secret and the trusted IP with `hotline wecom check`, then restart"


class WeComError(Rejected):
    """An answer with a non-zero errcode (``code`` holds it) about this message: it fails on its own."""


def refused_meaning(code: int) -> str:
    return REFUSED.get(code, "")


class QyApi:
    def __init__(self, config: WeComConfig, db: Database, clock: Clock) -> None:
        self.config, self.db, self.clock = config, db, clock
        self._base = config.base_url.rstrip("/")
        self._session: aiohttp.ClientSession | None = None
        self._fetching = asyncio.Lock()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=TIMEOUT)
        return self._session

    async def _json(self, method: str, call: str, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            async with self._http().request(method, url, **kwargs) as response:
                if response.status >= 500:
                    raise Transient(f"HTTP {response.status}", method=call, code=str(response.status))
                if response.status != 200:
                    raise Rejected(f"HTTP {response.status}", method=call, code=str(response.status))
                data = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(type(exc).__name__, method=call, code="network") from None
        except ValueError:
            raise Transient("not JSON", method=call, code="network") from None
        if not isinstance(data, dict):
            raise Transient("not a JSON object", method=call, code="network")
        return data

    async def token(self, *, fresh: bool = False) -> str:
        """The app's access token: the database's while it holds, else one gettoken for every process."""
        async with self._fetching:
            if not fresh:
                kept = await self.db.read(lambda conn: ChannelTokensRepo(conn).valid(CHANNEL, now=self.clock.now()))
                if kept is not None:
                    return kept
            params = {"corpid": self.config.corp_id, "corpsecret": self.config.secret.get_secret_value()}
            data = await self._json("GET", "gettoken", f"{self._base}/cgi-bin/gettoken", params=params)
            code = int(data.get("errcode") or 0)
            if code or not data.get("access_token"):
                raise ChannelRefused(
                    refused_meaning(code) or str(data.get("errmsg", ""))[:100],
                    method="gettoken",
                    code=str(code),
                    advice=ADVICE,
                )
            token = str(data["access_token"])
            now = self.clock.now()
            expires = now + timedelta(seconds=int(data.get("expires_in") or 7200))
            await self.db.run(lambda tx: ChannelTokensRepo(tx).keep(CHANNEL, token, expires_at=expires, now=now))
            return token

    async def call(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        """POST ``payload`` to ``/cgi-bin/<path>`` with the access token (fetched again once if WeCom says it
        no longer holds); a non-zero errcode raises."""
        token = await self.token()
        for attempt in (1, 2):
            url = f"{self._base}/cgi-bin/{path}"
            data = await self._json("POST", path, url, params={"access_token": token}, json=payload)
            code = int(data.get("errcode") or 0)
            if code in TOKEN_EXPIRED and attempt == 1:
                await self._drop(token)
                token = await self.token()
                continue
            _raise_for(path, code, data)
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    async def _drop(self, stale: str) -> None:
        await self.db.run(lambda tx: ChannelTokensRepo(tx).drop(CHANNEL, stale))

    async def robot(self, key: str, payload: dict[str, Any]) -> None:
        """Push to a group through its robot's webhook (no token: the key is the credential)."""
        url = f"{self._base}/cgi-bin/webhook/send"
        data = await self._json("POST", "webhook/send", url, params={"key": key}, json=payload)
        _raise_for("webhook/send", int(data.get("errcode") or 0), data)


def _raise_for(call: str, code: int, data: dict[str, Any]) -> None:
    if code == 0:
        return
    detail = str(data.get("errmsg", ""))[:100]
    if code in REFUSED or code in TOKEN_EXPIRED:
        raise ChannelRefused(refused_meaning(code) or detail, method=call, code=str(code), advice=ADVICE)
    if code in NOT_REACHABLE:
        raise NotStarted(detail, method=call, code=str(code))
    if code in FREQUENCY:
        raise RetryLater(60.0, detail, method=call, code=str(code))
    if code == -1:  # system busy
        raise Transient(detail, method=call, code=str(code))
    raise WeComError(detail, method=call, code=str(code))
