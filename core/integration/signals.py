"""Domain signals: every state change emits one, written to the outbox in the same transaction.

A signal type is declared once, with its payload Struct and a description, and registered through the
``quntuan_signals`` hook so that it is documented (OpenAPI ``webhooks``) and delivered. Payloads carry ids
and codes, never personal data (no names, ID numbers or phones).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from core.integration.tables import OutboxSignal
from core.kernel.db import fetch
from core.kernel.i18n import Text

SIGNAL_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


class SignalType(msgspec.Struct, frozen=True, kw_only=True):
    """A kind of domain signal: ``name`` such as ``org.created`` or ``union.member_joined``."""

    name: str
    payload: Any  #: a msgspec Struct class
    description: Text
    #: Announcement-like (公告): the signal and its payload may be shown to anyone, in the portal feeds.
    public: bool = False


#: Every state change writes one: a SQL text written once, not a Piccolo insert built per signal. The
#: columns are :func:`outbox_row`'s keys, in its order.
_INSERT_SIGNAL = (
    "INSERT INTO core_outbox (id, name, resource_type, resource_id, org_path, payload, occurred_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {})"
)


#: ``listener(signal, payload)``: awaited by :func:`emit` inside the transaction of the change.
SignalListener = Callable[["SignalType", msgspec.Struct], Awaitable[None]]
_LISTENERS: dict[str, list[SignalListener]] = {}


def listen(name: str, listener: SignalListener) -> None:
    """Have ``listener`` called by every :func:`emit` of signal ``name``, in the change's transaction.

    For the core's own derived records that must be exactly as durable as the change (a person's inbox):
    what the listener writes commits or rolls back with it. Registering the same listener twice is a no-op.
    """
    listeners = _LISTENERS.setdefault(name, [])
    if listener not in listeners:
        listeners.append(listener)


class NotInTransaction(RuntimeError):
    """emit() was called outside a write transaction, so the signal could outlive a rolled-back change."""


def outbox_row(
    signal: SignalType,
    payload: msgspec.Struct,
    *,
    resource_type: str,
    resource_id: UUID | str,
    org_path: str | None = None,
    signal_id: UUID | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    """The outbox row that records ``signal`` (column → value): what :func:`emit` inserts, and what a bulk
    writer (the importer) inserts many of at once, in the same transaction as the change. A bulk writer
    may pass ``signal_id`` (a random UUID it drew with others at once) and ``occurred_at`` (the time of the
    change it records, read once for the row)."""
    if not isinstance(payload, signal.payload):
        raise TypeError(f"{signal.name} expects a {signal.payload.__name__} payload")
    return {
        "id": signal_id or uuid4(),
        "name": signal.name,
        "resource_type": resource_type,
        "resource_id": str(resource_id),
        "org_path": org_path,
        "payload": msgspec.json.encode(payload).decode(),
        "occurred_at": occurred_at or datetime.now(UTC),
    }


async def emit(
    signal: SignalType,
    payload: msgspec.Struct,
    *,
    resource_type: str,
    resource_id: UUID | str,
    org_path: str | None = None,
) -> UUID:
    """Record ``signal`` in the outbox inside the caller's transaction; returns the signal's id.

    ``resource_type``/``resource_id`` name what changed (signals of one resource are delivered in order);
    ``org_path`` places it in the tree so subscribers only receive what they may read.
    """
    row = outbox_row(signal, payload, resource_type=resource_type, resource_id=resource_id, org_path=org_path)
    if not OutboxSignal._meta.db.transaction_exists():
        raise NotInTransaction(f"{signal.name} must be emitted inside the transaction of the change")
    await fetch(OutboxSignal, _INSERT_SIGNAL, list(row.values()))
    for listener in _LISTENERS.get(signal.name, ()):
        await listener(signal, payload)
    return row["id"]  # type: ignore[no-any-return]


class WebhookPing(msgspec.Struct, kw_only=True):
    """Body ``data`` of a test ping: which subscription it tests."""

    webhook_id: UUID


#: Sent by ``POST /api/v1/webhooks/{id}/ping``; never emitted by a state change, never filtered.
PING = SignalType(
    name="webhook.ping",
    payload=WebhookPing,
    description=Text(
        zh_hans="测试推送：确认接收端能收到并验证签名。",
        zh_hant="測試推送：確認接收端能收到並驗證簽名。",
        en="A test delivery: checks that the receiver gets and verifies signed webhooks.",
    ),
)
