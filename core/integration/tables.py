"""Tables of the integration layer: the outbox, webhook subscriptions, deliveries and their attempts."""

from __future__ import annotations

import uuid

from piccolo.columns import (
    JSON,
    UUID,
    BigInt,
    BigSerial,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxSignal(Table, tablename="core_outbox"):
    """A domain signal waiting for (or done with) delivery; written in the transaction of the change."""

    #: Insert order; relays read in this order so signals of one resource stay ordered.
    seq = BigSerial(primary_key=True)
    #: The signal's public id (Standard Webhooks ``webhook-id``).
    id = UUID(unique=True, default=uuid.uuid4)
    name = Varchar(length=100, index=True)
    resource_type = Varchar(length=64)
    resource_id = Varchar(length=64, index=True)
    #: Path of the org the change belongs to (subscriptions and streams filter by subtree).
    org_path = Varchar(length=120, null=True)
    payload = JSON()
    occurred_at = Timestamptz()
    #: When the relay fanned the signal out (webhook deliveries, live stream); null while waiting.
    #: The relay picks rows by this flag, not by a high-water mark of ``seq``: on PostgreSQL a
    #: transaction that took a lower ``seq`` may commit after a higher one, and must not be skipped.
    relayed_at = Timestamptz(null=True, default=None, index=True)


class Webhook(Table, tablename="core_webhook"):
    """A webhook subscription (订阅): where to POST which signals of which org subtree.

    It receives a signal only where its owner holds ``core.webhook.manage`` at the time of the signal.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: ``client`` (an integrator's API client) or ``account`` (an org admin).
    owner_kind = Varchar(length=16)
    owner_id = UUID(index=True)
    #: The org whose subtree the subscription covers, and its path (denormalised for filtering).
    org_id = UUID()
    org_path = Varchar(length=120, index=True)
    url = Varchar(length=2000)
    description = Varchar(length=500, default="")
    #: Signal names delivered (``["org.created", …]``).
    signal_types = JSON(default="[]")
    #: The ``whsec_…`` signing secret, encrypted with the identity Vault (``v1.<key id>.…``); during a
    #: rotation the previous one signs too until it expires.
    secret = Varchar(length=255, secret=True)
    previous_secret = Varchar(length=255, null=True, default=None, secret=True)
    previous_secret_expires_at = Timestamptz(null=True, default=None)
    #: ``active`` or ``disabled`` (by its owner, after persistent failure, or on HTTP 410).
    status = Varchar(length=16, default="active")
    disabled_reason = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class WebhookDelivery(Table, tablename="core_webhook_delivery"):
    """One signal to one webhook: retried until it succeeds, gives up, or its webhook is deleted."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: Creation order (ties deliveries of one resource to the order of their signals).
    seq = BigInt(default=0, index=True)
    webhook_id = UUID(index=True)
    #: The signal's id: the ``webhook-id`` header, the same on every attempt and on replays.
    signal_id = UUID()
    signal_name = Varchar(length=100)
    #: ``resource_type:resource_id``; deliveries of one resource to one webhook go out in order.
    resource_key = Varchar(length=140)
    #: Body for signals that are not in the outbox (the test ping); null means "read the outbox".
    payload = JSON(null=True, default=None)
    #: ``pending``, ``succeeded`` or ``failed`` (gave up).
    status = Varchar(length=16, default="pending", index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    #: While a worker holds the current attempt; another worker may only take it after this passes.
    lease_until = Timestamptz(null=True, default=None)
    last_status_code = Integer(null=True, default=None)
    last_latency_ms = Integer(null=True, default=None)
    last_error = Varchar(length=64, null=True, default=None)
    #: ``signal``, ``ping`` or ``replay``.
    origin = Varchar(length=16, default="signal")
    created_at = Timestamptz(default=TimestamptzNow())
    #: When it succeeded or gave up; the retention purge removes it (and its attempts) after a while.
    finished_at = Timestamptz(null=True, default=None, index=True)


class WebhookAttempt(Table, tablename="core_webhook_attempt"):
    """One HTTP request of a delivery: the delivery log."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    delivery_id = UUID(index=True)
    #: 1 for the first attempt; (delivery_id, number) is unique, so one attempt is never made twice.
    number = Integer()
    started_at = Timestamptz(default=TimestamptzNow())
    status_code = Integer(null=True, default=None)
    latency_ms = Integer(null=True, default=None)
    #: A stable code (``timeout``, ``connect``, ``address_not_allowed``, ``http_500``…), never a body.
    error = Varchar(length=64, null=True, default=None)
    response_excerpt = Text(default="")
