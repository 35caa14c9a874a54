"""Executive members (执委) and the org shape ("1+10+95+N"): the rules, no HTTP.

An executive member is a person appointed to a federation for a term, with duties, the households,
persons or orgs they are responsible for (联系服务), and per year their activities and one evaluation.
Everything is limited to the caller's reach; a record outside it answers 404 like a missing one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from typing import Any

import msgspec

from core.sdk import (
    Org,
    PageRequest,
    Principal,
    Problem,
    audit_person_paths,
    emit,
    paginate,
    reach_clause,
    record_audit,
    subtree_bounds,
    transaction,
    within,
)
from plugins.women import problems
from plugins.women import schemas as S
from plugins.women.permissions import EXEC_MANAGE, EXEC_READ
from plugins.women.signals import EXEC_MEMBER_CHANGED, EXEC_RECORD_ADDED, ExecMemberChanged, ExecRecordAdded
from plugins.women.tables import WomenExecContact, WomenExecMember, WomenExecRecord

FEDERATION_KINDS = ("women.federation", "women.grassroots")
ACTIVITY_KINDS = set(S.ActivityKind.__args__)  # type: ignore[attr-defined]
GRADES = set(S.Grade.__args__)  # type: ignore[attr-defined]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def to_member(row: dict[str, Any]) -> S.WomenExecMember:
    return S.WomenExecMember(
        id=row["id"],
        org_id=row["org"],
        person_id=row["person"],
        role=row["role"],
        duties=row["duties"],
        term_start=row["term_start"],
        term_end=row["term_end"],
        status=row["status"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def load_org(org_id: uuid.UUID) -> dict[str, Any] | None:
    """The org's id, path, kind, name and status (None when there is no such org)."""
    return (
        await Org.select(Org.id, Org.path, Org.kind, Org.name, Org.status)
        .where(Org.id == org_id)
        .first()
        .run()
    )


async def person_in_reach(principal: Principal, person_id: uuid.UUID, permission: str) -> bool:
    """Whether the person exists and belongs (home org, membership, post) to an org within reach."""
    paths = await audit_person_paths([person_id])
    reach = principal.reach(permission)
    return any(within(p, reach) for p in paths if p)


async def member_in_reach(principal: Principal, member_id: uuid.UUID, permission: str) -> dict[str, Any]:
    row = await WomenExecMember.select().where(WomenExecMember.id == member_id).first().run()
    if row is None or not within(row["org_path"], principal.reach(permission)):
        raise Problem("not-found")
    return row


async def appoint(principal: Principal, data: S.WomenExecMemberCreate) -> dict[str, Any]:
    org = await load_org(data.org_id)
    if org is None or org["status"] != "active" or not within(org["path"], principal.reach(EXEC_MANAGE)):
        raise Problem("not-found")
    if org["kind"] not in FEDERATION_KINDS:
        raise Problem(problems.NOT_A_FEDERATION)
    if data.term_end < data.term_start:
        raise Problem.invalid(("/term_end", problems.TERM_ORDER))
    if not await person_in_reach(principal, data.person_id, EXEC_MANAGE):
        raise Problem.invalid(("/person_id", "invalid"))
    moment = _now()
    row = {
        "id": uuid.uuid4(),
        "org": org["id"],
        "org_path": org["path"],
        "person": data.person_id,
        "role": data.role,
        "duties": data.duties,
        "term_start": data.term_start,
        "term_end": data.term_end,
        "status": "active",
        "version": 1,
        "created_at": moment,
        "updated_at": moment,
    }
    async with transaction():
        taken = await WomenExecMember.exists().where(
            (WomenExecMember.org == org["id"])
            & (WomenExecMember.person == data.person_id)
            & (WomenExecMember.status == "active")
        )
        if taken:
            raise Problem(problems.ALREADY_EXECUTIVE)
        await WomenExecMember.insert(WomenExecMember(**row)).run()
        await record_change(row, "women.exec_member.appointed", {"role": data.role})
    return row


async def record_change(row: dict[str, Any], action: str, changes: dict[str, Any]) -> None:
    """The audit entry (seen from the member's orgs too) and the signal of a member's appointment or
    change, inside the caller's transaction."""
    paths = await audit_person_paths([row["person"]])
    await record_audit(
        action,
        resource_type="women.exec_member",
        resource_id=row["id"],
        org_path=row["org_path"],
        org_paths=paths,
        changes=changes,
    )
    await emit(
        EXEC_MEMBER_CHANGED,
        ExecMemberChanged(member_id=str(row["id"]), org_id=str(row["org"]), status=row["status"]),
        resource_type="women.exec_member",
        resource_id=row["id"],
        org_path=row["org_path"],
    )


