"""Signed tokens for the board: the one-time sign-in link and the session cookie.

Standard-library HMAC-SHA256 rather than an encrypted-cookie library: what the cookie carries (a person's
id, a link id, an expiry) is not secret, only its integrity matters, and every request looks the person
up again anyway (role and active status), so nothing in the cookie is trusted beyond "who signed in".
One secret ([board] secret) signs both kinds; the kind is part of what is signed, so a link is never
accepted as a session nor the other way round.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

LINK_VALID = timedelta(minutes=5)
TokenKind = Literal["link", "session"]


@dataclass(frozen=True)
class Claims:
    kind: TokenKind
    person_id: int
    link_id: str  # the link signed in with (a session keeps it: which sign-in it came from)
    expires_at: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, body: str) -> str:
    return _b64(hmac.new(secret.encode("utf-8"), body.encode("ascii"), hashlib.sha256).digest())


def new_link_id() -> str:
    return secrets.token_urlsafe(16)


def sign(secret: str, claims: Claims) -> str:
    payload = {"k": claims.kind, "p": claims.person_id, "j": claims.link_id, "e": int(claims.expires_at.timestamp())}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode("ascii"))
    return f"{body}.{_mac(secret, body)}"


def verify(secret: str, token: str, kind: TokenKind, now: datetime) -> Claims | None:
    """The claims of a well-signed, unexpired token of ``kind``; None for anything else."""
    if not token.isascii() or len(token) > 400:
        return None
    body, _, mac = token.partition(".")
    if not body or not hmac.compare_digest(mac.encode("ascii"), _mac(secret, body).encode("ascii")):
        return None
    try:
        payload = json.loads(_unb64(body))
        claims = Claims(
            kind=payload["k"],
            person_id=int(payload["p"]),
            link_id=str(payload["j"]),
            expires_at=datetime.fromtimestamp(int(payload["e"]), UTC),
        )
    except (ValueError, KeyError, TypeError):
        return None
    if claims.kind != kind or claims.expires_at <= now:
        return None
    return claims
