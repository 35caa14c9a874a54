"""Retention: the purge job deletes old outbox signals, finished deliveries and idempotency keys, in
batches, and never a signal whose delivery is still pending."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar

from core.idempotency.tables import IdempotencyKey
from core.integration import retention
from core.integration.tables import OutboxSignal, WebhookAttempt, WebhookDelivery
from tests.core.integration.support import Receiver, emit_org_created, eventually, make_org, running
from tests.core.integration.test_webhooks import CHILD, ROOT, admin, subscribe

OTHER_CHILD = ROOT + "zzzzzz"


async def _key(created_at: datetime) -> uuid.UUID:
    key_id = uuid.uuid4()
    await IdempotencyKey.insert(
        IdempotencyKey(
            id=key_id,
            lookup=uuid.uuid4().hex * 2,
            scope="tests",
            fingerprint="f" * 64,
            status_code=201,
            response="{}",
            created_at=created_at,
        )
    ).run()
    return key_id


async def test_the_worker_purges_what_outlived_its_retention_but_not_pending_signals(
    integration_app: Callable[..., Litestar], make_receiver: Callable[..., Receiver]
) -> None:
    ok, failing = make_receiver(), make_receiver(default=(500, {}))
    app = integration_app(
        admin(),
        retention_outbox_hours=0.0,
        retention_delivery_days=0.0,
        retention_idempotency_hours=1.0,
        retention_interval=0.1,
        webhook_retry_delays=(3600.0,),
    )
    async with running(app) as client:
        db = client.app.state.db
        good_org, bad_org = await make_org(CHILD), await make_org(OTHER_CHILD)
        await subscribe(client, ok.url, good_org)
        await subscribe(client, failing.url, bad_org)
        old_key = await _key(datetime.now(UTC) - timedelta(hours=2))
        new_key = await _key(datetime.now(UTC))
        done = await emit_org_created(db, good_org, CHILD)
        waiting = await emit_org_created(db, bad_org, OTHER_CHILD)

        async def purged() -> bool:
            gone = not await OutboxSignal.exists().where(OutboxSignal.id == done)
            return gone and await WebhookAttempt.count() == 1  # the failing delivery tried once

        await eventually(purged)
        # The delivered signal is gone with its delivery and attempts ...
        assert not await WebhookDelivery.exists().where(WebhookDelivery.signal_id == done)
        # ... the one still retrying stays, with its body, however old.
        assert await OutboxSignal.exists().where(OutboxSignal.id == waiting)
        pending = await WebhookDelivery.select().where(WebhookDelivery.signal_id == waiting).first()
        assert pending["status"] == "pending" and pending["attempts"] == 1
        # Idempotency keys: the expired one only.
        assert not await IdempotencyKey.exists().where(IdempotencyKey.id == old_key)
        assert await IdempotencyKey.exists().where(IdempotencyKey.id == new_key)


async def test_purging_goes_in_bounded_batches(
    integration_app: Callable[..., Litestar], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(retention, "PURGE_BATCH", 2)
    app = integration_app(admin(), embedded_worker=False)
    async with running(app) as client:
        db = client.app.state.db
        org = await make_org(ROOT)
        for _ in range(5):
            await emit_org_created(db, org, ROOT)
        await OutboxSignal.update({OutboxSignal.relayed_at: datetime.now(UTC) - timedelta(days=9)}).where(
            OutboxSignal.seq > 0
        )
        for _ in range(3):
            await _key(datetime.now(UTC) - timedelta(days=2))
        unrelayed = await emit_org_created(db, org, ROOT)
        counts: dict[str, Any] = await retention.purge_expired(db, app.state.settings)
        assert counts == {"deliveries": 0, "signals": 5, "idempotency_keys": 3}
        # A signal not yet relayed is never purged.
        assert [r["id"] for r in await OutboxSignal.select(OutboxSignal.id)] == [unrelayed]
