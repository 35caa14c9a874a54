"""Webhook delivery: claim due attempts in batches, send them concurrently, record the outcomes at once.

Every working process (``quntuan worker``, or the web process when embedded) runs a few delivery
loops; each pass of :func:`deliver_once`

1. **claims** up to ``webhook_batch_size`` due attempts in one statement: deliveries that are pending,
   due, unleased, of an active webhook, and the first pending delivery of their resource to that webhook
   (so a receiver sees a resource's signals in order). The claim adds one to ``attempts`` and sets a
   lease. On PostgreSQL the candidates are locked ``FOR UPDATE SKIP LOCKED``, so concurrent workers take
   disjoint batches, and the UPDATE re-checks the lease on each row; SQLite serialises writers. An
   attempt number therefore belongs to one worker only.
2. loads the bodies (outbox payloads) and the webhooks (secrets decrypted) in two queries, and each
   owner's current reach: a retry of a signal its owner may no longer read ends as ``owner_reach``,
   unsent;
3. **sends** concurrently, at most ``webhook_concurrency`` requests in flight per process, over
   connections pooled per destination (:class:`core.integration.outbound.Senders`);
4. **records** every outcome in one transaction: the attempt rows (the delivery log, unique per
   ``(delivery_id, number)``) and each delivery's new state, guarded by ``attempts``.

A process killed mid-batch leaves its leases to expire; those attempts are then made again with the
next number (at least once, with the same ``webhook-id``). The database is the queue: nothing about a
delivery lives only in Redis or in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec
from piccolo.columns.combination import WhereRaw

from core.integration import outbound
from core.integration.relay import Owner, iso, owner_of, owner_reaches
from core.integration.signing import open_secret, webhook_headers
from core.integration.tables import OutboxSignal, Webhook, WebhookAttempt, WebhookDelivery
from core.kernel.access import Reach, within
from core.kernel.observability import record_webhook_delivery
from core.kernel.settings import Settings
from core.kernel.vault import DecryptionError, Vault

log = logging.getLogger("quntuan.delivery")

JITTER = 0.2
#: The delivery's owner may no longer read its signal (grant revoked, owner disabled or gone).
OUT_OF_REACH = "owner_reach"
#: Outcomes that end a delivery at once without blaming the receiver (its webhook stays active).
NOT_DELIVERABLE = ("signal_gone", "webhook_gone", OUT_OF_REACH)
#: A pending delivery with no earlier pending delivery of its resource to the same webhook.
FIRST_OF_ITS_RESOURCE = (
    "NOT EXISTS (SELECT 1 FROM core_webhook_delivery AS earlier"
    " WHERE earlier.webhook_id = core_webhook_delivery.webhook_id"
    " AND earlier.resource_key = core_webhook_delivery.resource_key"
    " AND earlier.status = 'pending' AND earlier.seq < core_webhook_delivery.seq)"
)
#: A batch's attempts (the delivery log) in one statement on PostgreSQL.
INSERT_ATTEMPTS_SQL = """
INSERT INTO core_webhook_attempt
    (id, delivery_id, number, started_at, status_code, latency_ms, error, response_excerpt)
SELECT * FROM unnest({}::uuid[], {}::uuid[], {}::int[], {}::timestamptz[], {}::int[], {}::int[],
                     {}::text[], {}::text[])
ON CONFLICT DO NOTHING
"""
#: Every outcome of a batch in one statement on PostgreSQL (arrays unnested side by side).
RECORD_SQL = """
UPDATE core_webhook_delivery AS d SET
    status = v.status,
    lease_until = NULL,
    next_attempt_at = COALESCE(v.next_at, d.next_attempt_at),
    finished_at = v.finished_at,
    last_status_code = v.code,
    last_latency_ms = v.latency,
    last_error = v.error
FROM unnest({}::uuid[], {}::int[], {}::text[], {}::int[], {}::int[], {}::text[],
            {}::timestamptz[], {}::timestamptz[])
    AS v(id, attempts, status, code, latency, error, next_at, finished_at)
