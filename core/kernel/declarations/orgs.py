"""What plugins declare about coverage and statistics (re-exported by :mod:`core.sdk`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

import msgspec

from core.kernel.i18n import Text

#: Kinds of units in the coverage registry.
UNIT_KINDS: tuple[str, ...] = (
    "non_public_enterprise",  # 非公企业
    "social_organization",  # 社会组织
    "public_enterprise",  # 国有/集体企业
    "institution",  # 事业单位、机关
    "building",  # 商务楼宇
    "park",  # 园区
    "business_district",  # 商圈、市场
)
TWO_NEW_KINDS: tuple[str, ...] = ("non_public_enterprise", "social_organization")
PLACE_KINDS: tuple[str, ...] = ("building", "park", "business_district")


class UnitFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What a coverage rule may look at: the unit's kind and head counts, and where it is."""

    kind: str
    employees: int = 0
    female_employees: int = 0
    youth_employees: int = 0
    region_code: str = ""


class CoverageRule(msgspec.Struct, frozen=True, kw_only=True):
    """Which registered units require an org of the plugin's kind (建会/建团/建妇联 …), owned by the plugin.

    ``applies(facts)`` decides whether a unit requires coverage (the union: 25 employees or more);
    a required unit counts as covered when an active org of one of ``org_kinds`` is linked to it.
    ``code`` is ``<slug>.<name>``.
    """

    code: str
    name: Text
    org_kinds: tuple[str, ...]
    applies: Callable[[UnitFacts], bool]
    description: Text | None = None


class OrgPathColumn(msgspec.Struct, frozen=True, kw_only=True):
    """A column outside the org table that keeps a copy of an org path (for range queries on a subtree).

    A subtree move rewrites it in the same statement-per-table, same transaction as the orgs' own paths,
    so copies never go stale. ``table`` and ``column`` are plain SQL identifiers.
    """

    table: str
    column: str
    #: The column holds a JSON list of paths (rewritten element by element); the table needs an ``id`` key.
    many: bool = False


class StatFigure(msgspec.Struct, frozen=True, kw_only=True):
    """One figure a plugin adds to the statistics of a subtree (统一的群团组织基础信息统计)."""

    code: str
    label: Text
    value: int | float


class PersonFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the core's person record says about the person a membership is for: the facts plugin rules
    judge by (an age limit reads ``birth_date`` here, never a caller-supplied ``extra``)."""

    birth_date: date | None = None
    gender: str | None = None


class MembershipDraft(msgspec.Struct, frozen=True, kw_only=True):
    """A membership about to be written (joining or the new side of a transfer), for plugins to validate.

    ``extra`` holds the fields plugins add (a union member-card number): what the caller chose.
    ``person`` holds the facts of the core's person record, which the caller cannot choose here; a rule
    about the person (age, gender) reads them there.
    """

    action: str  #: "join" or "transfer"
    org_id: UUID
    org_kind: str
    person_id: UUID
    role: str
    extra: dict[str, Any]
    previous_org_kind: str | None = None
    person: PersonFacts = PersonFacts()


class MembershipInfo(msgspec.Struct, frozen=True, kw_only=True):
    """A membership that was written, as runtime hooks receive it (ids and codes, no personal data)."""

    membership_id: UUID
    org_id: UUID
    org_kind: str
    person_id: UUID
    role: str
    extra: dict[str, Any]
    previous_membership_id: UUID | None = None
