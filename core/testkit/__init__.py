"""quntuan testkit: fixtures and helpers for plugin authors, loaded by pytest through its ``pytest11``
entry point (``quntuan_testkit``) whenever quntuan is installed.

A plugin's ``conftest.py`` names the plugins its tests need::

    import pytest
    import my_plugin.hooks

    @pytest.fixture(scope="session")
    def quntuan_plugins():
        return {"myslug": my_plugin.hooks}

and its tests use the fixtures, all prefixed ``quntuan_`` so they never clash with a project's own:

- ``quntuan_settings`` — settings on a fresh, migrated database (a SQLite file of its own, or the
  PostgreSQL of ``QUNTUAN_TEST_DATABASE_URL`` emptied after the test) and the Redis of
  ``QUNTUAN_TEST_REDIS_URL`` when set (flushed after the test);
- ``quntuan_client`` — an httpx client on an app with the core and the named plugins, started;
- ``quntuan_tree`` — a small org tree (province → city → two counties) with one account per role:
  ``platform`` (every permission everywhere), ``province``/``city`` (every permission on their subtree),
  ``county`` (every permission on county A only) and ``member`` (no grant);
- ``quntuan_headers`` — ``{role: {"Authorization": "Bearer …"}}`` for those accounts.

Helpers: :func:`assert_problem`, :func:`signals_emitted`, :func:`audit_entries`, :func:`end_notice`, and
:func:`assert_plugin_contract` — the contract suite a plugin runs on itself.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.metadata
import os
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from asgi_lifespan import LifespanManager
from litestar import Litestar

from core.kernel.app import create_app
from core.kernel.db import Database
from core.kernel.guards import declared_policy, require_authenticated, require_permission, undeclared_routes
from core.kernel.i18n import Text
from core.kernel.migrations import migrate, pending_migrations
from core.kernel.plugin_host import ENTRY_POINT_GROUP, make_plugin_manager
from core.kernel.settings import Settings
from core.testkit.tree import OrgTree, make_tree

__all__ = [
    "ApiClient",
    "OrgTree",
    "ResourceFactory",
    "assert_plugin_contract",
    "assert_problem",
    "audit_entries",
    "end_notice",
    "installed_plugins",
    "open_client",
    "settings_for",
    "signals_emitted",
]

SECRET = "testkit-secret-key-that-is-long-enough-for-hs256"  # noqa: S105 (test-only signing key)


def installed_plugins() -> dict[str, object]:
    """Every plugin installed through the ``quntuan.plugins`` entry point."""
    return {ep.name: ep.load() for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def settings_for(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "redis_url": os.environ.get("QUNTUAN_TEST_REDIS_URL") or None,
        "secret_key": SECRET,
        "auto_migrate": False,
    }
    values.update(overrides)
    return Settings(**values)


async def migrate_database(settings: Settings, plugins: Mapping[str, object]) -> None:
    db = Database(settings, make_plugin_manager(settings, plugins=dict(plugins)).registry.piccolo_apps)
    await db.start()
    try:
        await migrate(db)
    finally:
        await db.stop()


async def empty_postgres(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'migration'"
        )
        if tables:
            names = ", ".join(f'"{row["tablename"]}"' for row in tables)
            # As a replica the session fires no trigger: the audit tables refuse TRUNCATE otherwise.
            await conn.execute("SET session_replication_role = replica")
            await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


async def flush_redis(url: str) -> None:
    from core.kernel.shared import make_redis

    client = make_redis(url)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


class ApiClient(httpx.AsyncClient):
    """An httpx client bound to one app, speaking JSON; ``app`` is the Litestar instance."""

    app: Litestar


async def open_client(app: Litestar) -> AsyncIterator[ApiClient]:
    """Start ``app`` (lifespan) and yield a client talking to it in-process."""
    async with LifespanManager(app, startup_timeout=60, shutdown_timeout=60):
        transport = httpx.ASGITransport(app=app)
        async with ApiClient(transport=transport, base_url="http://testserver") as client:
            client.app = app
            yield client


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem response with ``status`` (and problem ``code``); return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("/api/v1/problems/")
    assert body["title"]
    assert body["detail"]
    if code is not None:
        assert body["type"] == f"/api/v1/problems/{code}", body["type"]
    return body


async def signals_emitted(name: str | None = None) -> list[dict[str, Any]]:
    """Signals written to the outbox so far (oldest first), optionally only those called ``name``."""
    from core.integration.tables import OutboxSignal

    query = OutboxSignal.select().order_by(OutboxSignal.seq)
    if name is not None:
        query = query.where(OutboxSignal.name == name)
    return list(await query.run())


async def audit_entries(action: str | None = None) -> list[dict[str, Any]]:
    """Audit entries written so far (oldest first), optionally only those with ``action``."""
    from core.identity.tables import AuditEntry

    query = AuditEntry.select().order_by(AuditEntry.seq)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return list(await query.run())


async def end_notice(notice_id: Any) -> None:
    """Let a notice's window (公示期, at least three days) pass now, as if it had opened four days ago
    and closed yesterday: a test reaches the decision after it (a selection's, a process's) without
    waiting. Objections still hold a result as they would."""
    from datetime import UTC, datetime, timedelta

    from core.processes.tables import Notice

    closed = datetime.now(UTC) - timedelta(days=1)
    await (
        Notice.update({Notice.opens_at: closed - timedelta(days=3), Notice.closes_at: closed})
        .where(Notice.id == notice_id)
        .run()
    )


#: A factory of one resource in county B's subtree for :func:`assert_plugin_contract`: it gets the
#: started app's client and the tree (``tree.orgs["county_b"]``, ``tree.headers["platform"]``) and returns
#: the id the route's path parameter takes.
ResourceFactory = Callable[[ApiClient, OrgTree], Awaitable[Any]]

#: Column names that hold ID numbers or phones (身份证号, 手机号), whatever their suffix (``_enc``, ``_index``).
PERSONAL_COLUMN = re.compile(
    r"(^|_)(id_?number|id_?card|identity_?number|idno|sfz|phone|mobile|telephone)(_|$)"
)
_HAN = re.compile(r"[\u3400-\u9fff]")


def _texts(value: Any, where: str) -> Iterator[tuple[str, Text]]:
    """Every :class:`Text` inside a declaration (Structs, dataclasses, sequences, mappings), with where."""
    if isinstance(value, Text):
        yield where, value
    elif isinstance(value, msgspec.Struct):
        for name in value.__struct_fields__:
            yield from _texts(getattr(value, name), f"{where}.{name}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _texts(getattr(value, item.name), f"{where}.{item.name}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _texts(item, f"{where}[{i}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _texts(item, f"{where}[{key!r}]")


def text_problems(slug: str, decl: Any) -> list[str]:
    """What is wrong with the texts a plugin declares: each needs zh-Hans (with Chinese characters in it)
    and en; a zh-Hant written by hand must not be empty (left out, it is converted from zh-Hans)."""
    found: list[str] = []
    sections = (
        "info", "org_kinds", "event_types", "permissions", "signals", "file_owners", "process_types",
        "place_kinds", "selection_types", "sms_providers", "coverage_rules", "roles",
    )  # fmt: skip
    for section in sections:
        for where, text in _texts(getattr(decl, section, None), section):
            if not text.zh_hans.strip() or not _HAN.search(text.zh_hans):
                found.append(
                    f"{slug}: {where}.zh_hans {text.zh_hans!r} is not Chinese: write the zh-Hans text"
                )
            if not text.en.strip():
                found.append(f"{slug}: {where}.en is empty: write the English text")
            if text.zh_hant is not None and not text.zh_hant.strip():
                found.append(f"{slug}: {where}.zh_hant is empty: write it or leave it out (OpenCC converts)")
    return found


def personal_column_problems(slug: str, decl: Any) -> list[str]:
    """Tables with columns that look like ID numbers or phones must be declared in
    ``quntuan_personal_data``, each such column as a ciphertext (``encrypted=``) or a blind index
    (``hidden=``)."""
    declared: dict[str, set[str]] = {}
    for item in decl.personal_data:
        declared.setdefault(item.table._meta.tablename, set()).update(item.encrypted, item.hidden)
    found: list[str] = []
    for app_config in decl.piccolo_apps:
        for table in app_config.table_classes:
            tablename = table._meta.tablename
            personal = sorted(
                c._meta.name for c in table._meta.columns if PERSONAL_COLUMN.search(c._meta.name)
            )
            if not personal:
                continue
            if tablename not in declared:
                found.append(
                    f"{slug}: table {tablename} has {', '.join(personal)} (ID numbers or phones): declare it in"
                    " quntuan_personal_data as PersonalDataTable(table=..., person_column=..., encrypted=...)"
                )
                continue
            plain = [c for c in personal if c not in declared[tablename]]
            if plain:
                found.append(
                    f"{slug}: {tablename}.{', '.join(plain)} look like ID numbers or phones but are neither"
                    " encrypted= nor hidden= (blind index) in its PersonalDataTable: store them encrypted"
                    " (core.sdk.vault) and say so"
                )
    return found


def route_text_problems(handler: Any, path: str) -> list[str]:
    """A route's four texts: ``summary=``/``description=`` in zh-Hans, ``summary_en=``/``description_en=``."""
    found = []
    for name in ("summary", "description"):
        value = getattr(handler, name, None) or ""
        if not _HAN.search(value):
            found.append(f"{path}: {name}= must be zh-Hans (Chinese), got {value!r}")
    for name in ("summary_en", "description_en"):
        if not (handler.opt.get(name) or "").strip():
            found.append(f"{path}: {name}= is missing: write the English beside the zh-Hans")
    return found