WHERE d.id = v.id AND d.attempts = v.attempts
"""


def now() -> datetime:
    return datetime.now(UTC)


def lease_seconds(settings: Settings) -> float:
    """How long a claimed attempt is held: longer than the longest request it can make."""
    return settings.webhook_connect_timeout + 3 * settings.webhook_read_timeout + 5


def retry_delay(settings: Settings, attempts_made: int) -> float | None:
    """Seconds until the next attempt after ``attempts_made`` failures (±20 % jitter); None: give up."""
    delays = settings.webhook_retry_delays
    if attempts_made > len(delays):
        return None
    base = delays[attempts_made - 1]
    return base * random.uniform(1 - JITTER, 1 + JITTER)


def envelope(name: str, occurred_at: datetime, payload: str) -> bytes:
    """The JSON body receivers get: ``{"type", "timestamp", "data"}`` (the Standard Webhooks shape)."""
    head = msgspec.json.encode({"type": name, "timestamp": iso(occurred_at)})
    return head[:-1] + b',"data":' + payload.encode() + b"}"


def signing_secrets(webhook: dict[str, Any], vault: Vault, moment: datetime) -> list[str]:
    """The current secret, and the previous one while its overlap lasts (decrypted)."""
    found = [open_secret(vault, webhook["secret"])]
    expires = webhook["previous_secret_expires_at"]
    if webhook["previous_secret"] and expires is not None and expires > moment:
        found.append(open_secret(vault, webhook["previous_secret"]))
    return found


@dataclass
class Sent:
    """One claimed attempt and what came of it."""

    delivery: dict[str, Any]
    started_at: datetime
    outcome: outbound.Outcome


@dataclass
class Deliverer:
    """What a process's delivery loops share: settings, keys, connections and the bound on requests."""

    db: Any
    settings: Settings
    vault: Vault
    senders: outbound.Senders
    in_flight: asyncio.Semaphore

    @classmethod
    def for_settings(cls, db: Any, settings: Settings) -> Deliverer:
        return cls(
            db=db,
            settings=settings,
            vault=Vault.from_settings(settings),
            senders=outbound.Senders(settings),
            in_flight=asyncio.Semaphore(settings.webhook_concurrency),
        )


async def claim(db: Any, settings: Settings, limit: int) -> list[dict[str, Any]]:
    """Take the next attempt of up to ``limit`` due deliveries for this process (one statement)."""
    moment = now()
    free = WebhookDelivery.lease_until.is_null() | (WebhookDelivery.lease_until < moment)
    active = Webhook.select(Webhook.id).where(Webhook.status == "active")
    is_due = (
        (WebhookDelivery.status == "pending")
        & (WebhookDelivery.next_attempt_at <= moment)
        & free
        & WebhookDelivery.webhook_id.is_in(active)
        & WhereRaw(FIRST_OF_ITS_RESOURCE)
    )
    if db.is_sqlite and not await WebhookDelivery.exists().where(is_due).run():
        return []  # nothing due: SQLite's one write lock is left to requests
    due = WebhookDelivery.select(WebhookDelivery.id).where(is_due).order_by(WebhookDelivery.seq).limit(limit)
    if not db.is_sqlite:
        due = due.lock_rows("UPDATE", skip_locked=True)
    async with db.transaction():
        return await (
            WebhookDelivery.update(
                {
                    WebhookDelivery.attempts: WebhookDelivery.attempts + 1,
                    WebhookDelivery.lease_until: moment + timedelta(seconds=lease_seconds(settings)),
                }
            )
            .where(WebhookDelivery.id.is_in(due) & (WebhookDelivery.status == "pending") & free)
            .returning(
                WebhookDelivery.id,
                WebhookDelivery.attempts,
                WebhookDelivery.webhook_id,
                WebhookDelivery.signal_id,
                WebhookDelivery.signal_name,
                WebhookDelivery.payload,
                WebhookDelivery.created_at,
            )
            .run()
        )


