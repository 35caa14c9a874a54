"""Request and response bodies of self-service."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import Meta

from core.orgs.schemas import OrgCode

Name = Annotated[str, Meta(min_length=1, max_length=100)]
IdNumber = Annotated[str, Meta(min_length=15, max_length=32)]
Statement = Annotated[str, Meta(max_length=1000)]
Token = Annotated[str, Meta(min_length=10, max_length=200)]


class _In(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class ClaimStart(_In):
    name: Name
    id_number: IdNumber


class ClaimStarted(msgspec.Struct, kw_only=True):
    """The same answer whatever the details matched: enter the code sent to the phone on the record
    (if one was), or ask for a review."""

    claim_id: UUID
    expires_at: datetime


class ClaimConfirm(_In):
    code: Annotated[str, Meta(min_length=4, max_length=8, pattern=r"^[0-9]+$")]


class ClaimConfirmed(msgspec.Struct, kw_only=True):
    person_id: UUID


class ClaimReview(_In):
    """Ask a cadre of ``org_id`` (the org you believe keeps your file) to confirm the claim."""

    org_id: UUID
    name: Name
    id_number: IdNumber
    statement: Statement = ""


class TransferStart(_In):
    """Move ``membership_id`` to the org given by ``to_org_id`` or by an invitation ``invitation`` token."""

    membership_id: UUID
    #: The receiving org: one of its id, its code (组织代码, any case) or an invitation of it.
    to_org_id: UUID | None = None
    to_org_code: OrgCode | None = None
    invitation: Token | None = None
    reason: Statement = ""


class InvitationCreate(_In):
    mode: Literal["apply", "join"] = "apply"
    role: Annotated[str, Meta(pattern=r"^[a-z][a-z0-9_]{0,31}$")] = "member"
    note: Annotated[str, Meta(max_length=200)] = ""
    max_uses: Annotated[int, Meta(ge=1, le=100_000)] = 100
    days: Annotated[float, Meta(gt=0, le=365)] = 30


class Invitation(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    mode: str
    role: str
    note: str
    max_uses: int
    uses: int
    expires_at: datetime
    revoked_at: datetime | None
    created_at: datetime
    #: Only in the answer that creates it: the signed token and the QR payload (the front end draws it).
    token: str | None = None
    qr_payload: str | None = None


class InvitationToken(_In):
    token: Token


class InvitationAccept(_In):
    token: Token
    statement: Statement = ""


class InvitationPreview(msgspec.Struct, kw_only=True):
    """What an invitation offers, for the front end to pre-fill the application."""

    org_id: UUID
    org_name: str
    org_kind: str
    mode: str
    role: str
    note: str
    expires_at: datetime
    process_type: str | None


class InvitationUsed(msgspec.Struct, kw_only=True):
    invitation_id: UUID
    org_id: UUID
    mode: str
    process_id: UUID | None
    membership_id: UUID | None


class NotificationOut(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    title: str
    resource_type: str
    resource_id: str
    data: dict[str, Any]
    created_at: datetime
    read: bool
    read_at: datetime | None


class Preferences(_In):
    """Kinds you do not want, and channels (beyond the inbox) delivered by the installed providers."""

    muted: list[
        Literal[
            "process.opened",
            "process.stepped",
            "process.escalated",
            "process.held",
            "registration.promoted",
            "event.updated",
            "event.cancelled",
            "event.reminder",
        ]
    ] = msgspec.field(default_factory=list)
    channels: list[Literal["sms", "wechat", "email", "app"]] = msgspec.field(default_factory=list)


class UnreadCount(msgspec.Struct, kw_only=True):
    unread: int


class MyOrg(msgspec.Struct, kw_only=True):
    """An org the caller belongs to, as its members see it (contacts meant for members)."""

    id: UUID
    name: str
    kind: str
    level: str
    parent_id: UUID | None
    address: str
    contact_name: str
    contact_phone: str


class CorrectionRequest(_In):
    """The right values of what is wrong in your record; a cadre of your org checks and applies them."""

    name: Name | None = None
    id_number: IdNumber | None = None
    phone: Annotated[str, Meta(min_length=5, max_length=32)] | None = None
    employer: Annotated[str, Meta(max_length=200)] | None = None
    address: Annotated[str, Meta(max_length=300)] | None = None
    statement: Statement = ""


class ErasureRequest(_In):
    statement: Statement = ""


class Holding(msgspec.Struct, kw_only=True):
    """Rows of one table naming you, and what an erasure does to them (``keep``: a legal hold)."""

    table: str
    rows: int
    on_erasure: str
    retention: str | None


class DataSummary(msgspec.Struct, kw_only=True):
    person_id: UUID
    home_org_id: UUID | None
    tables: list[Holding]


class ReaderOrg(msgspec.Struct, kw_only=True):
    """An org through whose grant your data was read; ``id`` null for a grant on the whole platform,
    ``name`` null when the org no longer exists."""

    id: UUID | None
    name: str | None


class Reader(msgspec.Struct, kw_only=True):
    """An access that showed your unmasked ID number or phone (from the audit log): when, what, through
    which orgs, and whether it was you — never who the reader is."""

    at: datetime
    #: ``person.personal_data.read`` (fields shown unmasked) or ``person.exported`` (a full export).
    action: str
    #: account, client or system.
    actor_kind: str
    #: The access was your own (e.g. your own export).
    yourself: bool
    #: The fields shown unmasked (``id_number``, ``phone``, or a form's personal fields).
    fields: list[str]
    #: For an export: the tables exported.
    tables: list[str]
    orgs: list[ReaderOrg]


class Session(msgspec.Struct, kw_only=True):
    """A login session (a refresh-token family): when it began, was last refreshed, and ends."""

    id: UUID
    started_at: datetime
    last_used_at: datetime
    expires_at: datetime
    current: bool


class MyConsent(msgspec.Struct, kw_only=True):
    """One of the caller's own consent records (the person is the caller)."""

    id: UUID
    purpose: str
    given_at: datetime
    withdrawn_at: datetime | None


class Closure(_In):
    password: Annotated[str, Meta(min_length=1, max_length=256)]


class PasswordReset(msgspec.Struct, kw_only=True):
    """Shown once: hand it to the person; their next login must set a password of their own."""

    temporary_password: str


class PasswordChangeAfterReset(_In):
    username: Annotated[str, Meta(min_length=1, max_length=64)]
    password: Annotated[str, Meta(min_length=1, max_length=256)]
    new_password: Annotated[str, Meta(min_length=10, max_length=256)]
