"""Which engine a configuration names: SQLite's file at ``[storage] path`` (the default), or PostgreSQL's server
at ``[storage] url = "postgresql://..."`` (the shared store of a leader and its standbys)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from storage.db import Database
from storage.postgres.database import PostgresDatabase
from storage.postgres.sql import is_postgres


class Where(Protocol):
    """``[storage]`` as the configuration gives it."""

    @property
    def url(self) -> str | None: ...

    @property
    def path(self) -> Path: ...


def shared(where: Where) -> bool:
    """Whether the database is a server several instances share (PostgreSQL), not a file of this machine."""
    return is_postgres(where.url)


async def open_database(where: Where, *, migrate: bool = True) -> Database:
    """The database ``where`` names, migrated to this program's schema unless ``migrate`` is False."""
    if where.url is not None and is_postgres(where.url):
        return await PostgresDatabase.connect(where.url, migrate=migrate)
    return await Database.open(where.path, migrate=migrate)
