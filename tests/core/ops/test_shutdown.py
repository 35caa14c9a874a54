"""Graceful shutdown: SIGTERM during a load run loses no accepted write, and no running job.

``quntuan serve`` under many concurrent writers gets SIGTERM mid-run: it stops accepting, finishes what
is in flight, and exits; afterwards the database holds exactly the writes that were answered 2xx, each
whole. ``quntuan worker`` gets SIGTERM while webhook deliveries are in flight: they finish and are
recorded, and what was left in the queue is done by the next worker.
"""

from __future__ import annotations

import asyncio
import shutil
import signal
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from core.integration.permissions import STREAM_READ, WEBHOOK_MANAGE, WEBHOOK_READ
from core.integration.tables import OutboxSignal, WebhookAttempt, WebhookDelivery
from core.orgs.permissions import ORG_CREATE, ORG_READ
from core.orgs.tables import Org
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.core.integration.support import FAST, Receiver, emit_org_created, eventually, running
from tests.identity_helpers import bearer, make_account, make_org
from tests.processes import QuntuanProcesses

WRITERS = 30


@pytest.mark.parametrize(
    "workers",
    [
        1,
        pytest.param(
            2,
            marks=pytest.mark.skipif(
                not (TEST_DATABASE_URL and TEST_REDIS_URL),
                reason="several web workers need PostgreSQL and Redis",
            ),
        ),
    ],
)
async def test_sigterm_during_a_write_load_loses_no_accepted_write(
    make_app: Callable[..., Litestar], settings: Any, tmp_path: Path, workers: int
) -> None:
    async with running(make_app(plugins={})) as client:
        root = await make_org(name="市委")
        admin = await make_account(client.app.state.db, grants=[(None, [ORG_CREATE, ORG_READ], True)])
        async with QuntuanProcesses(
            tmp_path,
            settings.database_url,
            settings.redis_url,
            QUNTUAN_LOAD_PLUGINS="false",
            QUNTUAN_SHUTDOWN_TIMEOUT="20",
        ) as procs:
            server = await procs.serve(workers=workers)
            # A new connection per request: an idle keep-alive connection closed by the stopping server
            # would be indistinguishable from a dropped request.
            limits = httpx.Limits(max_keepalive_connections=0)
            async with httpx.AsyncClient(base_url=server.url, timeout=60, limits=limits) as http:
                headers = await bearer(http, *admin)
                acknowledged: list[str] = []
                after_sigterm: list[str] = []
                unexpected: list[str] = []
                sigterm_sent = asyncio.Event()

                async def writer(n: int) -> None:
                    for i in range(10_000):
                        body = {"name": f"支部{n}-{i}", "kind": "party.committee", "level": "unit"}
                        try:
                            response = await http.post(
                                "/api/v1/orgs", json={**body, "parent": str(root["id"])}, headers=headers
                            )
                        except httpx.TransportError:
                            return  # refused or reset before an answer: not acknowledged
                        if response.status_code != 201:
                            unexpected.append(f"{response.status_code} {response.text[:200]}")
                            return
                        acknowledged.append(response.json()["id"])
                        if sigterm_sent.is_set():
                            after_sigterm.append(response.json()["id"])

                async def stop_mid_run() -> None:
                    await eventually(lambda: _at_least(acknowledged, 3 * WRITERS), within=60)
                    server.popen.send_signal(signal.SIGTERM)
                    sigterm_sent.set()

                await asyncio.gather(stop_mid_run(), *[writer(n) for n in range(WRITERS)])
            status = await server.wait(60)

        assert status in (0, -signal.SIGTERM), server.log  # uvicorn re-raises the signal it handled
        assert unexpected == []
        assert after_sigterm, "requests in flight at SIGTERM are answered, not dropped"
        stored = {str(r["id"]) for r in await Org.select(Org.id).where(Org.parent == root["id"]).run()}
        # Exactly the acknowledged writes: none lost, none half-done without an answer.
        assert stored == set(acknowledged)
        signals = await OutboxSignal.select(OutboxSignal.resource_id).where(
            OutboxSignal.name == "org.created"
        )
        assert {r["resource_id"] for r in signals} == stored  # each org with its signal: whole writes


async def _at_least(items: list[Any], n: int) -> bool:
    return len(items) >= n


#: A slow receiver: each delivery is in flight this long when the worker is told to stop (longer than
#: any fixed internal grace period, so only QUNTUAN_SHUTDOWN_TIMEOUT lets it finish).
RECEIVER_DELAY = 6.0
#: Deliveries in flight at SIGTERM (at most the worker's concurrency), then signals committed after it.
IN_FLIGHT, LATER = 4, 8


