"""A thin aiohttp client for the few Official Account endpoints the hotline calls (wechatpy's is synchronous).

The access token comes from ``stable_token`` (the old ``/cgi-bin/token`` invalidates the previous token on
every call: two processes would keep knocking each other out, the classic 40001) and is kept with its expiry
in the database (``storage.channel_tokens``) for every process. A call refused for its token (40001, 40014,
42001) drops that token and is tried once more with a fresh one.

WeChat's answers become the product's delivery errors: 45015 (the window is closed), 45047 (its quota is
used) and 43004 (not following) mean the resident cannot be reached this way (``Unreachable``); 40164 (our
IP is not on the whitelist), 40013/40125 (a wrong AppID or AppSecret) refuse *us* (``ChannelRefused``, with
what to do in plain words); -1 and the network are transient; anything else rejects that one message.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import aiohttp

from bot.clock import Clock
from bot.outbound.delivery import (
    Blocked,
    ChannelRefused,
    DeliveryError,
    OutOfWindow,
    Rejected,
    RetryLater,
    Transient,
)
from common.jsonfast import dumps, loads
from storage.channel_tokens import ChannelTokensRepo
from storage.db import Database

logger = logging.getLogger(__name__)

CHANNEL = "wechat"
TOKEN_REFUSED = {40001, 40014, 42001}
TIMEOUT_S = 10.0
NOT_SENT = "connect"  # a Transient's code when the request never left (the connection was refused)

ADVICE = {
    40164: (
        "this server's public IP address is not on the account's IP whitelist: in mp.weixin.qq.com, 设置与开发 → "
        "基本配置 → IP白名单, add the address WeChat names in this error, then start again"
    ),
    40013: "wechat.app_id is not a valid AppID: copy it from 设置与开发 → 基本配置 → 开发者ID(AppID)",
    40125: (
        "the AppSecret is wrong or was reset: take the current one (基本配置 → 开发者密码) into "
        "HOTLINE_WECHAT__APP_SECRET"
    ),
    41002: "wechat.app_id is empty",
    41004: "HOTLINE_WECHAT__APP_SECRET is empty",
}


class WindowClosed(OutOfWindow):
    """45015: more than 48 hours since the resident's last message (or the minute after a click is over)."""

    _MEANING = "window closed"


class QuotaUsed(OutOfWindow):
    """45047: the window's messages are used up."""

    _MEANING = "quota used"


# what the operator does when WeChat refuses the account's credentials (see ``Runtime.refused``)
TO_DO = "check [wechat] app_id and app_secret and the IP whitelist with `hotline wechat check`, then restart"


def error_for(code: int, message: str, method: str) -> DeliveryError:
    detail = f"{code} {message}"[:200]
    where = {"method": method, "code": str(code)}
    if code in ADVICE:
        return ChannelRefused(f"{detail}: {ADVICE[code]}", advice=TO_DO, **where)
    if code == 45015:
        return WindowClosed(detail, **where)
    if code == 45047:
        return QuotaUsed(detail, **where)
    if code in (43004, 43019):  # not following us / we are blocked
        return Blocked(detail, **where)
    if code == 45009:  # the account's daily call quota
        return RetryLater(600.0, detail, **where)
    if code in (-1, 45011):  # system busy; calls too frequent
        return Transient(detail, **where)
    return Rejected(detail, **where)


