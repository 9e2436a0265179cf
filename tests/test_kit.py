"""The tests' own layout: shared fixtures and helpers live in tests/kit/ and nowhere else. A test module imports
no other test module (only tests.kit), tests/kit/ imports nothing of the tests outside it, every other file under
tests/ is a test module, a conftest.py or a package's __init__, and the shared fixtures are defined once."""

from __future__ import annotations

import ast
import functools
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.kit import markers, memory, syntax

TESTS = Path(__file__).resolve().parent
KIT = TESTS / "kit"
SHARED = ("settings_dict", "sandbox", "staff_sandbox", "report_leak", "fill_leak_form")  # each defined once


def imports_of_tests(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """(module, line) for every import of tests.* in the file, at any depth (function-level ones too)."""
    for node in syntax.imports(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif node.level == 0 and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            names = [f"<relative>.{node.module}"]
        for name in names:
            if name == "tests" or name.startswith(("tests.", "<relative>")):
                yield name, node.lineno


@functools.cache  # what the checks below read of each file under tests/, from one parse of it
def layout() -> dict[Path, tuple[list[tuple[str, int]], set[str]]]:
    """Each file's imports of tests.* and the functions it defines at its top level."""
    found = {}
    for path in sorted(TESTS.rglob("*.py")):
        tree = syntax.parsed(path)
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
        found[path] = (list(imports_of_tests(tree)), defined)
    return found


def in_kit(name: str) -> bool:
    return name.startswith("tests.kit.") or name == "tests.kit"


def test_test_modules_import_only_the_kit() -> None:
    wrong = [
        f"{path.relative_to(TESTS)}:{line} imports {name}"
        for path, (imports, _) in layout().items()
        for name, line in imports
        if not in_kit(name)
    ]
    assert not wrong, "shared helpers belong in tests/kit/:\n" + "\n".join(wrong)


def test_only_the_kit_holds_helpers() -> None:
    helpers = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("*.py"))
        if KIT not in path.parents
        and not path.name.startswith("test_")
        and path.name not in ("conftest.py", "__init__.py")
    ]
    assert not helpers, f"move these to tests/kit/: {helpers}"


def test_the_shared_fixtures_and_helpers_are_defined_once() -> None:
    where: dict[str, list[str]] = {name: [] for name in SHARED}
    for path, (_, defined) in layout().items():
        for name in defined & where.keys():
            where[name].append(str(path.relative_to(TESTS)))
    assert {name: places for name, places in where.items() if len(places) > 1} == {}


def test_the_rule_catches_an_import_of_another_test_module(tmp_path: Path) -> None:
    module = tmp_path / "test_x.py"
    module.write_text(
        "from tests.kit.people import RESIDENT\n\ndef f() -> None:\n    from tests.core.test_leak_report import x\n",
        encoding="utf-8",
    )
    assert [name for name, _ in imports_of_tests(syntax.parsed(module)) if not in_kit(name)] == [
        "tests.core.test_leak_report.x"
    ]


@pytest.mark.parametrize(
    ("markexpr", "mark", "left_out"),
    [
        ("not slow and not e2e and not reliability", "e2e", True),  # make test-fast
        ("not slow and not e2e and not reliability", "reliability", True),
        ("not (e2e or reliability)", "e2e", True),
        ("not slow", "reliability", False),  # make test: a reliability test that is not slow runs
        ("slow", "reliability", False),  # make reliability
        ("not reliability or slow", "reliability", False),  # a slow one there still matches
        ("e2e", "reliability", False),  # one marked e2e as well would match
        ("people(zh=1)", "e2e", False),  # markers matched by their arguments: everything is collected
        ("not (", "e2e", False),  # malformed: pytest itself says so
    ],
)
def test_a_folder_is_left_uncollected_only_when_no_test_there_could_match(
    markexpr: str, mark: str, left_out: bool
) -> None:
    assert markers.excludes(markexpr, mark) is left_out


def test_the_xdist_controller_imports_nothing_of_the_product(pytestconfig: pytest.Config) -> None:
    """tests/conftest.py is all xdist's controller loads of ours: importing it brings in no product package and
    no database driver, and it loads the shared fixtures (which import the product) in the processes that run
    tests only. The controller starts before the workers, so what it imports is added to every run."""
    ours = ("bot", "storage", "sandbox", "handlers", "channels", "common", "asyncpg", "aiosqlite", "tests.kit.fixtures")
    code = "import sys, tests.conftest; print('\\n'.join(sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=TESTS.parent)
    assert not [m for m in loaded.stdout.split() if m.split(".")[0] in ours or m == ours[-1]]

    class Plugins:
        def __init__(self, names: set[str]) -> None:
            self.names, self.imported = names, []

        def hasplugin(self, name: str) -> bool:
            return name in self.names

        def import_plugin(self, name: str) -> None:
            self.imported.append(name)

    conftest = pytestconfig.pluginmanager.get_plugin(str(TESTS / "conftest.py"))
    assert conftest is not None
    for names, imported in (({"dsession"}, []), (set(), ["tests.kit.fixtures"])):
        config = SimpleNamespace(pluginmanager=Plugins(names))
        conftest.pytest_configure(config)
        assert config.pluginmanager.imported == imported


def test_temporary_files_go_to_memory_unless_tmpdir_names_a_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "SHM", tmp_path)  # room enough: it holds this test's own directory
    monkeypatch.setattr(tempfile, "tempdir", tempfile.tempdir)
    monkeypatch.setenv("TMPDIR", "/somewhere/chosen")
    assert memory.use_memory_for_temporary_files() is None
    assert os.environ["TMPDIR"] == "/somewhere/chosen"

    monkeypatch.delenv("TMPDIR")
    own = tmp_path / f"hotline-tests-{os.getuid()}"
    assert memory.use_memory_for_temporary_files() == str(own)
    assert os.environ["TMPDIR"] == str(own) and tempfile.gettempdir() == str(own)
    assert own.stat().st_mode & 0o777 == 0o700

    monkeypatch.delenv("TMPDIR")
    own.chmod(0o755)  # not private: the default stays
    assert memory.use_memory_for_temporary_files() is None and "TMPDIR" not in os.environ

    monkeypatch.setattr(memory, "SHM", tmp_path / "absent")
    assert memory.memory_dir() is None
