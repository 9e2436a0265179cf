"""The callback's signature and encryption (WeCom's "加解密方案"): ``msg_signature`` is the SHA-1 of the sorted
token, timestamp, nonce and ciphertext, compared here in constant time; the ciphertext is AES-CBC under the
43-character EncodingAESKey, its plain text ending with the corp id (wechatpy's enterprise ``PrpCrypto``)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct

from wechatpy.enterprise.crypto import PrpCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException

from common.errors import HotlineError

MAX_CIPHERTEXT = 512 * 1024


class BadCallback(HotlineError):
    """A callback whose signature, encryption or corp id is wrong: refused, never acted on."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    return hashlib.sha1("".join(sorted((token, timestamp, nonce, encrypted))).encode()).hexdigest()


class CallbackCrypto:
    def __init__(self, token: str, encoding_aes_key: str, corp_id: str) -> None:
        self.token, self.corp_id = token, corp_id
        try:
            key = base64.b64decode(encoding_aes_key + "=")
        except binascii.Error as exc:
            raise BadCallback("the EncodingAESKey is not base64") from exc
        if len(key) != 32:
            raise BadCallback("the EncodingAESKey does not decode to 32 bytes")
        self._prp = PrpCrypto(key)

    def check(self, given: str, timestamp: str, nonce: str, encrypted: str) -> None:
        expected = signature(self.token, timestamp, nonce, encrypted)
        if not hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode()):
            raise BadCallback("msg_signature does not match")

    def decrypt(self, given: str, timestamp: str, nonce: str, encrypted: str) -> str:
        """The plain text of a signed ciphertext (``BadCallback`` for anything wrong with it)."""
        self.check(given, timestamp, nonce, encrypted)
        if len(encrypted) > MAX_CIPHERTEXT:
            raise BadCallback("ciphertext too long")
        try:
            plain: str = self._prp.decrypt(encrypted, self.corp_id)
        except InvalidCorpIdException as exc:
            raise BadCallback("encrypted for another corp id") from exc
        except (ValueError, TypeError, IndexError, struct.error, binascii.Error, UnicodeDecodeError) as exc:
            raise BadCallback(f"ciphertext does not decrypt ({type(exc).__name__})") from exc
        return plain

    def encrypt(self, plain: str, timestamp: str, nonce: str) -> tuple[str, str]:
        """(ciphertext, msg_signature) of ``plain``: a passive reply's envelope, and the sandbox's callbacks."""
        encrypted = self._prp.encrypt(plain, self.corp_id).decode()
        return encrypted, signature(self.token, timestamp, nonce, encrypted)