async def assert_plugin_contract(
    slug: str,
    module: object,
    settings: Settings,
    *,
    resources: Mapping[str, ResourceFactory] | None = None,
    bodies: Mapping[tuple[str, str], Any] | None = None,
    siblings: bool = True,
) -> None:
    """The contract a plugin keeps; run it in the plugin's own tests on a ``quntuan_settings`` database.

    Its declarations are named after it and every text it declares has zh-Hans (and en); its tables carry
    its prefix and have migrations, all applied (forward from empty); a table with ID-number or phone
    columns is declared in ``quntuan_personal_data`` with those columns encrypted or blind-indexed; every
    route sits under ``/api/v1/<slug>``, declares a permission or a policy that a guard enforces, carries
    its four texts, is in the OpenAPI document with a summary and problem responses, and answers 401 (as
    RFC 9457) without a token unless its policy is ``public``.

    Cross-subtree: every route naming a resource in its path (``/certificates/{certificate_id}``) is sent,
    for a resource of county B made by ``resources[<parameter>](client, tree)``, by the cadre of county A
    (``tree.headers["county"]``) and must answer 403 or 404; a GET is also sent by the city cadre above both
    and must answer 2xx (so the id is real). Writes send ``bodies[(METHOD, path)]`` (default ``{}``) and
    ``If-Match: *``; the path is the route's, e.g. ``("PATCH", "/api/v1/disabled/certificates/{certificate_id}")``.
    ``siblings=False`` leaves this check out (``quntuan plugins check``, which cannot make resources).
    """
    pm = make_plugin_manager(settings, plugins={slug: module})
    assert pm.failures == [], pm.failures
    decl = pm.registry.plugins[slug]
    assert decl.info.slug == slug
    assert decl.info.name.zh_hans, "a plugin names itself in zh-Hans"
    assert decl.info.name.en, "a plugin names itself in en"
    for item in [*decl.org_kinds, *decl.event_types, *decl.permissions, *decl.signals]:
        code = getattr(item, "code", None) or item.name
        assert code.startswith(f"{slug}."), f"{code} is not named after the plugin"
    problems = text_problems(slug, decl) + personal_column_problems(slug, decl)
    assert problems == [], "\n".join(problems)

    for app_config in decl.piccolo_apps:
        for table in app_config.table_classes:
            assert table._meta.tablename.startswith(f"{slug}_"), table._meta.tablename
        if app_config.table_classes:
            from piccolo.apps.migrations.commands.base import BaseMigrationManager

            modules = BaseMigrationManager().get_migration_modules(app_config.resolved_migrations_folder_path)
            assert modules, f"{slug} has tables but no migrations"
    db = Database(settings, pm.registry.piccolo_apps)
    await db.start()
    try:
        assert await pending_migrations(db) == [], "migrations not applied forward from empty"
    finally:
        await db.stop()

    app = create_app(settings, pm)
    assert undeclared_routes(app) == []
    handlers = [
        (route.path, handler)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("plugin") == slug
    ]
    texts = [
        p
        for path, handler in handlers
        if handler.http_methods - {"HEAD", "OPTIONS"}  # not Litestar's own OPTIONS answer
        for p in route_text_problems(handler, path)
    ]
    assert texts == [], "\n".join(texts)
    async for client in open_client(app):
        document = (await client.get("/schema/openapi.json")).json()
        for path, handler in handlers:
            assert path == f"/api/v1/{slug}" or path.startswith(f"/api/v1/{slug}/"), path
            guards = [getattr(g, "func", g) for g in handler.resolve_guards()]
            assert require_authenticated in guards, path
            assert require_permission in guards, path
            documented = re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
            assert documented in document["paths"], f"{path} missing from OpenAPI"
            for method in handler.http_methods - {"HEAD", "OPTIONS"}:
                operation = document["paths"][documented][method.lower()]
                assert operation.get("summary") or operation.get("description"), f"{method} {path}"
                assert operation.get("operationId", "").startswith(slug), operation.get("operationId")
                if declared_policy(handler) == "public":
                    continue
                concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
                assert_problem(await client.request(method, concrete), 401)
        if siblings:
            await _check_sibling_subtree(client, handlers, resources or {}, bodies or {})


