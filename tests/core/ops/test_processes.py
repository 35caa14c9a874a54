"""Real ``quntuan serve`` and ``quntuan worker`` processes on one PostgreSQL and one Redis.

No state lives in a process: a registration capacity, a login lock-out, a revoked grant and a live-stream
message all hold whichever server a request reaches. ``/metrics`` adds up the figures of every web worker
of a host, and of the job worker sharing its metrics directory. Everything is driven through the HTTP
API of processes started by the CLI (uvicorn), as behind a load balancer.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar

from core.events.permissions import EVENT_MANAGE, EVENT_READ, REGISTRATION_MANAGE
from core.events.tables import Event, Registration
from core.identity.permissions import GRANT_MANAGE
from core.identity.tables import Account, Grant
from core.integration.permissions import STREAM_READ
from core.orgs.permissions import ORG_CREATE, ORG_READ
from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tests.core.events.conftest import event_body, make_persons
from tests.core.integration.support import eventually, running
from tests.core.integration.test_stream import read_events
from tests.identity_helpers import make_account, make_org
from tests.processes import Process, QuntuanProcesses

shared_services = pytest.mark.skipif(
    not (TEST_DATABASE_URL and TEST_REDIS_URL),
    reason="several processes share PostgreSQL and Redis; the embedded SQLite default serves one process",
)

#: Server settings: core only, relay and jobs in the worker process, a quick relay, four failures lock.
SERVER_ENV = {
    "QUNTUAN_LOAD_PLUGINS": "false",
    "QUNTUAN_EMBEDDED_WORKER": "false",
    "QUNTUAN_RELAY_INTERVAL": "0.05",
    "QUNTUAN_LOGIN_MAX_FAILURES": "4",
}
TOKEN = "/api/v1/auth/token"
CAPACITY = 12
ATTEMPTS = 60


def _login(username: str, password: str) -> dict[str, str]:
    return {"grant_type": "password", "username": username, "password": password}


async def _bearer(http: httpx.AsyncClient, server: Process, username: str, password: str) -> dict[str, str]:
    response = await http.post(server.url + TOKEN, json=_login(username, password))
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _until_org_created(lines: AsyncIterator[str], events: list[dict[str, Any]], org_id: str) -> None:
    """Read stream events (other signals may come first) until the one of ``org_id``'s creation."""
    while True:
        await read_events(lines, len(events) + 1, events)
        if json.loads(events[-1]["data"])["data"].get("org_id") == org_id:
            return


