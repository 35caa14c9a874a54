"""``GET /api/v1/stream``: server-sent events of what the caller may see, across processes via Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from litestar import Litestar

from core.identity.tables import Account, Grant
from core.kernel.access import Reach
from tests.core.integration.support import WORKER_ENV, PrivateRedis, emit_org_created, make_org
from tests.core.integration.test_webhooks import CHILD, ROOT, SIBLING
from tests.helpers import GrantedPrincipal
from tests.identity_helpers import bearer, make_account
from tests.identity_helpers import make_org as make_org_under
from tests.processes import QuntuanProcesses, free_port


@contextlib.asynccontextmanager
async def serving(app: Litestar) -> AsyncIterator[str]:
    """The app behind a real HTTP server on 127.0.0.1 (SSE needs a streaming transport)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def read_events(lines: AsyncIterator[str], n: int, events: list[dict[str, Any]]) -> None:
    current: dict[str, Any] = {}
    async for line in lines:
        if line.startswith(":"):
            continue
        if not line:
            if "data" in current:
                events.append(current)
                if len(events) >= n:
                    return
            current = {}
            continue
        name, _, value = line.partition(":")
        current[name] = value.removeprefix(" ")


async def follow_and_emit(
    base: str, db: Any, orgs: dict[str, uuid.UUID]
) -> tuple[list[dict[str, Any]], list[uuid.UUID]]:
    events: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=30) as http, http.stream("GET", base + "/api/v1/stream") as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        lines = response.aiter_lines()
        assert (await anext(lines)).startswith(": connected")
        visible = [await emit_org_created(db, orgs[CHILD], CHILD + "dddddd")]
        await emit_org_created(db, orgs[ROOT], ROOT)
        await emit_org_created(db, orgs[SIBLING], SIBLING)
        await emit_org_created(db, orgs[SIBLING], None)
        visible.append(await emit_org_created(db, orgs[CHILD], CHILD))
        await asyncio.wait_for(read_events(lines, 2, events), timeout=30)
    return events, visible


def reader() -> GrantedPrincipal:
    return GrantedPrincipal({"core.stream.read": [Reach(CHILD)]}, kind="client")


async def _orgs() -> dict[str, uuid.UUID]:
    return {path: await make_org(path) for path in (ROOT, CHILD, SIBLING)}


def check(events: list[dict[str, Any]], visible: list[uuid.UUID]) -> None:
    assert [json.loads(e["data"])["id"] for e in events] == [str(v) for v in visible]
    assert {e["event"] for e in events} == {"org.created"}
    first = json.loads(events[0]["data"])
    assert first["type"] == "org.created" and first["resource_type"] == "org"
    assert set(first["data"]) == {"org_id", "kind", "parent_id", "fields"}
    assert int(events[0]["id"]) < int(events[1]["id"])


async def test_stream_in_process(integration_app: Callable[..., Litestar]) -> None:
    app = integration_app(reader(), redis_url=None)
    async with serving(app) as base:
        orgs = await _orgs()
        events, visible = await follow_and_emit(base, app.state.db, orgs)
    check(events, visible)


async def test_stream_across_processes_through_redis(
    integration_app: Callable[..., Litestar],
    private_redis: PrivateRedis,
    settings: Any,
    tmp_path: Path,
) -> None:
    """The web process only serves the stream; a worker process relays and publishes to Redis."""
    workers = QuntuanProcesses(tmp_path, settings.database_url, private_redis.url, **WORKER_ENV)
    app = integration_app(reader(), embedded_worker=False, redis_url=private_redis.url)
    try:
        async with serving(app) as base:
            orgs = await _orgs()
            workers.worker()
            events, visible = await follow_and_emit(base, app.state.db, orgs)
    finally:
        await workers.stop_all()
    check(events, visible)


async def test_stream_requires_the_permission(integration_app: Callable[..., Litestar]) -> None:
    app = integration_app(GrantedPrincipal({"core.webhook.read": [Reach(ROOT)]}))
    async with serving(app) as base, httpx.AsyncClient() as http:
        response = await http.get(base + "/api/v1/stream")
    assert response.status_code == 403


@pytest.mark.parametrize("header", ["abc", "-1"])
async def test_a_bad_last_event_id_is_refused(integration_app: Callable[..., Litestar], header: str) -> None:
    app = integration_app(reader())
    async with serving(app) as base, httpx.AsyncClient() as http:
        response = await http.get(base + "/api/v1/stream", headers={"Last-Event-ID": header})
    assert response.status_code in (400, 422)


