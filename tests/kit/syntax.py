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


def statements(tree: ast.AST) -> Iterator[ast.stmt]:
    """Every statement at any depth, in source order (function and class bodies, branches, handlers, match cases),
    without walking expressions: an import or a definition is always a statement, and a module has some ten times
    more expression nodes than statements."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.stmt):
            yield node
        blocks = [
            child
            for name in node._fields
            if isinstance(value := getattr(node, name, None), list)
            for child in value
            if isinstance(child, ast.stmt | ast.ExceptHandler | ast.match_case)
        ]
        stack.extend(reversed(blocks))


def imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every ``import`` and ``from ... import`` at any depth (inside functions and ``if TYPE_CHECKING:`` too)."""
    for node in statements(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