@pytest.mark.skipif(
    not TEST_REDIS_URL or shutil.which("redis-server") is None,
    reason="quntuan worker processes take their jobs from Redis",
)
async def test_sigterm_lets_running_jobs_finish_and_the_next_worker_does_the_rest(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Any], settings: Any, tmp_path: Path
) -> None:
    receiver = Receiver(delay=RECEIVER_DELAY)
    worker_env = {
        "QUNTUAN_LOAD_PLUGINS": "false",
        "QUNTUAN_SHUTDOWN_TIMEOUT": str(RECEIVER_DELAY * 4),
        "QUNTUAN_RELAY_INTERVAL": "0.05",
        "QUNTUAN_WORKER_CONCURRENCY": str(IN_FLIGHT),
        "QUNTUAN_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
        "QUNTUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true",
        "QUNTUAN_WEBHOOK_CONNECT_TIMEOUT": "1",
        "QUNTUAN_WEBHOOK_READ_TIMEOUT": str(RECEIVER_DELAY * 3),
        "QUNTUAN_WEBHOOK_RETRY_DELAYS": "0.1,0.1,0.1,0.1",
    }
    app = make_app(plugins={}, settings_=make_settings(**{**FAST, "embedded_worker": False}))
    try:
        async with running(app) as client:
            db = client.app.state.db
            root = await make_org(name="市委")
            owner = await make_account(db, grants=[(root["path"], [WEBHOOK_READ, WEBHOOK_MANAGE], True)])
            hook = await client.post(
                "/api/v1/webhooks",
                json={"url": receiver.url, "org_id": str(root["id"]), "signal_types": ["org.created"]},
                headers=await bearer(client, *owner),
            )
            assert hook.status_code == 201, hook.text

            async def commit(n: int) -> list[str]:
                return [
                    str(await emit_org_created(db, root["id"], root["path"], resource_id=uuid.uuid4()))
                    for _ in range(n)
                ]

            async with QuntuanProcesses(
                tmp_path, settings.database_url, settings.redis_url, **worker_env
            ) as procs:
                first = procs.worker()
                committed = await commit(IN_FLIGHT)
                # Every delivery has reached the receiver, which holds it: all are in flight.
                await eventually(lambda: _received(receiver, IN_FLIGHT), within=30)
                first.terminate()
                committed += await commit(LATER)  # work for the next worker
                assert await first.wait(60) == 0, first.log
                # Every attempt the stopped worker started was finished and recorded, none cut off.
                attempts = await WebhookAttempt.select(WebhookAttempt.status_code).run()
                assert len(attempts) == len(receiver.received) >= IN_FLIGHT
                assert {a["status_code"] for a in attempts} == {200}

                procs.worker()
                await eventually(lambda: _all_succeeded(IN_FLIGHT + LATER), within=90)
            delivered = {r.headers["webhook-id"] for r in receiver.received}
            assert delivered == set(committed)
            assert len(receiver.received) == len(committed)  # and each exactly once
    finally:
        receiver.close()


async def _received(receiver: Receiver, n: int) -> bool:
    return len(receiver.received) >= n


async def _all_succeeded(n: int) -> bool:
    done = await WebhookDelivery.count().where(WebhookDelivery.status == "succeeded").run()
    return done == n


async def test_a_request_outliving_the_shutdown_timeout_is_cut_at_the_configured_time(
    make_app: Callable[..., Litestar], settings: Any, tmp_path: Path
) -> None:
    """``QUNTUAN_SHUTDOWN_TIMEOUT`` reaches uvicorn: a request whose body never finishes is cut then."""
    async with QuntuanProcesses(
        tmp_path,
        settings.database_url,
        settings.redis_url,
        QUNTUAN_LOAD_PLUGINS="false",
        QUNTUAN_SHUTDOWN_TIMEOUT="1",
        QUNTUAN_LOG_LEVEL="info",
    ) as procs:
        server = await procs.serve()
        host, port = server.url.removeprefix("http://").split(":")
        _reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /api/v1/auth/token HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            b'Content-Length: 1000\r\n\r\n{"grant_type": '
        )
        await writer.drain()
        await asyncio.sleep(0.5)  # the request has started; its body never completes
        server.terminate()
        # Far below the default 30 s: a server ignoring the setting would still be waiting.
        assert await server.wait(20) in (0, -signal.SIGTERM)
        writer.close()
    assert "timeout graceful shutdown exceeded" in server.log


async def test_open_live_streams_end_at_sigterm_instead_of_holding_the_server(
    make_app: Callable[..., Litestar], settings: Any, tmp_path: Path
) -> None:
    """A live stream never ends by itself; SIGTERM ends it at once, so the server stops without being cut
    at the shutdown timeout (30 s here), and the client reconnects elsewhere."""
    async with running(make_app(plugins={})) as client:
        root = await make_org(name="市委")
        account = await make_account(client.app.state.db, grants=[(root["path"], [STREAM_READ], True)])
    async with QuntuanProcesses(
        tmp_path,
        settings.database_url,
        settings.redis_url,
        QUNTUAN_LOAD_PLUGINS="false",
        QUNTUAN_SHUTDOWN_TIMEOUT="30",
        QUNTUAN_LOG_LEVEL="info",
    ) as procs:
        server = await procs.serve()
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            headers = await bearer(http, *account)
            async with http.stream("GET", "/api/v1/stream", headers=headers) as stream:
                lines = stream.aiter_lines()
                assert (await anext(lines)).startswith(": connected")
                server.terminate()
                rest = [line async for line in lines]  # ends: the server closed the stream
            assert await server.wait(25) in (0, -signal.SIGTERM)
    assert all(not line.startswith("data:") for line in rest)
    assert "timeout graceful shutdown exceeded" not in server.log
