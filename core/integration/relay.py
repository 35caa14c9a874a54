"""The relay: from the outbox to webhook deliveries and the live stream, and the delivery attempts.

*Fan-out* reads committed outbox rows not yet relayed (``relayed_at IS NULL``, in ``seq`` order) and, in
one transaction, creates a delivery for every matching subscription and marks the rows relayed; then
publishes them to the live stream. Picking rows by that flag instead of a high-water mark means a
transaction that commits late with a lower ``seq`` is relayed on the next pass, never skipped. On
PostgreSQL an advisory lock lets one process fan out at a time.

*Dispatch* claims due attempts in the database (a compare-and-set on the attempt number with a lease)
and enqueues a job per claimed attempt; a lost job (Redis restarted, worker killed) leaves its lease to
expire and the attempt is claimed again with the next number. A delivery waits while an earlier
delivery of the same resource to the same webhook is pending, so each receiver sees a resource's
signals in order. The attempt row's unique ``(delivery_id, number)`` makes sure one attempt is never
sent twice, however many workers run.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import msgspec
from piccolo.engine.postgres import PostgresEngine

from core.access import Reach, within
from core.integration import outbound
from core.integration.broadcast import Broadcaster, StreamMessage
from core.integration.jobs import JobContext, register_job
from core.integration.signing import webhook_headers
from core.integration.tables import OutboxSignal, Webhook, WebhookAttempt, WebhookDelivery
from core.settings import Settings

log = logging.getLogger("quntuan.relay")

DELIVER_JOB = "integration.deliver"
RELAY_LOCK_KEY = 0x51_52_4C_59  # "QRLY"
BATCH = 500
JITTER = 0.2


def now() -> datetime:
    return datetime.now(UTC)


def lease_seconds(settings: Settings) -> float:
    """How long an attempt is held: longer than the longest request it can make."""
    return settings.webhook_connect_timeout + 3 * settings.webhook_read_timeout + 5


def retry_delay(settings: Settings, attempts_made: int) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` failures (±20 % jitter); None: give up."""
    delays = settings.webhook_retry_delays
    if attempts_made > len(delays):
        return None
    base = delays[attempts_made - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def subscription_matches(webhook: dict[str, Any], name: str, org_path: str | None) -> bool:
    """Whether ``webhook`` receives signal ``name`` about ``org_path``: its type, its subtree, its reach."""
    if name not in _json(webhook["signal_types"]):
        return False
    path = org_path or ""
    if not path.startswith(webhook["org_path"]):
        return False
    reaches = [Reach(path=p, subtree=bool(s)) for p, s in _json(webhook["reach"])]
    return within(path, reaches)


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else value


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


# --- fan-out -----------------------------------------------------------------------------------------


async def relay_once(db: Any, broadcaster: Broadcaster | None) -> int:
    """Fan out one batch of committed, unrelayed signals; returns how many were relayed."""
    async with db.transaction():
        if isinstance(db.engine, PostgresEngine):
            got = await OutboxSignal.raw("SELECT pg_try_advisory_xact_lock({}) AS ok", RELAY_LOCK_KEY).run()
            if not got[0]["ok"]:
                return 0
        rows = await (
            OutboxSignal.select()
            .where(OutboxSignal.relayed_at.is_null())
            .order_by(OutboxSignal.seq)
            .limit(BATCH)
            .run()
        )
        if not rows:
            return 0
        # Disabled subscriptions collect their signals too: re-enabling one delivers its backlog.
        webhooks = await Webhook.select().run()
        deliveries = [
            WebhookDelivery(
                seq=row["seq"],
                webhook_id=hook["id"],
                signal_id=row["id"],
                signal_name=row["name"],
                resource_key=f"{row['resource_type']}:{row['resource_id']}",
                origin="signal",
            )
            for row in rows
            for hook in webhooks
            if subscription_matches(hook, row["name"], row["org_path"])
        ]
        if deliveries:
            await WebhookDelivery.insert(*deliveries).run()
        await (
            OutboxSignal.update({OutboxSignal.relayed_at: now()})
            .where(OutboxSignal.seq.is_in([row["seq"] for row in rows]))
            .run()
        )
    if broadcaster is not None:
        await broadcaster.publish([stream_message(row) for row in rows])
    return len(rows)


def stream_message(row: dict[str, Any]) -> StreamMessage:
    return StreamMessage(
        seq=row["seq"],
        id=str(row["id"]),
        type=row["name"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        org_path=row["org_path"],
        occurred_at=_iso(row["occurred_at"]),
        data=msgspec.Raw(row["payload"].encode()) if isinstance(row["payload"], str) else row["payload"],
    )


# --- dispatch ----------------------------------------------------------------------------------------


async def due_deliveries(limit: int = 200) -> list[dict[str, Any]]:
    """Pending deliveries whose attempt is due, unleased, of an active webhook, first of their resource."""
    moment = now()
    active = Webhook.select(Webhook.id).where(Webhook.status == "active")
    candidates = await (
        WebhookDelivery.select(
            WebhookDelivery.id,
            WebhookDelivery.attempts,
            WebhookDelivery.webhook_id,
            WebhookDelivery.resource_key,
            WebhookDelivery.seq,
        )
        .where(
            (WebhookDelivery.status == "pending")
            & (WebhookDelivery.next_attempt_at <= moment)
            & (WebhookDelivery.lease_until.is_null() | (WebhookDelivery.lease_until < moment))
            & WebhookDelivery.webhook_id.is_in(active)
        )
        .order_by(WebhookDelivery.seq)
        .limit(limit)
        .run()
    )
    if not candidates:
        return []
    keys = sorted({c["resource_key"] for c in candidates})
    earlier = await (
        WebhookDelivery.select(WebhookDelivery.webhook_id, WebhookDelivery.resource_key, WebhookDelivery.seq)
        .where((WebhookDelivery.status == "pending") & WebhookDelivery.resource_key.is_in(keys))
        .run()
    )
    first: dict[tuple[UUID, str], int] = {}
    for row in earlier:
        pair = (row["webhook_id"], row["resource_key"])
        first[pair] = min(first.get(pair, row["seq"]), row["seq"])
    return [c for c in candidates if c["seq"] <= first[(c["webhook_id"], c["resource_key"])]]


async def claim(db: Any, delivery_ids: Sequence[UUID], settings: Settings) -> list[dict[str, Any]]:
    """Take the next attempt of each due delivery for this worker; returns ``id`` and ``attempts`` taken.

    One conditional UPDATE: a delivery another worker holds (unexpired lease) or finished is skipped, so
    concurrent dispatchers never take the same attempt (PostgreSQL re-checks the condition on the row
    it waited for; SQLite serialises writers).
    """
    if not delivery_ids:
        return []
    moment = now()
    async with db.transaction():
        return await (  # type: ignore[no-any-return]
            WebhookDelivery.update(
                {
                    WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
                    WebhookDelivery.lease_until: moment + timedelta(seconds=lease_seconds(settings)),
                }
            )
            .where(
                WebhookDelivery.id.is_in(list(delivery_ids))
                & (WebhookDelivery.status == "pending")
                & (WebhookDelivery.next_attempt_at <= moment)
                & (WebhookDelivery.lease_until.is_null() | (WebhookDelivery.lease_until < moment))
            )
            .returning(WebhookDelivery.id, WebhookDelivery.attempts)
            .run()
        )


async def dispatch_once(ctx: JobContext) -> int:
    """Claim every due attempt and enqueue it; returns how many were enqueued."""
    queued = 0
    for row in await claim(ctx.db, [r["id"] for r in await due_deliveries()], ctx.settings):
        try:
            await ctx.jobs.enqueue(
                DELIVER_JOB,
                key=f"deliver:{row['id']}:{row['attempts']}",
                run_for=lease_seconds(ctx.settings),
                delivery_id=str(row["id"]),
                attempt=row["attempts"],
            )
            queued += 1
        except Exception as exc:  # queue unreachable: the lease expires and the attempt is claimed again
            log.warning("could not enqueue a delivery attempt: %s", type(exc).__name__)
            break
    return queued


# --- one attempt ---------------------------------------------------------------------------------------


def envelope(name: str, occurred_at: datetime, payload: str) -> bytes:
    """The JSON body receivers get: ``{"type", "timestamp", "data"}`` (the Standard Webhooks shape)."""
    head = msgspec.json.encode({"type": name, "timestamp": _iso(occurred_at)})
    return head[:-1] + b',"data":' + payload.encode() + b"}"


def signing_secrets(webhook: dict[str, Any], moment: datetime) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    found = [webhook["secret"]]
    expires = webhook["previous_secret_expires_at"]
    if webhook["previous_secret"] and expires is not None and expires > moment:
        found.append(webhook["previous_secret"])
    return found


@register_job(DELIVER_JOB)
async def deliver(ctx: JobContext, *, delivery_id: str, attempt: int) -> str:
    """Make attempt number ``attempt`` of a delivery (claimed by dispatch) and record its outcome."""
    settings, db = ctx.settings, ctx.db
    did = UUID(delivery_id)
    delivery = await WebhookDelivery.objects().get(WebhookDelivery.id == did).output(load_json=True).run()
    if delivery is None or delivery.status != "pending" or delivery.attempts != attempt:
        return "stale"
    webhook = await Webhook.select().where(Webhook.id == delivery.webhook_id).first().run()
    if webhook is None or webhook.get("status") != "active":
        async with db.transaction():  # hand the attempt back; it is made when the webhook is active again
            await (
                WebhookDelivery.update(
                    {WebhookDelivery.attempts: attempt - 1, WebhookDelivery.lease_until: None}
                )
                .where((WebhookDelivery.id == did) & (WebhookDelivery.attempts == attempt))
                .run()
            )
        return "inactive"
    if delivery.payload is not None:
        body = envelope(
            delivery.signal_name, delivery.created_at, msgspec.json.encode(delivery.payload).decode()
        )
    else:
        signal = await OutboxSignal.select().where(OutboxSignal.id == delivery.signal_id).first().run()
        if signal is None:  # the signal was purged: nothing left to deliver
            await _finish(db, did, attempt, "failed", None, "signal_gone")
            return "gone"
        body = envelope(signal["name"], signal["occurred_at"], signal["payload"])
    try:
        async with db.transaction():
            await WebhookAttempt.insert(WebhookAttempt(delivery_id=did, number=attempt)).run()
    except Exception:  # unique (delivery_id, number): another worker already made this attempt
        return "duplicate"
    moment = now()
    headers = webhook_headers(
        signing_secrets(webhook, moment), str(delivery.signal_id), int(moment.timestamp()), body
    )
    outcome = await outbound.post(ctx.extra["http"], webhook["url"], body, headers, settings)
    await _record(db, delivery, webhook, attempt, outcome, settings)
    wake = ctx.extra.get("wake")
    if wake is not None:  # the next signal of this resource may go out now
        wake()
    return "ok" if outcome.ok else (outcome.error or "failed")


async def _record(
    db: Any,
    delivery: WebhookDelivery,
    webhook: dict[str, Any],
    attempt: int,
    outcome: outbound.Outcome,
    settings: Settings,
) -> None:
    did = delivery.id
    async with db.transaction():
        await (
            WebhookAttempt.update(
                {
                    WebhookAttempt.status_code: outcome.status_code,
                    WebhookAttempt.latency_ms: outcome.latency_ms,
                    WebhookAttempt.error: outcome.error,
                    WebhookAttempt.response_excerpt: outcome.excerpt,
                }
            )
            .where((WebhookAttempt.delivery_id == did) & (WebhookAttempt.number == attempt))
            .run()
        )
        if outcome.ok:
            await _finish(db, did, attempt, "succeeded", outcome, None)
            return
        gone = outcome.status_code == 410
        delay = None if gone else retry_delay(settings, attempt)
        if delay is None:
            await _finish(db, did, attempt, "failed", outcome, outcome.error)
            await (
                Webhook.update(
                    {
                        Webhook.status: "disabled",
                        Webhook.disabled_reason: "gone" if gone else "failing",
                        Webhook.updated_at: now(),
                    }
                )
                .where((Webhook.id == webhook["id"]) & (Webhook.status == "active"))
                .run()
            )
            return
        await (
            WebhookDelivery.update(
                {
                    WebhookDelivery.next_attempt_at: now() + timedelta(seconds=delay),
                    WebhookDelivery.lease_until: None,
                    WebhookDelivery.last_status_code: outcome.status_code,
                    WebhookDelivery.last_latency_ms: outcome.latency_ms,
                    WebhookDelivery.last_error: outcome.error,
                }
            )
            .where((WebhookDelivery.id == did) & (WebhookDelivery.attempts == attempt))
            .run()
        )


async def _finish(
    db: Any, did: UUID, attempt: int, status: str, outcome: outbound.Outcome | None, error: str | None
) -> None:
    async with db.transaction():
        await (
            WebhookDelivery.update(
                {
                    WebhookDelivery.status: status,
                    WebhookDelivery.lease_until: None,
                    WebhookDelivery.finished_at: now(),
                    WebhookDelivery.last_status_code: outcome.status_code if outcome else None,
                    WebhookDelivery.last_latency_ms: outcome.latency_ms if outcome else None,
                    WebhookDelivery.last_error: error,
                }
            )
            .where((WebhookDelivery.id == did) & (WebhookDelivery.attempts == attempt))
            .run()
        )


def visible_rows(rows: Sequence[dict[str, Any]], reaches: Sequence[Reach]) -> list[dict[str, Any]]:
    return [r for r in rows if within(r["org_path"] or "", reaches)]
