"""A WeChat message or event (wechatpy's object) -> what it means for the hotline.

Messages (text, image, location, voice, video, link) become the core's ``Inbound`` and open the resident's
48-hour window; a follow (with ``qrscene_<invite code>`` from an invite QR code), a scan of a parameter QR
code while following, and a menu click open the 1-minute window: a follow is ``/start`` (with the code), a
click on the menu is the menu entry's words, ``location_select`` is a location. An unsubscribe closes every
window; ``TEMPLATESENDJOBFINISH`` is the outcome of a template message. Nothing else is acted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from bot.i18n import Lang, t
from common.events import EventKind, Inbound
from common.media import stored_ref

WECHAT = "wechat"
MAX_TEXT = 4096
MENU_KEY = "menu:"  # a CLICK button's key: menu:<entry of bot.intake.menu.MENU_ITEMS>

Opens = Literal["message", "event", "unsubscribe", "none"]


@dataclass(frozen=True)
class Received:
    """One callback's meaning: the inbox key, who sent it, the core's event (None: nothing for the core),
    which window it opens, and for a template's outcome its message id and status."""

    key: str
    openid: str
    event: Inbound | None
    opens: Opens
    media_id: str | None = None
    template: tuple[str, str] | None = None  # (MsgID, Status)


def inbox_key(msg: Any) -> str:
    """Messages by MsgId; events by FromUserName + CreateTime (and the event, as WeChat advises)."""
    data: dict[str, str] = msg._data
    if data.get("MsgType") != "event" and data.get("MsgId"):
        return f"m:{data['MsgId']}"
    return f"e:{data.get('FromUserName', '')}:{data.get('CreateTime', '')}:{data.get('Event', '')}"


def received(msg: Any, now: datetime) -> Received:
    data: dict[str, str] = msg._data
    openid = str(data.get("FromUserName", ""))
    key = inbox_key(msg)
    kind = data.get("MsgType", "")
    base: dict[str, Any] = {"channel": WECHAT, "user": openid, "chat": openid, "at": now, "lang_code": None}

    def event(opens: Opens, **fields: Any) -> Received:
        return Received(key, openid, Inbound(**base, **fields), opens)

    if kind == "text":
        text = str(data.get("Content", ""))[:MAX_TEXT]
        if text.startswith("/") and len(text) > 1:
            head, _, rest = text[1:].partition(" ")
            return event("message", kind=EventKind.COMMAND, command=head.lower(), args=tuple(rest.split()), text=text)
        return event("message", kind=EventKind.TEXT, text=text)
    if kind == "image":
        media = str(data.get("MediaId", ""))
        photo = stored_ref(media_file(media))  # fetched into our storage right after (channels.wechat.server)
        return Received(key, openid, Inbound(**base, kind=EventKind.PHOTO, photo=photo), "message", media_id=media)
    if kind == "location":
        return event("message", kind=EventKind.LOCATION, latitude=_float(data, "Location_X"),
                     longitude=_float(data, "Location_Y"))  # fmt: skip
    if kind in ("voice", "video", "shortvideo", "link", "file", "miniprogrampage"):
        recognised = str(data.get("Recognition", "") or "")
        if recognised:  # WeChat's speech recognition, where the account has it on
            return event("message", kind=EventKind.TEXT, text=recognised[:MAX_TEXT])
        return event("message", kind=EventKind.MEDIA, media=kind)
    if kind != "event":
        return Received(key, openid, None, "none")
    return _event(msg, key, openid, base)


def _event(msg: Any, key: str, openid: str, base: dict[str, Any]) -> Received:
    data: dict[str, str] = msg._data
    name = str(data.get("Event", "")).lower()
    scene = str(data.get("EventKey", "") or "")
    if name in ("subscribe", "subscribe_scan", "scan"):
        code = scene.removeprefix("qrscene_")
        args = (code,) if code else ()
        return Received(key, openid, Inbound(**base, kind=EventKind.COMMAND, command="start", args=args), "event")
    if name == "unsubscribe":
        return Received(key, openid, None, "unsubscribe")
    if name == "click" and scene.startswith(MENU_KEY):
        item = scene.removeprefix(MENU_KEY)
        text = t(Lang.ZH, f"menu.{item}")
        return Received(key, openid, Inbound(**base, kind=EventKind.TEXT, text=text), "event")
    if name == "location_select":
        info = data.get("SendLocationInfo")
        where: dict[str, Any] = info if isinstance(info, dict) else {}
        inbound = Inbound(**base, kind=EventKind.LOCATION, latitude=_float(where, "Location_X"),
                          longitude=_float(where, "Location_Y"))  # fmt: skip
        return Received(key, openid, inbound, "event")
    if name == "templatesendjobfinish":
        return Received(key, openid, None, "none", template=(str(data.get("MsgID", "")), str(data.get("Status", ""))))
    return Received(key, openid, None, "none")


def media_file(media_id: str) -> str:
    """The file a resident's photo is kept in, under ``wechat.media_dir``."""
    return "wechat-" + ("".join(ch for ch in media_id if ch.isalnum() or ch in "-_")[:120] or "media") + ".jpg"


def _float(data: dict[str, Any], key: str) -> float | None:
    try:
        return float(data.get(key, ""))
    except (TypeError, ValueError):
        return None
