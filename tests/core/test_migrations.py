"""Per-app migrations in dependency order; refusal to serve on a schema that is behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from piccolo.apps.migrations.tables import Migration

from core.kernel.app import create_app
from core.kernel.db import Database
from core.kernel.migrations import (
    SchemaBehindError,
    ensure_schema_current,
    migrate,
    pending_migrations,
    sorted_apps,
)
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from tests.conftest import TEST_DATABASE_URL, base_settings, open_client
from tests.fixtures import demo_plugin


def test_apps_are_ordered_by_their_migration_dependencies() -> None:
    pm = make_plugin_manager(Settings(), plugins={"demo": demo_plugin})
    names = [app.app_name for app in sorted_apps(reversed(pm.registry.piccolo_apps))]
    assert names.index("orgs") < names.index("demo")


def test_the_schema_check_reads_the_same_migration_ids_piccolo_imports() -> None:
    """A worker's start-up check reads ids from the files; they must be the ones the migrations declare."""
    from core.kernel.migrations import _migration_ids, _modules

    bundled = make_plugin_manager(Settings()).registry.piccolo_apps
    demo = make_plugin_manager(Settings(), plugins={"demo": demo_plugin}).registry.piccolo_apps
    for app in [*bundled, *demo]:
        assert _migration_ids(app) == set(_modules(app)), app.app_name


async def _forget_demo(db: Database) -> None:
    await demo_plugin.DemoGreeting.alter().drop_table(if_exists=True).run()
    await Migration.delete().where(Migration.app_name == "demo").run()


async def test_a_new_plugin_migrates_and_its_table_is_usable(settings: Settings) -> None:
    pm = make_plugin_manager(settings, plugins={"demo": demo_plugin})
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    await _forget_demo(db)  # as if the plugin had just been installed
    try:
        pending = await pending_migrations(db)
        assert [p.app for p in pending] == ["demo"]
        with pytest.raises(SchemaBehindError, match="quntuan migrate"):
            await ensure_schema_current(db)
        applied = await migrate(db)
        assert [p.app for p in applied] == ["demo"]
        assert await migrate(db) == []
        await ensure_schema_current(db)
        async with db.transaction():
            await demo_plugin.DemoGreeting.insert(demo_plugin.DemoGreeting(text="你好", times=2)).run()
        assert await demo_plugin.DemoGreeting.count().run() == 1
    finally:
        await migrate(db)  # leave the database as the other tests expect it
        await db.stop()


async def test_the_app_refuses_to_start_on_a_schema_that_is_behind(tmp_path: Path) -> None:
    settings = base_settings(f"sqlite:///{tmp_path}/behind.db", auto_migrate=False)
    app = create_app(settings, make_plugin_manager(settings, plugins={"demo": demo_plugin}))
    with pytest.raises(BaseException) as info:
        async for _ in open_client(app):
            pass
    assert "quntuan migrate" in str(info.value) or info.group_contains(
        SchemaBehindError, match="quntuan migrate", depth=None
    )


async def test_embedded_default_migrates_on_start(tmp_path: Path) -> None:
    settings = base_settings(f"sqlite:///{tmp_path}/fresh.db", auto_migrate=None)
    assert settings.should_auto_migrate
    app = create_app(settings, make_plugin_manager(settings, plugins={"demo": demo_plugin}))
    async for client in open_client(app):
        assert (await client.get("/api/v1/health")).status_code == 200
    db = Database(
        settings, make_plugin_manager(settings, plugins={"demo": demo_plugin}).registry.piccolo_apps
    )
    await db.start()
    assert await pending_migrations(db) == []
    await db.stop()


async def test_a_failing_migration_leaves_nothing_half_applied(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from piccolo.apps.migrations.auto.migration_manager import MigrationManager

    async def failing_forwards() -> MigrationManager:
        manager = MigrationManager(migration_id="2099-01-01T00:00:00:000000", app_name="demo")
        manager.add_raw("CREATE TABLE demo_half (id INTEGER)")
        manager.add_raw("THIS IS NOT SQL")
        return manager

    import core.kernel.migrations as migrations

    original = migrations._modules

    def with_failing(app):  # type: ignore[no-untyped-def]
        modules = dict(original(app))
        if app.app_name == "demo":
            modules["2099-01-01T00:00:00:000000"] = type(
                "M", (), {"forwards": staticmethod(failing_forwards)}
            )
        return modules

    monkeypatch.setattr(migrations, "_modules", with_failing)
    db = Database(
        settings, make_plugin_manager(settings, plugins={"demo": demo_plugin}).registry.piccolo_apps
    )
    await db.start()
    with pytest.raises(Exception):  # noqa: B017 - the database error type differs per engine
        await migrate(db)
    names = {
        r["name"] for r in await Migration.select(Migration.name).where(Migration.app_name == "demo").run()
    }
    assert "2099-01-01T00:00:00:000000" not in names
    if TEST_DATABASE_URL:
        found = await db.engine.run_ddl("SELECT to_regclass('demo_half') AS t")
        assert found[0]["t"] is None
    else:
        assert await db.engine.run_ddl("SELECT name FROM sqlite_master WHERE name = 'demo_half'") == []
    await db.stop()
