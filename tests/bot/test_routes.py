"""Routes (bot.routes): what fails at start-up, the typed button payloads, and the one refusal."""

from __future__ import annotations

import functools
import string
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.broadcast.admin import BroadcastPress
from bot.broadcast.subscriptions import TipsPress, district_key
from bot.casework.booking import BookingPress
from bot.casework.cases import CasePress
from bot.casework.hazards import HazardPress
from bot.clock import FakeClock
from bot.config.settings import Settings, load_settings
from bot.context import Ctx
from bot.core import FEATURES
from bot.danger.flows import DangerPress
from bot.dispatch.buttons import CrewPress, crew_button
from bot.dispatch.followup import FeedbackPress
from bot.dispatch.relay import ReplyPress
from bot.i18n import Lang, t
from bot.intake.buttons import ReportPress
from bot.people.resident import LangChoice
from bot.questions.qa import QaPress
from bot.routes import CALLBACK_LIMIT, Codec, Route, RouteError, Router, Routes
from common.events import Answer
from storage.engines import open_database
from tests.kit import template
from tests.kit.harness import Harness, texts
from tests.kit.people import DISPATCHER, RESIDENT
from tests.kit.settings import T0, settings_dict


async def _nothing(ctx: Ctx) -> None:
    return None


@dataclass(frozen=True)
class Plain:
    number: int


def _router(*routes: tuple[str, str, str]) -> Router:
    router = Router("test")
    for kind, key, permission in routes:
        if kind == "command":
            router.command(key, _nothing, permission)
        else:
            router.button(Codec(key, Plain, Plain(1)), lambda ctx, value: _nothing(ctx), permission)
    return router


@functools.cache  # the features' codecs, joined once for the property tests' thousand draws
@functools.cache
def _routes() -> Routes:
    """The core's routes, built once for the property tests' examples (finding and decoding change nothing)."""
    return Routes(FEATURES)


def _codecs() -> tuple[Codec[Any], ...]:
    return tuple(_routes().codecs)


# start-up


def test_the_core_routes_join() -> None:
    routes = Routes(FEATURES)
    assert {"open", "duty", "broadcast", "start"} <= set(routes.commands)
    assert {"t:", "bc:", "m:lang:", "f:"} <= set(routes.buttons)
    assert {c.prefix for c in routes.codecs} == {
        *("t:", "bc:", "m:lang:", "f:", "hz:", "cs:", "bk:", "r:"),
        *("i:", "q:", "d:", "tips:"),
    }


def _key(route: Route) -> str:
    return f"{route.feature}:{route.kind}:{route.key}"


@pytest.mark.parametrize("route", Routes(FEATURES).all, ids=_key)
def test_every_route_is_found_by_its_key_and_every_button_round_trips_its_example(route: Route) -> None:
    routes = Routes(FEATURES)
    if route.kind != "button":
        assert route.codec is None and routes.tables[route.kind][route.key] is route
        return
    codec = route.codec
    assert codec is not None, "a button read by hand"
    data = codec.encode(codec.example)
    assert len(data.encode()) <= codec.longest() <= CALLBACK_LIMIT
    assert routes.button(data) is routes.buttons[codec.prefix] and codec.decode(data) == codec.example
    assert route.key in codec.prefixes and routes.button(route.key + "x:y") is route


def test_a_button_read_by_hand_fails_at_start_up() -> None:
    router = Router("test")
    router.routes.append(Route("button", "x:", _nothing, feature="test"))
    with pytest.raises(RouteError, match="only a button, has a codec"):
        Routes([router])


def test_a_route_naming_an_unknown_permission_fails_at_start_up() -> None:
    with pytest.raises(RouteError, match="no known permission: dispatchers"):
        Routes([_router(("command", "open", "dispatchers"))])


def test_a_refusal_without_words_in_the_catalogs_fails_at_start_up() -> None:
    router = Router("test")
    router.command("open", _nothing, "desk", refusal="desk.refused_typo")
    with pytest.raises(RouteError, match="no refusal text 'desk.refused_typo'"):
        Routes([router])


