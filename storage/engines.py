"""Which engine a configuration names: SQLite's file at ``[storage] path`` (the default), or PostgreSQL's server
at ``[storage] url = "postgresql://..."`` (the shared store of a leader and its standbys)."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from storage.backup import backup_file
from storage.db import Database
from storage.postgres.backup import dump
from storage.postgres.database import PostgresDatabase
from storage.postgres.sql import is_postgres, masked


class Where(Protocol):
    """``[storage]`` as the configuration gives it."""

    @property
    def url(self) -> str | None: ...

    @property
    def path(self) -> Path: ...


def shared(where: Where) -> bool:
    """Whether the database is a server several instances share (PostgreSQL), not a file of this machine."""
    return is_postgres(where.url)


def describe(where: Where) -> str:
    """Where the database is, for an operator's messages (a URL without its password)."""
    return masked(where.url) if shared(where) and where.url else str(where.path)


async def backup_database(where: Where, target: Path) -> Path:
    """``hotline db backup``: SQLite's online backup of the file, or ``pg_dump`` of the server's database;
    ``target`` is a file or a directory for a dated file in it. Returns the file written."""
    if shared(where) and where.url:
        return await dump(where.url, target)
    return await backup_file(where.path, target)


async def open_database(where: Where, *, migrate: bool = True) -> Database:
    """The database ``where`` names, migrated to this program's schema unless ``migrate`` is False."""
    if where.url is not None and is_postgres(where.url):
        return await PostgresDatabase.connect(where.url, migrate=migrate)
    return await Database.open(where.path, migrate=migrate)
