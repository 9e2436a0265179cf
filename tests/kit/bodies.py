"""Read every body the product gives ``Database.run``/``Database.read`` and everything it awaits, transitively,
and say where one awaits something other than the database (storage/db.py's docstring states the rule).

Static, over the source: a body is an ``async def`` (or a lambda, or ``functools.partial`` of one) passed to
``<db>.run(...)``/``<db>.read(...)``. Inside it, and inside every product function it awaits, each ``await``
must be a call of the connection (``execute``, ``fetchall``, ...), or of a product coroutine that obeys the
same rule (a repository method, a helper taking the connection); ``async with``/``async for`` and any use of
``asyncio`` (a task, a sleep, the loop) are refused. An await the checker cannot resolve is refused too: a
body must be plain enough to be read.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator

from tests.kit.body_index import CONNECTION_CALLS, LOOP_CALLS, Func, Index, Where, bodies, own_nodes, where_of


class Checker:
    def __init__(self, index: Index) -> None:
        self.index = index
        self.done: dict[int, list[str]] = {}
        # what every module registers, the same wherever it is awaited: read once per checker
        self._registered: dict[str, list[tuple[Func, Where]] | None] = {}
        self._defined: dict[int, dict[str, Func]] = {}  # id(function) -> the functions defined inside it

    def body(self, expr: ast.expr, where: Where) -> list[str]:
        """What is wrong with one body given to ``run``/``read`` (empty: nothing)."""
        if isinstance(expr, ast.Lambda):
            if not isinstance(expr.body, ast.Call):
                return [f"a lambda body must return a call: {ast.unparse(expr)}"]
            return self.awaited(expr.body, where) + self.code(expr, where)
        if isinstance(expr, ast.Call) and ast.unparse(expr.func) in ("functools.partial", "partial") and expr.args:
            expr = expr.args[0]
        if isinstance(expr, ast.Name) and where.enclosing and (given := self.given(expr.id, where)) is not None:
            return [problem for arg, at in given for problem in self.body(arg, at)]
        found = self.resolve(expr, where)
        if found is None:
            return [f"cannot find the body {ast.unparse(expr)}"]
        return [problem for func, at in found for problem in self.function(func, at)]

    def given(self, name: str, where: Where) -> list[tuple[ast.expr, Where]] | None:
        """When ``name`` is a parameter of the function around: what each caller in its module passes."""
        func = where.enclosing[-1]
        params = [a.arg for a in func.args.args]
        if name not in params:
            return None
        position, tree = params.index(name), self.index.trees[where.module]
        passed = []
        for node in self.index.calls_and_assignments[where.module]:
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == func.name:
                arg = node.args[position] if position < len(node.args) else None
                arg = arg or next((k.value for k in node.keywords if k.arg == name), None)
                if arg is not None:
                    passed.append((arg, where_of(self.index, where.module, tree, node)))
        return passed

    def function(self, func: Func, where: Where) -> list[str]:
        if id(func) in self.done:
            return self.done[id(func)]
        self.done[id(func)] = []  # while in progress (recursion): assumed fine
        inner = Where(where.module, where.cls, (*where.enclosing, func))
        problems = [f"{where.module}.{func.name}: {p}" for p in self.code(func, inner)]
        self.done[id(func)] = problems
        return problems

    def code(self, func: Func | ast.Lambda, where: Where) -> list[str]:
        problems: list[str] = []
        for node in own_nodes(func):
            if isinstance(node, ast.AsyncWith | ast.AsyncFor):
                problems.append(f"line {node.lineno}: async with/for inside a body")
            elif isinstance(node, ast.Await):
                if not isinstance(node.value, ast.Call):
                    problems.append(f"line {node.lineno}: awaits {ast.unparse(node.value)}, not a call")
                else:
                    problems += self.awaited(node.value, where)
            elif isinstance(node, ast.Attribute) and node.attr in LOOP_CALLS:
                problems.append(f"line {node.lineno}: {ast.unparse(node)} touches the event loop")
            elif isinstance(node, ast.Name) and self.index.imports[where.module].get(node.id, "") == "asyncio":
                problems.append(f"line {node.lineno}: uses asyncio")
        return problems

    def awaited(self, call: ast.Call, where: Where) -> list[str]:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr in CONNECTION_CALLS:
            return []
        found = (
            self.routed(func, where)
            or self.resolve(func, where)
            or self.hooked(func, where)
            or self.tabled(func, where)
        )
        if not found:
            return [f"line {call.lineno}: awaits {ast.unparse(func)}, which is not a database call it can find"]
        return [problem for target, at in found for problem in self.function(target, at)]

    def resolve(self, expr: ast.expr, where: Where) -> list[tuple[Func, Where]] | None:
        """The product's function(s) ``expr`` names, or None."""
        index = self.index
        if isinstance(expr, ast.Name):
            for outer in reversed(where.enclosing):
                if (node := self._defined_in(outer).get(expr.id)) is not None:
                    return [(node, index.where[id(node)])]
            local = index.functions.get(f"{where.module}.{expr.id}")
            if local:
                return [local]
            target = index.imports[where.module].get(expr.id)
            return [index.functions[target]] if target in index.functions else None
        if isinstance(expr, ast.Attribute):
            base = expr.value
            if isinstance(base, ast.Name) and base.id in index.imports[where.module]:
                module = index.imports[where.module][base.id]
                target = f"{module}.{expr.attr}"
                if target in index.functions:
                    return [index.functions[target]]
                if module in index.trees:  # a name the module imported from another (a re-export), or nothing
                    again = index.imports[module].get(expr.attr)
                    return [index.functions[again]] if again in index.functions else None
            if isinstance(base, ast.Name) and base.id in ("self", "cls") and where.cls:
                method = index.functions.get(f"{where.module}.{where.cls}.{expr.attr}")
                if method:
                    return [method]
            made = self.resolve_class(base.func, where) if isinstance(base, ast.Call) else self.typed(base, where)
            if made:
                method = index.functions.get(f"{made}.{expr.attr}")
                return [method] if method else None
            # an object of a type the source does not say: a repository's method of that name (storage/)
            return [m for m in index.methods.get(expr.attr, []) if m[1].module.startswith("storage.")] or None
        return None

    def _defined_in(self, outer: Func) -> dict[str, Func]:
        """The functions defined at any depth inside ``outer``, by name: the first of a name in ``ast.walk``'s
        order (walked once per function, not at each name looked up)."""
        if id(outer) not in self._defined:
            found: dict[str, Func] = {}
            for node in ast.walk(outer):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node is not outer:
                    found.setdefault(node.name, node)
            self._defined[id(outer)] = found
        return self._defined[id(outer)]

    def _calls_and_assignments(self) -> Iterator[tuple[str, ast.Call | ast.Assign]]:
        """Every call and assignment in the product (where registries are filled), as the index holds them."""
        for module, nodes in self.index.calls_and_assignments.items():
            for node in nodes:
                yield module, node

    def hooked(self, func: ast.expr, where: Where) -> list[tuple[Func, Where]] | None:
        """A function taken from a registry of ``bot.dispatch.hooks`` (``for joined in hooks.x``, ``hooks.x.get``):
        every function any module registers there (``hooks.x.append(f)``, ``hooks.x[key] = f``)."""
        if not isinstance(func, ast.Name):
            return None
        registry = None
        for outer in where.enclosing:
            for node in ast.walk(outer):
                source = None
                if isinstance(node, ast.For) and isinstance(node.target, ast.Name) and node.target.id == func.id:
                    source = node.iter
                elif isinstance(node, ast.NamedExpr) and node.target.id == func.id:
                    source = node.value.func.value if isinstance(node.value, ast.Call) else node.value
                    source = source.value if isinstance(source, ast.Attribute) and source.attr == "get" else source
                if isinstance(source, ast.Attribute) and ast.unparse(source.value) == "hooks":
                    registry = source.attr
        if registry is None:
            return None
        if registry not in self._registered:
            self._registered[registry] = self._hooks(registry)
        return self._registered[registry]

    def _hooks(self, registry: str) -> list[tuple[Func, Where]] | None:
        found: list[tuple[Func, Where]] = []
        for module, node in self._calls_and_assignments():
            registered = None
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "append"
                and ast.unparse(node.func) == f"hooks.{registry}.append"
            ):
                registered = node.args[0]
            elif (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Subscript)
                and ast.unparse(node.targets[0].value) == f"hooks.{registry}"
            ):
                registered = node.value
            if registered is not None:
                hook = self.resolve(registered, Where(module, None, ()))
                if hook is None:
                    return None
                found += hook
        return found or None

    def routed(self, func: ast.expr, where: Where) -> list[tuple[Func, Where]] | None:
        """``self.routes.handle(route, ctx)`` (bot/routes.py): every handler any feature registers on its router
        (``ROUTES.command(name, handler, ...)``, ``.menu``, ``.flow``, ``.prefix``, ``.button(codec, handler, ...)``
        and a button's ``unreadable=``), since the route is chosen at run time."""
        if not (
            isinstance(func, ast.Attribute) and func.attr == "handle" and ast.unparse(func.value).endswith("routes")
        ):
            return None
        return self._handlers

    @functools.cached_property
    def _handlers(self) -> list[tuple[Func, Where]] | None:
        found: list[tuple[Func, Where]] = []
        for module, node in self._calls_and_assignments():
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("command", "menu", "flow", "prefix", "button")
                and ast.unparse(node.func.value) == "ROUTES"
            ):
                continue
            handlers = [node.args[1]] if len(node.args) > 1 else []
            handlers += [k.value for k in node.keywords if k.arg in ("handler", "unreadable")]
            for handler in handlers:
                target = self.resolve(handler, Where(module, None, ()))
                if target is None:
                    return None
                found += target
        return found or None

    def tabled(self, func: ast.expr, where: Where) -> list[tuple[Func, Where]] | None:
        """A handler from a table the core joins from every feature (``self.flows = _joined("FLOWS")``, read as
        ``self.flows[key]``, ``self.commands.get(key)`` or ``self.buttons.items()``): every handler in any
        module's ``FLOWS = {...}``."""
        if not where.cls:
            return None
        attribute = func.value if isinstance(func, ast.Subscript) else None
        if isinstance(func, ast.Name):  # handler = self.commands.get(...), for prefix, handler in self.buttons.items()
            for node in ast.walk(where.enclosing[-1]):
                if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == func.id:
                    source = node.value
                elif isinstance(node, ast.For) and func.id in ast.unparse(node.target):
                    source = node.iter
                else:
                    continue
                if isinstance(source, ast.Call) and isinstance(source.func, ast.Attribute):
                    attribute = source.func.value
        if not isinstance(attribute, ast.Attribute):
            return None
        table = None
        for node in self.index.calls_and_assignments[where.module]:
            if (
                isinstance(node, ast.Assign)
                and ast.unparse(node.targets[0]) == ast.unparse(attribute)
                and isinstance(node.value, ast.Call)
                and node.value.args
                and isinstance(node.value.args[0], ast.Constant)
            ):
                table = node.value.args[0].value
        if not isinstance(table, str):
            return None
        found: list[tuple[Func, Where]] = []
        for module, tree in self.index.trees.items():
            for node in tree.body:
                target = node.target if isinstance(node, ast.AnnAssign) else None
                target = node.targets[0] if isinstance(node, ast.Assign) else target
                if target is not None and ast.unparse(target) == table:
                    if isinstance(node.value, ast.Tuple):
                        continue  # the operator's CLI names its subcommands so: not a table of handlers
                    if not isinstance(node.value, ast.Dict):
                        return None  # a table the checker cannot read: refused
                    for value in node.value.values:
                        handler = self.resolve(value, Where(module, None, ())) if value is not None else None
                        if handler is None:
                            return None
                        found += handler
        return found or None

    def typed(self, base: ast.expr, where: Where) -> str | None:
        """The class of a local (``x = Cls(...)``, ``x: Cls``) or of a field (``self.x: Cls``), when the source
        says it plainly."""
        if isinstance(base, ast.Name):
            for outer in reversed(where.enclosing):
                for node in ast.walk(outer):
                    if (
                        isinstance(node, ast.Assign)
                        and ast.unparse(node.targets[0]) == base.id
                        and isinstance(node.value, ast.Call)
                        and (cls := self.resolve_class(node.value.func, where))
                    ):
                        return cls
                    if isinstance(node, ast.arg) and node.arg == base.id and node.annotation is not None:
                        return self.resolve_class(node.annotation, where)
        if isinstance(base, ast.Attribute) and ast.unparse(base.value) == "self" and where.cls:
            tree = self.index.trees[where.module]
            for cls in (n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == where.cls):
                for node in ast.walk(cls):
                    if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) in (base.attr, f"self.{base.attr}"):
                        return self.resolve_class(node.annotation, where)
        return None

    def resolve_class(self, expr: ast.expr, where: Where) -> str | None:
        """The qualified name of the product's class ``expr`` names (``OutboxRepo`` in ``OutboxRepo(tx).add``)."""
        if not isinstance(expr, ast.Name):
            return None
        for name in (f"{where.module}.{expr.id}", self.index.imports[where.module].get(expr.id, "")):
            module, _, cls = name.rpartition(".")
            tree = self.index.trees.get(module)
            if tree and any(isinstance(n, ast.ClassDef) and n.name == cls for n in tree.body):
                return name
        return None


def problems(index: Index) -> list[str]:
    checker = Checker(index)
    found: list[str] = []
    for module, line, body, where in bodies(index):
        found += [f"{module}:{line}: {problem}" for problem in checker.body(body, where)]
    return found
