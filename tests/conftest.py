"""The suite's environment and markers; shared fixtures: tests/kit/fixtures.py (a plugin); helpers: tests/kit/."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from tests.kit import postgres

# PTB 22 gives retry_after as a timedelta only when asked to; the old int form warns (and warnings fail).
os.environ["PTB_TIMEDELTA"] = "true"
# The suite reads the `hotline` command's English messages whatever the machine's locale (bot/cli/text.py);
# tests/bot/cli/test_cli_lang.py sets its own. LC_MESSAGES changes no character handling, and LC_ALL would win over it.
os.environ.pop("LC_ALL", None)
os.environ["LC_MESSAGES"] = "en_US.UTF-8"

pytest_plugins = ["tests.kit.fixtures"]

# Collection imports the product and the tests: objects that live to the end, which the garbage collector would
# walk again and again as they pile up (~2 s a process). It runs again, and freezes them, once collection is done.
gc.disable()

TESTS = Path(__file__).parent
# Suites that run the whole bot against the sandbox or a browser: `pytest -m "not e2e and not reliability"`
# (make test-fast) is the inner loop; `make test` runs everything.
_MARK_BY_FOLDER = {"e2e": "e2e", "reliability": "reliability"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = postgres.wanted()
    for item in items:
        only = item.get_closest_marker("sqlite_only")
        if on_postgres and only is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {only.args[0] if only.args else ''}"))
        parts = item.path.relative_to(TESTS).parts
        if parts[0] in _MARK_BY_FOLDER:
            item.add_marker(_MARK_BY_FOLDER[parts[0]])
        elif item.path.name in ("test_browser.py", "test_sdnotify.py", "test_process.py"):
            item.add_marker("e2e")
    # The tests on the test PostgreSQL server first (a stable sort: otherwise in their order): `make test-fast`'s
    # workers each start the server on first use, and with --dist worksteal the first worker takes these at its
    # start, where the other does not steal, so one server is started instead of two.
    items.sort(key=lambda item: "pg_server" not in item.fixturenames)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection built (the modules, their constants, the test items) lives to the end: frozen, the garbage
    collector no longer walks it at each full collection (each took ~0.3 s, twenty-odd in a run)."""
    gc.collect()
    gc.freeze()
    gc.enable()
