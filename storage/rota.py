"""The stored duty rota: rotations and overrides as the JSON documents of the rota's models (the core's
``bot.rota.model`` reads and writes them; storage knows only their text and time bounds), replaced whole by an import.

The repository works on the connection it is given; the caller owns the transaction, so an import that
replaces a part of the rota is one transaction: all of the file or nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Literal

from storage.db import Conn, from_db, to_db
from storage.rows import insert_id

RotaFileKind = Literal["rotations", "shifts"]


class RotaRepo:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def rotations(self) -> list[str]:
        """Every rotation's document, in file order."""
        rows = await self.conn.execute_fetchall("SELECT data FROM rota_rotations ORDER BY id")
        return [str(row[0]) for row in rows]

    async def overrides(self, start: datetime | None = None, end: datetime | None = None) -> list[str]:
        """Overrides overlapping ``[start, end)`` (all without bounds), in file order: later rows win."""
        # an open bound is no condition at all: "? IS NULL OR ..." leaves PostgreSQL without the parameter's type
        conditions, params = ["1 = 1"], []
        if start is not None:
            conditions.append("end_utc > ?")
            params.append(to_db(start))
        if end is not None:
            conditions.append("start_utc < ?")
            params.append(to_db(end))
        rows = await self.conn.execute_fetchall(
            f"SELECT data FROM rota_overrides WHERE {' AND '.join(conditions)} ORDER BY id", params
        )
        return [str(row[0]) for row in rows]

    async def rotations_imported(self) -> bool:
        """Whether the stored rotations are the rota (else the configuration's ``[rota]`` is)."""
        rows = await self.conn.execute_fetchall("SELECT 1 FROM rota_imports WHERE kind = 'rotations' LIMIT 1")
        return bool(list(rows))

    async def last_import(self, kind: RotaFileKind) -> tuple[str, int, datetime] | None:
        """(file name, rows, when) of the latest import of ``kind``; None if there was none."""
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT source, rows, imported_at FROM rota_imports WHERE kind = ? ORDER BY id DESC LIMIT 1", (kind,)
            )
        )
        if not rows:
            return None
        when = from_db(rows[0][2])
        assert when is not None
        return str(rows[0][0]), int(rows[0][1]), when

    async def replace_rotations(
        self, rotations: Sequence[tuple[str, str]], *, fmt: str, source: str, now: datetime
    ) -> None:
        """``rotations``: (name, document) in file order."""
        await self.conn.execute("DELETE FROM rota_rotations")
        await self.conn.executemany("INSERT INTO rota_rotations (name, data) VALUES (?, ?)", rotations)
        await self._record("rotations", fmt, source, len(rotations), now)

    async def replace_overrides(
        self, overrides: Sequence[tuple[datetime, datetime, str]], *, fmt: str, source: str, now: datetime
    ) -> None:
        """``overrides``: (start, end, document) in file order."""
        await self.conn.execute("DELETE FROM rota_overrides")
        await self.conn.executemany(
            "INSERT INTO rota_overrides (start_utc, end_utc, data) VALUES (?, ?, ?)",
            [(to_db(start), to_db(end), doc) for start, end, doc in overrides],
        )
        await self._record("shifts", fmt, source, len(overrides), now)

    async def _record(self, kind: RotaFileKind, fmt: str, source: str, rows: int, now: datetime) -> None:
        await self.conn.execute(
            "INSERT INTO rota_imports (kind, format, source, rows, imported_at) VALUES (?, ?, ?, ?, ?)",
            (kind, fmt, source[:200], rows, to_db(now)),
        )


class RotaChecksRepo:
    """The daily checks for uncovered duty periods: one row per check (timers are rows)."""

    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def next_pending(self) -> tuple[int, datetime | None] | None:
        """(id, due) of the earliest pending check, if any."""
        rows = list(
            await self.conn.execute_fetchall(
                "SELECT id, due_at_utc FROM rota_checks WHERE status = 'pending' ORDER BY due_at_utc LIMIT 1"
            )
        )
        return (int(rows[0][0]), from_db(rows[0][1])) if rows else None

    async def add(self, due: datetime) -> int:
        """The id of the check due at ``due``, made (pending) if there is none."""
        row_id = await insert_id(
            self.conn,
            "INSERT INTO rota_checks (due_at_utc) VALUES (?) ON CONFLICT (due_at_utc) DO NOTHING",
            (to_db(due),),
        )
        if row_id is not None:
            return row_id
        rows = list(await self.conn.execute_fetchall("SELECT id FROM rota_checks WHERE due_at_utc = ?", (to_db(due),)))
        return int(rows[0][0])

    async def get(self, check_id: int) -> tuple[str, datetime | None] | None:
        """(status, due) of a check; None if there is no such row."""
        rows = list(
            await self.conn.execute_fetchall("SELECT status, due_at_utc FROM rota_checks WHERE id = ?", (check_id,))
        )
        return (str(rows[0][0]), from_db(rows[0][1])) if rows else None

    async def finish(self, check_id: int, gaps: int, now: datetime) -> None:
        await self.conn.execute(
            "UPDATE rota_checks SET status = 'done', gaps = ?, done_at = ? WHERE id = ?", (gaps, to_db(now), check_id)
        )