def test_two_routes_claiming_one_command_fail_at_start_up() -> None:
    with pytest.raises(RouteError, match="clashes"):
        Routes([_router(("command", "open", "desk")), _router(("command", "open", "everyone"))])


@pytest.mark.parametrize(("first", "second"), [("t:", "t:"), ("t:", "t:acc:"), ("m:lang:", "m:")])
def test_a_button_prefix_shadowing_another_fails_at_start_up(first: str, second: str) -> None:
    with pytest.raises(RouteError, match="clashes"):
        Routes([_router(("button", first, "everyone"), ("button", second, "everyone"))])


def test_a_core_feature_claiming_a_taken_command_fails_at_start_up() -> None:
    with pytest.raises(RouteError, match="'duty'"):
        Routes([*FEATURES, _router(("command", "duty", "everyone"))])


@dataclass(frozen=True)
class Wide:
    first: str
    second: str
    third: str
    fourth: int


@dataclass(frozen=True)
class Mistyped:
    number: str  # given an int: it comes back as the text "5"


def test_a_payload_that_may_exceed_64_bytes_fails_at_start_up() -> None:
    router = Router("test")
    router.button(Codec("wide:", Wide, Wide("a", "b", "c", 1)), lambda ctx, value: _nothing(ctx))
    with pytest.raises(RouteError, match="may take"):
        Routes([router])
    assert Codec("wide:", Wide, Wide("a", "b", "c", 1)).longest() > CALLBACK_LIMIT


def test_a_payload_that_does_not_round_trip_fails_at_start_up() -> None:
    router = Router("test")
    router.button(Codec("l:", Mistyped, Mistyped(5)), lambda ctx, value: _nothing(ctx))  # type: ignore[arg-type]
    with pytest.raises(RouteError, match="does not round-trip"):
        Routes([router])
    unfit = Router("test")
    unfit.button(Codec("u:", Mistyped, Mistyped("a:b")), lambda ctx, value: _nothing(ctx))
    with pytest.raises(RouteError, match="does not fit a button"):
        Routes([unfit])


# payloads


@pytest.mark.parametrize(
    ("data", "value"),
    [
        ("t:acc:12", CrewPress("acc", 12)),
        ("t:acc:12:", CrewPress("acc", 12)),  # accepted before too
        ("t:decr:7:busy", CrewPress("decr", 7, "busy")),
        ("t:cause:3:third_party", CrewPress("cause", 3, "third_party")),
        ("t:site:007", CrewPress("site", 7)),
        ("bc:go:41", BroadcastPress("go", 41)),
        ("bc:stop:1", BroadcastPress("stop", 1)),
        ("m:lang:en", LangChoice("en")),
        ("f:y:8", FeedbackPress("y", 8)),
        ("f:r:8:5", FeedbackPress("r", 8, "5")),
        ("hz:k:4", HazardPress("k", 4)),
        ("hz:r:4:rubber_hose_aged:resident", HazardPress("r", 4, "rubber_hose_aged", "resident")),
        ("hz:ok:2", HazardPress("ok", 2)),
        ("cs:a:6", CasePress("a", 6)),
        ("cs:o:6:explained", CasePress("o", 6, "explained")),
        ("bk:s:6:202703020900", BookingPress("s", 6, "202703020900")),
        ("bk:ok:3", BookingPress("ok", 3)),
        ("r:15", ReplyPress(15)),
        ("i:c:leak_indoor", ReportPress("c", "leak_indoor")),
        ("i:f:where:home", ReportPress("f", "where", "home")),
        ("i:f:photos:-", ReportPress("f", "photos", "-")),
        ("i:s:cancel", ReportPress("s", "cancel")),
        ("i:e:phone", ReportPress("e", "phone")),
        ("i:e:-", ReportPress("e", "-")),
        ("q:a:smell_gas", QaPress("a", "smell_gas")),
        ("q:no:co_symptoms", QaPress("no", "co_symptoms")),
        ("q:ask", QaPress("ask")),
        ("q:ok", QaPress("ok")),
        ("d:now:fg", DangerPress("now", "fg")),
        ("d:ask", DangerPress("ask")),
        ("d:m:unsure", DangerPress("m", "unsure")),
        ("tips:off", TipsPress("off")),
        ("tips:on", TipsPress("on")),
        ("tips:d:Huangpu", TipsPress("d", "Huangpu")),  # version 1's district button
        ("tips:dk:" + district_key("黄浦区"), TipsPress("dk", district_key("黄浦区"))),
    ],
)
def test_todays_button_formats_still_decode(data: str, value: object) -> None:
    codec = next(c for c in _codecs() if data.startswith(c.prefix))
    assert codec.decode(data) == value


