"""The suite's environment and markers; shared fixtures: tests/kit/fixtures.py (a plugin); helpers: tests/kit/."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kit import markers, memory

# PTB 22 gives retry_after as a timedelta only when asked to; the old int form warns (and warnings fail).
os.environ["PTB_TIMEDELTA"] = "true"
# The suite reads the `hotline` command's English messages whatever the machine's locale (bot/cli/text.py);
# tests/bot/cli/test_cli_lang.py sets its own. LC_MESSAGES changes no character handling, and LC_ALL would win over it.
os.environ.pop("LC_ALL", None)
os.environ["LC_MESSAGES"] = "en_US.UTF-8"

# Every temporary file of the run (tmp_path, the databases, the processes the tests start) in memory where there is
# room: some 5 % less time than on the disk, whose journal each file's creation and removal goes through.
memory.use_memory_for_temporary_files()

# Collection imports the product and the tests: objects that live to the end, which the garbage collector would
# walk again and again as they pile up (~2 s a process). It runs again, and freezes them, once collection is done.
gc.disable()

TESTS = Path(__file__).parent


@pytest.hookimpl(trylast=True)  # after xdist's, which registers its controller ("dsession")
def pytest_configure(config: pytest.Config) -> None:
    """The shared fixtures (tests/kit/fixtures.py) import the product, ~1 s of CPU: every process that runs tests
    loads them, but not xdist's controller, which only hands tests out and prints their results. It starts before
    the workers do, so its start-up is added to every run."""
    if not config.pluginmanager.hasplugin("dsession"):
        config.pluginmanager.import_plugin("tests.kit.fixtures")


# Suites that run the whole bot against the sandbox or a browser: `pytest -m "not e2e and not reliability"`
# (make test-fast) is the inner loop; `make test` runs everything.
_MARK_BY_FOLDER = {"e2e": "e2e", "reliability": "reliability"}
_MARK_BY_FILE = {"test_browser.py": "e2e", "test_sdnotify.py": "e2e", "test_process.py": "e2e"}


def _mark_of(path: Path) -> str | None:
    """The marker every test under ``path`` carries by where it is (its folder or its file name), if any."""
    parts = path.relative_to(TESTS).parts if path.is_relative_to(TESTS) else ()
    if parts and parts[0] in _MARK_BY_FOLDER:
        return _MARK_BY_FOLDER[parts[0]]
    return _MARK_BY_FILE.get(path.name)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """A folder or file whose marker the ``-m`` expression excludes whatever other markers a test has is not
    imported at all (each worker of `make test-fast` would import it only to deselect it)."""
    mark = _mark_of(collection_path)
    if mark is None or not config.option.markexpr:
        return None
    return True if markers.excludes(config.option.markexpr, mark) else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.kit import postgres  # here and below: imports the database drivers, which the controller never needs

    on_postgres = postgres.wanted()
    for item in items:
        only = item.get_closest_marker("sqlite_only")
        if on_postgres and only is not None:
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {only.args[0] if only.args else ''}"))
        mark = _mark_of(item.path)
        if mark is not None:
            item.add_marker(mark)
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After a module's last test (its module-scoped fixtures are gone by then) the databases it made on the test
    PostgreSQL server are dropped: on PostgreSQL (``HOTLINE_TEST_DB=postgres``) every test makes one."""
    yield
    if nextitem is None or getattr(nextitem, "module", None) is not getattr(item, "module", None):
        from tests.kit import postgres

        postgres.drop_made()
