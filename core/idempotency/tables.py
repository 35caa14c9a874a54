"""The table behind ``Idempotency-Key``: one row per (principal, key), claimed in the write's transaction."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class IdempotencyKey(Table, tablename="core_idempotency_key"):
    """A write made under an ``Idempotency-Key``, and the response it gave, for replaying it."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: SHA-256 of the principal and the key: the key is scoped to who sent it, and never stored raw.
    lookup = Varchar(length=64, unique=True)
    #: What the key was used for (``events.register``); a key reused elsewhere is refused.
    scope = Varchar(length=100)
    #: SHA-256 of the request (method, path, body); a key reused with another request is refused.
    fingerprint = Varchar(length=64)
    #: The response given, replayed to repeats; null while the claiming transaction is open.
    status_code = Integer(null=True, default=None)
    response = Text(null=True, default=None)
    #: The retention purge deletes keys older than ``QUNTUAN_RETENTION_IDEMPOTENCY_HOURS``.
    created_at = Timestamptz(default=TimestamptzNow(), index=True)
