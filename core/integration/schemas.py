"""Request and response bodies of the integration API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Url = Annotated[str, msgspec.Meta(min_length=8, max_length=2000, description="https://… receiver URL")]
SignalName = Annotated[str, msgspec.Meta(min_length=3, max_length=100)]


class WebhookCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Subscribe ``url`` to ``signal_types`` of the org ``org_id`` and everything under it."""

    url: Url
    org_id: UUID
    signal_types: Annotated[list[SignalName], msgspec.Meta(min_length=1, max_length=100)]
    description: Annotated[str, msgspec.Meta(max_length=500)] = ""


class WebhookUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Change what is given; ``status: "active"`` re-enables a disabled subscription."""

    url: Url | None = None
    signal_types: Annotated[list[SignalName], msgspec.Meta(min_length=1, max_length=100)] | None = None
    description: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    status: Literal["active", "disabled"] | None = None


class Webhook(msgspec.Struct, kw_only=True):
    """A webhook subscription. The secret is shown once, when created or rotated."""

    id: UUID
    url: str
    org_id: UUID
    signal_types: list[str]
    description: str
    owner_kind: str
    owner_id: UUID
    #: ``active`` or ``disabled``.
    status: str
    #: ``owner``, ``failing`` (retries exhausted) or ``gone`` (the receiver answered 410).
    disabled_reason: str | None
    #: While a secret rotation overlaps, until when the previous secret still signs.
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(Webhook, kw_only=True):
    #: ``whsec_…``: verify ``webhook-signature`` with it (Standard Webhooks).
    secret: str


class WebhookSecretRotation(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How long the previous secret keeps signing (both signatures are sent meanwhile)."""

    overlap_seconds: Annotated[int, msgspec.Meta(ge=0, le=7 * 86400)] = 86400


class RotatedSecret(msgspec.Struct, kw_only=True):
    secret: str
    previous_secret_expires_at: datetime | None


class Delivery(msgspec.Struct, kw_only=True):
    """One signal sent (or being sent) to one webhook."""

    id: UUID
    webhook_id: UUID
    #: The ``webhook-id`` header: the signal's id, the same on every attempt and replay.
    signal_id: UUID
    signal_type: str
    #: ``pending``, ``succeeded`` or ``failed``.
    status: str
    attempts: int
    #: ``signal``, ``ping`` or ``replay``.
    origin: str
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class Attempt(msgspec.Struct, kw_only=True):
    number: int
    started_at: datetime
    status_code: int | None
    latency_ms: int | None
    #: ``timeout``, ``connect``, ``address_not_allowed``, ``http_503``…; null on success.
    error: str | None


class DeliveryDetail(Delivery, kw_only=True):
    attempt_log: list[Attempt]
