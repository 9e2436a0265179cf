"""What goes into the core and what comes out, in no channel's types.

An adapter (Telegram today, WeChat next) turns what it receives into an ``Inbound`` and carries out the
``Outbound`` messages the core returns. Ids are text so any channel's ids fit.
"""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class EventKind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    LOCATION = "location"
    CONTACT = "contact"
    PHOTO = "photo"
    BUTTON = "button"
    MEDIA = "media"  # sticker, voice, video, document, ...: something we cannot read


class Inbound(BaseModel):
    model_config = ConfigDict(frozen=True)

    channel: str  # the adapter's name (``bot.outbound.channels``): replies and its person's rows go there
    kind: EventKind
    user: str
    chat: str
    private: bool = True
    lang_code: str | None = None
    name: str = ""
    at: datetime
    text: str = ""
    command: str = ""
    args: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    phone: str | None = None
    photo: str | None = None
    media: str | None = None
    data: str | None = None  # button payload
    button_id: str | None = None  # to acknowledge the press
    message_id: str | None = None  # the message the button sits on
    edited: bool = False
    anonymous: bool = False  # a group message sent as the group (anonymous admin): no person to answer privately
    inline: bool = False  # a button under an inline message: nothing of ours, answered "not available here"


class Priority(IntEnum):
    """Lower goes first."""

    EMERGENCY = 0
    DISPATCH = 1
    CONVERSATION = 2
    NOTICE = 3
    BROADCAST = 4


class Button(BaseModel):
    text: str
    data: str


class Key(BaseModel):
    """A reply-keyboard key; it may ask the client to share a location or contact."""

    text: str
    location: bool = False
    contact: bool = False


class _Out(BaseModel):
    chat: str
    priority: Priority = Priority.CONVERSATION
    safety: bool = False  # a safety card: may be paid for beyond the free rate ([outbound] paid_safety_cards)
    paid: bool = False  # set by the lane only: this send is paid for (Telegram's allow_paid_broadcast)


class Text(_Out):
    type: Literal["text"] = "text"
    text: str
    buttons: list[list[Button]] = Field(default_factory=list)
    keyboard: list[list[Key]] | None = None
    remove_keyboard: bool = False


class Location(_Out):
    type: Literal["location"] = "location"
    latitude: float
    longitude: float
    title: str | None = None
    address: str | None = None


class Photo(_Out):
    type: Literal["photo"] = "photo"
    photo: str
    caption: str = ""


class Edit(_Out):
    """Replace the text and buttons of an earlier message.

    ``message_id`` names it directly; ``of_outbox`` names the outbox row that sent it (resolved when sent).
    """

    type: Literal["edit"] = "edit"
    text: str
    buttons: list[list[Button]] = Field(default_factory=list)
    message_id: str | None = None
    of_outbox: int | None = None


class Answer(_Out):
    """Acknowledge a button press (a short toast)."""

    type: Literal["answer"] = "answer"
    button_id: str
    text: str = ""


Outbound = Annotated[Text | Location | Photo | Edit | Answer, Field(discriminator="type")]


class Envelope(BaseModel):
    """An outbound message as stored in the outbox."""

    message: Outbound
