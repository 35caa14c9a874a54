"""Large imports as background jobs: the upload is stored, a job runs :func:`run_import` and keeps the report."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import msgspec

from core.access import Reach
from core.integration.jobs import JobContext, register_job
from core.orgs.imports import run_import
from core.orgs.tables import ImportJob

JOB_NAME = "orgs.import"


@register_job(JOB_NAME)
async def import_job(ctx: JobContext, *, job_id: str) -> None:
    """Run one queued import; the report (or the failure) is written to its ``core_import_job`` row."""
    from core.plugin_host import make_plugin_manager

    row = await ImportJob.select().where(ImportJob.id == UUID(job_id)).first().run()
    if row is None or row["status"] not in ("queued", "running"):
        return
    await ImportJob.update({ImportJob.status: "running"}).where(ImportJob.id == row["id"]).run()
    reaches = msgspec.convert(_json(row["reaches"]), list[Reach])
    pm = make_plugin_manager(ctx.settings)
    try:
        report = await run_import(
            ctx.db,
            pm,
            ctx.settings,
            row["what"],
            bytes(row["content"]),
            filename=row["filename"],
            mode=row["mode"],
            reaches=reaches,
            locale=row["locale"],
            parent=row["parent"],
        )
    except Exception:
        await (
            ImportJob.update({ImportJob.status: "failed", ImportJob.finished_at: datetime.now(UTC)})
            .where(ImportJob.id == row["id"])
            .run()
        )
        raise
    await (
        ImportJob.update(
            {
                ImportJob.status: "done",
                ImportJob.report: msgspec.json.encode(report).decode(),
                ImportJob.finished_at: datetime.now(UTC),
                ImportJob.content: b"",
            }
        )
        .where(ImportJob.id == row["id"])
        .run()
    )


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else value