@shared_services
async def test_two_servers_and_a_worker_share_capacity_lockout_grants_and_stream(
    make_app: Callable[..., Litestar], settings: Any, tmp_path: Path
) -> None:
    async with (
        QuntuanProcesses(tmp_path, settings.database_url, settings.redis_url, **SERVER_ENV) as procs,
        httpx.AsyncClient(timeout=30) as http,
        running(make_app(plugins={})) as client,
    ):
        db = client.app.state.db
        root = await make_org(name="市委")
        everything = [ORG_READ, ORG_CREATE, EVENT_READ, EVENT_MANAGE, REGISTRATION_MANAGE]
        admin = await make_account(db, grants=[(None, [*everything, GRANT_MANAGE, STREAM_READ], True)])
        reader = await make_account(db, grants=[(root["path"], [ORG_READ], True)])
        victim = await make_account(db)
        persons = await make_persons(ATTEMPTS)

        a, b = await asyncio.gather(procs.serve(), procs.serve())
        procs.worker()
        boss = await _bearer(http, a, *admin)

        # (a) Registrations spread over both servers: exactly CAPACITY places are taken.
        created = await http.post(
            a.url + "/api/v1/events",
            json=event_body(root, capacity=CAPACITY, waitlist=False),
            headers=boss,
        )
        assert created.status_code == 201, created.text
        event_id = created.json()["id"]
        published = await http.post(f"{b.url}/api/v1/events/{event_id}/publish", headers=boss)
        assert published.status_code == 200, published.text
        responses = await asyncio.gather(
            *[
                http.post(
                    f"{(a, b)[i % 2].url}/api/v1/events/{event_id}/registrations",
                    json={"person_id": str(pid)},
                    headers=boss,
                )
                for i, pid in enumerate(persons)
            ]
        )
        outcomes = Counter(
            r.json()["status"] if r.status_code == 201 else r.json()["type"].rsplit("/", 1)[-1]
            for r in responses
        )
        assert outcomes == {"confirmed": CAPACITY, "event-full": ATTEMPTS - CAPACITY}
        row = await Event.select(Event.confirmed_count).where(Event.id == event_id).first().run()
        stored = await Registration.count().where(Registration.event == event_id).run()
        assert row is not None and row["confirmed_count"] == stored == CAPACITY

        # (b) Failed logins on both servers add up to one lock-out, seen by both.
        for i in range(4):
            failed = await http.post((a, b)[i % 2].url + TOKEN, json=_login(victim[0], "wrong-password"))
            assert failed.status_code == 401
        for server in (a, b):
            locked = await http.post(server.url + TOKEN, json=_login(*victim))
            assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0

        # (c) A grant revoked through A no longer opens anything through B, on the very next read.
        as_reader = await _bearer(http, b, *reader)
        org_url = f"/api/v1/orgs/{root['id']}"
        for server in (a, b, a, b):
            assert (await http.get(server.url + org_url, headers=as_reader)).status_code == 200
        account = await Account.select(Account.id).where(Account.username == reader[0]).first().run()
        assert account is not None
        grant = await Grant.select(Grant.id).where(Grant.account == account["id"]).first().run()
        assert grant is not None
        revoked = await http.delete(f"{a.url}/api/v1/grants/{grant['id']}", headers=boss)
        assert revoked.status_code == 204, revoked.text
        refused = await http.get(b.url + org_url, headers=as_reader)
        assert refused.status_code in (403, 404), refused.text

        # (d) A client following the stream on B hears of an org created through A (via the worker).
        events: list[dict[str, Any]] = []
        async with http.stream("GET", b.url + "/api/v1/stream", headers=boss) as stream:
            assert stream.status_code == 200
            lines = stream.aiter_lines()
            assert (await anext(lines)).startswith(": connected")
            new_org = await http.post(
                a.url + "/api/v1/orgs",
                json={
                    "name": "新建团支部",
                    "kind": "party.committee",
                    "level": "unit",
                    "parent": str(root["id"]),
                },
                headers=boss,
            )
            assert new_org.status_code == 201, new_org.text
            new_id = new_org.json()["id"]
            await asyncio.wait_for(_until_org_created(lines, events, new_id), timeout=30)
        assert events[-1]["event"] == "org.created"
        assert json.loads(events[-1]["data"])["type"] == "org.created"


REQUESTS = 120
ROUTE = "/api/v1/problems/{code}"


def _samples(exposition: str, name: str, **labels: str) -> float:
    """The sum of every sample ``name`` with these labels (over the labels not given)."""
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    )


def _per_process(log_dir: Path, route: str) -> list[float]:
    """Requests to ``route`` counted by each process, from its own file in the multiprocess directory."""
    from prometheus_client.multiprocess import MultiProcessCollector

    files = sorted(next(log_dir.glob("metrics-*")).glob("counter_*.db"))
    return [
        sum(
            sample.value
            for family in MultiProcessCollector.merge([str(f)], accumulate=True)
            for sample in family.samples
            if sample.name == "quntuan_http_requests_total" and sample.labels.get("route") == route
        )
        for f in files
    ]


@shared_services
async def test_metrics_of_two_web_workers_add_up_to_the_requests_sent(settings: Any, tmp_path: Path) -> None:
    async with QuntuanProcesses(tmp_path, settings.database_url, settings.redis_url, **SERVER_ENV) as procs:
        server = await procs.serve(workers=2)
        # A new connection per request, many at once, so that both worker processes answer some.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as http:
            # Both workers up: each has answered (and counted) a probe.
            async def both_answer() -> bool:
                await asyncio.gather(*[http.get("/api/v1/health/live") for _ in range(8)])
                return len(_per_process(tmp_path, "/api/v1/health/live")) == 2

            await eventually(both_answer, within=60)
            codes = ["not-found", "forbidden", "validation-failed", "no-such-problem"]
            gate = asyncio.Semaphore(16)

            async def one(i: int) -> int:
                async with gate:
                    return (await http.get(f"/api/v1/problems/{codes[i % len(codes)]}")).status_code

            statuses = await asyncio.gather(*[one(i) for i in range(REQUESTS)])
            exposition = (await http.get("/metrics")).text
    assert len(statuses) == REQUESTS
    assert _samples(exposition, "quntuan_http_requests_total", route=ROUTE) == REQUESTS
    assert _samples(exposition, "quntuan_http_request_duration_seconds_count", route=ROUTE) == REQUESTS
    assert "/api/v1/problems/not-found" not in exposition  # route templates, never raw paths
    # The figures came from both processes, each counting its own share.
    shares = _per_process(tmp_path, ROUTE)
    assert len(shares) == 2 and all(shares) and sum(shares) == REQUESTS, shares
    for family in ("quntuan_db_pool_connections", "quntuan_job_queue_depth"):
        assert f"\n{family}{{" in exposition, family


