"""Who the bot cannot reach: people whose chat refused a message because they blocked the bot (403) or
never opened it (400 "chat not found"), kept as ``people.unreachable_at``.

It ends when the person writes to the bot in private or a message to them is delivered. For staff it
matters at once: a dispatch card that cannot be delivered tells the desk (``bot.dispatch.desk.alert_unreachable``),
``/duty`` and ``hotline roster show`` mark them, and each start logs the staff the bot cannot reach yet.
The ids are also kept in memory, so a delivery or an update costs no database write unless it ends a mark.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.config.settings import Settings
from storage.db import Conn, Database
from storage.people import CrewsRepo, PeopleRepo

logger = logging.getLogger(__name__)


class Reachability:
    def __init__(self) -> None:
        self.unreachable: set[int] = set()

    async def load(self, db: Database) -> None:
        self.unreachable = await db.run(lambda conn: PeopleRepo(conn).unreachable_ids())

    async def mark(self, tx: Conn, person_id: int, now: datetime) -> None:
        await PeopleRepo(tx).mark_unreachable(person_id, now)
        self.unreachable.add(person_id)

    def is_marked(self, person_id: int | None) -> bool:
        return person_id is not None and person_id in self.unreachable

    async def clear(self, tx: Conn, person_id: int) -> None:
        """The person was reached (call only for a marked one; the caller discards it after the commit)."""
        await PeopleRepo(tx).clear_unreachable(person_id)


async def staff_lines(conn: Conn, settings: Settings) -> list[str]:
    """One line per staff member the bot cannot reach (for the operator: log and terminal, English)."""
    crews = CrewsRepo(conn)
    lines = []
    for person, since in await PeopleRepo(conn).unreachable_staff():
        crew = await crews.get(person.crew_id) if person.crew_id is not None else None
        where = f", crew {crew.name}" if crew else ""
        local = since.astimezone(settings.utility.tz).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{person.name or '#' + str(person.id)} ({person.role}{where}; person {person.id}) since {local}")
    return lines


async def log_unreachable_staff(db: Database, settings: Settings) -> int:
    """Log the staff the bot cannot reach yet (one WARNING); returns how many."""
    lines = await db.run(lambda conn: staff_lines(conn, settings))
    if lines:
        logger.warning(
            "%d staff member(s) the bot cannot reach yet (never opened the bot, or blocked it): %s. "
            "Ask them to open the bot and press Start; until then they get no dispatch cards.",
            len(lines),
            "; ".join(lines),
        )
    return len(lines)
