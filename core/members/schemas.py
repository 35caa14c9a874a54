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
