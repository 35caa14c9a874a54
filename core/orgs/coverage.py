"""Coverage (覆盖 / 建会率 / 建团率): the registry of units, the plugins' rules, links and roll-ups.

Each plugin owns its rules (``quntuan_coverage_rules``): which units require an org of its kind. For every
unit the core keeps one requirement row per rule that applies, with a ``covered`` flag kept current as
orgs are linked, unlinked or dissolved. A roll-up of any subtree is then a single aggregate over the
index ``(area_path, rule, covered)`` — an index-only range scan on PostgreSQL — and a region roll-up the
same over ``(region_code, rule, covered)``. Monthly snapshots store the figures per area org, so a time
series sums a path range per month.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pluggy
from piccolo.query.functions.aggregate import Count

from core.identity import audit
from core.integration.signals import emit
from core.kernel.access import Reach, reach_clause, subtree_bounds, within
from core.kernel.db import Database
from core.kernel.declarations.orgs import CoverageRule, UnitFacts
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate
from core.orgs import problems as P
from core.orgs import schemas as S
from core.orgs import signals as sig
from core.orgs.search import fold, search_term
from core.orgs.services import tree_lock
from core.orgs.tables import CoverageLink, CoverageRequirement, CoverageSnapshot, Org, Unit
from core.orgs.validators import valid_credit_code

log = logging.getLogger("quntuan.plugins")


@dataclass(frozen=True)
class RegisteredRule:
    plugin: str
    rule: CoverageRule


def coverage_rules(pm: pluggy.PluginManager) -> dict[str, RegisteredRule]:
    """Every enabled plugin's coverage rules by code (computed once per plugin manager)."""
    cached = getattr(pm, "_quntuan_coverage_rules", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    found: dict[str, RegisteredRule] = {}
    # Read and checked at start-up with the plugin's other declarations (core.kernel.plugin_host).
    for name, decl in pm.registry.declarations.items():  # type: ignore[attr-defined]
        for rule in decl.coverage_rules:
            found[rule.code] = RegisteredRule(plugin=name, rule=rule)
    pm._quntuan_coverage_rules = found  # type: ignore[attr-defined]
    return found


def facts_of(unit: Mapping[str, Any]) -> UnitFacts:
    return UnitFacts(
        kind=unit["kind"],
        employees=unit["employees"],
        female_employees=unit["female_employees"],
        youth_employees=unit["youth_employees"],
        region_code=unit["region_code"],
    )


def required_rules(rules: Mapping[str, RegisteredRule], unit: Mapping[str, Any]) -> list[str]:
    """The rules that require ``unit`` to be covered (none for a closed unit)."""
    if unit.get("status", "active") != "active":
        return []
    facts = facts_of(unit)
    return sorted(code for code, r in rules.items() if _applies(r, facts))


def _applies(registered: RegisteredRule, facts: UnitFacts) -> bool:
    """A rule's verdict; one that raises is its plugin's bug — logged with its name, and the unit counts
    as not required by that rule, so the other plugins' coverage and the request go on."""
    try:
        return bool(registered.rule.applies(facts))
    except Exception as exc:
        log.error(
            "coverage rule %s of plugin %s failed: %s",
            registered.rule.code,
            registered.plugin,
            type(exc).__name__,
        )
        return False


def covered_rules(rules: Mapping[str, RegisteredRule], covering_kinds: Iterable[str]) -> set[str]:
    kinds = set(covering_kinds)
    return {code for code, r in rules.items() if kinds.intersection(r.rule.org_kinds)}


# --- keeping requirement rows current ---------------------------------------------------------------------


async def refresh_units(
    rules: Mapping[str, RegisteredRule], unit_ids: Sequence[UUID]
) -> dict[UUID, set[str]]:
    """Inside a write transaction: recompute the requirement rows of these units; returns changed rules."""
    if not unit_ids:
        return {}
    units = await Unit.select().where(Unit.id.is_in(list(unit_ids))).run()
    links = (
        await CoverageLink.select(CoverageLink.unit, CoverageLink.org.kind.as_alias("kind"))
        .where(CoverageLink.unit.is_in(list(unit_ids)) & (CoverageLink.org.status == "active"))
        .run()
    )
    kinds: dict[UUID, list[str]] = defaultdict(list)
    for link in links:
        kinds[link["unit"]].append(link["kind"])
    existing = await CoverageRequirement.select().where(CoverageRequirement.unit.is_in(list(unit_ids))).run()
    current: dict[tuple[UUID, str], dict[str, Any]] = {(r["unit"], r["rule"]): r for r in existing}
    changed: dict[UUID, set[str]] = defaultdict(set)
    inserts: list[CoverageRequirement] = []
    for unit in units:
        wanted = required_rules(rules, unit)
        covered = covered_rules(rules, kinds.get(unit["id"], ()))
        for code in wanted:
            row = current.pop((unit["id"], code), None)
            is_covered = code in covered
            if row is None:
                inserts.append(
                    CoverageRequirement(
                        id=uuid4(),
                        unit=unit["id"],
                        rule=code,
                        area_path=unit["area_path"],
                        region_code=unit["region_code"],
                        covered=is_covered,
                    )
                )
                changed[unit["id"]].add(code)
            elif bool(row["covered"]) != is_covered or row["region_code"] != unit["region_code"]:
                await (
                    CoverageRequirement.update(
                        {
                            CoverageRequirement.covered: is_covered,
                            CoverageRequirement.region_code: unit["region_code"],
                        }
                    )
                    .where(CoverageRequirement.id == row["id"])
                    .run()
                )
                changed[unit["id"]].add(code)
    stale = [r["id"] for r in current.values()]
    for (unit_id, code), _ in current.items():
        changed[unit_id].add(code)
    if stale:
        await CoverageRequirement.delete().where(CoverageRequirement.id.is_in(stale)).run()
    if inserts:
        await CoverageRequirement.insert(*inserts).run()
    return changed


async def refresh_units_of_org(rules: Mapping[str, RegisteredRule], org_id: UUID) -> None:
    """After an org's status changed (dissolved): recompute the units it was linked to."""
    rows = await CoverageLink.select(CoverageLink.unit).where(CoverageLink.org == org_id).run()
    await refresh_units(rules, [r["unit"] for r in rows])


# --- units ------------------------------------------------------------------------------------------------


async def follow_area_region(
    rules: Mapping[str, RegisteredRule], org_id: UUID, old: str | None, new: str | None
) -> None:
    """Inside a write transaction: the units of area ``org_id`` that had no region of their own follow its
    new region code, and their coverage rows with them.

    A unit without a region takes its area's at registration, so "no region of its own" is a region
    code that is empty or equal to the area's old one.
    """
    inherited: Any = Unit.region_code.is_null()
    if old:
        inherited = inherited | (Unit.region_code == old)
    rows = await Unit.select(Unit.id).where((Unit.area == org_id) & inherited).run()
    if not rows:
        return
    ids = [r["id"] for r in rows]
    await (
        Unit.update({Unit.region_code: new, Unit.updated_at: datetime.now(UTC)})
        .where(Unit.id.is_in(ids))
        .run()
    )
    await refresh_units(rules, ids)


async def _area(org_id: UUID, reaches: Sequence[Reach], pointer: str = "/area") -> dict[str, Any]:
    org = (
        await Org.select(Org.id, Org.path, Org.status, Org.region_code).where(Org.id == org_id).first().run()
    )
    if org is None or not within(org["path"], reaches):
        raise Problem.invalid((pointer, P.UNKNOWN_ORG))
    if org["status"] != "active":
        raise Problem.invalid((pointer, P.ORG_DISSOLVED))
    return org


async def load_unit(unit_id: UUID, reaches: Sequence[Reach]) -> S.Unit:
    row = await Unit.select().where(Unit.id == unit_id).first().run()
    if row is None or not within(row["area_path"], reaches):
        raise Problem("not-found")
    reqs = (
        await CoverageRequirement.select(CoverageRequirement.rule, CoverageRequirement.covered)
        .where(CoverageRequirement.unit == unit_id)
        .run()
    )
    links = await CoverageLink.select(CoverageLink.org).where(CoverageLink.unit == unit_id).run()
    unit = msgspec.convert(row, S.Unit)
    unit.required = sorted(r["rule"] for r in reqs)
    unit.covered = sorted(r["rule"] for r in reqs if r["covered"])
    unit.covering_orgs = [r["org"] for r in links]
    return unit


def unit_row(data: S.UnitCreate, area: Mapping[str, Any], unit_id: UUID | None = None) -> Unit:
    stamp = datetime.now(UTC)
    return Unit(
        id=unit_id or uuid4(),
        name=data.name,
        search_name=fold(data.name),
        kind=data.kind,
        credit_code=data.credit_code.upper() if data.credit_code else None,
        employees=data.employees,
        female_employees=data.female_employees,
        youth_employees=data.youth_employees,
        region_code=data.region_code or area["region_code"],
        area=area["id"],
        area_path=area["path"],
        address=data.address,
        status="active",
        created_at=stamp,
        updated_at=stamp,
    )


async def _area_path(unit_id: UUID) -> str | None:
    row = await Unit.select(Unit.area_path).where(Unit.id == unit_id).first().run()
    return row["area_path"] if row else None


async def register_unit(
    db: Database, rules: Mapping[str, RegisteredRule], data: S.UnitCreate, reaches: Sequence[Reach]
) -> S.Unit:
    """Add a unit to the registry and work out which plugins' rules require it to be covered."""
    if data.credit_code is not None and not valid_credit_code(data.credit_code):
        raise Problem.invalid(("/credit_code", P.CHECKSUM))
    async with db.transaction():
        await tree_lock(db)
        area = await _area(data.area, reaches)
        if data.credit_code and await Unit.exists().where(Unit.credit_code == data.credit_code.upper()).run():
            raise Problem(P.UNIT_DUPLICATE)
        row = unit_row(data, area)
        await Unit.insert(row).run()
        await refresh_units(rules, [row.id])
        await audit.record(
            "unit.registered",
            resource_type="unit",
            resource_id=row.id,
            org_path=area["path"],
            changes=msgspec.to_builtins(data),
        )
        await emit(
            sig.UNIT_REGISTERED,
            sig.UnitChanged(unit_id=row.id, kind=data.kind, area_id=data.area),
            resource_type="unit",
            resource_id=row.id,
            org_path=area["path"],
        )
    return await load_unit(row.id, reaches)


async def update_unit(
    db: Database,
    rules: Mapping[str, RegisteredRule],
    unit_id: UUID,
    data: S.UnitUpdate,
    reaches: Sequence[Reach],
) -> S.Unit:
    """Change a unit's head counts or status; which rules require it is worked out again."""
    async with db.transaction():
        current = await load_unit(unit_id, reaches)
        changes = {
            name: value
            for name in data.__struct_fields__
            if (value := getattr(data, name)) is not msgspec.UNSET and value != getattr(current, name)
        }
        if changes:
            values: dict[Any, Any] = {getattr(Unit, k): v for k, v in changes.items()}
            if "name" in changes:
                values[Unit.search_name] = fold(changes["name"])
            values[Unit.updated_at] = datetime.now(UTC)
            before = await _area_path(unit_id)
            await Unit.update(values).where(Unit.id == unit_id).run()
            await refresh_units(rules, [unit_id])
            moved = await Unit.select(Unit.area_path).where(Unit.id == unit_id).first().run()
            area_path = moved["area_path"] if moved else None
            await audit.record(
                "unit.updated",
                resource_type="unit",
                resource_id=unit_id,
                org_path=area_path,
                org_paths=[before],
                changes=msgspec.to_builtins(changes),
            )
            await emit(
                sig.UNIT_UPDATED,
                sig.UnitChanged(unit_id=unit_id, kind=current.kind, area_id=current.area),
                resource_type="unit",
                resource_id=unit_id,
                org_path=area_path,
            )
    return await load_unit(unit_id, reaches)


async def list_units(
    reaches: Sequence[Reach],
    page: PageRequest,
    *,
    org: UUID | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> tuple[list[S.Unit], str | None]:
    """Units in reach (under ``org``'s subtree when given), by name search and kind."""
    clause = reach_clause(Unit.area_path, reaches)
    if clause is None:
        return [], None
    query = Unit.select(*[getattr(Unit, f) for f in S.UNIT_FIELDS]).where(clause)
    if org is not None:
        anchor = await Org.select(Org.path).where(Org.id == org).first().run()
        if anchor is None or not within(anchor["path"], reaches):
            raise Problem("not-found")
        low, high = subtree_bounds(anchor["path"])
        query = query.where((Unit.area_path >= low) & (Unit.area_path < high))
    if kind:
        query = query.where(Unit.kind == kind)
    if q and (term := search_term(q)):
        query = query.where(Unit.search_name.like(f"%{term}%"))
    rows, cursor = await paginate(query, [Unit.id], page)
    return [msgspec.convert(r, S.Unit) for r in rows], cursor


async def link(
    db: Database, rules: Mapping[str, RegisteredRule], unit_id: UUID, org_id: UUID, reaches: Sequence[Reach]
) -> S.Unit:
    """Record that ``org`` covers the unit (the union set up in that enterprise)."""
    async with db.transaction():
        unit = await load_unit(unit_id, reaches)
        org = await Org.select(Org.path, Org.status).where(Org.id == org_id).first().run()
        if org is None or not within(org["path"], reaches):
            raise Problem.invalid(("/org", P.UNKNOWN_ORG))
        if org["status"] != "active":
            raise Problem.invalid(("/org", P.ORG_DISSOLVED))
        if org_id in unit.covering_orgs:
            raise Problem("conflict")
        await CoverageLink.insert(CoverageLink(id=uuid4(), unit=unit_id, org=org_id)).run()
        changed = await refresh_units(rules, [unit_id])
        await audit.record(
            "coverage.linked",
            resource_type="unit",
            resource_id=unit_id,
            org_path=org["path"],
            org_paths=[await _area_path(unit_id)],
            changes={"org": org_id, "rules": sorted(changed.get(unit_id, ()))},
        )
        await emit(
            sig.COVERAGE_LINKED,
            sig.CoverageChanged(unit_id=unit_id, org_id=org_id, rules=sorted(changed.get(unit_id, ()))),
            resource_type="unit",
            resource_id=unit_id,
            org_path=org["path"],
        )
    return await load_unit(unit_id, reaches)


async def unlink(
    db: Database, rules: Mapping[str, RegisteredRule], unit_id: UUID, org_id: UUID, reaches: Sequence[Reach]
) -> S.Unit:
    async with db.transaction():
        unit = await load_unit(unit_id, reaches)
        if org_id not in unit.covering_orgs:
            raise Problem("not-found")
        await CoverageLink.delete().where((CoverageLink.unit == unit_id) & (CoverageLink.org == org_id)).run()
        changed = await refresh_units(rules, [unit_id])
        org = await Org.select(Org.path).where(Org.id == org_id).first().run()
        await audit.record(
            "coverage.unlinked",
            resource_type="unit",
            resource_id=unit_id,
            org_path=org["path"] if org else None,
            org_paths=[await _area_path(unit_id)],
            changes={"org": org_id, "rules": sorted(changed.get(unit_id, ()))},
        )
        await emit(
            sig.COVERAGE_UNLINKED,
            sig.CoverageChanged(unit_id=unit_id, org_id=org_id, rules=sorted(changed.get(unit_id, ()))),
            resource_type="unit",
            resource_id=unit_id,
            org_path=org["path"] if org else None,
        )
    return await load_unit(unit_id, reaches)


# --- roll-ups ---------------------------------------------------------------------------------------------


def _rates(rules: Mapping[str, RegisteredRule], rows: Iterable[Mapping[str, Any]]) -> list[S.RuleRate]:
    figures = {r["rule"]: (int(r["required"]), int(r["covered"] or 0)) for r in rows}
    out = []
    for code, reg in sorted(rules.items()):
        required, covered = figures.get(code, (0, 0))
        out.append(
            S.RuleRate(
                rule=code,
                plugin=reg.plugin,
                name=reg.rule.name.as_dict(),
                org_kinds=list(reg.rule.org_kinds),
                required=required,
                covered=covered,
                rate=round(covered / required, 4) if required else None,
            )
        )
    return out


_ROLLUP = (
    "SELECT rule, COUNT(*) AS required, SUM(CASE WHEN covered THEN 1 ELSE 0 END) AS covered "
    "FROM core_coverage_requirement WHERE area_path >= {} AND area_path < {} GROUP BY rule"
)


async def subtree_rates(rules: Mapping[str, RegisteredRule], path: str) -> list[S.RuleRate]:
    """Coverage per rule over the subtree at ``path``: one indexed aggregate."""
    low, high = subtree_bounds(path)
    return _rates(rules, await CoverageRequirement.raw(_ROLLUP, low, high).run())


async def org_coverage(
    rules: Mapping[str, RegisteredRule], org_id: UUID, reaches: Sequence[Reach]
) -> S.Coverage:
    org = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if org is None or not within(org["path"], reaches):
        raise Problem("not-found")
    return S.Coverage(org=org_id, rules=await subtree_rates(rules, org["path"]))


async def region_coverage(
    rules: Mapping[str, RegisteredRule], region: str, reaches: Sequence[Reach]
) -> S.Coverage:
    """Coverage of the units whose region code starts with ``region`` (330106, 3301, 33), within reach."""
    clause = reach_clause(CoverageRequirement.area_path, reaches)
    if clause is None:
        return S.Coverage(region=region, rules=_rates(rules, []))
    where = (
        clause
        & (CoverageRequirement.region_code >= region)
        & (CoverageRequirement.region_code < region + "~")
    )
    required = (
        await CoverageRequirement.select(CoverageRequirement.rule, Count(alias="n"))
        .where(where)
        .group_by(CoverageRequirement.rule)
        .run()
    )
    covered = (
        await CoverageRequirement.select(CoverageRequirement.rule, Count(alias="n"))
        .where(where & (CoverageRequirement.covered == True))  # noqa: E712
        .group_by(CoverageRequirement.rule)
        .run()
    )
    hits = {r["rule"]: r["n"] for r in covered}
    rows = [{"rule": r["rule"], "required": r["n"], "covered": hits.get(r["rule"], 0)} for r in required]
    return S.Coverage(region=region, rules=_rates(rules, rows))


# --- monthly snapshots ------------------------------------------------------------------------------------


def current_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


async def take_snapshot(db: Database, month: str | None = None) -> S.SnapshotTaken:
    """Store this month's figures per area org and rule (replacing an earlier snapshot of the month)."""
    month = month or current_month()
    async with db.transaction():
        await CoverageSnapshot.delete().where(CoverageSnapshot.month == month).run()
        rows = await CoverageRequirement.raw(
            "SELECT u.area AS area, r.area_path AS area_path, u.region_code AS region_code, r.rule AS rule, "
            "COUNT(*) AS required, SUM(CASE WHEN r.covered THEN 1 ELSE 0 END) AS covered "
            "FROM core_coverage_requirement r JOIN core_unit u ON u.id = r.unit "
            "GROUP BY u.area, r.area_path, u.region_code, r.rule"
        ).run()
        stamp = datetime.now(UTC)
        batch = [
            CoverageSnapshot(
                id=uuid4(),
                month=month,
                area=r["area"],
                area_path=r["area_path"],
                region_code=r["region_code"],
                rule=r["rule"],
                required=int(r["required"]),
                covered=int(r["covered"] or 0),
                taken_at=stamp,
            )
            for r in rows
        ]
        for start in range(0, len(batch), 500):
            await CoverageSnapshot.insert(*batch[start : start + 500]).run()
        await audit.record(
            "coverage.snapshot_taken",
            resource_type="coverage_snapshot",
            resource_id=month,
            changes={"month": month, "rows": len(batch)},
        )
    return S.SnapshotTaken(month=month, rows=len(batch))


async def coverage_series(
    org_id: UUID, reaches: Sequence[Reach], first: str | None = None, last: str | None = None
) -> S.CoverageSeries:
    """The monthly snapshots of a subtree, summed per month and rule (as the tree stood each month)."""
    org = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if org is None or not within(org["path"], reaches):
        raise Problem("not-found")
    low, high = subtree_bounds(org["path"])
    rows = await CoverageSnapshot.raw(
        "SELECT month, rule, SUM(required) AS required, SUM(covered) AS covered FROM core_coverage_snapshot "
        "WHERE area_path >= {} AND area_path < {} AND month >= {} AND month <= {} "
        "GROUP BY month, rule ORDER BY month, rule",
        low,
        high,
        first or "0000-00",
        last or "9999-99",
    ).run()
    return S.CoverageSeries(
        org=org_id,
        points=[
            S.CoveragePoint(
                month=r["month"],
                rule=r["rule"],
                required=int(r["required"]),
                covered=int(r["covered"]),
                rate=round(int(r["covered"]) / int(r["required"]), 4) if int(r["required"]) else None,
            )
            for r in rows
        ],
    )
