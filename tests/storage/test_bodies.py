"""The one database API: every body given to ``Database.run``/``Database.read`` awaits nothing but the
database (read from the source, transitively: ``tests/kit/bodies.py`` over ``tests/kit/body_index.py``),
reads cannot write, and the driver's errors reach the product as its own ``StorageError``."""

from __future__ import annotations

import ast
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.config.settings import Settings
from common.errors import ConstraintError, DatabaseBusy, StorageError
from storage.db import Database
from storage.invites import InvitesRepo
from storage.sync import SyncConnection
from tests.kit import bodies, body_index

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def product() -> body_index.Index:
    """The product's source, read once for the module's tests (which only read it), then let go: its syntax
    trees are some 300,000 objects every later garbage collection would walk again."""
    return body_index.build()


def test_every_body_in_the_product_awaits_nothing_but_the_database(product: body_index.Index) -> None:
    index = product
    found = list(body_index.bodies(index))
    assert len(found) >= 40, f"the checker found only {len(found)} bodies: has the way they are given changed?"
    checker = bodies.Checker(index)
    problems = [f"{module}:{line}: {p}" for module, line, body, at in found for p in checker.body(body, at)]
    assert not problems, "bodies of Database.run/read awaiting something else:\n" + "\n".join(problems)
    assert len(checker.done) >= 200, "the checker followed too few functions: it no longer reads what bodies await"


FAKE_REPO = """
class ThingsRepo:
    def __init__(self, conn):
        self.conn = conn

    async def add(self, name):
        await self.conn.execute("INSERT INTO things (name) VALUES (?)", (name,))
"""

FAKE_FEATURE = """
import asyncio

from storage.things import ThingsRepo


async def tell_later(tx):
    await asyncio.sleep(1)


class Feature:
    async def good(self, db):
        async def body(tx):
            await ThingsRepo(tx).add("a")
        await db.run(body)
        await db.read(lambda tx: ThingsRepo(tx).add("b"))

    async def sleeps(self, db):
        async def body(tx):
            await ThingsRepo(tx).add("a")
            await asyncio.sleep(0)
        await db.run(body)

    async def through_a_helper(self, db):
        async def body(tx):
            await tell_later(tx)
        await self._db.run(body)

    async def sends(self, db):
        async def body(tx):
            await self.lane.submit("hello")
        await db.run(body)

    async def holds_a_lock(self, db):
        async def body(tx):
            async with self.lock:
                await ThingsRepo(tx).add("a")
        await db.run(body)

    async def makes_a_task(self, db):
        async def body(tx):
            self.loop.create_task(tell_later(tx))
        await db.run(body)
"""


def test_the_checker_refuses_a_body_that_awaits_anything_else() -> None:
    index = body_index.build(sources={"storage.things": FAKE_REPO, "bot.feature": FAKE_FEATURE})
    checker = bodies.Checker(index)
    verdicts = {}
    for _, line, body, at in body_index.bodies(index):
        verdicts[(at.enclosing[0].name, line)] = checker.body(body, at)
    by_method: dict[str, list[str]] = {}
    for (method, _), problems in verdicts.items():
        by_method.setdefault(method, []).extend(problems)
    assert by_method["good"] == []
    for method in ("sleeps", "through_a_helper", "sends", "holds_a_lock", "makes_a_task"):
        assert by_method[method], f"{method}: a body that does more than the database passed"
    assert any("asyncio" in p for p in by_method["through_a_helper"]), "followed into the helper"
    assert any("lane.submit" in p for p in by_method["sends"])
    assert any("async with" in p for p in by_method["holds_a_lock"])
    assert any("create_task" in p for p in by_method["makes_a_task"])


async def test_a_read_cannot_write(db: Database) -> None:
    async def writes(tx: SyncConnection) -> None:
        await InvitesRepo(tx).create("x" * 20, role="crew", crew=None, created_by="t", now=NOW, expires_at=NOW)

    with pytest.raises(StorageError) as caught:
        await db.read(writes)
    assert not isinstance(caught.value, sqlite3.Error)
    assert await db.scalar("SELECT COUNT(*) FROM invites") == 0
    await db.run(writes)  # and the connection writes again after it
    assert await db.read(lambda tx: InvitesRepo(tx).all()) != []


async def test_a_broken_constraint_reaches_the_product_as_its_own_error(db: Database) -> None:
    async def invite(tx: SyncConnection) -> int:
        later = NOW + timedelta(days=1)
        return await InvitesRepo(tx).create(
            "same-code-1234", role="crew", crew=None, created_by="t", now=NOW, expires_at=later
        )

    await db.run(invite)
    with pytest.raises(ConstraintError) as caught:
        await db.run(invite)
    assert isinstance(caught.value, StorageError) and not isinstance(caught.value, sqlite3.Error)
    cause = caught.value.__cause__
    assert cause is not None and not isinstance(cause, StorageError), "the driver's error kept as the cause"
    assert isinstance(cause, sqlite3.IntegrityError) or db.engine == "postgresql"


@pytest.mark.sqlite_only("another process's write lock on the file (PostgreSQL's: tests/storage/test_postgres.py)")
async def test_a_locked_database_reaches_the_product_as_its_own_error(db: Database, settings: Settings) -> None:
    await db.fetchall("PRAGMA busy_timeout=50")  # not the bot's 5 s: the test waits for the timeout once
    other = sqlite3.connect(settings.storage.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        with pytest.raises(DatabaseBusy) as caught:
            await db.run(lambda tx: InvitesRepo(tx).all())
        assert not isinstance(caught.value, sqlite3.Error)
        other.execute("ROLLBACK")
    finally:
        other.close()
    assert await db.run(lambda tx: InvitesRepo(tx).all()) == []


def test_the_index_holds_every_node_as_ast_walk_gives_them(product: body_index.Index) -> None:
    """The checks read each module's nodes from the index (walked once when it is built): the nodes ``ast.walk``
    gives, in its order (every tenth module of the product compared)."""
    for module in list(product.trees)[::10]:
        assert product.nodes[module] == list(ast.walk(product.trees[module])), module


def test_outside_storage_the_product_has_only_run_and_read(product: body_index.Index) -> None:
    """No raw connection, lock or statement-by-statement transaction of a Database outside storage/, and no
    driver (its errors arrive as ``StorageError``)."""
    index = product
    found = []
    for module, nodes in index.nodes.items():
        if module.startswith("storage."):
            continue
        for node in nodes:
            if isinstance(node, ast.Attribute) and node.attr in ("conn", "lock", "_transaction", "transaction"):
                if body_index.is_database(node.value):
                    found.append(f"{module}:{node.lineno}: {ast.unparse(node)}")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                found += [f"{module}:{node.lineno}: imports {n}" for n in names if n in ("sqlite3", "aiosqlite")]
    assert not found, "outside storage/, use Database.run / Database.read:\n" + "\n".join(found)
