"""Retention (保留期限): old outbox signals, finished deliveries and idempotency keys are purged.

The job ``integration.purge`` is queued by every working process each ``retention_interval`` seconds
(its key keeps one queued at a time) and deletes, in batches of :data:`PURGE_BATCH` rows with one short
transaction each (so a purge never holds locks for long):

* finished webhook deliveries (succeeded or failed) older than ``retention_delivery_days``, with their
  attempts (the delivery log);
* relayed outbox signals older than ``retention_outbox_hours`` of which no delivery is still pending: a
  delivery that is retrying reads its body from the outbox, so its signal stays until it finishes;
* ``Idempotency-Key`` records older than ``retention_idempotency_hours`` (they no longer replay anyway).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from core.idempotency import expired_keys
from core.idempotency.tables import IdempotencyKey
from core.integration.jobs import JobContext, register_job
from core.integration.tables import OutboxSignal, WebhookAttempt, WebhookDelivery
from core.kernel.settings import Settings

PURGE_JOB = "integration.purge"
#: Rows deleted per transaction.
PURGE_BATCH = 1000


@register_job(PURGE_JOB)
async def purge(ctx: JobContext) -> dict[str, int]:
    return await purge_expired(ctx.db, ctx.settings)


async def purge_expired(db: Any, settings: Settings, *, moment: datetime | None = None) -> dict[str, int]:
    """Delete what has outlived its retention period; returns how many rows of each kind went."""
    moment = moment or datetime.now(UTC)
    finished_before = moment - timedelta(days=settings.retention_delivery_days)
    relayed_before = moment - timedelta(hours=settings.retention_outbox_hours)
    unfinished = WebhookDelivery.select(WebhookDelivery.signal_id).where(WebhookDelivery.status == "pending")
    finished = (WebhookDelivery.status != "pending") & (WebhookDelivery.finished_at < finished_before)

    async def deliveries(ids: list[Any]) -> None:
        await WebhookAttempt.delete().where(WebhookAttempt.delivery_id.is_in(ids)).run()
        await WebhookDelivery.delete().where(WebhookDelivery.id.is_in(ids) & finished).run()

    async def signals(ids: list[Any]) -> None:
        # Checked again inside the transaction: a replay may have made a delivery meanwhile.
        await (
            OutboxSignal.delete().where(OutboxSignal.id.is_in(ids) & OutboxSignal.id.not_in(unfinished)).run()
        )

    async def keys(ids: list[Any]) -> None:
        await IdempotencyKey.delete().where(IdempotencyKey.id.is_in(ids)).run()

    return {
        "deliveries": await _in_batches(
            db, WebhookDelivery.select(WebhookDelivery.id).where(finished), deliveries
        ),
        "signals": await _in_batches(
            db,
            OutboxSignal.select(OutboxSignal.id).where(
                OutboxSignal.relayed_at.is_not_null()
                & (OutboxSignal.relayed_at < relayed_before)
                & OutboxSignal.id.not_in(unfinished)
            ),
            signals,
        ),
        "idempotency_keys": await _in_batches(
            db, expired_keys(moment - timedelta(hours=settings.retention_idempotency_hours)), keys
        ),
    }


async def _in_batches(db: Any, ids_query: Any, delete: Callable[[list[Any]], Awaitable[None]]) -> int:
    """Select up to :data:`PURGE_BATCH` ids and delete them in a transaction of their own, until none."""
    done = 0
    while True:
        ids = [row["id"] for row in await ids_query.limit(PURGE_BATCH).run()]
        if ids:
            async with db.transaction():
                await delete(ids)
        done += len(ids)
        if len(ids) < PURGE_BATCH:
            return done