@pytest.mark.parametrize(
    "data",
    ["t:", "t:zzz:1", "t:acc:-1", "t:acc:1:busy", "t:cause:1:<b>", "t:decr:1:nonsense", "t:site:" + "9" * 13,
     "t:site:1\x00", "t:site:١", "t:site:1:2:3", "bc:go:abc", "bc:burn:1", "m:lang:fr", "m:lang:",
     "f:r:1", "f:r:1:6", "f:y:1:5", "f:x:1", "hz:p:1", "hz:r:1:rubber_hose_aged", "hz:k:1::resident",
     "hz:p:1:no_such_kind", "hz:r:1:rubber_hose_aged:landlord", "cs:a:1:x", "cs:o:1", "cs:r:1:9",
     "bk:s:1", "bk:s:1:2027030209", "bk:m:1:202703020900", "bk:x:1:2", "r:", "r:1:2", "r:x",
     "i:", "i:x:a", "i:f:where", "i:c:leak:1", "i:s:burn", "i:e:a:b", "i:f:a:b:c", "i:f:<b>:x",
     "q:", "q:a", "q:no", "q:ok:smell_gas", "q:a:smell gas", "q:zz",
     "d:", "d:now", "d:ask:1", "d:m:maybe", "d:m", "tips:", "tips:d", "tips:off:1", "tips:d:黄浦区", "tips:x"],
)  # fmt: skip
def test_forged_or_unknown_payloads_do_not_decode(data: str) -> None:
    codec = next(c for c in _codecs() if data.startswith(c.prefix))
    assert codec.decode(data) is None


def test_buttons_on_old_messages_decode_through_the_older_version() -> None:
    v1 = Codec("t:", CrewPress, CrewPress("acc", 1))
    v2 = Codec("t2:", CrewPress, CrewPress("acc", 1), older=(v1,))
    assert v2.prefixes == ("t2:", "t:")
    assert v2.encode(CrewPress("site", 5)) == "t2:site:5"
    assert v2.decode("t:site:5") == v2.decode("t2:site:5") == CrewPress("site", 5)
    assert crew_button("cause", 9, "meter") == "t:cause:9:meter"  # what cards carry today


_TEXT_CHARS = string.ascii_letters + string.digits + "_.-"


@functools.cache  # one strategy per field shape: built once, not again at every draw (the same values)
def _field(kind: object, text_max: int) -> st.SearchStrategy[Any]:
    if kind is int:
        return st.integers(min_value=0, max_value=10**12 - 1)
    if typing.get_origin(kind) is Literal:
        return st.sampled_from(typing.get_args(kind))
    # the same texts as the pattern [A-Za-z0-9_.-]{1,text_max}, drawn whole rather than a character at a time
    return st.text(alphabet=_TEXT_CHARS, min_size=1, max_size=text_max)


@st.composite
def _payload(draw: st.DrawFn) -> tuple[Codec[Any], object]:
    codec = draw(st.sampled_from(_codecs()))
    values = {name: draw(_field(kind, codec.text_max)) for name, kind in codec.fields}
    for name, _ in codec.fields[codec.required :]:
        if draw(st.booleans()):
            values[name] = ""
    try:
        return codec, codec.cls(**values)
    except ValueError:
        assume(False)
        raise


