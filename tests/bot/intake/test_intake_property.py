"""Property: random sequences of resident events never crash the core, and a confirmed report always
leaves a committed ticket (or an addition to the resident's open ticket)."""

from __future__ import annotations

import asyncio
import tempfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.config.settings import Settings, StorageConfig, load_settings
from bot.i18n import t
from bot.intake.forms import FIELDS
from common.events import EventKind, Outbound
from storage.conversations import ConversationsRepo
from tests.kit import template
from tests.kit.forms import answer_for, send
from tests.kit.harness import Harness, button_data
from tests.kit.people import RESIDENT
from tests.kit.settings import T0, settings_dict

TEXTS = [
    "I smell gas",
    "燃气味很重",
    "where is the gas valve",
    "🙂",
    "",
    "x" * 5000,
    "Building 3, Flat 501",
    "13812345678",
    "12",
    "/report",
    "/cancel",
    "/status",
    "/help",
    "/nope",
    t("en", "menu.report"),
    t("zh", "menu.smell_gas"),
    t("en", "intake.cancel_key"),
    "1",
]
FIXED_BUTTONS = ["i:c:leak", "i:c:theft", "i:s:ok", "i:s:edit", "i:e:valve", "q:ask", "f:y:1", "t:acc:1", "zz"]

Step = tuple[str, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(
            ["answer"] * 6 + ["tap"] * 3 + ["text", "button", "location", "far", "photo", "contact", "media", "edit"]
        ),
        st.integers(min_value=0, max_value=1000),
    ),
    max_size=60,
)


COMMITTED = "(SELECT COUNT(*) FROM tickets) + (SELECT COUNT(*) FROM ticket_events WHERE kind = 'attached')"
RECEIPTS = "(SELECT COUNT(*) FROM outbox WHERE purpose = 'receipt')"
INTAKE = {"area_circles": [{"lat": 31.23, "lon": 121.47, "radius_km": 50}], "flood_max_messages": 25}


@cache
def _settings() -> Settings:
    """The settings every example shares, validated once (the examples' storage is their own)."""
    return load_settings(None, settings_dict(Path("unused.sqlite3"), intake=INTAKE))


async def _scenario(path: Path, migrated: Path, sequence: list[Step]) -> None:
    # the settings validated once; each example has its own database (a new file, or on PostgreSQL a new one)
    storage = StorageConfig.model_validate(settings_dict(path, intake=INTAKE)["storage"])
    cfg = _settings().model_copy(update={"storage": storage})
    db = await template.fresh(migrated, cfg.storage)
    try:
        clock = FakeClock(T0)
        h = await Harness(cfg, db, clock).setup()
        last: list[Outbound] = []
        for kind, n in sequence:
            clock.advance(1 + n % 7)
            async with db.lock:
                conv = await ConversationsRepo(db.conn).get("telegram", RESIDENT)
            at_summary = conv is not None and conv.flow == "intake" and conv.step == "summary"
            before = await db.scalar(f"SELECT {COMMITTED}")
            data = None
            if kind == "answer" and conv is not None and conv.flow == "intake" and conv.step in FIELDS:
                answer_kind, fields = answer_for(conv.step, "en")
                data = fields.get("data")
                last = await send(h, RESIDENT, answer_kind, fields, "en")
                if conv.step == "photos":
                    last = await h.press(RESIDENT, "i:f:photos:-")
            elif kind == "text" or kind == "edit":
                last = await h.text(RESIDENT, TEXTS[n % len(TEXTS)], edited=kind == "edit")
            elif kind == "answer" and at_summary and n % 2 == 0:
                data = "i:s:ok"
                last = await h.press(RESIDENT, data)
            elif kind in ("tap", "answer") and button_data(last):
                data = button_data(last)[n % len(button_data(last))]
                last = await h.press(RESIDENT, data)
            elif kind in ("tap", "button"):
                data = FIXED_BUTTONS[n % len(FIXED_BUTTONS)]
                last = await h.press(RESIDENT, data)
            elif kind in ("location", "far"):
                lat, lon = (31.2304, 121.4737) if kind == "location" else (39.9, 116.4)
                last = await h.event(RESIDENT, EventKind.LOCATION, latitude=lat, longitude=lon)
            elif kind == "photo":
                last = await h.event(RESIDENT, EventKind.PHOTO, photo=f"p{n}")
            elif kind == "contact":
                last = await h.event(RESIDENT, EventKind.CONTACT, phone="+8613812345678")
            else:
                last = await h.event(RESIDENT, EventKind.MEDIA, media="sticker")
            row = await db.fetchone(f"SELECT {COMMITTED}, {RECEIPTS}, (SELECT COUNT(*) FROM tickets)")
            assert row is not None
            after, receipts, tickets = row  # read together: one query
            if at_summary and data == "i:s:ok":
                assert after == before + 1, "a confirmed report is committed"
            assert receipts == tickets, "every ticket has its receipt"
    finally:
        await db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sequence=steps)
def test_random_resident_events(migrated: Path, sequence: list[Step]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(_scenario(Path(folder) / "prop.sqlite3", migrated, sequence))
