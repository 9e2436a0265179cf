"""Python files read as syntax trees, for the tests that check the code's shape (the import graph, the database
bodies, the tests' own layout), and a walk over their statements only."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path


def parsed(path: Path) -> ast.Module:
    """The file's tree (not kept: the trees of every file of the project take ~100 MB and some 700,000 objects the
    garbage collector would walk again and again; keep what is derived from them instead)."""
    return ast.parse(path.read_text("utf-8"), str(path))


def statements(tree: ast.AST, *, at_import: bool = False) -> Iterator[ast.stmt]:
    """Every statement at any depth, in source order (function and class bodies, branches, handlers, match cases),
    without walking expressions: an import or a definition is always a statement, and a module has some ten times
    more expression nodes than statements. ``at_import``: only those that run when the module is imported (not
    inside a function, not under ``if TYPE_CHECKING:``)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            yield node
        if at_import and (isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or _type_checking(node)):
            continue
        blocks = [
            child
            for name in node._fields
            if isinstance(value := getattr(node, name, None), list)
            for child in value
            if isinstance(child, ast.stmt | ast.ExceptHandler | ast.match_case)
        ]
        stack.extend(reversed(blocks))


def _type_checking(node: ast.AST) -> bool:
    if not isinstance(node, ast.If):
        return False
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(tree: ast.AST, *, at_import: bool = False) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every ``import`` and ``from ... import`` at any depth (inside functions and ``if TYPE_CHECKING:`` too), or
    only those that run when the module is imported (``at_import``)."""
    for node in statements(tree, at_import=at_import):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
