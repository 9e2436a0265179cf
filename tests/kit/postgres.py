"""A real PostgreSQL server for the tests: ``initdb`` into a temporary directory, listening on 127.0.0.1 on a free
port, run as an unprivileged user when the suite runs as root (CI), stopped and removed after.

``HOTLINE_TEST_DB=postgres`` runs the whole suite's database on it: every ``settings_dict`` gets a fresh database
(``CREATE DATABASE ... TEMPLATE``, the template migrated once), the same one for the same SQLite path so a
restarted bot finds its rows. Without the server binaries (Debian: postgresql) the tests that need it skip with
one line naming the package.

The server's files are in memory (``/dev/shm``) where the machine has room there: a new database is a copy of
some 300 files, which on a disk took 0.1-0.5 s of the server's time each, in memory 15 ms. The databases a test
module made are dropped when its last test is over (tests/conftest.py), so memory holds one module's at most."""

from __future__ import annotations

import asyncio
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg

from sandbox.ports import free_port
from storage.postgres.connection import setup
from storage.postgres.database import PostgresDatabase
from storage.postgres.sql import numbered
from tests.kit.memory import memory_dir

T = TypeVar("T")

MISSING = "PostgreSQL's server is not installed (Debian: apt-get install postgresql)"
TEMPLATE = "hotline_template"


def bin_dir() -> Path | None:
    """Debian's newest ``/usr/lib/postgresql/N/bin`` (or the directory of an ``initdb`` on PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def wanted() -> bool:
    """Whether the suite's database is PostgreSQL (``HOTLINE_TEST_DB=postgres``)."""
    return os.environ.get("HOTLINE_TEST_DB", "sqlite") in ("postgres", "postgresql")


class Server:
    """One server: ``url(name)`` of a database on it; ``new_database()`` a fresh, migrated one."""

    def __init__(self, root: Path, port: int, bindir: Path, user: str | None) -> None:
        self.root, self.port, self.bindir, self.user = root, port, bindir, user
        self._count = 0
        self._by_key: dict[str, str] = {}
        self._made: list[str] = []  # the databases made since the last drop_made()
        self._template_ready = False

    def url(self, name: str = "postgres") -> str:
        return f"postgresql://hotline@127.0.0.1:{self.port}/{name}"

    @classmethod
    def start(cls) -> Server:
        bindir = bin_dir()
        if bindir is None:
            raise FileNotFoundError(MISSING)
        root = Path(tempfile.mkdtemp(prefix="hotline-pg-", dir=memory_dir()))
        user = None
        if os.geteuid() == 0:  # the server refuses to run as root: the unprivileged user owns its files
            user = "nobody"
            entry = pwd.getpwnam(user)
            os.chown(root, entry.pw_uid, entry.pw_gid)
        data = root / "data"
        _run([str(bindir / "initdb"), "-D", str(data), "-U", "hotline", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"], user)  # fmt: skip
        for _ in range(5):
            port = free_port()
            server = cls(root, port, bindir, user)
            options = (
                f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='{root}' -c fsync=off"
                " -c full_page_writes=off -c max_connections=300 -c shared_buffers=32MB"
            )
            log = root / "server.log"
            result = _run([str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"],
                          user, check=False)  # fmt: skip
            if result.returncode == 0:
                return server
        raise RuntimeError(f"PostgreSQL did not start: {(root / 'server.log').read_text(errors='replace')[-2000:]}")

    def stop(self) -> None:
        _run([str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"], self.user,
             check=False)  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)

    def new_database(self, key: str | None = None) -> str:
        """The URL of a fresh database with the schema applied (the same one again for the same ``key``)."""
        if key is not None and key in self._by_key:
            return self._by_key[key]
        if not self._template_ready:
            _sync(self._make_template())
            self._template_ready = True
        self._count += 1
        name = f"t{os.getpid()}_{self._count}"
        _sync(self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY FILE_COPY"))
        self._made.append(name)
        url = self.url(name)
        if key is not None:
            self._by_key[key] = url
        return url

    def fresh_database(self) -> str:
        """The name of a new, empty database (no schema yet)."""
        self._count += 1
        name = f"e{os.getpid()}_{self._count}"
        _sync(self._admin(f"CREATE DATABASE {name}"))
        self._made.append(name)
        return name

    def drop_made(self) -> None:
        """Drop every database made since the last call (their sessions ended first), and forget their keys."""
        made, self._made, self._by_key = self._made, [], {}
        if made:
            _sync(self._admin(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in made)))

    async def _make_template(self) -> None:
        await self._admin(f"CREATE DATABASE {TEMPLATE}")
        db = await PostgresDatabase.connect(self.url(TEMPLATE), max_size=1)
        await db.close()

    async def _admin(self, *statements: str) -> None:
        conn = await asyncpg.connect(self.url())
        try:
            for sql in statements:
                await conn.execute(sql)
        finally:
            await conn.close()


def _run(argv: list[str], user: str | None, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, user=user, capture_output=True, text=True, check=check, cwd="/", timeout=120)


_server: Server | None = None


def drop_made() -> None:
    """Drop the databases made since the last call, if the server was started."""
    if _server is not None:
        _server.drop_made()


def server() -> Server:
    """The session's server, started on first use and stopped at exit."""
    global _server
    if _server is None:
        _server = Server.start()
        import atexit

        atexit.register(_server.stop)
    return _server


def _sync(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` to its end from plain code, even inside a test's running event loop (in a thread of its own)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def query(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows of one statement (``?`` placeholders) on the database at ``url``, as tuples."""

    async def fetch() -> list[tuple[object, ...]]:
        conn = await asyncpg.connect(url)
        try:
            await setup(conn)
            return [tuple(row) for row in await conn.fetch(numbered(sql), *params)]
        finally:
            await conn.close()

    return _sync(fetch())