async def _check_sibling_subtree(
    client: ApiClient,
    handlers: list[tuple[str, Any]],
    resources: Mapping[str, ResourceFactory],
    bodies: Mapping[tuple[str, str], Any],
) -> None:
    """A cadre of county A is refused every route naming a resource of county B (see the contract)."""
    naming = [
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", path), handler)
        for path, handler in handlers
        if "{" in path and declared_policy(handler) != "public" and handler.http_methods - {"HEAD", "OPTIONS"}
    ]
    if not naming:
        return
    missing = sorted({p for path, _ in naming for p in re.findall(r"\{(\w+)\}", path)} - set(resources))
    assert not missing, (
        f"routes name resources by {', '.join(missing)}: pass resources={{'<parameter>': factory}} to"
        " assert_plugin_contract, each an async (client, tree) -> id making one in county B, so the contract"
        " can check that a cadre of a sibling subtree is refused"
    )
    tree = await make_tree(client)
    ids = {name: str(await factory(client, tree)) for name, factory in resources.items()}
    sibling, above = tree.headers["county"], tree.headers["city"]
    ordered = sorted(naming, key=lambda item: "DELETE" in item[1].http_methods)  # deletions last
    for path, handler in ordered:
        url = path.format(**ids)
        for method in sorted(handler.http_methods - {"HEAD", "OPTIONS"}):
            key = (method, path)
            kwargs: dict[str, Any] = {"headers": dict(sibling)}
            if method in ("POST", "PUT", "PATCH"):
                kwargs["json"] = bodies.get(key, {})
                kwargs["headers"]["If-Match"] = "*"
            response = await client.request(method, url, **kwargs)
            if response.status_code == 422:
                hint = "" if key in bodies else f" — give it a valid body in bodies={{{key!r}: ...}}"
                raise AssertionError(
                    f"{method} {path} answered 422 to the cadre of a sibling subtree: the request did not reach"
                    f" the reach check{hint}: {response.text[:300]}"
                )
            assert response.status_code in (403, 404), (
                f"{method} {path}: a cadre of county A reached a resource of county B ({response.status_code});"
                f" check it with core.sdk.within(org_path, principal.reach(permission)) and answer 404"
            )
            assert_problem(response, response.status_code)
            if method == "GET":
                control = await client.get(url, headers=above)
                assert control.status_code < 300, (
                    f"GET {path}: the city cadre above county B cannot read the resource the factory made"
                    f" ({control.status_code}): resources must make one in county B's subtree"
                )


