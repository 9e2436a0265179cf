"""The callback's XML: the encrypted envelope, and the plain message or event inside it (template_card_event
too, which wechatpy does not parse), read with defusedxml (no entities, no DTD, no external references)."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from channels.wecom.crypto import BadCallback

MAX_XML_BYTES = 256 * 1024


def _root(text: str | bytes) -> Element:
    if len(text) > MAX_XML_BYTES:
        raise BadCallback("XML too long")
    try:
        root: Element = fromstring(text)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise BadCallback(f"not XML we read ({type(exc).__name__})") from exc
    if root.tag != "xml":
        raise BadCallback("not a WeCom XML body")
    return root


def _text(root: Element, tag: str) -> str:
    node = root.find(tag)
    return "" if node is None or node.text is None else node.text.strip()


def envelope(body: bytes) -> str:
    """The ``Encrypt`` of a POSTed body."""
    encrypted = _text(_root(body), "Encrypt")
    if not encrypted:
        raise BadCallback("no Encrypt in the body")
    return encrypted


@dataclass(frozen=True)
class Message:
    """One plain message or event, as far as the hotline reads it."""

    from_user: str
    create_time: str
    msg_type: str
    event: str = ""
    msg_id: str = ""
    content: str = ""
    event_key: str = ""
    task_id: str = ""
    response_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    selected: tuple[str, ...] = field(default_factory=tuple)  # a card's dropdown: the chosen option ids

    @property
    def dedupe_key(self) -> str:
        """MsgId for a message; the user, time, kind, key and card of an event (WeCom's retries repeat them)."""
        if self.msg_id:
            return f"m:{self.msg_id}"
        return ":".join(("e", self.from_user, self.create_time, self.event, self.event_key, self.task_id))


def _float(text: str) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def message(plain: str) -> Message:
    """Read a decrypted message or event (``BadCallback`` if it is not one)."""
    root = _root(plain)
    sender, msg_type = _text(root, "FromUserName"), _text(root, "MsgType")
    if not sender or not msg_type:
        raise BadCallback("no FromUserName or MsgType")
    selected = tuple(
        (node.text or "").strip() for node in root.iterfind("SelectedItems/SelectedItem/OptionIds/OptionId")
    )
    return Message(
        from_user=sender,
        create_time=_text(root, "CreateTime"),
        msg_type=msg_type,
        event=_text(root, "Event"),
        msg_id=_text(root, "MsgId"),
        content=_text(root, "Content"),
        event_key=_text(root, "EventKey"),
        task_id=_text(root, "TaskId"),
        response_code=_text(root, "ResponseCode"),
        latitude=_float(_text(root, "Location_X") or _text(root, "Latitude")),
        longitude=_float(_text(root, "Location_Y") or _text(root, "Longitude")),
        selected=tuple(item for item in selected if item),
    )
