"""Request and response bodies of the membership API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

Role = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,31}$")]


class MemberJoin(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A person joins the org. ``extra`` carries the fields plugins define (validated by their hooks)."""

    person: UUID
    role: Role = "member"
    extra: dict[str, Any] = msgspec.field(default_factory=dict)


class MemberTransfer(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Transfer the membership to another org of the same mass organization (组织关系转接)."""

    org: UUID
    role: Role | None = None
    extra: dict[str, Any] | None = None


class MemberLeave(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(max_length=32, pattern=r"^[a-z_]*$")] = ""


class Membership(msgspec.Struct, kw_only=True):
    id: UUID
    org: UUID
    person: UUID
    person_name: str
    role: str
    status: Literal["active", "transferred", "left"]
    extra: dict[str, Any]
    joined_at: datetime
    left_at: datetime | None = None
    previous: UUID | None = None


LinkStatus = Literal["pending", "approved", "rejected", "withdrawn", "expired"]


class PersonLink(msgspec.Struct, kw_only=True):
    """A person link request (人员关联申请): that ``person`` join ``org``, waiting for the person or the org
    keeping their file. Shown the same whether or not ``person`` names anyone (see ``POST
    /orgs/{id}/members``)."""

    id: UUID
    person: UUID
    org: UUID
    role: str
    status: LinkStatus
    #: member (adding a member), person (registering a person already registered elsewhere) or import.
    source: Literal["member", "person", "import"]
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None = None
    #: The membership an approval made.
    membership: UUID | None = None


class ErasureOutcome(msgspec.Struct, kw_only=True):
    """``DELETE /persons/{id}`` by a cadre whose only reach over the person is a membership: the person's
    file is kept elsewhere, so the memberships within the caller's reach end instead (status ``left``)."""

    person: UUID
    erased: Literal[False] = False
    ended: list[Membership]
