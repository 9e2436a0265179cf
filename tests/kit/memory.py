"""Where the tests' files go: memory (``/dev/shm``) when the machine has room there, else the system's temporary
directory. A test run creates and removes thousands of files (a database per test, the test PostgreSQL server's
databases): in memory that costs no journal and no disk."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

SHM = Path("/dev/shm")


def memory_dir(free_bytes: int = 4 * 1024**3) -> str | None:
    """``/dev/shm`` when it is there with ``free_bytes`` free (the largest module on PostgreSQL makes ~1 GiB of
    databases), else None: the system's temporary directory."""
    try:
        return str(SHM) if shutil.disk_usage(SHM).free >= free_bytes else None
    except OSError:
        return None


def use_memory_for_temporary_files() -> str | None:
    """Point ``tempfile`` (and so pytest's ``tmp_path``, and the processes the tests start) at a directory of
    this user's in memory, unless ``TMPDIR`` names one already or memory is short; returns the directory."""
    where = memory_dir()
    if "TMPDIR" in os.environ or where is None:
        return None
    own = Path(where) / f"hotline-tests-{os.getuid()}"
    own.mkdir(mode=0o700, exist_ok=True)
    mode = own.stat()
    if mode.st_uid != os.getuid() or mode.st_mode & 0o077:
        return None  # not this user's private directory: leave the default
    os.environ["TMPDIR"] = str(own)
    tempfile.tempdir = None  # computed again from TMPDIR on next use
    return str(own)
