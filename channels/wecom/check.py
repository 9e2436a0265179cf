"""``hotline wecom check``: can this server work with WeCom? Each check gives a key of ``cli.toml``'s
``[wecom_check]`` and its values, so the operator reads it in plain words:

- the configuration has what the app needs (corp id, agent id, secret, token, EncodingAESKey);
- the app's secret gives an access token (gettoken), else why not: a wrong corp id (40013) or secret (40001),
  this server's IP not among the app's trusted IPs (60020), WeCom unreachable;
- the callback URL answers WeCom's URL verification (an encrypted echostr, signed) from this server, as WeCom
  will call it: the bot must be running (``hotline run``) and the reverse proxy must reach ``callback_listen``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

import aiohttp

from bot.config.wecom import WeComConfig
from channels.wecom.callback import callback_path
from channels.wecom.client import TIMEOUT
from channels.wecom.crypto import BadCallback, CallbackCrypto


@dataclass(frozen=True)
class Finding:
    ok: bool
    key: str  # cli.wecom_check.<key>
    values: dict[str, object] = field(default_factory=dict)


def _missing(config: WeComConfig) -> list[str]:
    needed = {
        "corp_id": config.corp_id,
        "agent_id": config.agent_id,
        "secret": config.secret.get_secret_value(),
        "token": config.token.get_secret_value(),
        "encoding_aes_key": config.encoding_aes_key.get_secret_value(),
        "callback_url": config.callback_url,
    }
    return [f"wecom.{name}" for name, value in needed.items() if not value]


async def _token(http: aiohttp.ClientSession, config: WeComConfig) -> Finding:
    params = {"corpid": config.corp_id, "corpsecret": config.secret.get_secret_value()}
    try:
        async with http.get(f"{config.base_url.rstrip('/')}/cgi-bin/gettoken", params=params) as answer:
            data = await answer.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        return Finding(False, "unreachable", {"url": config.base_url, "error": type(exc).__name__})
    code = int(data.get("errcode") or 0) if isinstance(data, dict) else -1
    if code == 0 and isinstance(data, dict) and data.get("access_token"):
        return Finding(True, "token_ok")
    known = {40013: "bad_corp_id", 40001: "bad_secret", 60020: "ip_not_trusted"}
    ip = config.trusted_ip or "?"
    return Finding(False, known.get(code, "token_refused"), {"code": code, "ip": ip})


async def _callback(http: aiohttp.ClientSession, config: WeComConfig) -> Finding:
    crypto = CallbackCrypto(config.token.get_secret_value(), config.encoding_aes_key.get_secret_value(), config.corp_id)
    echo = secrets.token_hex(8)
    stamp, nonce = "1700000000", secrets.token_hex(6)
    encrypted, signature = crypto.encrypt(echo, stamp, nonce)
    query = {"msg_signature": signature, "timestamp": stamp, "nonce": nonce, "echostr": encrypted}
    url = config.callback_url
    try:
        async with http.get(url, params=query) as answer:
            status, text = answer.status, await answer.text()
    except (aiohttp.ClientError, TimeoutError) as exc:
        listen = config.callback_listen
        return Finding(False, "callback_unreachable", {"url": url, "listen": listen, "error": type(exc).__name__})
    if status == 200 and text == echo:
        return Finding(True, "callback_ok", {"url": url})
    return Finding(False, "callback_wrong", {"url": url, "status": status, "path": callback_path(url)})


async def check(config: WeComConfig) -> list[Finding]:
    """Every check, in order; the later ones only when the configuration is complete."""
    if not config.enabled:
        return [Finding(False, "off")]
    missing = _missing(config)
    if missing:
        return [Finding(False, "missing", {"keys": ", ".join(missing)})]
    try:
        CallbackCrypto(config.token.get_secret_value(), config.encoding_aes_key.get_secret_value(), config.corp_id)
    except BadCallback:
        return [Finding(False, "bad_aes_key")]
    async with aiohttp.ClientSession(timeout=TIMEOUT) as http:
        return [await _token(http, config), await _callback(http, config)]
