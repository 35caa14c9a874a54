"""``/api/v1/union/orgs/{id}/formation`` and ``…/units``: 建会率 and 入会率 of a subtree, and its units one
by one — covered or not, members and 入会率 per unit, and the form of union each should have (a
committee from the rules' head count, otherwise an organizer or a joint/building union) — the list a
"百日攻坚" drive works through."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery

from core.sdk import CoverageRequirement, Page, PageParam, Unit, current_principal, paginate, subtree_bounds
from plugins.union import permissions as P
from plugins.union.common import org_in_reach
from plugins.union.rules import rules_at
from plugins.union.tables import UnionMember

RULE = "union.formation"


class UnionUnitRow(msgspec.Struct, kw_only=True):
    unit_id: UUID
    name: str
    kind: str
    employees: int
    #: Whether the 建会 rule counts this unit, and whether a union covers it.
    required: bool
    covered: bool
    members: int
    #: 入会率 of the unit (%), members over employees.
    membership_rate: float
    #: committee (工会委员会) or organizer_or_joint (组织员或联合/楼宇工会).
    recommended_form: str


class UnionFormation(msgspec.Struct, kw_only=True):
    org_id: UUID
    units_required: int
    units_covered: int
    #: 建会率 (%): covered over required units.
    formation_rate: float
    employees: int
    members_in_units: int
    #: 入会率 (%): members working in the units over their employees.
    membership_rate: float
    committee_min_employees: int


def _rate(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


async def _members_per_unit(unit_ids: list[Any]) -> dict[Any, int]:
    if not unit_ids:
        return {}
    rows = (
        await UnionMember.select(UnionMember.employer_unit, UnionMember.person)
        .where(UnionMember.employer_unit.is_in(unit_ids) & (UnionMember.left_reason == ""))
        .run()
    )
    counts: dict[Any, int] = {}
    for r in rows:
        counts[r["employer_unit"]] = counts.get(r["employer_unit"], 0) + 1
    return counts


async def formation(org_path: str) -> tuple[int, int, int, int]:
    """Required and covered units, employees of the units and members working in them, over a subtree."""
    low, high = subtree_bounds(org_path)
    reqs = (
        await CoverageRequirement.select(CoverageRequirement.covered)
        .where(
            (CoverageRequirement.area_path >= low)
            & (CoverageRequirement.area_path < high)
            & (CoverageRequirement.rule == RULE)
        )
        .run()
    )
    units = (
        await Unit.select(Unit.id, Unit.employees)
        .where((Unit.area_path >= low) & (Unit.area_path < high) & (Unit.status == "active"))
        .run()
    )
    members = await _members_per_unit([u["id"] for u in units])
    return (
        len(reqs),
        sum(bool(r["covered"]) for r in reqs),
        sum(u["employees"] for u in units),
        sum(members.values()),
    )


class UnionFormationController(Controller):
    path = "/orgs"
    tags = ["union"]  # noqa: RUF012

    @get(
        "/{org_id:uuid}/formation",
        opt={"permission": P.FORMATION_READ},
        summary="建会率与入会率",
        description="组织及其下级：应建会单位数、已建会单位数与建会率，单位职工数、其中会员数与入会率；按月的建会率见核心的覆盖统计。",
        summary_en="Formation and membership rates",
        description_en="Over the subtree: units required and covered and the formation rate, employees and members in the units and the membership rate; monthly formation figures are in the core's coverage statistics.",
    )
    async def union_formation(self, request: Request, org_id: FromPath[UUID]) -> UnionFormation:
        org = await org_in_reach(current_principal(request), P.FORMATION_READ, org_id)
        required, covered, employees, members = await formation(org["path"])
        rules = await rules_at(org["path"])
        return UnionFormation(
            org_id=org_id,
            units_required=required,
            units_covered=covered,
            formation_rate=_rate(covered, required),
            employees=employees,
            members_in_units=members,
            membership_rate=_rate(members, employees),
            committee_min_employees=rules.committee_min_employees,
        )

    @get(
        "/{org_id:uuid}/units",
        opt={"permission": P.FORMATION_READ},
        summary="单位建会与入会情况",
        description="组织区域内的单位，逐个列出是否应建会、是否已建会、会员数与入会率，以及应建的工会形式；uncovered=true 只列应建未建的单位。",
        summary_en="Units: formation and membership",
        description_en="The units of the org's area one by one: required, covered, members, membership rate and the form of union each should have; uncovered=true lists only units required and not covered.",
    )
    async def union_units(
        self, request: Request, org_id: FromPath[UUID], page: PageParam, uncovered: FromQuery[bool] = False
    ) -> Page[UnionUnitRow]:
        org = await org_in_reach(current_principal(request), P.FORMATION_READ, org_id)
        low, high = subtree_bounds(org["path"])
        rules = await rules_at(org["path"])
        where = (Unit.area_path >= low) & (Unit.area_path < high) & (Unit.status == "active")
        if uncovered:
            open_ids = [
                r["unit"]
                for r in await CoverageRequirement.select(CoverageRequirement.unit)
                .where(
                    (CoverageRequirement.area_path >= low)
                    & (CoverageRequirement.area_path < high)
                    & (CoverageRequirement.rule == RULE)
                    & (CoverageRequirement.covered == False)  # noqa: E712
                )
                .run()
            ]
            if not open_ids:
                return Page(items=[], next_cursor=None)
            where = where & Unit.id.is_in(open_ids)
        rows, cursor = await paginate(
            Unit.select(Unit.id, Unit.name, Unit.kind, Unit.employees).where(where),
            [Unit.name, Unit.id],
            page,
        )
        ids = [r["id"] for r in rows]
        reqs = {
            r["unit"]: bool(r["covered"])
            for r in (
                await CoverageRequirement.select(CoverageRequirement.unit, CoverageRequirement.covered)
                .where(CoverageRequirement.unit.is_in(ids) & (CoverageRequirement.rule == RULE))
                .run()
                if ids
                else []
            )
        }
        members = await _members_per_unit(ids)
        items = [
            UnionUnitRow(
                unit_id=r["id"],
                name=r["name"],
                kind=r["kind"],
                employees=r["employees"],
                required=r["id"] in reqs,
                covered=reqs.get(r["id"], False),
                members=members.get(r["id"], 0),
                membership_rate=_rate(members.get(r["id"], 0), r["employees"]),
                recommended_form="committee"
                if r["employees"] >= rules.committee_min_employees
                else "organizer_or_joint",
            )
            for r in rows
        ]
        return Page(items=items, next_cursor=cursor)
