"""The index the body checker (``tests.kit.bodies``) reads: every function of the product's packages with where
it is, each module's imports, and every body given to ``<db>.run``/``<db>.read``."""

from __future__ import annotations

import ast
import gc
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.kit import syntax

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage", "common")
CONNECTION_CALLS = frozenset({"execute", "executemany", "execute_fetchall", "fetchone", "fetchall", "close"})
LOOP_CALLS = frozenset({"create_task", "ensure_future", "call_soon", "call_later", "get_running_loop", "to_thread"})
DATABASE_NAMES = frozenset(
    {"db", "_db", "database", "reader", "writer"}
)  # the board: a read-only Database and one that writes
NOT_BODIES = frozenset({"storage.db", "storage.grouped", "storage.sync"})  # the machinery that runs bodies is not one

Func = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass(frozen=True)
class Where:
    module: str
    cls: str | None
    enclosing: tuple[Func, ...]  # the functions around it, innermost last


@dataclass
class Index:
    trees: dict[str, ast.Module] = field(default_factory=dict)
    imports: dict[str, dict[str, str]] = field(default_factory=dict)  # module -> local name -> qualified name
    functions: dict[str, tuple[Func, Where]] = field(default_factory=dict)  # qualified name -> def
    methods: dict[str, list[tuple[Func, Where]]] = field(default_factory=dict)  # async method name -> defs
    where: dict[int, Where] = field(default_factory=dict)  # id(def) -> where it is
    innermost: dict[str, dict[int, Func]] = field(default_factory=dict)  # module -> id(node) -> def around it
    # module -> every node of its tree, in ast.walk's order: one walk of each tree, that the checks read again
    nodes: dict[str, list[ast.AST]] = field(default_factory=dict)
    # module -> its calls and assignments, in that order: what the checks look up
    calls_and_assignments: dict[str, list[ast.Call | ast.Assign]] = field(default_factory=dict)


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def build(root: Path = ROOT, sources: dict[str, str] | None = None) -> Index:
    """The product's functions (or ``sources``: module name -> text, for the checker's own tests).

    The product's index is some 300,000 syntax nodes, all kept: collecting while they pile up finds nothing (~1 s),
    and once built they are frozen out of the collector's reach (``gc.freeze``, as tests/conftest.py does with what
    collection built), else the next collection of each generation walks them all again (~0.2 s). Garbage from
    before is collected first, so none is frozen with them; let go, the index is freed by reference counting (a
    syntax tree holds no cycles)."""
    whole = sources is None
    if whole:
        gc.collect()
    collecting = gc.isenabled()
    gc.disable()
    try:
        index = _build(root, sources)
        if whole:
            gc.freeze()
        return index
    finally:
        if collecting:
            gc.enable()


def _build(root: Path, sources: dict[str, str] | None) -> Index:
    index = Index()
    if sources is None:
        sources = {
            module_name(p, root): p.read_text("utf-8") for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))
        }
    for module, text in sources.items():
        tree = ast.parse(text)
        index.trees[module] = tree
        index.imports[module] = _imports(module, tree)
        index.nodes[module] = nodes = _walk(tree)
        index.calls_and_assignments[module] = [n for n in nodes if isinstance(n, ast.Call | ast.Assign)]
        _collect(index, module, tree.body, None, ())
    return index


def _walk(tree: ast.AST) -> list[ast.AST]:
    """``list(ast.walk(tree))``, the same nodes in the same order, in two thirds of the time (no generator per
    node)."""
    found: list[ast.AST] = []
    todo = deque([tree])
    while todo:
        node = todo.popleft()
        found.append(node)
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                todo.append(value)
            elif isinstance(value, list):
                todo.extend([item for item in value if isinstance(item, ast.AST)])
    return found


def _imports(module: str, tree: ast.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in syntax.imports(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
        elif node.module:
            base = node.module
            if node.level:
                base = ".".join(module.split(".")[: -node.level] + [node.module])
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _collect(index: Index, module: str, body: list[ast.stmt], cls: str | None, enclosing: tuple[Func, ...]) -> None:
    for node in body:
        if isinstance(node, ast.ClassDef) and not enclosing:
            _collect(index, module, node.body, node.name, ())
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            where = Where(module, cls, enclosing)
            index.where[id(node)] = where
            if not enclosing:
                qualified = f"{module}.{cls}.{node.name}" if cls else f"{module}.{node.name}"
                index.functions[qualified] = (node, where)
                if cls and isinstance(node, ast.AsyncFunctionDef):
                    index.methods.setdefault(node.name, []).append((node, where))
            for child in syntax.statements(node):
                if child is not node and isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                    index.where.setdefault(id(child), Where(module, cls, (*enclosing, node)))


def own_nodes(func: Func | ast.Lambda) -> Iterator[ast.AST]:
    """The nodes of ``func``'s own code (not of functions defined inside it)."""
    stack: list[ast.AST] = list(func.body) if isinstance(func.body, list) else [func.body]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
                stack.append(child)


def is_database(expr: ast.expr) -> bool:
    return (isinstance(expr, ast.Name) and expr.id in DATABASE_NAMES) or (
        isinstance(expr, ast.Attribute) and expr.attr in DATABASE_NAMES
    )


def bodies(index: Index) -> Iterator[tuple[str, int, ast.expr, Where]]:
    """(module, line, the body given, where the call is) for every ``<db>.run(body)``/``<db>.read(body)``."""
    for module, tree in index.trees.items():
        if module in NOT_BODIES:
            continue
        for node in index.calls_and_assignments[module]:
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("run", "read")
                and is_database(node.func.value)
                and node.args
            ):
                yield module, node.lineno, node.args[0], where_of(index, module, tree, node)


def where_of(index: Index, module: str, tree: ast.Module, target: ast.AST) -> Where:
    """Where the innermost function containing ``target`` is (its functions as the enclosing chain)."""
    if module not in index.innermost:
        index.innermost[module] = _innermost(index, tree)
    func = index.innermost[module].get(id(target))
    if func is None:
        return Where(module, None, ())
    where = index.where[id(func)]
    return Where(module, where.cls, (*where.enclosing, func))


def _innermost(index: Index, tree: ast.Module) -> dict[int, Func]:
    """id(node) -> the innermost indexed function around it (a function is around itself), from one walk."""
    found: dict[int, Func] = {}
    stack: list[tuple[ast.AST, Func | None]] = [(tree, None)]
    while stack:
        node, around = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and id(node) in index.where:
            around = node
        if around is not None:
            found[id(node)] = around
        stack.extend((child, around) for child in ast.iter_child_nodes(node))
    return found
