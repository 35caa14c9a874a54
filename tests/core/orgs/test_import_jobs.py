"""Background imports: leased (a dead worker's import is retried or failed, never left running), their
uploads encrypted at rest, deleted when they end or expire, and reached by PIPL erasure."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pytest
from litestar import Litestar

from core.identity.tables import Person
from core.kernel.vault import Vault
from core.members.tables import Membership
from core.orgs import uploads
from core.orgs.jobs import sweep_imports
from core.orgs.tables import ImportJob, ImportSubject
from core.orgs.validators import id_number_check
from tests.conftest import ApiClient, open_client
from tests.core.orgs.conftest import Tree
from tests.helpers import AllowAll, with_principal


def id_number(n: int) -> str:
    body = f"3301061990{1 + n // 28000:02d}{1 + n // 1000 % 28:02d}{n % 1000:03d}"
    return body + id_number_check(body)


def members_csv(org: str, count: int, first: int = 0) -> bytes:
    lines = ["组织,姓名,身份证号,手机"]
    lines += [f"{org},成员{i},{id_number(i)},138{i:08d}" for i in range(first, first + count)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
async def worker_api(make_app: Callable[..., Litestar], make_settings: Any) -> AsyncIterator[ApiClient]:
    """An app running its jobs in-process (or on the test Redis), short leases."""
    settings = make_settings(embedded_worker=True, import_lease_seconds=2.0)
    async for client in open_client(with_principal(make_app(settings_=settings), AllowAll())):
        yield client


async def queue_import(api: ApiClient, content: bytes) -> str:
    response = await api.post(
        "/api/v1/imports/members", params={"background": "true"}, files={"file": ("m.csv", content)}
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


async def finished(api: ApiClient, job_id: str) -> dict[str, Any]:
    for _ in range(400):
        job = (await api.get(f"/api/v1/imports/{job_id}")).json()
        if job["status"] in ("done", "failed"):
            return dict(job)
        await asyncio.sleep(0.05)
    raise AssertionError(f"import {job_id} did not end: {job}")


async def stored(job_id: str) -> dict[str, Any]:
    row = await ImportJob.select().where(ImportJob.id == UUID(job_id)).first().run()
    assert row is not None
    row["content"] = bytes(row["content"] or b"")
    row["subjects"] = await ImportSubject.count().where(ImportSubject.job == UUID(job_id)).run()
    return dict(row)


async def test_an_upload_is_stored_encrypted_and_deleted_once_imported(worker_api: ApiClient) -> None:
    tree = Tree(worker_api)
    org = await tree.add("fed", "union.federation", "city", name="杭州市总工会")
    jobs = worker_api.app.state.jobs
    # Hold the worker back so the stored upload can be looked at while it waits.
    gate = asyncio.Event()
    original = jobs.enqueue

    async def later(*args: Any, **kwargs: Any) -> bool:
        await gate.wait()
        return await original(*args, **kwargs)

    jobs.enqueue = later
    task = asyncio.create_task(queue_import(worker_api, members_csv(org, 30)))
    for _ in range(200):
        rows = await ImportJob.select(ImportJob.id).run()
        if rows:
            break
        await asyncio.sleep(0.02)
    waiting = await stored(str(rows[0]["id"]))
    content = waiting["content"]
    for plain in (id_number(7), "13800000007", "成员7".encode().decode()):
        assert plain.encode() not in content
        assert base64.b64encode(plain.encode()) not in content
    assert content.startswith(b"v1.")
    assert waiting["subjects"] == 60  # 30 ID numbers and 30 phones, as blind indexes
    gate.set()
    job_id = await task
    job = await finished(worker_api, job_id)
    assert job["status"] == "done" and job["report"]["imported"] == 30 and job["attempts"] == 1
    after = await stored(job_id)
    assert after["content"] == b"" and after["subjects"] == 0 and after["lease_until"] is None


async def insert_job(vault: Vault, rows: list[list[str]], **fields: Any) -> UUID:
    job_id = uuid4()
    job = {
        "id": job_id,
        "what": "members",
        "mode": "all",
        "reaches": msgspec.json.encode([{"path": "", "subtree": True}]).decode(),
        "status": "queued",
        "requested_by": AllowAll.id,
        **fields,
    }
    from core.kernel.db import active_database

    db = active_database()
    assert db is not None
    await uploads.store(db, vault, job, rows)
    return job_id


def table(org: str, count: int) -> list[list[str]]:
    return [["组织", "姓名", "身份证号", "手机"]] + [
        [org, f"成员{i}", id_number(i), f"138{i:08d}"] for i in range(count)
    ]


async def test_a_dead_workers_import_is_retried_then_failed_never_left_running(worker_api: ApiClient) -> None:
    app = worker_api.app
    settings, jobs = app.state.settings, app.state.jobs
    vault = Vault.from_settings(settings)
    org = await Tree(worker_api).add("fed", "union.federation", "city", name="杭州市总工会")
    now = datetime.now(UTC)
    lapsed = now - timedelta(seconds=1)
    # Attempt 1 of 2 died (its lease lapsed): queued again, and this time it runs to the end.
    retried = await insert_job(vault, table(org, 5), status="running", attempts=1, lease_until=lapsed)
    # Attempt 2 of 2 died: failed with the reason, its upload gone.
    lost = await insert_job(vault, table(org, 5), status="running", attempts=2, lease_until=lapsed)
    # A live lease is left alone.
    alive = await insert_job(
        vault, table(org, 5), status="running", attempts=1, lease_until=now + timedelta(hours=1)
    )
    counts = await sweep_imports(settings, jobs, moment=now)
    assert counts["retried"] == 1 and counts["worker_lost"] == 1
    done = await finished(worker_api, str(retried))
    assert done["status"] == "done" and done["attempts"] == 2 and done["report"]["imported"] == 5
    failed = await finished(worker_api, str(lost))
    assert failed["status"] == "failed" and failed["error"] == "worker_lost"
    assert (await stored(str(lost)))["content"] == b"" and (await stored(str(lost)))["subjects"] == 0
    assert (await stored(str(alive)))["status"] == "running"
    # Atomic: the retried import's rows once, the lost one's never.
    assert await Membership.count().run() == 5


async def test_an_attempt_that_lost_its_row_rolls_back(worker_api: ApiClient) -> None:
    """Fencing: an attempt whose lease was taken over writes nothing, even when it gets to the end."""
    from core.orgs.jobs import import_job

    app = worker_api.app
    vault = Vault.from_settings(app.state.settings)
    org = await Tree(worker_api).add("fed", "union.federation", "city", name="杭州市总工会")
    job_id = await insert_job(vault, table(org, 3))
    context = app.state.integration.context
    original = uploads.end

    async def taken_over(job: UUID, changes: dict[Any, Any], *, where: Any = None) -> bool:
        # Meanwhile the sweep gave the import to another attempt.
        await ImportJob.update({ImportJob.attempts: 5}).where(ImportJob.id == job).run()
        return await original(job, changes, where=where)

    uploads.end = taken_over  # type: ignore[assignment]
    try:
        await import_job(context, job_id=str(job_id))
    finally:
        uploads.end = original  # type: ignore[assignment]
    assert await Membership.count().run() == 0 and await Person.count().run() == 0
    assert (await stored(str(job_id)))["status"] == "running"  # the other attempt's to finish


async def test_uploads_expire_even_when_their_import_never_ended(worker_api: ApiClient) -> None:
    app = worker_api.app
    settings, jobs = app.state.settings, app.state.jobs
    vault = Vault.from_settings(settings)
    org = await Tree(worker_api).add("fed", "union.federation", "city", name="杭州市总工会")
    old = datetime.now(UTC) - timedelta(hours=settings.import_upload_retention_hours, minutes=1)
    never_run = await insert_job(
        vault,
        table(org, 2),
        created_at=old,
        status="running",
        attempts=1,
        lease_until=datetime.now(UTC) + timedelta(hours=1),
    )
    ended = await insert_job(vault, table(org, 2), created_at=old, status="failed", error="import_error")
    counts = await sweep_imports(settings, jobs)
    # The app's own worker sweeps on its schedule too (under load it may take one of the two first):
    # what matters is that both uploads are gone, whichever sweep did it.
    assert 1 <= counts["expired"] <= 2
    first, second = await stored(str(never_run)), await stored(str(ended))
    assert first["status"] == "failed" and first["error"] == "expired"
    assert first["content"] == b"" == second["content"] and first["subjects"] == 0 == second["subjects"]
    assert second["error"] == "import_error"


async def test_erasing_a_person_discards_the_uploads_that_name_them(worker_api: ApiClient) -> None:
    app = worker_api.app
    vault = Vault.from_settings(app.state.settings)
    org = await Tree(worker_api).add("fed", "union.federation", "city", name="杭州市总工会")
    created = await worker_api.post(
        "/api/v1/persons", json={"name": "张三", "home_org": org, "id_number": id_number(1)}
    )
    assert created.status_code == 201, created.text
    person = created.json()["id"]
    naming = await insert_job(vault, table(org, 3))  # row 2 holds id_number(1)
    other = await insert_job(vault, [["组织", "姓名", "身份证号"], [org, "李四", id_number(50)]])
    erased = await worker_api.delete(f"/api/v1/persons/{person}")
    assert erased.status_code in (200, 204), erased.text
    gone, kept = await stored(str(naming)), await stored(str(other))
    assert gone["status"] == "failed" and gone["error"] == "erased"
    assert gone["content"] == b"" and gone["subjects"] == 0
    assert kept["status"] == "queued" and kept["content"] != b""


async def test_stored_uploads_are_reencrypted_with_the_new_key(
    worker_api: ApiClient, make_settings: Any
) -> None:
    app = worker_api.app
    old_vault = Vault.from_settings(app.state.settings)
    org = await Tree(worker_api).add("fed", "union.federation", "city", name="杭州市总工会")
    job_id = await insert_job(old_vault, table(org, 2))
    key = base64.urlsafe_b64encode(bytes(range(32))).decode()
    new_vault = Vault.from_settings(make_settings(personal_data_keys=(f"k2:{key}",)))
    assert await uploads.reencrypt_uploads(app.state.db, new_vault) == 1
    content = (await stored(str(job_id)))["content"]
    assert content.startswith(b"v1.k2.")
    assert uploads.open_rows(new_vault, content) == table(org, 2)
    assert await uploads.reencrypt_uploads(app.state.db, new_vault) == 0
