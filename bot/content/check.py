"""``hotline content check``: what a safety officer should fix in the content the bot will use.

The knowledge base and the campaigns, with the content override and the configuration applied, are linted:
- a missing language: a text empty, a Chinese text without Chinese, an English one with Chinese in it;
- a safety text without the hotline: an answer about a smell of gas, a leak, carbon monoxide or a fire,
  and every campaign and card line, must carry ``{hotline}``;
- a text longer than one phone screen once its placeholders are filled (about 18 lines of a 6-inch phone
  in a chat: ``SCREEN_CHARS``);
- a campaign that fires in quiet hours in the next year (it would be held until they end).
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, timedelta
from importlib import resources

from bot.broadcast.audience import quiet_hours
from bot.broadcast.calendar import Calendar, occurrences
from bot.broadcast.runner import calendar_for
from bot.config.settings import Settings
from bot.content import store as content_store
from bot.questions import knowledge

SCREEN_CHARS = {"zh": 320, "en": 900}
_CJK = re.compile(r"[\u3400-\u9fff]")
_CARD_HOTLINE_LINES = ("hotline", "hotline_outside", "maybe")  # the lines every card ends with
_DANGER = re.compile(r"燃气味|漏气|泄漏|一氧化碳|着火|起火|smell gas|leak|carbon monoxide|fire", re.I)


def _language(where: str, lang: str, text: str) -> list[str]:
    if not text.strip():
        return [f"{where} ({lang}): missing language: empty"]
    if lang == "zh" and not _CJK.search(text):
        return [f"{where} (zh): missing language: no Chinese in the Chinese text"]
    if lang == "en" and _CJK.search(text):
        return [f"{where} (en): missing language: Chinese in the English text (untranslated?)"]
    return []


def _screen(where: str, lang: str, filled: str) -> list[str]:
    limit = SCREEN_CHARS[lang]
    return [f"{where} ({lang}): {len(filled)} characters, longer than one phone screen ({limit})"] * (
        len(filled) > limit
    )


def check(settings: Settings, calendar: Calendar | None = None, now: datetime | None = None) -> list[str]:
    """Every problem found, one line each (empty: all clear)."""
    u = settings.utility
    facts = {lang: u.facts(lang) for lang in ("zh", "en")}
    found: list[str] = []
    kb = knowledge.with_content(knowledge.shipped(), content_store.read(u.content_override))
    for e in kb.entry:
        where = f"knowledge {e.id}"
        for lang in ("zh", "en"):
            text = e.text(lang)
            found += _language(where, lang, text.a)
            found += _screen(where, lang, e.answer(lang, **facts[lang]))
            if _DANGER.search(text.a) and "{hotline}" not in text.a:
                found.append(f"{where} ({lang}): a safety text without the {{hotline}} placeholder")
    calendar = calendar if calendar is not None else calendar_for(settings)
    for c in calendar.campaigns:
        for lang, body in (("zh", c.texts.zh), ("en", c.texts.en)):
            found += _language(f"campaign {c.id}", lang, body)
            found += _screen(f"campaign {c.id}", lang, c.text(lang, u.hotline, facts[lang]))
    cards = tomllib.loads((resources.files("bot") / "data" / "safety_cards.toml").read_text("utf-8"))
    for name, line in cards["line"].items():
        for lang in ("zh", "en"):
            found += _language(f"card line {name}", lang, line[lang])
            if name in _CARD_HOTLINE_LINES and "{hotline}" not in line[lang]:
                found.append(f"card line {name} ({lang}): a safety text without the {{hotline}} placeholder")
    found += _quiet(settings, calendar, now or datetime.now(u.tz))
    return found


def _quiet(settings: Settings, calendar: Calendar, now: datetime) -> list[str]:
    quiet, tz = quiet_hours(settings), settings.utility.tz
    out: list[str] = []
    by_id = {c.id: c for c in calendar.campaigns}
    for o in occurrences(calendar, now, now + timedelta(days=366), tz, quiet):
        local = o.scheduled_at_utc.astimezone(tz)
        if not by_id[o.campaign_id].urgent and quiet.contains(local.time()):
            held = o.fire_at_utc.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            out.append(
                f"campaign {o.campaign_id}: scheduled {local:%Y-%m-%d %H:%M}, in quiet hours "
                f"({quiet.start:%H:%M}-{quiet.end:%H:%M}); it would wait until {held}"
            )
    return out
