"""The contract every installed plugin keeps: run over each one (plus the test suite's demo plugin).

Routes live under ``/api/v1/<slug>``, are guarded and documented; tables carry the slug prefix; the
plugin's migrations exist and are applied; its declarations are named after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from litestar import Litestar

from core.kernel.db import Database
from core.kernel.guards import require_authenticated, require_permission
from core.kernel.migrations import pending_migrations
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from tests.conftest import all_test_plugins, open_client
from tests.helpers import problem

PLUGINS = all_test_plugins()


@pytest.fixture(params=sorted(PLUGINS))
def slug(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _declarations(slug: str):  # type: ignore[no-untyped-def]
    pm = make_plugin_manager(Settings(), plugins={slug: PLUGINS[slug]})
    assert pm.failures == []
    return pm.registry.plugins[slug]


def test_declarations_are_named_after_the_plugin(slug: str) -> None:
    decl = _declarations(slug)
    assert decl.info.slug == slug
    assert decl.info.name.zh_hans and decl.info.name.en
    for item in [*decl.org_kinds, *decl.event_types, *decl.permissions, *decl.signals]:
        code = getattr(item, "code", None) or item.name
        assert code.startswith(f"{slug}."), code
    for kind in decl.org_kinds:
        assert kind.levels, kind.code
        assert kind.may_be_root or kind.parents, f"{kind.code} can sit nowhere"


def test_tables_are_prefixed_and_migrations_present(slug: str) -> None:
    apps = _declarations(slug).piccolo_apps
    assert len(apps) <= 1, "a plugin is one Piccolo app"
    if not apps:
        return
    app = apps[0]
    for table in app.table_classes:
        assert table._meta.tablename.startswith(f"{slug}_")
    if app.table_classes:
        from piccolo.apps.migrations.commands.base import BaseMigrationManager

        assert BaseMigrationManager().get_migration_modules(app.resolved_migrations_folder_path)
    assert any(dep.startswith("core.") for dep in app.migration_dependencies)


async def test_migrations_are_applied(slug: str, settings: Settings) -> None:
    pm = make_plugin_manager(settings, plugins={slug: PLUGINS[slug]})
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        assert await pending_migrations(db) == []
    finally:
        await db.stop()


async def test_routes_are_under_the_prefix_guarded_and_documented(
    slug: str, make_app: Callable[..., Litestar]
) -> None:
    app = make_app(plugins={slug: PLUGINS[slug]})
    prefix = f"/api/v1/{slug}"
    handlers = [
        (route.path, handler)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("plugin") == slug
    ]
    if not _declarations(slug).routes:
        assert handlers == []
        return
    assert handlers
    async for client in open_client(app):
        document = (await client.get("/schema/openapi.json")).json()
        for path, handler in handlers:
            assert path.startswith(prefix + "/") or path == prefix
            guards = [getattr(g, "func", g) for g in handler.resolve_guards()]
            assert require_authenticated in guards and require_permission in guards
            documented = re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
            assert documented in document["paths"], path
            for method in handler.http_methods - {"HEAD", "OPTIONS"}:
                operation = document["paths"][documented][method.lower()]
                assert operation.get("security") == [{"bearer": []}]
                concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
                problem(await client.request(method, concrete), 401)
