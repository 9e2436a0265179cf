"""``with sqlite3.connect(...) as conn`` commits but never closes the connection; Python 3.13 reports each
one left to the garbage collector (ResourceWarning, an error under ``filterwarnings = error``), at whichever
later test collects it. Caught here on every Python, by file and line: wrap it as
``with closing(sqlite3.connect(...)) as conn, conn:`` (closed, and the commit kept)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MISUSE = re.compile(r"with sqlite3\.connect\(")


def test_no_sqlite_connection_is_left_to_the_garbage_collector() -> None:
    found = []
    for folder in ("bot", "common", "handlers", "storage", "sandbox", "bench", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if MISUSE.search(line) and path.name != Path(__file__).name:
                    found.append(f"{path.relative_to(ROOT)}:{number}")
    assert not found, "sqlite3 connections never closed (use contextlib.closing): " + ", ".join(found)
