"""Operations: probes, metrics, request logs without personal data, trusted proxies, backups."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from litestar import Litestar
from piccolo.apps.migrations.tables import Migration

from core.kernel.backup import BackupError, backup, restore
from core.kernel.db import Database
from core.kernel.settings import Settings
from tests.conftest import TEST_DATABASE_URL, ApiClient, open_client
from tests.core.ops.test_log_privacy import json_logs
from tests.fixtures import demo_plugin
from tests.helpers import problem


async def test_liveness_and_readiness(client: ApiClient) -> None:
    assert (await client.get("/api/v1/health/live")).json() == {"status": "ok"}
    ready = await client.get("/api/v1/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok", "migrations": "ok"}


async def test_readiness_fails_while_migrations_are_pending(
    make_app: Callable[..., Litestar], settings: Settings, tmp_path: Path
) -> None:
    app = make_app(plugins={"demo": demo_plugin})
    async for client in open_client(app):
        # Forget the demo plugin's migration, as if a new version had been deployed without migrating.
        record = await Migration.select().where(Migration.app_name == "demo").first().run()
        await Migration.delete().where(Migration.app_name == "demo").run()
        try:
            ready = await client.get("/api/v1/health/ready")
            assert ready.status_code == 503
            assert ready.json()["migrations"] == "pending"
            assert (await client.get("/api/v1/health/live")).status_code == 200
        finally:
            await Migration.insert(Migration(name=record["name"], app_name="demo")).run()


async def _client_from(app: Litestar, host: str, headers: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=(host, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers or {})


async def test_metrics_count_requests_by_route_template(make_app: Callable[..., Litestar]) -> None:
    app = make_app()
    async with LifespanManager(app), await _client_from(app, "127.0.0.1") as client:
        for _ in range(3):
            await client.get("/api/v1/problems/not-found")
        body = (await client.get("/metrics")).text
    line = next(
        ln
        for ln in body.splitlines()
        if ln.startswith("quntuan_http_requests_total{")
        and 'route="/api/v1/problems/{code}"' in ln
        and 'status="200"' in ln
    )
    assert float(line.rsplit(" ", 1)[1]) >= 3
    assert "/api/v1/problems/not-found" not in body  # raw paths never become labels


async def test_metrics_are_not_public(make_app: Callable[..., Litestar], make_settings) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with LifespanManager(app), await _client_from(app, "203.0.113.9") as client:
        problem(await client.get("/metrics"), 404)
    app = make_app(settings_=make_settings(metrics_token="s3cret-token"))
    async with LifespanManager(app), await _client_from(app, "203.0.113.9") as client:
        problem(await client.get("/metrics"), 404)
        ok = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert ok.status_code == 200 and "quntuan_http_requests_total" in ok.text


async def test_forwarded_headers_are_believed_only_from_trusted_proxies(
    make_app: Callable[..., Litestar],
    make_settings,  # type: ignore[no-untyped-def]
) -> None:
    seen: list[str] = []

    from litestar import Request, get

    @get("/api/v1/whoami")
    async def whoami(request: Request) -> dict[str, str]:  # type: ignore[type-arg]
        seen.append(request.client.host if request.client else "")
        return {"scheme": request.url.scheme}

    for trusted, peer, expected in (
        ((), "10.0.0.5", "10.0.0.5"),  # no trusted proxy: the header is ignored
        (("10.0.0.0/8",), "10.0.0.5", "198.51.100.7"),  # trusted proxy: the real client
        (("10.0.0.0/8",), "192.0.2.1", "192.0.2.1"),  # spoofed by a client: ignored
    ):
        app = make_app(plugins={}, settings_=make_settings(trusted_proxies=trusted))
        app.register(whoami)
        async with (
            LifespanManager(app),
            await _client_from(
                app, peer, {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
            ) as client,
        ):
            scheme = (await client.get("/api/v1/whoami")).json()["scheme"]
        assert seen[-1] == expected
        assert scheme == ("https" if expected == "198.51.100.7" else "http")


def test_request_log_lines_are_json_with_request_id_and_no_personal_data(
    make_settings,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    import asyncio

    from core.kernel.app import create_app
    from core.kernel.plugin_host import make_plugin_manager

    settings = make_settings(log_format="json")
    with json_logs(settings):
        app = create_app(settings, make_plugin_manager(settings, plugins={}))

        async def run() -> str:
            async with LifespanManager(app), await _client_from(app, "127.0.0.1") as client:
                response = await client.get(
                    "/api/v1/problems/not-found?phone=13800138000&id=110101199003077777"
                )
                return response.headers["x-request-id"]

        request_id = asyncio.run(run())
    lines = [json.loads(ln) for ln in capsys.readouterr().err.splitlines() if ln.startswith("{")]
    entry = next(ln for ln in lines if ln.get("event") == "request" and ln.get("request_id") == request_id)
    assert entry["route"] == "/api/v1/problems/{code}" and entry["status"] == 200
    text = json.dumps(lines, ensure_ascii=False)
    assert "13800138000" not in text and "110101199003077777" not in text


async def test_sqlite_backup_round_trips(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    if TEST_DATABASE_URL:
        pytest.skip("the PostgreSQL round trip is test_postgres_backup_round_trips")
    settings: Settings = make_settings()
    db = Database(settings, [demo_plugin.APP_CONFIG])
    await db.start()
    async with db.transaction():
        await demo_plugin.DemoGreeting.insert(demo_plugin.DemoGreeting(text="备份前", times=1)).run()
    target = backup(settings, tmp_path / "backup.db")
    async with db.transaction():  # a write after the backup: the restore must undo it
        await demo_plugin.DemoGreeting.insert(demo_plugin.DemoGreeting(text="备份后", times=2)).run()
    restore(settings, target)
    texts = [r["text"] for r in await demo_plugin.DemoGreeting.select(demo_plugin.DemoGreeting.text).run()]
    assert texts == ["备份前"]
    await db.stop()
    (tmp_path / "not-a-db").write_text("hello")
    with pytest.raises(BackupError):
        restore(settings, tmp_path / "not-a-db")


async def test_postgres_backup_round_trips(tmp_path: Path, make_settings) -> None:  # type: ignore[no-untyped-def]
    import shutil

    if not TEST_DATABASE_URL:
        pytest.skip("runs in the PostgreSQL run")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    settings: Settings = make_settings()
    db = Database(settings, [demo_plugin.APP_CONFIG])
    await db.start()
    marker = f"备份 {uuid.uuid4().hex[:6]}"
    async with db.transaction():
        await demo_plugin.DemoGreeting.insert(demo_plugin.DemoGreeting(text=marker, times=1)).run()
    target = backup(settings, tmp_path / "backup.dump")
    await demo_plugin.DemoGreeting.delete(force=True).run()
    await db.stop()
    restore(settings, target)
    await db.start()
    texts = [r["text"] for r in await demo_plugin.DemoGreeting.select(demo_plugin.DemoGreeting.text).run()]
    await db.stop()
    assert marker in texts


def test_configuration_reference_is_generated_from_the_settings() -> None:
    import msgspec

    from core.kernel.config_reference import reference_markdown

    generated = reference_markdown()
    for field in msgspec.structs.fields(Settings):
        assert f"`QUNTUAN_{field.name.upper()}`" in generated
    committed = (Path(__file__).parents[3] / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert committed == generated, (
        "docs/configuration.md is stale: run `quntuan config reference > docs/configuration.md`"
    )


def test_every_setting_is_described() -> None:
    from core.kernel.config_reference import _comments

    comments = _comments()
    import msgspec

    missing = [f.name for f in msgspec.structs.fields(Settings) if not comments.get(f.name)]
    assert missing == [], f"add a #: comment to these settings: {missing}"