def check_if_match(version: int, if_match: str | None) -> None:
    if if_match is None:
        raise Problem("precondition-required")
    tag = f'"{version}"'
    if if_match.strip() not in (tag, "W/" + tag, "*"):
        raise Problem("precondition-failed")


async def update(
    principal: Principal, member_id: uuid.UUID, data: S.WomenExecMemberUpdate, if_match: str | None
) -> dict[str, Any]:
    async with transaction():
        row = await member_in_reach(principal, member_id, EXEC_MANAGE)
        check_if_match(row["version"], if_match)
        changes = {
            f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET
        }
        term_end = changes.get("term_end", row["term_end"])
        if term_end < row["term_start"]:
            raise Problem.invalid(("/term_end", problems.TERM_ORDER))
        if changes.get("status") == "active" and row["status"] == "ended":
            raise Problem.invalid(("/status", "invalid"))
        values = {**changes, "version": row["version"] + 1, "updated_at": _now()}
        updated = await (
            WomenExecMember.update({getattr(WomenExecMember, k): v for k, v in values.items()})
            .where((WomenExecMember.id == member_id) & (WomenExecMember.version == row["version"]))
            .returning(*WomenExecMember.all_columns())
            .run()
        )
        if not updated:
            raise Problem("precondition-failed")
        new = updated[0]
        action = (
            "women.exec_member.ended" if changes.get("status") == "ended" else "women.exec_member.updated"
        )
        await record_change(new, action, {k: str(v) for k, v in changes.items()})
    return new