async def deliver_once(deliverer: Deliverer) -> int:
    """Claim, send and record one batch; returns how many attempts were made."""
    db, settings = deliverer.db, deliverer.settings
    claimed = await claim(db, settings, settings.webhook_batch_size)
    if not claimed:
        return 0
    webhooks = {
        row["id"]: row
        for row in await Webhook.select(
            Webhook.id,
            Webhook.owner_kind,
            Webhook.owner_id,
            Webhook.url,
            Webhook.secret,
            Webhook.previous_secret,
            Webhook.previous_secret_expires_at,
        )
        .where(Webhook.id.is_in(sorted({c["webhook_id"] for c in claimed})))
        .run()
    }
    from_outbox = sorted({c["signal_id"] for c in claimed if c["payload"] is None})
    signals = (
        {
            row["id"]: row
            for row in await OutboxSignal.select(
                OutboxSignal.id,
                OutboxSignal.name,
                OutboxSignal.org_path,
                OutboxSignal.occurred_at,
                OutboxSignal.payload,
            )
            .where(OutboxSignal.id.is_in(from_outbox))
            .run()
        }
        if from_outbox
        else {}
    )
    # A retry (or replay) goes out only while the owner may still read the signal, as at fan-out.
    reaches = await owner_reaches(webhooks.values(), settings.timezone) if signals else {}
    targets: dict[str, outbound.Target | outbound.OutboundRefused] = {}
    for hook in webhooks.values():  # vetted once per batch, just before sending
        if hook["url"] not in targets:
            try:
                targets[hook["url"]] = await outbound.vet(hook["url"], settings)
            except outbound.OutboundRefused as exc:
                targets[hook["url"]] = exc
    sent = await asyncio.gather(
        *(
            _send(deliverer, row, webhooks.get(row["webhook_id"]), signals, reaches, targets)
            for row in claimed
        )
    )
    await _record(db, settings, sent)
    return len(sent)


async def _send(
    deliverer: Deliverer,
    row: dict[str, Any],
    webhook: dict[str, Any] | None,
    signals: dict[UUID, dict[str, Any]],
    reaches: dict[Owner, list[Reach]],
    targets: dict[str, outbound.Target | outbound.OutboundRefused],
) -> Sent:
    started = now()
    if webhook is None:  # deleted since the claim
        return Sent(row, started, outbound.Outcome(None, 0, "webhook_gone"))
    if row["payload"] is not None:
        payload = row["payload"] if isinstance(row["payload"], str) else msgspec.json.encode(row["payload"])
        body = envelope(row["signal_name"], row["created_at"], _text(payload))
    else:
        signal = signals.get(row["signal_id"])
        if signal is None:  # purged: nothing left to deliver
            return Sent(row, started, outbound.Outcome(None, 0, "signal_gone"))
        if not within(signal["org_path"] or "", reaches[owner_of(webhook)]):
            return Sent(row, started, outbound.Outcome(None, 0, OUT_OF_REACH))
        body = envelope(signal["name"], signal["occurred_at"], _text(signal["payload"]))
    target = targets[webhook["url"]]
    if isinstance(target, outbound.OutboundRefused):
        return Sent(row, started, outbound.Outcome(None, 0, target.code))
    try:
        secrets_ = signing_secrets(webhook, deliverer.vault, started)
    except DecryptionError:  # its key was removed from the settings: retried once the key is back
        return Sent(row, started, outbound.Outcome(None, 0, "secret_unreadable"))
    async with deliverer.in_flight:
        started = now()
        headers = webhook_headers(secrets_, str(row["signal_id"]), int(started.timestamp()), body)
        outcome = await outbound.send(deliverer.senders, target, body, headers, deliverer.settings)
    return Sent(row, started, outcome)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else value if isinstance(value, str) else ""


