"""The relay: from the outbox to webhook deliveries and the live stream.

*Fan-out* reads committed outbox rows not yet relayed (``relayed_at IS NULL``, in ``seq`` order) and, in
one transaction, creates a delivery for every matching subscription and marks the rows relayed; then
publishes them to the live stream. Picking rows by that flag instead of a high-water mark means a
transaction that commits late with a lower ``seq`` is relayed on the next pass, never skipped. On
PostgreSQL an advisory lock lets one process fan out at a time.

A subscription receives a signal only where its owner may read webhooks' signals *now*: each owner's
principal is loaded once per batch through :func:`core.identity.principal.load_principal` (the one place
that decides authority), so a revoked grant, a disabled account or API client, or a narrower grant
takes effect on the next signal. Sending the deliveries is :mod:`core.integration.delivery`'s work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
from piccolo.engine.postgres import PostgresEngine

from core.identity.principal import load_principal
from core.integration.broadcast import Broadcaster, StreamMessage
from core.integration.permissions import WEBHOOK_MANAGE
from core.integration.tables import OutboxSignal, Webhook, WebhookDelivery
from core.kernel.access import Reach, within

RELAY_LOCK_KEY = 0x51_52_4C_59  # "QRLY"
BATCH = 500
#: A batch's deliveries in one statement on PostgreSQL (arrays unnested side by side).
INSERT_DELIVERIES_SQL = """
INSERT INTO core_webhook_delivery
    (id, seq, webhook_id, signal_id, signal_name, resource_key, origin, status, attempts,
     next_attempt_at, created_at)
SELECT v.id, v.seq, v.webhook_id, v.signal_id, v.signal_name, v.resource_key, 'signal', 'pending', 0,
       {}, {}
FROM unnest({}::uuid[], {}::bigint[], {}::uuid[], {}::uuid[], {}::text[], {}::text[])
    AS v(id, seq, webhook_id, signal_id, signal_name, resource_key)
"""

Owner = tuple[str, UUID]


def now() -> datetime:
    return datetime.now(UTC)


def owner_of(webhook: dict[str, Any]) -> Owner:
    return (webhook["owner_kind"], webhook["owner_id"])


async def owner_reaches(webhooks: Iterable[dict[str, Any]], timezone: str) -> dict[Owner, list[Reach]]:
    """Each distinct owner's current ``core.webhook.manage`` reach (empty when the owner is gone/disabled)."""
    found: dict[Owner, list[Reach]] = {}
    for hook in webhooks:
        owner = owner_of(hook)
        if owner in found:
            continue
        principal = await load_principal(owner[0], owner[1], None, timezone=timezone)  # type: ignore[arg-type]
        found[owner] = [] if principal is None else list(principal.reach(WEBHOOK_MANAGE))
    return found


def subscription_matches(
    webhook: dict[str, Any], name: str, org_path: str | None, reaches: Sequence[Reach]
) -> bool:
    """Whether ``webhook`` receives signal ``name`` about ``org_path``: its types, its subtree, and
    ``reaches``, its owner's reach now."""
    if name not in _json(webhook["signal_types"]):
        return False
    path = org_path or ""
    return path.startswith(webhook["org_path"]) and within(path, reaches)


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, (str, bytes)) else value


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


async def relay_once(db: Any, broadcaster: Broadcaster | None, *, timezone: str) -> int:
    """Fan out one batch of committed, unrelayed signals; returns how many were relayed."""
    if db.is_sqlite and not await OutboxSignal.exists().where(OutboxSignal.relayed_at.is_null()).run():
        return 0  # nothing to relay: SQLite's one write lock is left to requests
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
        webhooks = await Webhook.select(
            Webhook.id, Webhook.owner_kind, Webhook.owner_id, Webhook.org_path, Webhook.signal_types
        ).run()
        reaches = await owner_reaches(webhooks, timezone)
        pairs = [
            (row, hook)
            for row in rows
            for hook in webhooks
            if subscription_matches(hook, row["name"], row["org_path"], reaches[owner_of(hook)])
        ]
        if pairs:
            await _insert_deliveries(db, pairs)
        await (
            OutboxSignal.update({OutboxSignal.relayed_at: now()})
            .where(OutboxSignal.seq.is_in([row["seq"] for row in rows]))
            .run()
        )
    if broadcaster is not None:
        await broadcaster.publish([stream_message(row) for row in rows])
    return len(rows)


async def _insert_deliveries(db: Any, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    """One pending delivery per (signal, subscription)."""
    keys = [f"{row['resource_type']}:{row['resource_id']}" for row, _ in pairs]
    if db.is_sqlite:
        await WebhookDelivery.insert(
            *(
                WebhookDelivery(
                    seq=row["seq"],
                    webhook_id=hook["id"],
                    signal_id=row["id"],
                    signal_name=row["name"],
                    resource_key=key,
                    origin="signal",
                )
                for (row, hook), key in zip(pairs, keys, strict=True)
            )
        ).run()
        return
    moment = now()
    await WebhookDelivery.raw(
        INSERT_DELIVERIES_SQL,
        moment,
        moment,
        [uuid4() for _ in pairs],
        [row["seq"] for row, _ in pairs],
        [hook["id"] for _, hook in pairs],
        [row["id"] for row, _ in pairs],
        [row["name"] for row, _ in pairs],
        keys,
    ).run()


def stream_message(row: dict[str, Any]) -> StreamMessage:
    return StreamMessage(
        seq=row["seq"],
        id=str(row["id"]),
        type=row["name"],
        resource_type=row["resource_type"],
        resource_id=row["resource_id"],
        org_path=row["org_path"],
        occurred_at=iso(row["occurred_at"]),
        data=msgspec.Raw(row["payload"].encode()) if isinstance(row["payload"], str) else row["payload"],
    )