class WechatApi:
    def __init__(
        self, base_url: str, app_id: str, app_secret: str, db: Database, clock: Clock, *, pool_size: int = 16
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self._secret = app_secret
        self._db = db
        self._clock = clock
        self._pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None
        self._closed = False

    async def close(self) -> None:
        """For good: a send after this fails as transient (its row stays pending for the next start)."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def session(self) -> aiohttp.ClientSession:
        if self._closed:
            raise Transient("the WeChat client is closed (stopping)", code="network")
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))
        return self._session

    async def _post(
        self, path: str, body: dict[str, Any] | None, params: dict[str, str], *, get: bool = False
    ) -> dict[str, Any] | bytes:
        """WeChat's JSON answer, or the bytes of a file (``media/get`` answers a photo as itself)."""
        method = path.rsplit("/", 1)[-1]
        url = f"{self.base_url}{path}"
        try:
            async with (
                self.session().get(url, params=params)
                if get
                else self.session().post(
                    url, params=params, data=dumps(body), headers={"Content-Type": "application/json"}
                )
            ) as response:
                if response.status >= 500:
                    raise Transient(f"HTTP {response.status}", method=method, code=str(response.status))
                raw = await response.read()
                kind = response.headers.get("Content-Type", "")
        except aiohttp.ClientConnectorError as exc:  # never reached WeChat: nothing was counted there
            raise Transient(type(exc).__name__, method=method, code=NOT_SENT) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Transient(type(exc).__name__, method=method, code="network") from None
        if get and "json" not in kind and "text" not in kind:
            return raw
        try:
            answer = loads(raw)
        except ValueError:
            raise Transient("not JSON", method=method, code="network") from None
        return answer if isinstance(answer, dict) else {}

    async def fetch_token(self, *, force: bool = False) -> tuple[str, datetime]:
        """A stable access token from WeChat (``force``: a new one, the old one is still valid for 5 minutes)."""
        body = {"grant_type": "client_credential", "appid": self.app_id, "secret": self._secret, "force_refresh": force}
        answer = await self._post("/cgi-bin/stable_token", body, {})
        if isinstance(answer, bytes):
            raise Transient("stable_token answered no JSON", method="stable_token", code="network")
        code = int(answer.get("errcode", 0) or 0)
        if code or "access_token" not in answer:
            raise error_for(code or -1, str(answer.get("errmsg", "no access_token")), "stable_token")
        expires = self._clock.now() + timedelta(seconds=int(answer.get("expires_in", 7200)))
        return str(answer["access_token"]), expires

    async def token(self) -> str:
        now = self._clock.now()
        kept = await self._db.read(lambda conn: ChannelTokensRepo(conn).valid(CHANNEL, now=now))
        if kept is not None:
            return kept
        token, expires = await self.fetch_token()
        await self._db.run(lambda tx: ChannelTokensRepo(tx).keep(CHANNEL, token, expires_at=expires, now=now))
        logger.info("wechat: a new access token, valid until %s", expires.isoformat(timespec="minutes"))
        return token

    async def call(self, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        """POST ``body`` (None: a GET) with the access token; WeChat's error codes raised as delivery errors."""
        answer = await self._with_token(path, body, {})
        return answer if isinstance(answer, dict) else {}

    async def media(self, media_id: str) -> bytes:
        """The bytes of a resident's photo (WeChat keeps it for 3 days)."""
        answer = await self._with_token("/cgi-bin/media/get", None, {"media_id": media_id})
        if isinstance(answer, bytes):
            return answer
        raise Rejected("media/get answered no file", method="media/get")

    async def _with_token(
        self, path: str, body: dict[str, Any] | None, query: dict[str, str]
    ) -> dict[str, Any] | bytes:
        """The call with the access token, once more with a fresh one if WeChat refuses it (40001, 40014, 42001)."""
        method = path.rsplit("/", 1)[-1]
        for attempt in (1, 2):
            token = await self.token()
            answer = await self._post(path, body, {**query, "access_token": token}, get=body is None)
            if isinstance(answer, bytes):
                return answer
            code = int(answer.get("errcode", 0) or 0)
            if code in TOKEN_REFUSED and attempt == 1:
                logger.warning("wechat: %s refused the access token (%d); fetching a new one", method, code)
                await self._db.run(lambda tx, token=token: ChannelTokensRepo(tx).drop(CHANNEL, token))  # type: ignore[misc]
                continue
            if code:
                raise error_for(code, str(answer.get("errmsg", "")), method)
            return answer
        raise ChannelRefused("the access token is refused even fresh", method=method, code="40001", advice=TO_DO)
