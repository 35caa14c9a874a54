"""Large imports as background jobs: the upload is stored, a job runs the import and keeps the report.

**Leases.** A worker claims a queued import (``queued`` → ``running``, one more attempt) with a lease of
``import_lease_seconds`` that it renews every quarter of that while the import runs. A worker killed
mid-import (``kill -9``, out of memory, a lost host) stops renewing it; the sweep
(:func:`sweep_imports`, every half lease on every working process) finds the lapsed lease and queues
the import again while it has had fewer than ``import_max_attempts`` attempts, else fails it with the
reason ``worker_lost``. Retrying is safe: an import is one transaction, so a dead worker's attempt left
nothing written. A stopping worker (SIGTERM) that must abandon an import lets its lease lapse at once.

**Fencing.** An attempt records its end (status ``done``, the report) inside the import's own
transaction, and only if the row is still its own — ``running``, same attempt. An attempt whose lease
was taken over, or whose upload was discarded meanwhile (erasure, retention), rolls back instead of
committing: an import ends once, and never after its upload was erased.

On SQLite (one process, writes serialised) the running import holds the write lock, so no lease can be
renewed while it runs: there the sweep leaves alone the imports this process runs, and a lease only
matters after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import msgspec

from core.identity.authn import current_actor
from core.identity.tables import Account
from core.identity.throttle import LinkBudget
from core.integration.jobs import JobContext, JobRunner, register_job, register_periodic
from core.kernel.access import Reach
from core.kernel.settings import Settings
from core.kernel.vault import Vault
from core.members.links import Requester
from core.orgs import uploads
from core.orgs.imports import ImportReport, import_table
from core.orgs.tables import ImportJob

log = logging.getLogger("quntuan.imports")

JOB_NAME = "orgs.import"
SWEEP_JOB = "orgs.import_sweep"
#: Imports this process runs now (their leases cannot lapse while it lives).
_RUNNING: set[UUID] = set()


class _Superseded(Exception):
    """The job row is no longer this attempt's: another attempt took over, or its upload was discarded."""


async def enqueue_import(jobs: JobRunner, job_id: UUID, attempts: int) -> bool:
    """Queue a run of the import (keyed by the attempt, so a retry is never mistaken for the lost one)."""
    return await jobs.enqueue(JOB_NAME, key=f"{job_id}:{attempts}", job_id=str(job_id))


@register_job(JOB_NAME)
async def import_job(ctx: JobContext, *, job_id: str) -> None:
    """Run one queued import; the report (or the failure and its reason) is written to its row."""
    from core.kernel.plugin_host import make_plugin_manager

    settings = ctx.settings
    job = UUID(job_id)
    row = await _claim(job, settings)
    if row is None:
        return
    attempt = row["attempts"]
    mine = (ImportJob.status == "running") & (ImportJob.attempts == attempt)
    _RUNNING.add(job)
    heartbeat = None if ctx.db.is_sqlite else asyncio.create_task(_heartbeat(job, attempt, settings))

    async def finish(report: ImportReport) -> None:
        done = {
            ImportJob.status: "done",
            ImportJob.report: msgspec.json.encode(report).decode(),
            ImportJob.finished_at: datetime.now(UTC),
        }
        if not await uploads.end(job, done, where=mine):
            raise _Superseded

    # The import's audit entries name the account that uploaded it, as if it ran in the request.
    actor = current_actor.set(SimpleNamespace(kind="account", id=row["requested_by"]))
    try:
        table = uploads.open_rows(Vault.from_settings(settings), bytes(row["content"]))
        report = await import_table(
            ctx.db,
            make_plugin_manager(settings),
            settings,
            row["what"],
            table,
            mode=row["mode"],
            reaches=msgspec.convert(_json(row["reaches"]), list[Reach]),
            locale=row["locale"],
            parent=row["parent"],
            before_commit=finish,
            requester=await _requester(row["requested_by"]),
            budget=LinkBudget.of(settings, ctx.shared),
        )
        if not report.committed:  # nothing was written: the report is recorded on its own
            await finish(report)
    except _Superseded:
        log.warning("import %s: attempt %s superseded, rolled back", job, attempt)
    except asyncio.CancelledError:
        # The worker is stopping: the lease lapses now, so the next sweep retries (or fails) it.
        await asyncio.shield(_lapse(job, attempt))
        raise
    except Exception:
        await uploads.fail(job, "import_error", where=mine)
        raise
    finally:
        current_actor.reset(actor)
        _RUNNING.discard(job)
        if heartbeat is not None:
            heartbeat.cancel()