# --- pytest fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quntuan_plugins() -> Mapping[str, object]:
    """The plugins the app under test loads (slug → hooks module). Override it in your conftest or
    test module (module or session scope); by default every installed plugin."""
    return installed_plugins()


@pytest.fixture(scope="session")
def quntuan_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], str]:
    """Migrated template databases of this session, one per set of plugins."""
    return {}


@pytest.fixture(scope="module")
def quntuan_template(
    quntuan_plugins: Mapping[str, object],
    quntuan_templates: dict[tuple[str, ...], str],
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """A database migrated for the core and ``quntuan_plugins``: a SQLite file to copy, or the PG URL."""
    # By slug and the module behind it: two test modules may load different plugins under one slug (a
    # stand-in of another plugin and the real one), and each needs its own migrations.
    key = tuple(
        f"{slug}={getattr(module, '__name__', type(module).__qualname__)}"
        for slug, module in sorted(quntuan_plugins.items())
    )
    if key not in quntuan_templates:
        url = os.environ.get("QUNTUAN_TEST_DATABASE_URL")
        if url:
            asyncio.run(migrate_database(settings_for(url), quntuan_plugins))
            quntuan_templates[key] = url
        else:
            path = tmp_path_factory.mktemp("quntuan-testkit") / "template.db"
            asyncio.run(migrate_database(settings_for(f"sqlite:///{path}"), quntuan_plugins))
            quntuan_templates[key] = str(path)
    return quntuan_templates[key]


@pytest.fixture
async def quntuan_settings(quntuan_template: str, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings on a migrated database of this test alone (PostgreSQL and Redis emptied afterwards)."""
    pg = os.environ.get("QUNTUAN_TEST_DATABASE_URL")
    if pg:
        url = pg
    else:
        target = tmp_path / "quntuan.db"
        shutil.copyfile(quntuan_template, target)
        url = f"sqlite:///{target}"
    settings = settings_for(url, files_dir=str(tmp_path / "files"))
    yield settings
    if pg:
        await empty_postgres(pg)
    if settings.redis_url:
        await flush_redis(settings.redis_url)


@pytest.fixture
async def quntuan_client(
    quntuan_settings: Settings, quntuan_plugins: Mapping[str, object]
) -> AsyncIterator[ApiClient]:
    """A started app with the core and ``quntuan_plugins``, and a client on it."""
    app = create_app(quntuan_settings, make_plugin_manager(quntuan_settings, plugins=dict(quntuan_plugins)))
    async for client in open_client(app):
        yield client


@pytest.fixture
async def quntuan_tree(quntuan_client: ApiClient) -> OrgTree:
    """The small org tree with one account per role (see the module docstring)."""
    return await make_tree(quntuan_client)


@pytest.fixture
async def quntuan_headers(quntuan_tree: OrgTree) -> dict[str, dict[str, str]]:
    """Bearer headers per role: platform, province, city, county, member."""
    return quntuan_tree.headers
