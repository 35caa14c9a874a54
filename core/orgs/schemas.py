"""Request and response bodies of the organizations API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from core.kernel.declarations import AdminLevel

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
RegionCode = Annotated[str, msgspec.Meta(pattern=r"^(\d{6})?$", description="6-digit 行政区划代码, or empty")]
TwoNew = Literal["", "non_public_enterprise", "social_organization"]
Place = Literal["", "building", "park", "business_district"]
Address = Annotated[str, msgspec.Meta(max_length=300)]
ContactName = Annotated[str, msgspec.Meta(max_length=100)]
OrgCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{1,31}$",
        description=(
            "The org's own code (组织代码), 2–32 letters, digits and hyphens; stored upper case, unique "
            "across the platform."
        ),
        examples=["ZGH-330106-0001"],
    ),
]
ContactPhone = Annotated[
    str,
    msgspec.Meta(
        max_length=32,
        description="联系电话 in full (a mobile, or a landline with its area code); stored encrypted.",
    ),
]


class OrgCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new organization. Without ``parent`` it is a root (only kinds that may be roots)."""

    name: Name
    kind: Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
    level: AdminLevel
    parent: UUID | None = None
    code: OrgCode | None = None
    region_code: RegionCode = ""
    two_new: TwoNew = ""
    place: Place = ""
    address: Address = ""
    contact_name: ContactName = ""
    contact_phone: ContactPhone = ""


class OrgUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields to change; absent fields stay as they are. Kind, level and parent change by other means."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    #: null removes the code.
    code: OrgCode | msgspec.UnsetType | None = msgspec.UNSET
    region_code: RegionCode | msgspec.UnsetType = msgspec.UNSET
    two_new: TwoNew | msgspec.UnsetType = msgspec.UNSET
    place: Place | msgspec.UnsetType = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET
    contact_name: ContactName | msgspec.UnsetType = msgspec.UNSET
    contact_phone: ContactPhone | msgspec.UnsetType = msgspec.UNSET


class OrgListing(msgspec.Struct, kw_only=True):
    """An active org as the directory shows it to anyone signed in: what names it, nothing of its
    people (no contacts, no address), to choose an org to apply or transfer to."""

    id: UUID
    name: str
    kind: str
    level: str
    code: str | None
    region_code: str


class OrgMove(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Move the org, with everything under it, beneath ``parent`` (调整隶属关系)."""

    parent: UUID


class Org(msgspec.Struct, kw_only=True):
    id: UUID
    parent: UUID | None
    depth: int
    kind: str
    level: str
    name: str
    code: Annotated[str | None, msgspec.Meta(description="The org's own code (组织代码); null when none.")]
    region_code: str
    two_new: str
    place: str
    address: str
    contact_name: str
    contact_phone: Annotated[
        str,
        msgspec.Meta(
            description=(
                "联系电话, masked (138****8000, 010-****5678) unless the caller holds "
                "core.person.personal_data over this org; empty when none."
            )
        ),
    ]
    status: Literal["active", "dissolved"]
    created_at: datetime
    updated_at: datetime
    dissolved_at: datetime | None = None


ORG_FIELDS = tuple(Org.__struct_fields__)


# --- coverage registry -----------------------------------------------------------------------------------

UnitKind = Literal[
    "non_public_enterprise",
    "social_organization",
    "public_enterprise",
    "institution",
    "building",
    "park",
    "business_district",
]
Count = Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]


class UnitCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A unit that should be covered, registered at the community or street org (``area``) it lies in."""

    name: Name
    kind: UnitKind
    area: UUID
    credit_code: Annotated[str, msgspec.Meta(min_length=18, max_length=18)] | None = None
    employees: Count = 0
    female_employees: Count = 0
    youth_employees: Count = 0
    region_code: RegionCode = ""
    address: Address = ""


class UnitUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    employees: Count | msgspec.UnsetType = msgspec.UNSET
    female_employees: Count | msgspec.UnsetType = msgspec.UNSET
    youth_employees: Count | msgspec.UnsetType = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "closed"] | msgspec.UnsetType = msgspec.UNSET


class CoverageLinkCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The org that covers the unit (its 基层工会, 团支部 …)."""

    org: UUID


class Unit(msgspec.Struct, kw_only=True):
    id: UUID
    name: str
    kind: str
    area: UUID
    credit_code: str | None
    employees: int
    female_employees: int
    youth_employees: int
    region_code: str
    address: str
    status: str
    created_at: datetime
    updated_at: datetime
    #: Rule codes that require this unit to be covered, and which of them are covered.
    required: list[str] = msgspec.field(default_factory=list)
    covered: list[str] = msgspec.field(default_factory=list)
    #: The orgs linked as covering it.
    covering_orgs: list[UUID] = msgspec.field(default_factory=list)


UNIT_FIELDS = tuple(f for f in Unit.__struct_fields__ if f not in ("required", "covered", "covering_orgs"))


class RuleRate(msgspec.Struct, kw_only=True):
    """One plugin rule's coverage over a subtree or region: 建会率 = covered / required."""

    rule: str
    plugin: str
    name: dict[str, str]
    org_kinds: list[str]
    required: int
    covered: int
    #: covered / required, or null when nothing is required.
    rate: float | None


class Coverage(msgspec.Struct, kw_only=True):
    org: UUID | None = None
    region: str | None = None
    rules: list[RuleRate]


class CoveragePoint(msgspec.Struct, kw_only=True):
    month: str
    rule: str
    required: int
    covered: int
    rate: float | None


class CoverageSeries(msgspec.Struct, kw_only=True):
    org: UUID
    points: list[CoveragePoint]


class SnapshotRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Take (or retake) the snapshot of a month, ``YYYY-MM``; default the current month."""

    month: Annotated[str, msgspec.Meta(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")] | None = None


class SnapshotTaken(msgspec.Struct, kw_only=True):
    month: str
    rows: int