async def test_a_single_server_counts_without_a_configured_metrics_directory(
    settings: Any, tmp_path: Path
) -> None:
    """The plain ``quntuan serve`` (no PROMETHEUS_MULTIPROC_DIR given) still counts every request."""
    async with QuntuanProcesses(tmp_path, settings.database_url, settings.redis_url, **SERVER_ENV) as procs:
        server = await procs.serve(PROMETHEUS_MULTIPROC_DIR="")
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            for _ in range(7):
                assert (await http.get("/api/v1/problems/not-found")).status_code == 200
            exposition = (await http.get("/metrics")).text
    assert _samples(exposition, "quntuan_http_requests_total", route=ROUTE) == 7


@shared_services
async def test_the_job_workers_figures_show_in_the_web_metrics(settings: Any, tmp_path: Path) -> None:
    """``quntuan worker`` sharing the host's metrics directory: its job outcomes appear at ``/metrics``."""
    from core.integration.jobs import JobRunner
    from core.kernel.shared import make_redis
    from core.orgs.jobs import JOB_NAME

    async with QuntuanProcesses(tmp_path, settings.database_url, settings.redis_url, **SERVER_ENV) as procs:
        server = await procs.serve()
        procs.worker(PROMETHEUS_MULTIPROC_DIR=str(server.metrics_dir))
        redis = make_redis(settings.redis_url)
        try:
            jobs = JobRunner(settings, redis)
            for _ in range(3):  # an import that no longer exists: the job ends at once, successfully
                await jobs.enqueue(JOB_NAME, job_id=str(uuid.uuid4()))
            await jobs.enqueue(JOB_NAME, job_id="not-an-id")  # fails
        finally:
            await redis.aclose()
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:

            async def counted() -> dict[str, float]:
                exposition = (await http.get("/metrics")).text
                figures = {
                    outcome: _samples(exposition, "quntuan_jobs_total", job=JOB_NAME, outcome=outcome)
                    for outcome in ("succeeded", "failed")
                }
                return figures if figures == {"succeeded": 3, "failed": 1} else {}

            await eventually(counted, within=30)
            exposition = (await http.get("/metrics")).text
    assert "\nquntuan_job_queue_depth{" in exposition


@shared_services
async def test_webhook_deliveries_of_the_worker_show_in_the_web_metrics(
    make_app: Callable[..., Litestar], settings: Any, tmp_path: Path
) -> None:
    """An org created through the API is delivered by ``quntuan worker``; the host's ``/metrics`` counts it."""
    from core.integration.permissions import WEBHOOK_MANAGE, WEBHOOK_READ
    from tests.core.integration.support import Receiver

    receiver = Receiver()
    env = {
        **SERVER_ENV,
        "QUNTUAN_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.1/32",
        "QUNTUAN_WEBHOOK_ALLOW_HTTP_LOOPBACK": "true",
    }
    try:
        async with (
            QuntuanProcesses(tmp_path, settings.database_url, settings.redis_url, **env) as procs,
            running(make_app(plugins={})) as client,
            httpx.AsyncClient(timeout=30) as http,
        ):
            root = await make_org(name="市委")
            grants = [(root["path"], [ORG_READ, ORG_CREATE, WEBHOOK_READ, WEBHOOK_MANAGE], True)]
            admin = await make_account(client.app.state.db, grants=grants)
            server = await procs.serve()
            procs.worker(PROMETHEUS_MULTIPROC_DIR=str(server.metrics_dir))
            boss = await _bearer(http, server, *admin)
            hook = await http.post(
                server.url + "/api/v1/webhooks",
                json={"url": receiver.url, "org_id": str(root["id"]), "signal_types": ["org.created"]},
                headers=boss,
            )
            assert hook.status_code == 201, hook.text
            for name in ("一支部", "二支部"):
                created = await http.post(
                    server.url + "/api/v1/orgs",
                    json={
                        "name": name,
                        "kind": "party.committee",
                        "level": "unit",
                        "parent": str(root["id"]),
                    },
                    headers=boss,
                )
                assert created.status_code == 201, created.text

            async def counted() -> bool:
                exposition = (await http.get(server.url + "/metrics")).text
                return _samples(exposition, "quntuan_webhook_deliveries_total", outcome="succeeded") == 2

            await eventually(counted, within=30)
        assert len(receiver.received) == 2
    finally:
        receiver.close()
