"""The database and its copies hold residents' phone numbers and addresses: readable by the bot's user only.

SQLite creates a database's ``-wal``, ``-shm`` and ``-journal`` files with the database file's own
permissions, so making that file 0600 before SQLite opens it covers them; a file an older version left
readable to others is tightened at the next open."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE = 0o600
COMPANIONS = ("-wal", "-shm", "-journal")


def make_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it is missing; take group/other bits off it and its companion
    files if they are there. Best effort on a file system that refuses chmod (the open reports real errors)."""
    with contextlib.suppress(OSError):  # there already, or not creatable: SQLite's open says what is wrong
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    for file in (path, *(path.with_name(path.name + suffix) for suffix in COMPANIONS)):
        with contextlib.suppress(OSError):
            mode = stat.S_IMODE(file.stat().st_mode)
            if mode & 0o077:
                file.chmod(mode & ~0o077)
