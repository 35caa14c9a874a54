"""Deadlines: a periodic job applies every passed deadline (move on, escalate, remind).

``processes.deadlines`` is queued by every working process each ``QUNTUAN_PROCESS_DEADLINE_INTERVAL``
seconds (``register_periodic``: one queued per interval across processes). Each due process is handled in a transaction of its own
with the same compare-and-set as a person's step, so two workers never apply one deadline twice and a
person acting at the same moment either wins or loses cleanly. The clock is a parameter
(:func:`apply_due_deadlines`'s ``moment``): tests move time forward without sleeping.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from core.integration.jobs import JobContext, register_job, register_periodic
from core.kernel.errors import Problem
from core.kernel.vault import Vault
from core.processes import machine
from core.processes.machine import Env, now
from core.processes.tables import Process

log = logging.getLogger("quntuan.processes")

DEADLINE_JOB = "processes.deadlines"
BATCH = 200


@register_job(DEADLINE_JOB)
async def deadlines(ctx: JobContext) -> int:
    env = Env(
        ctx.registry,
        ctx.extra.get("plugin_manager"),
        Vault.from_settings(ctx.settings),
        timezone=ctx.settings.timezone,
    )
    return await apply_due_deadlines(ctx.db, env)


register_periodic(DEADLINE_JOB, lambda settings: settings.process_deadline_interval)


async def apply_due_deadlines(db: Any, env: Env, *, moment: datetime | None = None) -> int:
    """Apply every deadline passed at ``moment`` (now by default); returns how many processes moved."""
    moment = moment or now()
    applied = 0
    after: tuple[Any, Any] | None = None
    while True:
        query = (
            Process.select(Process.id, Process.due_at)
            .where((Process.status == "open") & (Process.due_at <= moment) & (Process.reminded == 0))
            .order_by(Process.due_at, Process.id)
            .limit(BATCH)
        )
        if after is not None:
            query = query.where(
                (Process.due_at > after[0]) | ((Process.due_at == after[0]) & (Process.id > after[1]))
            )
        batch = await query.run()
        if not batch:
            return applied
        after = (batch[-1]["due_at"], batch[-1]["id"])
        for item in batch:
            try:
                async with db.transaction():
                    row = await machine.load(item["id"])
                    if row is None or row["status"] != "open" or machine.utc(row["due_at"]) > moment:  # type: ignore[operator]
                        continue
                    if row["reminded"]:
                        continue
                    if await machine.apply_deadline(env, row, moment) is not None:
                        applied += 1
            except Problem as exc:  # someone acted first, or a plugin's after-action refused: next time
                log.info("deadline of process %s not applied: %s", item["id"], exc.problem.code)