async def _record(db: Any, settings: Settings, sent: list[Sent]) -> None:
    """Write the attempts and the deliveries' new state, all in one transaction."""
    moment = now()
    changes: list[tuple[UUID, int, str, int | None, int, str | None, datetime | None, datetime | None]] = []
    give_up: dict[UUID, str] = {}
    for s in sent:
        d, o = s.delivery, s.outcome
        if o.ok:
            changes.append(
                (d["id"], d["attempts"], "succeeded", o.status_code, o.latency_ms, None, None, moment)
            )
            continue
        final = o.status_code == 410 or o.error in NOT_DELIVERABLE
        delay = None if final else retry_delay(settings, d["attempts"])
        if delay is None:
            changes.append(
                (d["id"], d["attempts"], "failed", o.status_code, o.latency_ms, o.error, None, moment)
            )
            if o.error not in NOT_DELIVERABLE:
                give_up[d["webhook_id"]] = "gone" if o.status_code == 410 else "failing"
            continue
        next_at = moment + timedelta(seconds=delay)
        changes.append(
            (d["id"], d["attempts"], "pending", o.status_code, o.latency_ms, o.error, next_at, None)
        )
    made = [s for s in sent if s.outcome.error != "webhook_gone"]
    async with db.transaction():
        if made and db.is_sqlite:
            await (
                WebhookAttempt.insert(
                    *(
                        WebhookAttempt(
                            delivery_id=s.delivery["id"],
                            number=s.delivery["attempts"],
                            started_at=s.started_at,
                            status_code=s.outcome.status_code,
                            latency_ms=s.outcome.latency_ms,
                            error=s.outcome.error,
                            response_excerpt=s.outcome.excerpt,
                        )
                        for s in made
                    )
                )
                .on_conflict(action="DO NOTHING")
                .run()
            )
        elif made:
            await WebhookAttempt.raw(
                INSERT_ATTEMPTS_SQL,
                [uuid4() for _ in made],
                [s.delivery["id"] for s in made],
                [s.delivery["attempts"] for s in made],
                [s.started_at for s in made],
                [s.outcome.status_code for s in made],
                [s.outcome.latency_ms for s in made],
                [s.outcome.error for s in made],
                [s.outcome.excerpt for s in made],
            ).run()
        if db.is_sqlite:
            for did, number, status, code, latency, error, retry_at, finished in changes:
                values: dict[Any, Any] = {
                    WebhookDelivery.status: status,
                    WebhookDelivery.lease_until: None,
                    WebhookDelivery.finished_at: finished,
                    WebhookDelivery.last_status_code: code,
                    WebhookDelivery.last_latency_ms: latency,
                    WebhookDelivery.last_error: error,
                }
                if retry_at is not None:
                    values[WebhookDelivery.next_attempt_at] = retry_at
                await (
                    WebhookDelivery.update(values)
                    .where((WebhookDelivery.id == did) & (WebhookDelivery.attempts == number))
                    .run()
                )
        else:
            columns = list(zip(*changes, strict=True))
            await WebhookDelivery.raw(RECORD_SQL, *[list(c) for c in columns]).run()
        for webhook_id, reason in give_up.items():
            await (
                Webhook.update(
                    {Webhook.status: "disabled", Webhook.disabled_reason: reason, Webhook.updated_at: moment}
                )
                .where((Webhook.id == webhook_id) & (Webhook.status == "active"))
                .run()
            )
    for change in changes:  # committed: count each attempt by what became of its delivery
        record_webhook_delivery("retrying" if change[2] == "pending" else change[2])


async def delivery_loop(deliverer: Deliverer, wake: asyncio.Event, stopping: asyncio.Event) -> None:
    """Deliver batch after batch; when nothing is due, wait for a wake-up or the poll interval."""
    interval = deliverer.settings.relay_interval
    while not stopping.is_set():
        started = time.perf_counter()
        try:
            made = await deliver_once(deliverer)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("delivery pass failed: %s", type(exc).__name__)
            made = 0
            await asyncio.sleep(min(interval, 1.0))
        if made:
            log.debug("delivered %d in %.3fs", made, time.perf_counter() - started)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=interval)
        wake.clear()