async def test_the_stream_ends_when_the_callers_reach_is_gone(
    integration_app: Callable[..., Litestar],
) -> None:
    """Reach is checked again while the stream is open: a narrower grant narrows it, none ends it."""
    app = integration_app(None, redis_url=None, stream_recheck_seconds=0.1)
    async with serving(app) as base:
        db = app.state.db
        root = await make_org_under()
        child = await make_org_under(root)
        username, password = await make_account(db, grants=[(root["path"], ["core.stream.read"], True)])
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            headers = await bearer(http, username, password)
            async with http.stream("GET", "/api/v1/stream", headers=headers) as response:
                assert response.status_code == 200
                lines = response.aiter_lines()
                assert (await anext(lines)).startswith(": connected")
                first = await emit_org_created(db, root["id"], root["path"])
                events: list[dict[str, Any]] = []
                await asyncio.wait_for(read_events(lines, 1, events), timeout=30)
                assert json.loads(events[0]["data"])["id"] == str(first)

                # The grant moves down to the child: the root's signals stop, the child's still come.
                authz = app.state.authz
                account = await Account.select(Account.id).where(Account.username == username).first()
                grant = await Grant.select(Grant.id, Grant.role).where(Grant.account == account["id"]).first()
                await Grant.update({Grant.org: child["id"]}).where(Grant.id == grant["id"])
                await authz.bump()  # what the grant API does after its commit (raw edits here)
                await asyncio.sleep(0.3)  # longer than the re-check interval
                await emit_org_created(db, root["id"], root["path"])
                inside = await emit_org_created(db, child["id"], child["path"])
                await asyncio.wait_for(read_events(lines, 2, events), timeout=30)
                assert json.loads(events[1]["data"])["id"] == str(inside)

                # Revoked: a last stream.end event, then the stream closes; nothing more is sent.
                await Grant.delete().where(Grant.id == grant["id"])
                await authz.bump()
                await asyncio.sleep(0.3)
                await emit_org_created(db, child["id"], child["path"])
                rest = [line async for line in lines]
        ended = [line for line in rest if line.startswith("event:")]
        assert ended == ["event: stream.end"]
        assert not any(str(inside) in line for line in rest)


async def test_the_stream_ends_when_the_token_is_revoked(integration_app: Callable[..., Litestar]) -> None:
    app = integration_app(None, redis_url=None, stream_recheck_seconds=0.1)
    async with serving(app) as base:
        root = await make_org_under()
        username, password = await make_account(
            app.state.db, grants=[(root["path"], ["core.stream.read"], True)]
        )
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            headers = await bearer(http, username, password)
            async with http.stream("GET", "/api/v1/stream", headers=headers) as response:
                lines = response.aiter_lines()
                assert (await anext(lines)).startswith(": connected")
                assert (await http.post("/api/v1/auth/logout", headers=headers)).status_code in (200, 204)
                rest = await asyncio.wait_for(_all(lines), timeout=30)
        assert [line for line in rest if line.startswith("event:")] == ["event: stream.end"]


async def _all(lines: AsyncIterator[str]) -> list[str]:
    return [line async for line in lines]


async def test_a_revoked_grant_ends_the_stream_within_the_epoch_check(
    integration_app: Callable[..., Litestar],
) -> None:
    """Revocation through the grants API: the stream ends at the next look at the authorization epoch,
    long before the periodic re-check (30 s by default) would have come."""
    app = integration_app(None, stream_epoch_check_seconds=0.1)
    assert app.state.settings.stream_recheck_seconds >= 30
    async with serving(app) as base:
        db = app.state.db
        root = await make_org_under()
        admin = await make_account(db, grants=[(None, ["core.grant.manage"], True)])
        username, password = await make_account(db, grants=[(root["path"], ["core.stream.read"], True)])
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            boss = await bearer(http, *admin)
            headers = await bearer(http, username, password)
            async with http.stream("GET", "/api/v1/stream", headers=headers) as response:
                assert response.status_code == 200
                lines = response.aiter_lines()
                assert (await anext(lines)).startswith(": connected")
                account = await Account.select(Account.id).where(Account.username == username).first()
                grant = await Grant.select(Grant.id).where(Grant.account == account["id"]).first()
                revoked = await http.delete(f"/api/v1/grants/{grant['id']}", headers=boss)
                assert revoked.status_code == 204, revoked.text
                rest = await asyncio.wait_for(_all(lines), timeout=10)
        # (The revocation's own signal may come first: it is relayed as the epoch moves.)
        assert [line for line in rest if line.startswith("event:")][-1] == "event: stream.end"


@pytest.mark.parametrize("header", ["9223372036854775808", "99999999999999999999"])
async def test_a_last_event_id_beyond_64_bits_is_a_400(
    integration_app: Callable[..., Litestar], header: str
) -> None:
    app = integration_app(reader())
    async with serving(app) as base, httpx.AsyncClient(timeout=10) as http:
        response = await http.get(base + "/api/v1/stream", headers={"Last-Event-ID": header})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["pointer"] == "header:/Last-Event-ID"