@given(_payload())
def test_every_payload_round_trips_within_64_bytes(case: tuple[Codec[Any], object]) -> None:
    codec, value = case
    data = codec.encode(value)
    assert len(data.encode()) <= CALLBACK_LIMIT
    assert codec.decode(data) == value


@given(st.sampled_from(_codecs()), st.text(max_size=80))
def test_decoding_any_text_never_raises(codec: Codec[Any], tail: str) -> None:
    value = codec.decode(codec.prefix + tail)
    if value is not None:
        assert codec.decode(codec.encode(value)) == value


# the one refusal, and the expired answer, through the core


@pytest.fixture
def world(tmp_path: Path, migrated: Path) -> Settings:
    """Settings whose database starts as a copy of the migrated one (``template``): each test opens it itself."""
    settings = load_settings(None, settings_dict(tmp_path / "routes.sqlite3"))
    template.start_from(migrated, settings.storage)
    return settings


async def test_a_desk_command_is_refused_by_its_route_audited_in_the_desks_words(world: Settings) -> None:
    db = await open_database(world.storage)
    try:
        h = await Harness(world, db, FakeClock(T0)).setup()
        replies = await h.text(RESIDENT, "/open")
        assert texts(replies) in ([t(lang, "desk.refused")] for lang in Lang)
        row = await db.fetchone("SELECT actor, action, detail FROM audit")
        assert row is not None and tuple(row) == (RESIDENT, "open", "not_desk: /open")
        assert await h.text(DISPATCHER, "/open") and await db.scalar("SELECT COUNT(*) FROM audit") == 1
    finally:
        await db.close()


@pytest.mark.parametrize("data", ["m:lang:fr", "bc:go:abc", "zz:1", "t", "tips:x", "tips:d:黄浦区", "tips:dk:0"])
async def test_an_unreadable_button_gets_the_kind_expired_answer(world: Settings, data: str) -> None:
    db = await open_database(world.storage)
    try:
        h = await Harness(world, db, FakeClock(T0)).setup()
        replies = await h.press(RESIDENT if not data.startswith("bc:") else DISPATCHER, data)
        answers = [r for r in replies if isinstance(r, Answer)]
        assert [a.text for a in answers] in ([t(lang, "start.stale_button")] for lang in Lang)
        assert await db.scalar("SELECT COUNT(*) FROM audit") == 0
    finally:
        await db.close()


@pytest.mark.parametrize("data", ["q:a:no_such_entry", "q:zz", "q:no", "d:m:maybe", "d:now", "d:"])
async def test_a_stale_question_or_first_answer_button_says_so_with_the_menu(world: Settings, data: str) -> None:
    db = await open_database(world.storage)
    try:
        h = await Harness(world, db, FakeClock(T0)).setup()
        assert texts(await h.press(RESIDENT, data)) in ([t(lang, "start.stale_button")] for lang in Lang)
    finally:
        await db.close()


@pytest.mark.parametrize("data", ["i:s:ok", "i:zz", "i:f:where"])
async def test_a_report_button_without_a_report_in_progress_says_so(world: Settings, data: str) -> None:
    db = await open_database(world.storage)
    try:
        h = await Harness(world, db, FakeClock(T0)).setup()
        expected = [[t(lang, "intake.no_report_in_progress")] for lang in Lang]
        assert texts(await h.press(RESIDENT, data)) in expected
    finally:
        await db.close()


@given(
    st.text(max_size=20)
    | st.sampled_from(sorted(Routes(FEATURES).buttons)).flatmap(
        lambda p: st.text(max_size=12).map(lambda tail: p + tail)
    )
)
def test_a_button_payload_finds_the_route_whose_prefix_it_starts_with(data: str) -> None:
    routes = _routes()
    expected = next((route for prefix, route in routes.buttons.items() if data.startswith(prefix)), None)
    assert routes.button(data) is expected
