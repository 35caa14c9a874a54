"""Test harness: real databases, never mocks.

Every test that touches storage gets its own SQLite file (copied from a migrated template), or — when
``QUNTUAN_TEST_DATABASE_URL`` / ``QUNTUAN_TEST_REDIS_URL`` are set — the real PostgreSQL and Redis,
migrated once per session and emptied after each test. Apps run on the test's own event loop
(httpx ``ASGITransport`` + ``asgi-lifespan``), so a test may also query the database directly.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar import Litestar

from core.kernel.app import create_app
from core.kernel.db import Database
from core.kernel.migrations import migrate
from core.kernel.plugin_host import ENTRY_POINT_GROUP, PluginManager, make_plugin_manager
from core.kernel.settings import Settings
from core.testkit import ApiClient, empty_postgres, flush_redis, open_client

# The testkit comes through its pytest11 entry point once quntuan is (re)installed; until then load it here.
if not any(ep.name == "quntuan_testkit" for ep in importlib.metadata.entry_points(group="pytest11")):
    pytest_plugins = ["core.testkit"]

#: Under pytest-xdist each worker ("gw0", "gw1", …) gets a database and a Redis db of its own.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _for_this_worker(name: str) -> str | None:
    """The configured test URL, made this worker's own: ``…/quntuan_ci`` → ``…/quntuan_ci_gw1``, and
    Redis ``…/15`` → ``…/14`` (one db number down per worker)."""
    url = os.environ.get(name) or None
    if url is None or XDIST_WORKER is None:
        return url
    index = int(XDIST_WORKER.removeprefix("gw"))
    head, _, last = url.rpartition("/")
    if name.endswith("REDIS_URL"):
        base = int(last) if last.isdigit() else 0
        url = f"{head}/{(base - index) % 16}"
    else:
        url = f"{head}/{last}_{XDIST_WORKER}"
    os.environ[name] = url  # subprocesses started by the tests inherit this worker's URL
    return url


TEST_DATABASE_URL = _for_this_worker("QUNTUAN_TEST_DATABASE_URL")
TEST_REDIS_URL = _for_this_worker("QUNTUAN_TEST_REDIS_URL")
SECRET = "test-secret-key-that-is-long-enough-for-hs256"

BACKEND = "postgresql" if TEST_DATABASE_URL else "sqlite"


def base_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "redis_url": TEST_REDIS_URL,
        "secret_key": SECRET,
        "auto_migrate": False,
    }
    values.update(overrides)
    return Settings(**values)


def all_test_plugins() -> dict[str, object]:
    """Every installed plugin plus the test suite's own fixture plugins."""
    from tests.fixtures import demo_plugin

    installed = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    return {**{ep.name: ep.load() for ep in installed}, "demo": demo_plugin}


async def _migrate(settings: Settings) -> None:
    db = Database(settings, make_plugin_manager(settings, plugins=all_test_plugins()).registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
    finally:
        await db.stop()


async def _create_postgres(url: str) -> None:
    """A new, empty database for this xdist worker (dropped first if an earlier run left it)."""
    import asyncpg

    head, _, name = url.rpartition("/")
    conn = await asyncpg.connect(f"{head}/postgres")
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


_empty_postgres = empty_postgres
_flush_redis = flush_redis


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database with all installed and fixture plugins migrated: a SQLite file to copy, or the PG URL."""
    if TEST_DATABASE_URL:
        if XDIST_WORKER is not None:
            asyncio.run(_create_postgres(TEST_DATABASE_URL))
        asyncio.run(_migrate(base_settings(TEST_DATABASE_URL)))
        return TEST_DATABASE_URL
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate(base_settings(f"sqlite:///{path}")))
    return str(path)


@pytest.fixture(scope="session")
def quntuan_templates(migrated_template: str) -> dict[tuple[str, ...], str]:
    """The testkit's templates, after this suite's own: under xdist that creates the worker's PG database."""
    return {}


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    """A migrated, empty database for this test alone."""
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    target = tmp_path / "quntuan.db"
    shutil.copyfile(migrated_template, target)
    return f"sqlite:///{target}"


@pytest.fixture
async def settings(database_url: str, tmp_path: Path) -> AsyncIterator[Settings]:
    # Files of this test in its own directory (on PostgreSQL the default would be ./quntuan-files).
    yield base_settings(database_url, files_dir=str(tmp_path / "files"))
    if TEST_DATABASE_URL:
        await _empty_postgres(TEST_DATABASE_URL)
    if TEST_REDIS_URL:
        await _flush_redis(TEST_REDIS_URL)


@pytest.fixture(scope="module")
def module_settings(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings on a migrated, empty database shared by one module's tests — for modules that build one
    app and one set of fixtures and run many read-only checks against them. Emptied when the module ends.
    Use it for every test of the module or none: the function-scoped ``settings`` empty PostgreSQL too."""
    if TEST_DATABASE_URL:
        asyncio.run(_empty_postgres(TEST_DATABASE_URL))
        url = TEST_DATABASE_URL
    else:
        target = tmp_path_factory.mktemp("module") / "quntuan.db"
        shutil.copyfile(migrated_template, target)
        url = f"sqlite:///{target}"
    if TEST_REDIS_URL:
        asyncio.run(_flush_redis(TEST_REDIS_URL))
    yield base_settings(url)
    if TEST_DATABASE_URL:
        asyncio.run(_empty_postgres(TEST_DATABASE_URL))
    if TEST_REDIS_URL:
        asyncio.run(_flush_redis(TEST_REDIS_URL))


@pytest.fixture
def make_settings(settings: Settings) -> Callable[..., Settings]:
    """``make_settings(workers=2, …)``: this test's settings with some fields replaced."""

    def make(**overrides: Any) -> Settings:
        return msgspec.structs.replace(settings, **overrides)

    return make


@pytest.fixture
def make_app(settings: Settings) -> Callable[..., Litestar]:
    """``make_app(plugins={"union": plugins.union.hooks})`` — an app with exactly those plugins.

    Without ``plugins`` every installed plugin (entry points) is loaded.
    """

    def make(plugins: Mapping[str, object] | None = None, settings_: Settings | None = None) -> Litestar:
        s = settings_ or settings
        pm: PluginManager = make_plugin_manager(s, plugins=plugins)
        return create_app(s, pm)

    return make


@pytest.fixture
def embedded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean environment for CLI tests: no QUNTUAN_* variables, working directory in a temporary folder."""
    for key in list(os.environ):
        if key.startswith("QUNTUAN_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    """A client for an app with every installed plugin."""
    async for c in open_client(make_app()):
        yield c
