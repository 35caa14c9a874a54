"""``quntuan worker`` processes on Redis: nothing lost when Redis restarts or a worker is killed.

Uses its own Redis server (never the shared one) and real worker subprocesses; the receiver counts the
distinct ``webhook-id`` values it got against the signals committed.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar

from core.integration.tables import WebhookAttempt, WebhookDelivery
from tests.core.integration.support import (
    WORKER_ENV,
    PrivateRedis,
    Receiver,
    emit_org_created,
    eventually,
    make_org,
    running,
)
from tests.core.integration.test_webhooks import ROOT, admin, subscribe
from tests.processes import QuntuanProcesses

ROOT_DIR = Path(__file__).resolve().parents[3]
pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary")


async def test_redis_restart_and_a_killed_worker_lose_no_signal(
    integration_app: Callable[..., Litestar],
    make_receiver: Callable[..., Receiver],
    private_redis: PrivateRedis,
    settings: Any,
    tmp_path: Path,
) -> None:
    receiver = make_receiver(delay=0.02)
    workers = QuntuanProcesses(tmp_path, settings.database_url, private_redis.url, **WORKER_ENV)
    app = integration_app(admin(), embedded_worker=False, redis_url=private_redis.url)
    committed: list[uuid.UUID] = []

    def distinct_received() -> set[str]:
        return {r.headers["webhook-id"] for r in receiver.received}

    async def all_delivered() -> bool:
        return distinct_received() == {str(i) for i in committed}

    try:
        async with running(app) as client:
            db = client.app.state.db
            org = await make_org(ROOT)
            hook = await subscribe(client, receiver.url, org)
            resources = [uuid.uuid4() for _ in range(8)]

            async def commit(n: int) -> None:
                for i in range(n):
                    committed.append(await emit_org_created(db, org, ROOT, resource_id=resources[i % 8]))

            # Two workers side by side: every signal once, no attempt made twice.
            workers.worker()
            workers.worker()
            await commit(40)
            await eventually(all_delivered, within=90)
            assert len(receiver.received) == 40
            # Outcomes are recorded once the batch's requests are answered: wait for them, then count.
            await eventually(
                lambda: _is_zero(WebhookDelivery.count().where(WebhookDelivery.status != "succeeded"))
            )
            assert await WebhookAttempt.count() == 40

            # Redis goes away mid-run; signals keep being committed; Redis comes back empty.
            await commit(10)
            private_redis.stop()
            await commit(20)
            private_redis.start()
            await commit(10)
            # A worker is killed (SIGKILL) while deliveries are in flight; a new one takes over.
            await eventually(lambda: _received_at_least(receiver, 55), within=90)
            workers.processes[0].popen.kill()
            await commit(20)
            workers.worker()
            await eventually(all_delivered, within=120)
            assert len(committed) == 100
            assert distinct_received() == {str(i) for i in committed}
            # An attempt the killed worker was making is made again once its lease runs out (at least once).
            unfinished = WebhookDelivery.count().where(
                (WebhookDelivery.webhook_id == uuid.UUID(hook["id"]))
                & (WebhookDelivery.status != "succeeded")
            )
            await eventually(lambda: _is_zero(unfinished), within=60)
    finally:
        await workers.stop_all()


async def _received_at_least(receiver: Receiver, n: int) -> bool:
    return len({r.headers["webhook-id"] for r in receiver.received}) >= n


async def _is_zero(query: Any) -> bool:
    return await query.run() == 0
