"""Domain signals of organizations, membership and coverage. Payloads carry ids and codes only."""

from __future__ import annotations

from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class OrgChanged(msgspec.Struct, kw_only=True):
    org_id: UUID
    kind: str
    parent_id: UUID | None = None
    #: Field names that changed (``name``, ``address`` …) for ``org.updated``.
    fields: list[str] = msgspec.field(default_factory=list)


class OrgMoved(msgspec.Struct, kw_only=True):
    org_id: UUID
    kind: str
    from_parent_id: UUID | None
    to_parent_id: UUID
    #: How many orgs moved with it (the org itself included).
    subtree_size: int


class MemberChanged(msgspec.Struct, kw_only=True):
    membership_id: UUID
    org_id: UUID
    person_id: UUID
    role: str
    #: For transfers: the membership this one continues, and its org.
    previous_membership_id: UUID | None = None
    previous_org_id: UUID | None = None


class CoverageChanged(msgspec.Struct, kw_only=True):
    unit_id: UUID
    org_id: UUID | None = None
    #: Rule codes whose covered state changed.
    rules: list[str] = msgspec.field(default_factory=list)


class UnitChanged(msgspec.Struct, kw_only=True):
    unit_id: UUID
    kind: str
    area_id: UUID


def _s(name: str, payload: type, zh_hans: str, en: str) -> SignalType:
    return SignalType(name=name, payload=payload, description=Text(zh_hans=zh_hans, en=en))


ORG_CREATED = _s("org.created", OrgChanged, "组织已建立", "An organization was created")
ORG_RENAMED = _s("org.renamed", OrgChanged, "组织已更名", "An organization was renamed")
ORG_UPDATED = _s("org.updated", OrgChanged, "组织信息已修改", "An organization's details changed")
ORG_MOVED = _s(
    "org.moved", OrgMoved, "组织（连同下级）已调整隶属关系", "An organization and its subtree moved"
)
ORG_DISSOLVED = _s("org.dissolved", OrgChanged, "组织已撤销", "An organization was dissolved")
MEMBER_JOINED = _s("member.joined", MemberChanged, "成员已加入", "A person joined an organization")
MEMBER_TRANSFERRED = _s(
    "member.transferred",
    MemberChanged,
    "成员组织关系已转接",
    "A membership was transferred to another organization",
)
MEMBER_LEFT = _s("member.left", MemberChanged, "成员已退出", "A person left an organization")
UNIT_REGISTERED = _s(
    "coverage.unit_registered", UnitChanged, "应建单位已登记", "A unit was added to the registry"
)
UNIT_UPDATED = _s("coverage.unit_updated", UnitChanged, "应建单位信息已修改", "A registered unit changed")
COVERAGE_LINKED = _s(
    "coverage.linked", CoverageChanged, "组织已覆盖单位", "An organization now covers a unit"
)
COVERAGE_UNLINKED = _s(
    "coverage.unlinked", CoverageChanged, "组织不再覆盖单位", "An organization no longer covers a unit"
)

SIGNALS: tuple[SignalType, ...] = (
    ORG_CREATED,
    ORG_RENAMED,
    ORG_UPDATED,
    ORG_MOVED,
    ORG_DISSOLVED,
    MEMBER_JOINED,
    MEMBER_TRANSFERRED,
    MEMBER_LEFT,
    UNIT_REGISTERED,
    UNIT_UPDATED,
    COVERAGE_LINKED,
    COVERAGE_UNLINKED,
)
