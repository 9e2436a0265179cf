"""A row read by column list into a dict, its timestamp columns parsed: for the small repositories."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storage.db import from_db


def row_values(columns: str, row: Iterable[Any], times: Iterable[str]) -> dict[str, Any]:
    """``columns`` as written in the SELECT ("id, kind, ..."), ``times`` the ones stored by ``to_db``."""
    names = [name.strip() for name in columns.split(",")]
    values = dict(zip(names, tuple(row), strict=True))
    for name in times:
        values[name] = from_db(values[name])
    return values
