"""A ``quntuan worker`` killed (SIGKILL) mid-import: the import is retried by the next worker and done
once, never left ``running``; the dead attempt wrote nothing (an import is one transaction).

Real processes: a private Redis server and worker subprocesses on the test database (as in
``tests/core/integration/test_worker_durability.py``).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar

from core.identity.tables import Person
from core.members.tables import Membership
from core.orgs.tables import ImportJob
from tests.conftest import BACKEND, open_client
from tests.core.integration.support import PrivateRedis, eventually
from tests.core.orgs.conftest import Tree
from tests.core.orgs.test_import_jobs import members_csv, queue_import
from tests.helpers import AllowAll, with_principal
from tests.processes import QuntuanProcesses, free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs the redis-server binary")

#: Enough for the import to be under way when the worker is killed (SQLite imports more slowly).
ROWS = 10_000 if BACKEND == "postgresql" else 3_000


async def test_a_killed_workers_import_is_retried_and_done_once(
    make_app: Callable[..., Litestar], make_settings: Any, settings: Any, tmp_path: Path
) -> None:
    redis = PrivateRedis(free_port())
    redis.start()
    env = {"QUNTUAN_IMPORT_LEASE_SECONDS": "2", "QUNTUAN_RELAY_INTERVAL": "0.05"}
    workers = QuntuanProcesses(tmp_path, settings.database_url, redis.url, **env)
    app = make_app(settings_=make_settings(embedded_worker=False, redis_url=redis.url))
    try:
        async for api in open_client(with_principal(app, AllowAll())):
            org = await Tree(api).add("fed", "union.federation", "city", name="杭州市总工会")
            job_id = UUID(await queue_import(api, members_csv(org, ROWS)))

            async def job(job_id: UUID = job_id) -> dict[str, Any]:
                row = await ImportJob.select().where(ImportJob.id == job_id).first().run()
                return dict(row)

            first = workers.worker()
            await eventually(lambda: _status_is(job, "running"), within=120, every=0.02)
            first.popen.kill()  # mid-import: claimed, its transaction still open
            await first.wait()
            stuck = await job()
            assert stuck["status"] == "running" and stuck["attempts"] == 1
            assert (
                await Person.count().run() == 0 and await Membership.count().run() == 0
            )  # nothing half-written

            workers.worker()
            ended = await eventually(lambda: _ended(job), within=180)
            assert ended["status"] == "done", ended
            assert ended["attempts"] == 2 and ended["error"] == ""
            assert bytes(ended["content"]) == b"" and ended["lease_until"] is None
            report = (await api.get(f"/api/v1/imports/{job_id}")).json()["report"]
            assert report["committed"] is True and report["imported"] == ROWS
            assert await Person.count().run() == ROWS and await Membership.count().run() == ROWS
    finally:
        await workers.stop_all()
        redis.stop()


async def _status_is(job: Callable[..., Any], status: str) -> bool:
    return bool((await job())["status"] == status)


async def _ended(job: Callable[..., Any]) -> dict[str, Any] | None:
    row = await job()
    return row if row["status"] in ("done", "failed") else None
