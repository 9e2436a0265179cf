"""End to end through the sandbox: every report category, in both languages, real PTB over HTTP.

Twelve residents (one per category) report at the same time, each answering exactly what the form asks;
each waits for the bot's next question in their own chat, so the run also shows different chats being
served concurrently.
"""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.demo import LEAD, MEMBER, OTHER_CREW, running_bot, sandbox_settings
from bot.i18n import t
from bot.intake.forms import CATEGORIES, EMERGENCY, HEATING_SEASON, Ask, next_field
from sandbox import Sandbox
from tests.kit.chat import press

FIRST_USER = 6001
PIN = (31.2304, 121.4737)


pytestmark = pytest.mark.people(zh=(LEAD, MEMBER, OTHER_CREW))


async def expect(sb: Sandbox, user: int, since: int, text: str) -> None:
    await sb.wait_for(user, lambda m: (m.text or "").startswith(text), timeout_s=10, since=since)


async def report(sb: Sandbox, user: int, category: str, lang: str) -> None:
    """Answer what the form asks; an emergency ends with a thank-you (dispatched at its pin), a service
    report with its summary and confirm."""
    spec = CATEGORIES[category]
    await sb.send_text(user, "/report")
    await press(sb, user, f"i:c:{category}")
    # the heating question is asked in the (local) heating months only
    answers: dict[str, object] = {HEATING_SEASON: datetime.now(ZoneInfo("Asia/Shanghai")).month in (11, 12, 1, 2, 3)}
    while (field := next_field(spec, answers)) is not None:
        since = len(sb.messages(user))
        if field.ask is Ask.LOCATION:
            await sb.send_location(user, *PIN)
            answers["location"] = {"lat": PIN[0], "lon": PIN[1]}
        elif field.ask is Ask.PHONE:
            await sb.send_contact(user, "+8613812345678", first_name="Resident")
            answers[field.name] = "+8613812345678"
        elif field.ask is Ask.CHOICE:
            await press(sb, user, f"i:f:{field.name}:{field.options[0]}")
            answers[field.name] = field.options[0]
        elif field.ask is Ask.PHOTOS:
            await sb.send_photo(user)
            await expect(sb, user, since, t(lang, "intake.photo_received", count=1))
            await press(sb, user, f"i:f:{field.name}:-")
            answers[field.name] = ["photo"]
        else:
            await sb.send_text(user, "3号楼2单元501室" if lang == "zh" else "Building 3, Unit 2, Flat 501")
            answers[field.name] = "text"
        following = next_field(spec, answers)
        last = t(lang, "intake.thanks_ticket", ticket=0, hotline="0").split("#")[0]
        await expect(
            sb,
            user,
            since,
            t(lang, f"form.{following.name}.ask")
            if following
            else last
            if category in EMERGENCY
            else t(lang, "intake.summary_title"),
        )
    if category in EMERGENCY:
        return
    since = len(sb.messages(user))
    await press(sb, user, "i:s:ok")
    await sb.wait_for(
        user, lambda m: "#" in (m.text or "") and (m.text or "").startswith("✅"), timeout_s=10, since=since
    )


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_every_category_end_to_end(sandbox: Sandbox, tmp_path: Path, lang: str) -> None:
    sb = sandbox
    residents = {FIRST_USER + n: category for n, category in enumerate(CATEGORIES)}
    for user in residents:
        sb.create_user(user, first_name=f"Resident {user}", language_code=lang)
    settings = sandbox_settings(sb, tmp_path / "e2e.sqlite3", lang=lang)
    async with running_bot(settings):
        await asyncio.gather(*(report(sb, user, category, lang) for user, category in residents.items()))
    with closing(sqlite3.connect(settings.storage.path)) as conn, conn:
        rows = dict(conn.execute("SELECT chat, category FROM tickets WHERE lang = ?", (lang,)).fetchall())
    assert rows == {str(user): category for user, category in residents.items()}
