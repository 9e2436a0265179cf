"""Routes: which handler answers a command, a menu entry, a button or a conversation flow, and who may.

Each feature declares one ``Router`` (``ROUTES`` in its module); ``Routes`` joins them (bot.core) and is
the one place a route's permission is checked, before its handler runs: a refusal is audited and the
person told why in the route's own words. The permission is a coarse gate on the person's stored role;
checks that depend on the stored data (this ticket's assignee, this broadcast's kind) stay with the
feature (bot.dispatch.authz).

Button payloads go through a typed ``Codec``: a frozen dataclass <-> ``prefix`` + its fields joined by
``:``, always within Telegram's 64-byte callback_data. A codec names its older versions (``older``), so
a button on a message sent before a format change still decodes; data that no version reads gets a
kind "this button has expired" (or the route's own answer for forged data).

Each role's command menu is derived from the command routes and their permissions (``command_menu``).

Every button has a codec: no handler reads callback data by hand. Joining fails at start-up on a button
route without one, on a permission nobody defined, on two routes claiming the same command, menu
entry or flow, on a button prefix that shadows another, and on a codec whose longest payload would not
fit or whose example does not round-trip, on a refusal whose words no catalog has, and on a command
without its menu text (``commands.<name>``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
import typing
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from bot.context import Ctx, Handler
from bot.i18n import Lang, catalog
from bot.numbers import MAX_DIGITS, ascii_int
from common.events import Answer
from storage.people import STAFF_ROLES, Person

logger = logging.getLogger(__name__)

CALLBACK_LIMIT = 64  # bytes of callback_data Telegram keeps
TEXT_MAX = 20  # a text field of a payload: a name from a fixed list (an action, a cause, a language)
DESK_ROLES = frozenset({"dispatcher", "supervisor", "admin"})
RESIDENT = "resident"  # the stored role of everyone who is not staff
ROLES = (RESIDENT, *sorted(STAFF_ROLES))

RouteKind = Literal["command", "menu", "button", "flow"]
P = TypeVar("P")


class RouteError(RuntimeError):
    """The routes as declared cannot work: raised when they are joined (start-up)."""


@dataclass(frozen=True)
class Permission:
    """Who may use a route: the stored roles admitted (None: everyone) and what a refused person is told."""

    name: str
    roles: frozenset[str] | None
    refusal: str  # catalog key

    def admits(self, person: Person) -> bool:
        return self.admits_role(person.role)

    def admits_role(self, role: str) -> bool:
        return self.roles is None or role in self.roles

    @property
    def breadth(self) -> int:
        """How many roles it admits (a menu lists a role's own work, the narrowest, first)."""
        return len(ROLES) + 1 if self.roles is None else len(self.roles)


PERMISSIONS: dict[str, Permission] = {
    p.name: p
    for p in (
        Permission("everyone", None, ""),
        Permission("staff", STAFF_ROLES, "crew.refused_not_crew"),
        Permission("desk", DESK_ROLES, "desk.refused"),
        Permission("supervisor", frozenset({"supervisor", "admin"}), "staff.refused"),
        Permission("admin", frozenset({"admin"}), "admin.not_allowed"),
    )
}


class Codec(Generic[P]):
    """One version of a button's payload: ``prefix`` then the fields of ``cls`` (``int``, ``str`` or a
    ``Literal`` of strings), joined by ``:``; trailing fields whose default is ``""`` are left out when empty.

    ``example`` is round-tripped at start-up; ``older`` are earlier versions, still decoded; a text field
    is 1 to ``text_max`` of ``[A-Za-z0-9_.-]``."""

    def __init__(
        self, prefix: str, cls: type[P], example: P, *, older: tuple[Codec[P], ...] = (), text_max: int = TEXT_MAX
    ) -> None:
        self.prefix, self.cls, self.example, self.older, self.text_max = prefix, cls, example, older, text_max
        self.text = re.compile(rf"[A-Za-z0-9_.-]{{1,{text_max}}}\Z")
        hints = typing.get_type_hints(cls)
        self.fields = [(f.name, hints[f.name]) for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        defaults = [f.default for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        self.required = next((i for i, d in enumerate(defaults) if d is not dataclasses.MISSING), len(defaults))
        if any(d != "" for d in defaults[self.required :]):
            raise RouteError(f'codec {prefix!r}: only trailing fields may have a default, and it is ""')

    @property
    def prefixes(self) -> tuple[str, ...]:
        return (self.prefix, *(p for codec in self.older for p in codec.prefixes))

    def encode(self, value: P) -> str:
        parts = [self._field_text(name, kind, getattr(value, name)) for name, kind in self.fields]
        while len(parts) > self.required and parts[-1] == "":
            parts.pop()
        data = self.prefix + ":".join(parts)
        if len(data.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"button data over {CALLBACK_LIMIT} bytes: {data!r}")
        return data

    def decode(self, data: str) -> P | None:
        """The payload ``data`` carries, in this version or an older one; None when none reads it."""
        value = self._decode_own(data)
        for codec in self.older:
            if value is not None:
                break
            value = codec.decode(data)
        return value

    def longest(self) -> int:
        """Bytes of the longest payload this layout can produce."""
        return len(self.prefix.encode()) + sum(self._widest(kind) for _, kind in self.fields) + len(self.fields) - 1

    def check(self) -> None:
        for codec in (self, *self.older):
            if codec.longest() > CALLBACK_LIMIT:
                raise RouteError(f"codec {codec.prefix!r}: a payload may take {codec.longest()} bytes")
        try:
            data = self.encode(self.example)
        except ValueError as exc:
            raise RouteError(f"codec {self.prefix!r}: {exc}") from exc
        if self.decode(data) != self.example:
            raise RouteError(f"codec {self.prefix!r}: {self.example!r} does not round-trip")

    def _decode_own(self, data: str) -> P | None:
        if not data.startswith(self.prefix):
            return None
        parts = data[len(self.prefix) :].split(":")
        if not self.required <= len(parts) <= len(self.fields):
            return None
        parts += [""] * (len(self.fields) - len(parts))
        values: dict[str, Any] = {}
        for index, ((name, kind), text) in enumerate(zip(self.fields, parts, strict=True)):
            value = self._field_value(kind, text, optional=index >= self.required)
            if value is None:
                return None
            values[name] = value
        try:
            return self.cls(**values)
        except (TypeError, ValueError):
            return None

    def _field_value(self, kind: object, text: str, *, optional: bool) -> object | None:
        if kind is int:
            return ascii_int(text)
        if optional and text == "":
            return ""
        if typing.get_origin(kind) is Literal:
            return text if text in typing.get_args(kind) else None
        return text if self.text.match(text) else None

    def _field_text(self, name: str, kind: object, value: object) -> str:
        text = str(value)
        if kind is int and not (isinstance(value, int) and value >= 0 and len(text) <= MAX_DIGITS):
            raise ValueError(f"{name}: {value!r} is not a number of at most {MAX_DIGITS} digits")
        if kind is not int and text and not self.text.match(text):
            raise ValueError(f"{name}: {value!r} does not fit a button")
        return text

    def _widest(self, kind: object) -> int:
        if kind is int:
            return MAX_DIGITS
        if typing.get_origin(kind) is Literal:
            return max(len(str(choice).encode()) for choice in typing.get_args(kind))
        return self.text_max


@dataclass(frozen=True)
class Route:
    kind: RouteKind
    key: str  # the command, the menu entry, the button data's prefix, the flow's name
    handler: Handler
    permission: str = "everyone"
    refusal: str | None = None  # the route's own words for a refusal (default: the permission's)
    codec: Codec[Any] | None = None
    feature: str = ""


@dataclass
class Router:
    """One feature's routes."""

    feature: str
    routes: list[Route] = field(default_factory=list)

    def command(self, name: str, handler: Handler, permission: str = "everyone", refusal: str | None = None) -> None:
        self.routes.append(Route("command", name, handler, permission, refusal, feature=self.feature))

    def menu(self, item: str, handler: Handler, permission: str = "everyone") -> None:
        self.routes.append(Route("menu", item, handler, permission, feature=self.feature))

    def flow(self, name: str, handler: Handler) -> None:
        self.routes.append(Route("flow", name, handler, feature=self.feature))

    def button(
        self,
        codec: Codec[P],
        handler: Callable[[Ctx, P], Awaitable[None]],
        permission: str = "everyone",
        *,
        unreadable: Handler | None = None,
        refusal: str | None = None,
    ) -> None:
        """A button with a typed payload: the handler gets it decoded; data no version reads goes to
        ``unreadable`` (default: "this button has expired")."""

        async def decoded(ctx: Ctx) -> None:
            value = codec.decode(ctx.ev.data or "")
            if value is not None:
                await handler(ctx, value)
            elif unreadable is not None:
                await unreadable(ctx)
            else:
                expired(ctx)

        for prefix in codec.prefixes:
            self.routes.append(Route("button", prefix, decoded, permission, refusal, codec=codec, feature=self.feature))


def expired(ctx: Ctx) -> None:
    """The kind answer to a button nobody can read any more."""
    ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id or "", text=ctx.t("start.stale_button")))


class Routes:
    """Every feature's routes joined, checked, and dispatched with their permission."""

    def __init__(self, routers: Iterable[Router]) -> None:
        self.all = [route for router in routers for route in router.routes]
        self.tables: dict[RouteKind, dict[str, Route]] = {"command": {}, "menu": {}, "button": {}, "flow": {}}
        for route in self.all:
            self._add(route)
        self.commands, self.menu = self.tables["command"], self.tables["menu"]
        self.buttons, self.flows = self.tables["button"], self.tables["flow"]
        # no button prefix begins another (``_add``), so a payload's route is found by its prefix of each length
        self._prefix_lengths = sorted({len(prefix) for prefix in self.buttons})
        self.codecs = list({id(r.codec): r.codec for r in self.all if r.codec is not None}.values())
        for codec in self.codecs:
            codec.check()

    def _add(self, route: Route) -> None:
        if route.permission not in PERMISSIONS:
            raise RouteError(
                f"{route.kind} {route.key!r} ({route.feature}) names no known permission: {route.permission}"
            )
        refusal = route.refusal or PERMISSIONS[route.permission].refusal
        if PERMISSIONS[route.permission].roles is not None and any(refusal not in catalog(lang) for lang in Lang):
            raise RouteError(
                f"{route.kind} {route.key!r} ({route.feature}): no refusal text {refusal!r} in the catalogs"
            )
        if (route.kind == "button") != (route.codec is not None):
            raise RouteError(f"{route.kind} {route.key!r} ({route.feature}): a button, and only a button, has a codec")
        if route.kind == "command" and any(f"commands.{route.key}" not in catalog(lang) for lang in Lang):
            raise RouteError(
                f"command {route.key!r} ({route.feature}): no menu text 'commands.{route.key}' in the catalogs"
            )
        table = self.tables[route.kind]
        clash = route.key if route.key in table else None
        if route.kind == "button":
            clash = next((k for k in table if k.startswith(route.key) or route.key.startswith(k)), None)
        if clash is not None:
            raise RouteError(
                f"{route.kind} {route.key!r} ({route.feature}) clashes with {clash!r} ({table[clash].feature})"
            )
        table[route.key] = route

    def command_menu(self, role: str) -> list[str]:
        """The commands a person of ``role`` may use, for their client's command list (Telegram's
        ``setMyCommands``): the narrowest permission first, each feature's in the order it declared them."""
        admitted = [route for route in self.commands.values() if PERMISSIONS[route.permission].admits_role(role)]
        return [route.key for route in sorted(admitted, key=lambda route: PERMISSIONS[route.permission].breadth)]

    def button(self, data: str) -> Route | None:
        for length in self._prefix_lengths:
            if (route := self.buttons.get(data[:length])) is not None:
                return route
        return None

    async def handle(self, route: Route, ctx: Ctx) -> None:
        """The one authorisation check, then the handler."""
        permission = PERMISSIONS[route.permission]
        if not permission.admits(ctx.person):
            await refuse(ctx, route, permission)
            return
        await route.handler(ctx)


async def refuse(ctx: Ctx, route: Route, permission: Permission) -> None:
    what = f"/{ctx.ev.command}" if route.kind == "command" else (ctx.ev.data or ctx.ev.text)[:40]
    action = route.key if route.kind == "command" else f"{route.feature}_{route.kind}"
    await ctx.audit_refusal(action, f"not_{permission.name}: {what}")
    logger.info("refused %s %s from person %s (not %s)", route.kind, route.key, ctx.person.id, permission.name)
    text = ctx.t(route.refusal or permission.refusal)
    if ctx.ev.button_id:
        ctx.replies.append(Answer(chat=ctx.ev.chat, button_id=ctx.ev.button_id, text=text))
    else:
        ctx.say_text(text)
