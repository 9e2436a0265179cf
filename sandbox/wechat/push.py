"""The pushing side of the fake WeChat server: a follower's message or event, as WeChat POSTs it to the bot.

The XML is signed (``signature``), in safe mode encrypted with the EncodingAESKey and signed again
(``msg_signature``), and POSTed with WeChat's 5-second timeout, up to 3 attempts. ``lose_first`` plays a first
POST whose answer never reaches WeChat (the bot handled it; WeChat retries anyway); ``overlap`` sends the retry
while the first POST is still open. The passive reply is checked (its signature) and decrypted like WeChat does.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import aiohttp
import defusedxml.ElementTree as SafeET
from wechatpy.crypto import PrpCrypto

ATTEMPTS = 3
TIMEOUT_S = 5.0


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's protocol


@dataclass
class Pushed:
    """One push: the attempts made, their HTTP statuses, and the passive reply's fields (None: none)."""

    attempts: int = 0
    statuses: list[int] = field(default_factory=list)
    reply: dict[str, str] | None = None


class Pusher:
    def __init__(
        self, callback_url: str, token: str, app_id: str, aes_key: str | None, *, timeout_s: float = TIMEOUT_S
    ) -> None:
        self.callback_url = callback_url
        self.token = token
        self.app_id = app_id
        self.aes_key = aes_key
        self.timeout_s = timeout_s
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout_s))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def request(self, xml: str, *, openid: str, timestamp: str, token: str | None = None) -> tuple[dict[str, str], str]:
        """The query and body WeChat would POST for ``xml`` (``token``: sign with another token, to be refused)."""
        token = token or self.token
        nonce = secrets.token_hex(5)
        query = {"signature": signature(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        query["openid"] = openid
        if self.aes_key is None:
            return query, xml
        encrypt = PrpCrypto(base64.b64decode(self.aes_key + "=")).encrypt(xml, self.app_id).decode()
        query |= {"encrypt_type": "aes", "msg_signature": signature(token, timestamp, nonce, encrypt)}
        return (
            query,
            f"<xml><ToUserName><![CDATA[{escape(self.app_id)}]]></ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>",
        )

    async def post(self, query: dict[str, str], body: str | bytes) -> tuple[int, str]:
        async with self.session().post(self.callback_url, params=query, data=body) as response:
            return response.status, await response.text()

    async def push(self, xml: str, *, openid: str, timestamp: str, lose_first: bool = False,
                   overlap: bool = False) -> Pushed:  # fmt: skip
        pushed = Pushed()
        query, body = self.request(xml, openid=openid, timestamp=timestamp)
        if overlap:  # the retry goes while the first POST is still open: both must get one answer
            first, second = await asyncio.gather(self.post(query, body), self.post(query, body))
            pushed.attempts, pushed.statuses = 2, [first[0], second[0]]
            pushed.reply = self.open_reply(second[1], query) or self.open_reply(first[1], query)
            return pushed
        for attempt in range(ATTEMPTS):
            pushed.attempts += 1
            try:
                status, text = await self.post(query, body)
            except (aiohttp.ClientError, TimeoutError):
                pushed.statuses.append(0)
                continue
            pushed.statuses.append(status)
            if lose_first and attempt == 0:
                continue  # the answer is lost on the way back: WeChat tries again
            if status == 200:
                pushed.reply = self.open_reply(text, query)
                return pushed
        return pushed

    def open_reply(self, text: str, query: dict[str, str]) -> dict[str, str] | None:
        """The passive reply's fields; None for "success" or an empty answer."""
        if not text.strip() or text.strip() == "success":
            return None
        fields = _fields(text)
        if self.aes_key is None:
            return fields
        encrypt = fields.get("Encrypt", "")
        expected = signature(self.token, fields.get("TimeStamp", ""), fields.get("Nonce", ""), encrypt)
        if fields.get("MsgSignature") != expected:
            raise AssertionError("the passive reply's MsgSignature does not hold")
        plain = PrpCrypto(base64.b64decode(self.aes_key + "=")).decrypt(encrypt, self.app_id)
        return _fields(str(plain))


def _fields(xml: str) -> dict[str, str]:
    root = SafeET.fromstring(xml.encode(), forbid_dtd=True)
    return {str(child.tag): child.text or "" for child in root}


def message_xml(fields: dict[str, str]) -> str:
    parts = "".join(
        f"<{key}><![CDATA[{value.replace(']]>', ']]]]><![CDATA[>')}]]></{key}>" for key, value in fields.items()
    )
    return f"<xml>{parts}</xml>"
