"""A row read by column list into a dict, its timestamp columns parsed: for the small repositories; the id of
a row just inserted, on either engine."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storage.db import Conn, from_db


def row_values(columns: str, row: Iterable[Any], times: Iterable[str]) -> dict[str, Any]:
    """``columns`` as written in the SELECT ("id, kind, ..."), ``times`` the ones stored by ``to_db``."""
    names = [name.strip() for name in columns.split(",")]
    values = dict(zip(names, tuple(row), strict=True))
    for name in times:
        values[name] = from_db(values[name])
    return values


async def insert_id(conn: Conn, sql: str, params: Iterable[Any] = ()) -> int | None:
    """Run ``sql``, an INSERT, with ``RETURNING id``: the new row's id, or None when it inserted nothing (``ON
    CONFLICT ... DO NOTHING``, a conditional ``INSERT ... SELECT``). Both engines answer it; ``lastrowid`` is
    SQLite's alone."""
    cursor = await conn.execute(sql + " RETURNING id", tuple(params))
    row = await cursor.fetchone()
    await cursor.close()
    return None if row is None else int(row[0])
