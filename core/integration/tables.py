"""Tables of the integration layer."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, BigSerial, Timestamptz, Varchar
from piccolo.table import Table


class OutboxSignal(Table, tablename="core_outbox"):
    """A domain signal waiting for (or done with) delivery; written in the transaction of the change."""

    #: Commit order; relays read in this order so signals of one resource stay ordered.
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
