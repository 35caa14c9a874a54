"""Overdue tasks are flagged to their council once: ``joint.task_overdue`` (to the council's org and the
member org) and an audit entry, by a periodic job (every ``QUNTUAN_PROCESS_DEADLINE_INTERVAL`` seconds,
as the core's own deadlines). The council's lists flag them at once, without waiting for the job."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.sdk import JobContext, emit, record_audit, register_job, register_periodic, transaction
from plugins.joint import signals as sig
from plugins.joint.processes import FINAL
from plugins.joint.tables import JointTask

OVERDUE_JOB = "joint.flag_overdue"
BATCH = 500


async def flag_overdue(on: date) -> int:
    """Flag every task due before ``on`` and not closed that was not flagged yet; returns how many."""
    flagged = 0
    while True:
        rows = (
            await JointTask.select()
            .where((JointTask.flagged == 0) & (JointTask.due_on < on) & JointTask.state.not_in(list(FINAL)))
            .order_by(JointTask.due_on)
            .limit(BATCH)
            .run()
        )
        if not rows:
            return flagged
        for row in rows:
            async with transaction():
                done = (
                    await JointTask.update({JointTask.flagged: 1})
                    .where((JointTask.id == row["id"]) & (JointTask.flagged == 0))
                    .returning(JointTask.id)
                    .run()
                )
                if not done:  # another worker flagged it
                    continue
                await record_audit(
                    "joint.task.overdue",
                    resource_type="joint.task",
                    resource_id=row["id"],
                    org_path=row["org_path"],
                    org_paths=[row["member_path"]],
                    actor=None,
                )
                await emit(
                    sig.TASK_OVERDUE,
                    sig.TaskSignal(
                        council=str(row["council"]),
                        task=str(row["id"]),
                        process=str(row["process"]),
                        member_org=str(row["member_org"]),
                    ),
                    resource_type="joint.task",
                    resource_id=row["id"],
                    org_path=row["org_path"],
                )
                flagged += 1


@register_job(OVERDUE_JOB)
async def overdue_job(ctx: JobContext) -> int:
    return await flag_overdue(datetime.now(ZoneInfo(ctx.settings.timezone)).date())


register_periodic(OVERDUE_JOB, lambda settings: settings.process_deadline_interval)
