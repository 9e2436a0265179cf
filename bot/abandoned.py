"""Abandoned emergencies: someone who smelled gas and went quiet matters.

When an emergency report (leak, CO, damaged pipe) starts, a timer row (kind ``abandoned``) is stored
with the conversation's start time. Once the report has been idle for ``[intake] abandoned_after_s``
and would be P1 on what is known, the resident gets a nudge (step 0); if it is still unfinished after
another period, the dispatchers get what is known (step 1). Timers are rows: the watcher's sweep job
on the scheduler finds due rows at start-up and every few seconds after, and re-checks the
conversation before it acts, so a finished or cancelled report is never chased.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.events import Location, Priority, Text
from bot.forms import CATEGORIES, Severity
from bot.i18n import Lang, t
from bot.render import answer_lines
from bot.scheduler import Scheduler
from bot.triage import triage
from storage.conversations import Conversation, ConversationsRepo
from storage.db import Conn, Database, to_db
from storage.outbox import OutboxRepo
from storage.people import PeopleRepo
from storage.timers import TimersRepo

logger = logging.getLogger(__name__)

KIND = "abandoned"
INTAKE_FLOW = "intake"
EMERGENCY = frozenset({"leak", "co", "excavation"})
# What an unanswered question counts as while the report is unfinished: the worst plausible answer.
_WORST: dict[str, dict[str, str]] = {"leak": {"valve": "unsure"}, "co": {"symptoms": "mild"}}


def unfinished_severity(category: str, answers: dict[str, Any], *, fire: bool = False) -> Severity:
    """The severity of an unfinished report, assuming the worst for what was not answered yet."""
    return triage(category, {**_WORST.get(category, {}), **answers}, fire=fire)


async def arm(tx: Conn, *, channel: str, user: str, chat: str, started: datetime, due: datetime) -> None:
    """Store the timer of a new emergency report (replacing any earlier one of the same person)."""
    await cancel(tx, channel=channel, user=user)
    data = {"channel": channel, "user": user, "chat": chat, "started": to_db(started)}
    await TimersRepo(tx).add_detached(KIND, due, data)


async def cancel(tx: Conn, *, channel: str, user: str) -> None:
    await TimersRepo(tx).cancel_of_user(KIND, channel=channel, user=user)


class AbandonedWatch:
    """The background part: a sweep job on the scheduler over due ``abandoned`` timer rows."""

    JOB_ID = "abandoned-sweep"

    def __init__(
        self, settings: Settings, db: Database, clock: Clock, scheduler: Scheduler, wake: Any, *, every_s: float = 5.0
    ) -> None:
        self.settings, self.db, self.clock, self.scheduler, self.wake = settings, db, clock, scheduler, wake
        self.every_s = every_s

    async def start(self) -> None:
        await self.run_due()  # rows that fell due while the bot was down
        self.scheduler.every(self.JOB_ID, self.every_s, self._sweep)

    async def stop(self) -> None:
        self.scheduler.cancel(self.JOB_ID)

    async def _sweep(self) -> None:
        await self.run_due()

    async def run_due(self) -> int:
        """Act on every due timer row; returns how many acted (nudged or told the desk)."""
        now = self.clock.now()
        acted = 0
        async with self.db.transaction() as tx:
            for timer in await TimersRepo(tx).pending(due_before=now, kinds=(KIND,)):
                acted += await self._fire(tx, timer.id, timer.step, timer.data, now)
        if acted:
            self.wake()
        return acted

    async def _fire(self, tx: Conn, timer_id: int, step: int, data: dict[str, Any], now: datetime) -> int:
        timers = TimersRepo(tx)
        conv = await ConversationsRepo(tx).get(data["channel"], data["user"])
        if conv is None or conv.flow != INTAKE_FLOW or to_db(conv.started_at) != data["started"]:
            await timers.mark_cancelled(timer_id)
            return 0
        category = str(conv.data.get("category", ""))
        answers = dict(conv.data.get("answers", {}))
        after = timedelta(seconds=self.settings.intake.abandoned_after_s)
        if (
            category not in EMERGENCY
            or unfinished_severity(category, answers, fire=bool(conv.data.get("fire"))) is not Severity.P1
        ):
            await timers.mark_cancelled(timer_id)
            return 0
        if now - conv.updated_at < after:  # still answering: look again when it has been quiet long enough
            await timers.reschedule(timer_id, conv.updated_at + after)
            return 0
        if step == 0:
            await self._nudge(tx, data, conv, now)
            await timers.set_step(timer_id, 1, now + after)
        else:
            await self._tell_desk(tx, data, conv, category, answers, now)
            await timers.mark_done(timer_id)
        return 1

    async def _nudge(self, tx: Conn, data: dict[str, Any], conv: Conversation, now: datetime) -> None:
        person = await PeopleRepo(tx).find(data["channel"], data["user"])
        lang = Lang(person.lang) if person else Lang.ZH
        text = t(lang, "abandoned.nudge", hotline=self.settings.utility.hotline)
        message = Text(chat=data["chat"], text=text, priority=Priority.EMERGENCY)
        await OutboxRepo(tx).add(
            message,
            now=now,
            purpose="abandoned_nudge",
            recipient_id=person.id if person else None,
            channel=data["channel"],
        )
        logger.info("an unfinished emergency report was nudged")

    async def _tell_desk(
        self,
        tx: Conn,
        data: dict[str, Any],
        conv: Conversation,
        category: str,
        answers: dict[str, Any],
        now: datetime,
    ) -> None:
        person = await PeopleRepo(tx).find(data["channel"], data["user"])
        tz = self.settings.utility.tz
        location = answers.get("location") if isinstance(answers.get("location"), dict) else None
        for staff in await PeopleRepo(tx).with_role("dispatcher", "supervisor"):
            lang = Lang(staff.lang)
            lines = [
                t(
                    lang,
                    "abandoned.desk",
                    name=(person.name if person else "") or "?",
                    category=t(lang, f"category.{category}"),
                    started=conv.started_at.astimezone(tz).strftime("%H:%M"),
                    last=conv.updated_at.astimezone(tz).strftime("%H:%M"),
                    chat=data["chat"],
                ),
                *answer_lines(lang, CATEGORIES[category], answers),
            ]
            if person and person.phone:
                lines.append(t(lang, "abandoned.desk_phone", phone=person.phone))
            message = Text(chat=staff.external_id, text="\n".join(lines), priority=Priority.DISPATCH)
            await OutboxRepo(tx).add(
                message, now=now, purpose="abandoned_desk", recipient_id=staff.id, channel=data["channel"]
            )
            if location and location.get("lat") is not None and location.get("lon") is not None:
                pin = Location(
                    chat=staff.external_id,
                    latitude=location["lat"],
                    longitude=location["lon"],
                    priority=Priority.DISPATCH,
                )
                await OutboxRepo(tx).add(
                    pin, now=now, purpose="abandoned_desk", recipient_id=staff.id, channel=data["channel"]
                )
        logger.warning("an unfinished emergency report was passed to the desk")
