"""Schema migrations: each Piccolo app's own migrations, applied in dependency order.

``quntuan migrate`` runs this once per deploy. On PostgreSQL a session-level advisory lock makes
concurrent runs (two hosts starting at once) wait for each other instead of racing; each migration
and its record commit in one transaction, so a failure leaves the schema at the previous step.

Piccolo's migration machinery is imported only where migrations are applied: every CLI command imports
this module, and a worker's start-up check (:func:`ensure_schema_current`) reads the migration ids
from the files instead of importing each migration.
"""

from __future__ import annotations

import asyncio
import contextlib
import graphlib
import io
import os
import re
import sys
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from core.kernel.settings import Settings

if TYPE_CHECKING:
    from piccolo.conf.apps import AppConfig

    from core.kernel.db import Database

T = TypeVar("T")

#: Arbitrary but fixed key of the advisory lock that serialises migration runs on PostgreSQL.
ADVISORY_LOCK_KEY = 0x51_75_6E_74  # "Qunt"


class SchemaBehindError(RuntimeError):
    """The database lacks migrations the code needs; the message says what to run."""


@dataclass(frozen=True)
class PendingMigration:
    app: str
    migration_id: str


#: Called as each migration is applied: the migration, its seconds, and what it warned of (plain text).
Progress = Callable[[PendingMigration, float, list[str]], None]
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def plain(text: str) -> str:
    """``text`` without terminal escape sequences (Piccolo colours its warnings)."""
    return _ANSI.sub("", text).strip()


def app_module_path(app: AppConfig) -> str:
    """The dotted path of the module whose ``APP_CONFIG`` is ``app`` (how Piccolo names apps)."""
    return _app_module_paths([app])[id(app)]


def _app_module_paths(apps: Iterable[AppConfig]) -> dict[int, str]:
    """:func:`app_module_path` of each app (by ``id``), in one pass over the imported modules."""
    wanted = {id(app): app for app in apps}
    found: dict[int, str] = {}
    for name, module in list(sys.modules.items()):
        config = getattr(module, "APP_CONFIG", None)
        if id(config) in wanted and id(config) not in found:
            found[id(config)] = name
    for key, app in wanted.items():
        if key not in found:
            raise LookupError(f"no imported module defines APP_CONFIG for app {app.app_name!r}")
    return found


def sorted_apps(apps: Iterable[AppConfig]) -> list[AppConfig]:
    """Apps in an order where every app comes after the apps it declares as migration dependencies."""
    apps = list(apps)
    paths = _app_module_paths(apps)
    by_path = {paths[id(app)]: app for app in apps}
    graph = {
        path: [dep for dep in app.migration_dependencies if dep in by_path] for path, app in by_path.items()
    }
    return [by_path[path] for path in graphlib.TopologicalSorter(graph).static_order()]


def _modules(app: AppConfig) -> dict[str, object]:
    from piccolo.apps.migrations.commands.base import BaseMigrationManager

    return BaseMigrationManager().get_migration_modules(app.resolved_migrations_folder_path)


#: The ``ID = "…"`` line Piccolo writes at the top of every migration file it generates.
_ID_LINE = re.compile(r"""^ID\s*=\s*["']([^"'\n]+)["']\s*$""", re.MULTILINE)


def _migration_ids(app: AppConfig) -> set[str]:
    """The ids of ``app``'s migrations, read from the files rather than imported.

    The same set Piccolo's ``get_migration_modules`` yields (each ``.py`` but ``__init__.py``, keyed by
    its ``ID``) without importing every migration module and the migration machinery they import: a
    worker only needs the ids to check the schema is current. A file whose ``ID`` is not a plain string
    on its own line (hand-written) is imported to read it, as Piccolo would.
    """
    folder = app.resolved_migrations_folder_path
    ids: set[str] = set()
    unread = False
    for name in os.listdir(folder):
        if name == "__init__.py" or not name.endswith(".py"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as source:
            found = _ID_LINE.search(source.read())
        if found:
            ids.add(found.group(1))
        else:
            unread = True
    if unread:
        ids |= set(_modules(app))
    return ids


async def pending_migrations(db: Database) -> list[PendingMigration]:
    """Migrations present in the code but not yet applied to the database, in the order they would run."""
    return await _pending(db, _migration_ids)


async def _pending(db: Database, ids_of: Callable[[AppConfig], Iterable[str]]) -> list[PendingMigration]:
    from piccolo.apps.migrations.tables import Migration

    db.bind()
    if not await Migration.table_exists().run():
        ran: set[tuple[str, str]] = set()
    else:
        rows = await Migration.select(Migration.app_name, Migration.name).run()
        ran = {(row["app_name"], row["name"]) for row in rows}
    return [
        PendingMigration(app.app_name, mid)
        for app in sorted_apps(db.apps)
        for mid in sorted(ids_of(app))
        if (app.app_name, mid) not in ran
    ]


async def migrate(db: Database, progress: Progress | None = None) -> list[PendingMigration]:
    """Apply every pending migration; returns what was applied (empty when the schema is current).

    ``progress`` hears of each migration as it is applied; Piccolo's own output (a partial line per
    migration, coloured warnings) is kept off the terminal and its warnings passed on as plain text."""
    from piccolo.engine.postgres import PostgresEngine

    db.bind()
    engine = db.engine
    if isinstance(engine, PostgresEngine):
        # A dedicated connection holds the lock for the whole run; the migrations use the engine.
        import asyncpg

        conn = await asyncpg.connect(engine.config["dsn"])
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
            return await _apply(db, progress)
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
            await conn.close()
    return await _apply(db, progress)


async def _apply(db: Database, progress: Progress | None = None) -> list[PendingMigration]:
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists().run():
        await Migration.create_table(if_not_exists=True).run()
    modules = {app.app_name: _modules(app) for app in db.apps}
    pending = await _pending(db, lambda app: modules[app.app_name])
    for item in pending:
        module = modules[item.app][item.migration_id]
        started = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("always")
            async with db.transaction():
                manager = await module.forwards()  # type: ignore[attr-defined]
                if isinstance(manager, MigrationManager):
                    await manager.run()
                await Migration.insert(Migration(name=item.migration_id, app_name=item.app)).run()
        if progress is not None:
            notes = list(dict.fromkeys(plain(str(w.message)) for w in caught))
            progress(item, time.perf_counter() - started, notes)
    return pending


async def ensure_schema_current(db: Database) -> None:
    """Refuse to serve when the schema is behind the code, saying what to run."""
    pending = await pending_migrations(db)
    if pending:
        names = ", ".join(f"{p.app}:{p.migration_id}" for p in pending[:5])
        raise SchemaBehindError(
            f"the database schema is behind the code ({len(pending)} pending migration(s): {names}). "
            "Run `quntuan migrate` once for this deploy, then start the workers."
        )


def run_with_database(settings: Settings, work: Callable[[Database, Any], Awaitable[T]]) -> T:
    """For CLI commands: start the database with every enabled plugin's apps and run ``work(db, pm)``.

    The embedded default is migrated first; elsewhere the schema must already be current.
    """
    from core.kernel.db import Database
    from core.kernel.plugin_host import make_plugin_manager

    pm = make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)

    async def go() -> T:
        await db.start()
        try:
            if settings.should_auto_migrate:
                await migrate(db)
            else:
                await ensure_schema_current(db)
            return await work(db, pm)
        finally:
            await db.stop()

    return asyncio.run(go())
