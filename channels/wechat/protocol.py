"""WeChat's server protocol: the request signature, safe-mode encryption, and reading a callback's XML.

Every callback carries ``signature = sha1(sorted(token, timestamp, nonce))``; in safe (and compatible) mode
the body's ``<Encrypt>`` is AES-CBC with the EncodingAESKey and signed as ``msg_signature = sha1(sorted(token,
timestamp, nonce, encrypt))``. Signatures are compared in constant time (wechatpy's own checks are not).
WeChat may still use the previous EncodingAESKey for a while after it is changed: both are tried, and the
reply is encrypted with the key that opened the request.

The XML is read by defusedxml first (no DTD, no entities: an XXE or a billion-laughs body is refused) and
bounded in size, then handed to wechatpy's parser for the message's type and fields.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from wechatpy.crypto import PrpCrypto
from wechatpy.parser import parse_message
from wechatpy.replies import TextReply

from common.errors import HotlineError

MAX_BODY_BYTES = 64 * 1024  # WeChat's messages are a few kilobytes; a text is at most 2,048 bytes
MAX_FIELDS = 64


class Refused(HotlineError):
    """A callback that is not WeChat's (bad signature) or cannot be read (malformed, too big, entities)."""


def sign(*parts: str) -> str:
    """WeChat's signature: SHA-1 of the sorted parts joined."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()  # noqa: S324 - WeChat's protocol


def signed(token: str, signature: str, timestamp: str, nonce: str, *extra: str) -> bool:
    return hmac.compare_digest(sign(token, timestamp, nonce, *extra).encode(), signature.encode())


def read_xml(body: bytes | str) -> dict[str, str]:
    """The top-level fields of ``<xml>...</xml>`` as text; ``Refused`` for anything else."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise Refused("body too large")
    try:
        root = SafeET.fromstring(raw, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, SafeET.ParseError, ValueError) as exc:
        raise Refused(f"not readable XML ({type(exc).__name__})") from None
    if root.tag != "xml":
        raise Refused("not a WeChat message")
    fields: dict[str, str] = {}
    for child in root:
        if len(fields) >= MAX_FIELDS:
            raise Refused("too many fields")
        fields[str(child.tag)] = child.text or ""
    return fields


def parse(xml: str) -> Any:
    """wechatpy's message or event object for an XML body already read by ``read_xml``."""
    read_xml(xml)  # refused before wechatpy's parser sees it
    try:
        return parse_message(xml)
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        raise Refused(f"not a WeChat message ({type(exc).__name__})") from None


@dataclass(frozen=True)
class Keys:
    """The server token and the EncodingAESKeys (current first, then the previous one) of one account."""

    token: str
    app_id: str
    aes_keys: tuple[str, ...] = ()

    def open(self, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """The plain XML inside an encrypted body and the key that opened it; ``Refused`` otherwise."""
        encrypt = read_xml(body).get("Encrypt", "")
        if not encrypt:
            raise Refused("no Encrypt field")
        if not signed(self.token, msg_signature, timestamp, nonce, encrypt):
            raise Refused("bad msg_signature")
        for key in self.aes_keys:
            try:
                return str(PrpCrypto(_aes(key)).decrypt(encrypt, self.app_id)), key
            except Exception:  # noqa: BLE001, S112 - wechatpy raises plain exceptions on a wrong key or app id
                continue
        raise Refused("no EncodingAESKey opens the message")

    def seal(self, xml: str, key: str, nonce: str, timestamp: str | None = None) -> str:
        """``xml`` encrypted with ``key`` and signed, as WeChat expects a safe-mode reply."""
        timestamp = timestamp or str(int(time.time()))
        encrypt = PrpCrypto(_aes(key)).encrypt(xml, self.app_id).decode()
        signature = sign(self.token, timestamp, nonce, encrypt)
        return (
            f"<xml><Encrypt><![CDATA[{encrypt}]]></Encrypt><MsgSignature><![CDATA[{signature}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )


def _aes(key: str) -> bytes:
    return base64.b64decode(key + "=")


def text_reply(to: str, account: str, text: str, *, at: int) -> str:
    """A passive text reply, rendered by wechatpy (which puts the text in a CDATA section as it is: a "]]>" in it
    is split across two sections, or the XML would break)."""
    safe = text.replace("]]>", "]]]]><![CDATA[>")
    reply = TextReply(target=to, source=account, content=safe, time=at)
    return str(reply.render())