async def list_members(
    principal: Principal, page: PageRequest, *, org_id: uuid.UUID | None, status: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    reach = principal.reach(EXEC_READ)
    clause = reach_clause(WomenExecMember.org_path, reach)
    if clause is None:
        return [], None
    query = WomenExecMember.select().where(clause)
    if org_id is not None:
        org = await load_org(org_id)
        if org is None or not within(org["path"], reach):
            raise Problem("not-found")
        low, high = subtree_bounds(org["path"])
        query = query.where((WomenExecMember.org_path >= low) & (WomenExecMember.org_path < high))
    if status is not None:
        query = query.where(WomenExecMember.status == status)
    return await paginate(query, [WomenExecMember.created_at, WomenExecMember.id], page)


async def add_contact(
    principal: Principal, member_id: uuid.UUID, data: S.WomenContactCreate
) -> S.WomenContact:
    member = await member_in_reach(principal, member_id, EXEC_MANAGE)
    if data.kind == "person":
        if data.person_id is None or data.org_id is not None:
            raise Problem.invalid(("/person_id", problems.CONTACT_TARGET))
        if not await person_in_reach(principal, data.person_id, EXEC_MANAGE):
            raise Problem.invalid(("/person_id", "invalid"))
    elif data.kind == "org":
        if data.org_id is None or data.person_id is not None:
            raise Problem.invalid(("/org_id", problems.CONTACT_TARGET))
        org = await load_org(data.org_id)
        if org is None or not within(org["path"], principal.reach(EXEC_MANAGE)):
            raise Problem.invalid(("/org_id", "invalid"))
    elif data.person_id is not None or data.org_id is not None:
        raise Problem.invalid(("/person_id", problems.CONTACT_TARGET))
    row = {
        "id": uuid.uuid4(),
        "member": member["id"],
        "org_path": member["org_path"],
        "kind": data.kind,
        "person": data.person_id,
        "contact_org": data.org_id,
        "label": data.label,
        "since": data.since or dt.date.today(),
    }
    async with transaction():
        await WomenExecContact.insert(WomenExecContact(**row)).run()
        await record_added(member, row["id"], "contact", "women.exec_contact.added", {"kind": data.kind})
    return to_contact(row)


def to_contact(row: dict[str, Any]) -> S.WomenContact:
    return S.WomenContact(
        id=row["id"],
        member_id=row["member"],
        kind=row["kind"],
        label=row["label"],
        person_id=row["person"],
        org_id=row["contact_org"],
        since=row["since"],
    )


async def contacts(principal: Principal, member_id: uuid.UUID) -> list[S.WomenContact]:
    member = await member_in_reach(principal, member_id, EXEC_READ)
    rows = (
        await WomenExecContact.select()
        .where(WomenExecContact.member == member["id"])
        .order_by(WomenExecContact.since, WomenExecContact.id)
        .run()
    )
    return [to_contact(r) for r in rows]


async def record_added(
    member: dict[str, Any], record_id: uuid.UUID, kind: str, action: str, changes: dict
) -> None:
    """The audit entry and the signal of a contact, activity or evaluation added to a member."""
    await record_audit(
        action,
        resource_type="women.exec_member",
        resource_id=member["id"],
        org_path=member["org_path"],
        changes=changes,
    )
    await emit(
        EXEC_RECORD_ADDED,
        ExecRecordAdded(member_id=str(member["id"]), record_id=str(record_id), kind=kind),
        resource_type="women.exec_member",
        resource_id=member["id"],
        org_path=member["org_path"],
    )


async def add_record(principal: Principal, member_id: uuid.UUID, data: S.WomenRecordCreate) -> S.WomenRecord:
    member = await member_in_reach(principal, member_id, EXEC_MANAGE)
    if (data.kind == "activity") != (data.code in ACTIVITY_KINDS):
        raise Problem.invalid(("/code", problems.CODE_FOR_KIND))
    row = {
        "id": uuid.uuid4(),
        "member": member["id"],
        "org_path": member["org_path"],
        "year": data.year,
        "kind": data.kind,
        "code": data.code,
        "held_on": data.held_on,
        "note": data.note,
        "created_at": _now(),
    }
    async with transaction():
        if data.kind == "evaluation":
            done = await WomenExecRecord.exists().where(
                (WomenExecRecord.member == member["id"])
                & (WomenExecRecord.year == data.year)
                & (WomenExecRecord.kind == "evaluation")
            )
            if done:
                raise Problem(problems.EVALUATED)
        await WomenExecRecord.insert(WomenExecRecord(**row)).run()
        await record_added(
            member,
            row["id"],
            data.kind,
            f"women.exec_{data.kind}.added",
            {"year": data.year, "code": data.code},
        )
    return to_record(row)


def to_record(row: dict[str, Any]) -> S.WomenRecord:
    return S.WomenRecord(
        id=row["id"],
        member_id=row["member"],
        year=row["year"],
        kind=row["kind"],
        code=row["code"],
        held_on=row["held_on"],
        note=row["note"],
        created_at=row["created_at"],
    )


async def records(principal: Principal, member_id: uuid.UUID, year: int | None) -> S.WomenExecRecords:
    member = await member_in_reach(principal, member_id, EXEC_READ)
    query = WomenExecRecord.select().where(WomenExecRecord.member == member["id"])
    if year is not None:
        query = query.where(WomenExecRecord.year == year)
    rows = await query.order_by(WomenExecRecord.year, WomenExecRecord.created_at, WomenExecRecord.id).run()
    years: dict[int, S.WomenYearSummary] = {}
    for r in rows:
        summary = years.setdefault(
            r["year"], S.WomenYearSummary(year=r["year"], activities=0, by_kind={}, evaluation=None)
        )
        if r["kind"] == "activity":
            summary.activities += 1
            summary.by_kind[r["code"]] = summary.by_kind.get(r["code"], 0) + 1
        else:
            summary.evaluation = r["code"]
    return S.WomenExecRecords(items=[to_record(r) for r in rows], years=list(years.values()))


async def shape(principal: Principal, org_id: uuid.UUID) -> S.WomenOrgShape:
    """The subtree of ``org_id`` counted in the "1+10+95+N" form (the caller must reach all of it)."""
    org = await load_org(org_id)
    if org is None or not any(r.subtree and r.covers(org["path"]) for r in principal.reach(EXEC_READ)):
        raise Problem("not-found")
    low, high = subtree_bounds(org["path"])
    rows = (
        await Org.select(Org.path, Org.kind, Org.level, Org.place, Org.two_new)
        .where((Org.path >= low) & (Org.path < high) & (Org.status == "active") & Org.kind.like("women.%"))
        .run()
    )
    counts: Counter[tuple[str, str, str]] = Counter()
    federation = federations = communities = others = 0
    for r in rows:
        place = r["place"] or r["two_new"] or ""
        counts[(r["kind"], r["level"], place)] += 1
        if r["path"] == org["path"]:
            federation = 1 if r["kind"] in FEDERATION_KINDS else 0
        elif r["kind"] == "women.federation":
            federations += 1
        elif r["kind"] == "women.grassroots" and r["level"] == "village" and not place:
            communities += 1
        else:
            others += 1
    executives = await WomenExecMember.count().where(
        (WomenExecMember.org_path >= low)
        & (WomenExecMember.org_path < high)
        & (WomenExecMember.status == "active")
    )
    return S.WomenOrgShape(
        org_id=org["id"],
        name=org["name"],
        federation=federation,
        federations_below=federations,
        communities=communities,
        others=others,
        formula=f"{federation}+{federations}+{communities}+{others}",
        executives=executives,
        breakdown=[
            S.WomenShapeCount(kind=k, level=lv, place=p, count=n) for (k, lv, p), n in sorted(counts.items())
        ],
    )
