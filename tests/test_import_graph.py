"""The import graph of bot/, common/, handlers/, channels/, storage/ and sandbox/: no cycle between modules,
storage/ imports nothing of bot/ (common/ nothing of ours), handlers/ read staff through bot/people, and the core
does not import the Bot API sandbox (a tool beside it, not part of it).

Every ``import`` and ``from ... import`` counts, wherever it is written: at the top of a module, inside a function
(a function-level import that closes a cycle only hides it), under ``if TYPE_CHECKING:`` (the type checker still
needs the other module, and a cycle there is a layering mistake all the same). ``from pkg import name`` counts as an
import of ``pkg.name`` when that is a module, else of ``pkg``. A package's ``__init__`` is a module like any other.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

from tests.kit import syntax

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "common", "handlers", "channels", "storage", "sandbox")
# Where the sandbox is the point: ``hotline demo`` runs the bot against it
SANDBOX_ALLOWED = ("bot.cli.demo", "bot.cli.demo_wechat", "bot.cli.demo_wecom")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


@functools.cache  # read-only for the tests: each module is parsed once per run, for every check below
def imports_of(path: Path) -> tuple[list[ast.Import | ast.ImportFrom], list[ast.Import | ast.ImportFrom]]:
    """The module's imports at any depth, and those of them that run when it is imported."""
    tree = syntax.parsed(path)
    return list(syntax.imports(tree)), list(syntax.imports(tree, at_import=True))


def imported(name: str, path: Path, known: dict[str, Path], *, at_import: bool = False) -> Iterator[tuple[str, int]]:
    """(module, line) for every import of ours in the module, at any depth of its syntax tree (or only those that
    run when it is imported: ``at_import``)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    every, on_import = imports_of(path)
    for node in on_import if at_import else every:
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = alias.name
                while target and target not in known:
                    target = target.rpartition(".")[0]
                if target:
                    yield target, node.lineno
        else:
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module or ""
            for alias in node.names:
                if f"{source}.{alias.name}" in known:
                    yield f"{source}.{alias.name}", node.lineno
                elif source in known:
                    yield source, node.lineno


@functools.cache  # read-only for the tests: the source is read once per run
def graph() -> dict[str, dict[str, int]]:
    known = modules()
    edges: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        edges[name] = {}
        for target, line in imported(name, path, known):
            if target != name:
                edges[name].setdefault(target, line)
    return edges


def cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in edges[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def layers(edges: dict[str, dict[str, int]]) -> dict[str, int]:
    """A module's layer: 0 when it imports none of ours, else one more than the highest layer it imports."""
    depth: dict[str, int] = {}

    def layer(node: str) -> int:
        if node not in depth:
            depth[node] = 0  # no cycle (checked first): this is never read before it is set below
            depth[node] = 1 + max((layer(other) for other in edges[node]), default=-1)
        return depth[node]

    for node in edges:
        layer(node)
    return depth


def test_the_walk_sees_function_level_type_checking_and_relative_imports(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import typing\nif typing.TYPE_CHECKING:\n    from bot import clock\n"
        "def f():\n    from .loop import run_loop\n",
        "utf-8",
    )
    known = {name: ROOT / "unused" for name in ("bot", "bot.clock", "bot.loop")}
    assert {target for target, _ in imported("bot.probe", probe, known)} == {"bot.clock", "bot.loop"}
    assert {target for target, _ in imported("bot.probe", probe, known, at_import=True)} == set()


def started_with(module: str) -> dict[str, list[str]]:
    """Every library a module's import brings in (through ours, only the imports that run on import): name ->
    where ("module:line")."""
    known = modules()
    found: dict[str, list[str]] = {}
    seen: set[str] = set()
    todo = [module]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        _, on_import = imports_of(known[name])
        for node in on_import:
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                names = [node.module or ""] if node.level == 0 else []  # a relative import is one of ours
            for library in {n.split(".")[0] for n in names if n}:
                found.setdefault(library, []).append(f"{name}:{node.lineno}")
        todo += [target for target, _ in imported(name, known[name], known, at_import=True)]
    return found


def test_a_command_starts_without_the_report_and_workbook_libraries() -> None:
    """`hotline` imports every command's module: matplotlib, WeasyPrint and openpyxl (with numpy), some 1.5 s of
    imports, are for the commands that make a report or read a workbook, imported where those run."""
    found = started_with("bot.cli.main")
    assert "aiohttp" in found and "pydantic" in found  # the walk reaches the libraries every command needs
    heavy = {
        library: found[library] for library in ("matplotlib", "weasyprint", "openpyxl", "numpy") if library in found
    }
    assert not heavy, heavy


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b": 1}, "b": {}}) == []


def test_no_import_cycle() -> None:
    edges = graph()
    found = cycles(edges)
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)
    depth = layers(edges)
    print(
        f"{len(edges)} modules on {max(depth.values()) + 1} layers, mean layer {sum(depth.values()) / len(depth):.1f}"
    )


def imports_across(source: str, allowed: tuple[str, ...]) -> list[str]:
    """``module:line imports target`` for every import from package ``source`` of one of ours not in ``allowed``."""
    return [
        f"{module}:{line} imports {target}"
        for module, targets in graph().items()
        if module.split(".")[0] == source
        for target, line in targets.items()
        if target.split(".")[0] not in allowed
    ]


def test_storage_imports_nothing_of_bot() -> None:
    bad = imports_across("storage", ("storage", "common"))
    assert not bad, "\n".join(bad)


def test_common_imports_nothing_of_ours() -> None:
    bad = imports_across("common", ("common",))
    assert not bad, "\n".join(bad)


def test_the_core_does_not_import_the_sandbox() -> None:
    bad = [
        f"{module}:{line} imports {target}"
        for module, targets in graph().items()
        if module.split(".")[0] != "sandbox" and module not in SANDBOX_ALLOWED
        for target, line in targets.items()
        if target.split(".")[0] == "sandbox"
    ]
    assert not bad, "\n".join(bad)


def test_handlers_read_people_through_the_people_package() -> None:
    bad = [
        f"{m} imports {t}"
        for m, ts in graph().items()
        if m.startswith("handlers.")
        for t in ts
        if t == "storage.people"
    ]
    assert not bad, "\n".join(bad)
