"""``hotline wechat check`` and ``hotline wechat menu push``: what an operator runs after configuring the account.

The check asks WeChat for a token (a wrong AppID or AppSecret, or this server's IP missing from the account's
IP whitelist, 40164, is said in plain words), makes one call with it, and calls the bot's own callback URL the
way WeChat checks a server (a signed ``echostr``), so a reverse proxy that does not forward is found before a
resident finds it.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.clock import SystemClock
from bot.config.settings import Settings
from bot.outbound.delivery import DeliveryError
from channels.wechat.api import WechatApi
from channels.wechat.protocol import sign
from storage.db import Database
from storage.engines import open_database


async def check(settings: Settings, say: Callable[..., str]) -> tuple[bool, list[str]]:
    """(all good, one line per check); ``say``: the operator's catalog (``bot.cli.text.Say``)."""
    cfg = settings.wechat
    lines: list[str] = []
    ok = True
    db = await open_database(settings.storage)
    api = WechatApi(cfg.base_url, cfg.app_id, cfg.app_secret.get_secret_value(), db, SystemClock())
    try:
        try:
            await api.fetch_token()
            lines.append(say("wechat.check_token_ok"))
            try:
                await api.call("/cgi-bin/get_api_domain_ip", None)
                lines.append(say("wechat.check_api_ok"))
            except DeliveryError as exc:
                ok = False
                lines.append(say("wechat.check_api_failed", reason=exc.reason))
        except DeliveryError as exc:
            ok = False
            lines.append(say("wechat.check_token_failed", reason=exc.reason))
        reached, reason = await callback_answers(settings)
        url = cfg.callback_url
        if reached:
            lines.append(say("wechat.check_callback_ok", url=url))
        else:
            ok = False
            why = reason or say("wechat.check_callback_wrong")
            lines.append(say("wechat.check_callback_failed", url=url, reason=why, listen=cfg.listen, port=cfg.port))
    finally:
        await api.close()
        await db.close()
    return ok, lines


async def callback_answers(settings: Settings) -> tuple[bool, str]:
    """Whether the callback URL answers WeChat's server check; the reason when it does not ('' : wrong answer)."""
    cfg = settings.wechat
    timestamp, nonce, echo = str(int(time.time())), secrets.token_hex(6), secrets.token_hex(8)
    query = {
        "signature": sign(cfg.token.get_secret_value(), timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "echostr": echo,
    }
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.get(cfg.callback_url, params=query) as response,
        ):
            body = await response.text()
            if response.status != 200:
                return False, f"HTTP {response.status}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return False, type(exc).__name__
    return body == echo, ""


async def push_menu(settings: Settings, menu: dict[str, Any]) -> None:
    cfg = settings.wechat
    db = await open_database(settings.storage)
    api = WechatApi(cfg.base_url, cfg.app_id, cfg.app_secret.get_secret_value(), db, SystemClock())
    try:
        await api.call("/cgi-bin/menu/create", menu)
    finally:
        await api.close()
        await db.close()


SHOW_QR = "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket="


async def invite_qr(settings: Settings, db: Database, scene: str, expires_s: int) -> str:
    """The address of a temporary parameter QR code for ``scene`` (an invite code), made by WeChat."""
    cfg = settings.wechat
    api = WechatApi(cfg.base_url, cfg.app_id, cfg.app_secret.get_secret_value(), db, SystemClock())
    body = {"expire_seconds": expires_s, "action_name": "QR_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}
    try:
        answer = await api.call("/cgi-bin/qrcode/create", body)
    finally:
        await api.close()
    return SHOW_QR + quote(str(answer.get("ticket", "")), safe="")
