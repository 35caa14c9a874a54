"""Storage: one Piccolo engine per app, bound to the tables of the core and every enabled plugin.

SQLite (the embedded default) runs in WAL mode with writes serialised inside the process: every
write goes through :meth:`Database.transaction`, which takes an in-process lock and an IMMEDIATE
transaction, so concurrent requests queue instead of failing with "database is locked". PostgreSQL
gets a connection pool owned by the app's lifespan.
"""

from __future__ import annotations

import asyncio
import functools
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import asyncpg
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppConfig
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from core.kernel.settings import Settings

#: Piccolo's tooling (its CLI and migration manager) finds the engine through this module.
PICCOLO_CONF = "core.kernel.piccolo_conf"

_active: Database | None = None
#: Callbacks of the write transaction in progress, run once it committed (None outside one).
_after_commit: ContextVar[list[Callable[[], Awaitable[None]]] | None] = ContextVar(
    "quntuan_after_commit", default=None
)


async def after_commit(callback: Callable[[], Awaitable[None]]) -> None:
    """Await ``callback`` once the current write transaction has committed — at once outside one.

    For effects other processes must not see before the change itself (cache invalidation): a
    rolled-back transaction runs none of its callbacks.
    """
    pending = _after_commit.get()
    if pending is None:
        await callback()
    else:
        pending.append(callback)


def active_database() -> Database | None:
    """The database most recently bound in this process (what Piccolo's own tooling will use)."""
    return _active


@functools.lru_cache(maxsize=256)
def numbered(template: str) -> str:
    """A ``{}`` template with PostgreSQL's ``$1 … $n`` placeholders (templates differ by shape only)."""
    parts = template.split("{}")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], 1)) + parts[-1]


async def fetch(table: type[Table], template: str, args: Sequence[Any]) -> Sequence[Mapping[str, Any]]:
    """Rows of a hot read written as parameterised SQL text (``{}`` placeholders, values in ``args``).

    On PostgreSQL straight from asyncpg as records (prepared statements cached per connection) — on the
    connection of the transaction in progress, else from the pool — skipping Piccolo's per-call compile
    and dict copies; through ``table.raw`` (dicts) on SQLite. Also for writes (rows of ``RETURNING``).
    """
    engine = table._meta.db
    pool = getattr(engine, "pool", None)
    if pool is None:
        return await table.raw(template, *args).run()  # type: ignore[no-any-return]
    transaction = engine.current_transaction.get()
    connection = transaction.connection if transaction is not None else _held.get()
    if connection is not None:
        return await connection.fetch(numbered(template), *args)  # type: ignore[no-any-return]
    async with pool.acquire() as connection:
        return await connection.fetch(numbered(template), *args)  # type: ignore[no-any-return]


#: The pool connection :func:`one_connection` holds for the reads in its block (None outside one).
_held: ContextVar[Any] = ContextVar("quntuan_held_connection", default=None)


@asynccontextmanager
async def one_connection(table: type[Table]) -> AsyncIterator[None]:
    """Run every :func:`fetch` in the block on one pool connection (PostgreSQL; nothing on SQLite).

    For a request that makes several reads in a row: each pool checkout costs a reset round trip on
    release, so one checkout instead of several is less work for the process and for PostgreSQL.
    Inside a transaction the transaction's connection is used anyway.
    """
    pool = getattr(table._meta.db, "pool", None)
    if pool is None or _held.get() is not None or table._meta.db.current_transaction.get() is not None:
        yield
        return
    async with pool.acquire() as connection:
        token = _held.set(connection)
        try:
            yield
        finally:
            _held.reset(token)


#: One SQLite engine per database file in a process (see :func:`make_engine`); an engine holds no
#: connection (Piccolo's SQLite engine opens one per query), only its path and settings.
_sqlite_engines: dict[str, SQLiteEngine] = {}


def make_engine(settings: Settings) -> Engine:
    """The engine for the configured database.

    Apps on the same SQLite file in one process share one engine: Piccolo runs a table's queries on the
    engine the table is bound to (the last app bound), and a transaction is seen only by queries on its
    own engine — with two engines, a query inside one app's write transaction would run on the other
    engine's new connection and wait for the very lock its transaction holds.
    """
    if settings.is_sqlite:
        path = settings.sqlite_path
        path.parent.mkdir(parents=True, exist_ok=True)
        key = str(path.resolve())
        engine = _sqlite_engines.get(key)
        if engine is None:
            engine = SQLiteEngine(path=str(path), timeout=30)
            _sqlite_engines[key] = engine
        return engine
    url = settings.database_url.replace("postgres://", "postgresql://", 1)
    return PostgresEngine(config={"dsn": url}, extensions=())


class Database:
    """The app's storage: an engine, the Piccolo apps whose tables it serves, and the write discipline."""

    def __init__(self, settings: Settings, apps: Iterable[AppConfig]) -> None:
        self.settings = settings
        self.apps = list(apps)
        self.engine = make_engine(settings)
        self.is_sqlite = settings.is_sqlite
        self._write_lock: asyncio.Lock | None = None
        self._started = False

    # -- binding --------------------------------------------------------------------------------------

    def bind(self) -> None:
        """Point every table of our apps (and Piccolo's migration table) at this engine.

        Piccolo keeps the engine on each table class, so this is process-wide: the last bound app wins.
        """
        global _active
        for app in self.apps:
            for table in app.table_classes:
                table._meta.db = self.engine
        Migration._meta.db = self.engine
        os.environ.setdefault("PICCOLO_CONF", PICCOLO_CONF)
        _active = self

    # -- lifecycle ------------------------------------------------------------------------------------

    async def start(self) -> None:
        self.bind()
        if self._started:
            return
        if isinstance(self.engine, PostgresEngine):
            await self.engine.start_connection_pool(min_size=1, max_size=self.settings.database_pool_size)
        else:
            await self.engine.run_ddl("PRAGMA journal_mode=WAL")
        self._started = True

    async def stop(self) -> None:
        if self._started and isinstance(self.engine, PostgresEngine):
            await self.engine.close_connection_pool()
        self._started = False

    # -- use ------------------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """A write transaction: everything inside commits together or not at all.

        Nested calls join the outer transaction. On SQLite the in-process write lock serialises writers.
        """
        current = self.engine.current_transaction.get()
        if current is not None:
            yield current
            return
        callbacks: list[Callable[[], Awaitable[None]]] = []
        reset = _after_commit.set(callbacks)
        try:
            if isinstance(self.engine, SQLiteEngine):
                if self._write_lock is None:
                    self._write_lock = asyncio.Lock()
                async with (
                    self._write_lock,
                    self.engine.transaction(transaction_type=TransactionType.immediate) as txn,
                ):
                    yield txn
            else:
                async with self.engine.transaction() as txn:
                    yield txn
        finally:
            _after_commit.reset(reset)
        for callback in callbacks:
            await callback()

    async def ping(self) -> float:
        """Round-trip a trivial query; returns the latency in milliseconds (raises when unreachable)."""
        started = time.perf_counter()
        await self.engine.run_ddl("SELECT 1")
        return (time.perf_counter() - started) * 1000


def is_unique_violation(exc: BaseException) -> bool:
    """Whether ``exc`` is a unique constraint refusing a write, on either database (a concurrent writer
    took the value between the check and the insert)."""
    return isinstance(exc, asyncpg.exceptions.UniqueViolationError) or (
        isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)
    )