async def _requester(requested_by: UUID | None) -> Requester | None:
    """Who asked for the import (an account or an API client): the proposer of its link requests."""
    if requested_by is None:
        return None
    kind = "account" if await Account.exists().where(Account.id == requested_by).run() else "client"
    return Requester(kind=kind, id=requested_by)


async def _claim(job: UUID, settings: Settings) -> dict[str, Any] | None:
    """Take a queued import for this worker (one more attempt, a fresh lease), or None."""
    lease_until = datetime.now(UTC) + timedelta(seconds=settings.import_lease_seconds)
    claimed = await (
        ImportJob.update(
            {
                ImportJob.status: "running",
                ImportJob.attempts: ImportJob.attempts + 1,
                ImportJob.lease_until: lease_until,
            }
        )
        .where((ImportJob.id == job) & (ImportJob.status == "queued"))
        .returning(ImportJob.id)
        .run()
    )
    if not claimed:
        return None
    return await ImportJob.select().where(ImportJob.id == job).first().run()  # type: ignore[no-any-return]


async def _heartbeat(job: UUID, attempt: int, settings: Settings) -> None:
    """Renew the lease every quarter of it while the import runs (on a pool connection of its own)."""
    lease = settings.import_lease_seconds
    while True:
        await asyncio.sleep(lease / 4)
        try:
            await (
                ImportJob.update({ImportJob.lease_until: datetime.now(UTC) + timedelta(seconds=lease)})
                .where(
                    (ImportJob.id == job) & (ImportJob.status == "running") & (ImportJob.attempts == attempt)
                )
                .run()
            )
        except Exception as exc:  # the database is away for a moment: try again at the next beat
            log.warning("import %s: lease not renewed: %s", job, type(exc).__name__)


async def _lapse(job: UUID, attempt: int) -> None:
    try:
        await (
            ImportJob.update({ImportJob.lease_until: datetime.now(UTC)})
            .where((ImportJob.id == job) & (ImportJob.status == "running") & (ImportJob.attempts == attempt))
            .run()
        )
    except Exception as exc:
        log.warning("import %s: lease not released: %s", job, type(exc).__name__)


@register_job(SWEEP_JOB)
async def sweep(ctx: JobContext) -> dict[str, int]:
    return await sweep_imports(ctx.settings, ctx.jobs)


register_periodic(SWEEP_JOB, lambda settings: settings.import_lease_seconds / 2)


async def sweep_imports(
    settings: Settings, jobs: JobRunner, *, moment: datetime | None = None
) -> dict[str, int]:
    """Retry or fail imports whose worker died, drop uploads past their retention, and queue again the
    imports still waiting whose queue entry was lost (an in-process queue after a restart)."""
    now = moment or datetime.now(UTC)
    counts = {"retried": 0, "worker_lost": 0, "expired": 0, "requeued": 0}
    lapsed = await (
        ImportJob.select(ImportJob.id, ImportJob.attempts)
        .where((ImportJob.status == "running") & (ImportJob.lease_until < now))
        .run()
    )
    for row in lapsed:
        job, attempts = row["id"], row["attempts"]
        if job in _RUNNING:
            continue
        still = (
            (ImportJob.status == "running") & (ImportJob.attempts == attempts) & (ImportJob.lease_until < now)
        )
        if attempts < settings.import_max_attempts:
            requeued = await (
                ImportJob.update({ImportJob.status: "queued", ImportJob.lease_until: None})
                .where((ImportJob.id == job) & still)
                .returning(ImportJob.id)
                .run()
            )
            if requeued:
                log.warning("import %s: worker lost during attempt %s; queued again", job, attempts)
                await enqueue_import(jobs, job, attempts)
                counts["retried"] += 1
        elif await uploads.fail(job, "worker_lost", where=still):
            log.warning("import %s: worker lost during attempt %s, the last; failed", job, attempts)
            counts["worker_lost"] += 1
    kept_since = now - timedelta(hours=settings.import_upload_retention_hours)
    old = await (
        ImportJob.select(ImportJob.id, ImportJob.status)
        .where((ImportJob.created_at < kept_since) & (ImportJob.content != b""))
        .run()
    )
    for row in old:
        if row["status"] in uploads.UNFINISHED:
            ended = await uploads.fail(row["id"], "expired")
        else:
            ended = await uploads.end(row["id"], {})
        counts["expired"] += int(ended)
    waiting = await (
        ImportJob.select(ImportJob.id, ImportJob.attempts)
        .where(
            (ImportJob.status == "queued")
            & (ImportJob.created_at < now - timedelta(seconds=settings.import_lease_seconds))
        )
        .run()
    )
    for row in waiting:
        counts["requeued"] += int(await enqueue_import(jobs, row["id"], row["attempts"]))
    return counts


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else value
