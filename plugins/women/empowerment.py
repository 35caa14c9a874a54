"""Empowerment programs (低收入妇女赋能, 巾帼创业): enrolment against the program's criteria, training
attendance, outcomes (employment, income) and figures per program and per subtree. No HTTP here."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import msgspec

from core.sdk import (
    Org,
    PageRequest,
    Principal,
    Problem,
    StatFigure,
    Text,
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
from plugins.women.executives import FEDERATION_KINDS, check_if_match
from plugins.women.permissions import PROGRAM_MANAGE, PROGRAM_READ
from plugins.women.signals import ENROLMENT_CHANGED, PROGRAM_CREATED, EnrolmentChanged, ProgramCreated
from plugins.women.tables import WomenEnrolment, WomenProgram


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _codes(value: Any) -> list[str]:
    return list(json.loads(value)) if isinstance(value, str) and value else list(value or [])


def to_program(row: dict[str, Any], figures: S.WomenProgramFigures | None = None) -> S.WomenProgram:
    return S.WomenProgram(
        id=row["id"],
        org_id=row["org"],
        kind=row["kind"],
        name=row["name"],
        criteria=_codes(row["criteria"]),
        sessions=row["sessions"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        figures=figures,
    )


def to_enrolment(row: dict[str, Any]) -> S.WomenEnrolment:
    return S.WomenEnrolment(
        id=row["id"],
        program_id=row["program"],
        person_id=row["person"],
        criteria_met=_codes(row["criteria_met"]),
        attended=row["attended"],
        last_attended=row["last_attended"],
        employment=row["employment"],
        monthly_income=row["monthly_income"],
        status=row["status"],
        version=row["version"],
    )


async def create(principal: Principal, data: S.WomenProgramCreate) -> dict[str, Any]:
    org = await Org.select(Org.id, Org.path, Org.kind, Org.status).where(Org.id == data.org_id).first().run()
    if org is None or org["status"] != "active" or not within(org["path"], principal.reach(PROGRAM_MANAGE)):
        raise Problem("not-found")
    if org["kind"] not in FEDERATION_KINDS:
        raise Problem(problems.NOT_A_FEDERATION)
    if data.ends_on < data.starts_on:
        raise Problem.invalid(("/ends_on", problems.TERM_ORDER))
    row = {
        "id": uuid.uuid4(),
        "org": org["id"],
        "org_path": org["path"],
        "kind": data.kind,
        "name": data.name,
        "criteria": json.dumps(sorted(set(data.criteria))),
        "sessions": data.sessions,
        "starts_on": data.starts_on,
        "ends_on": data.ends_on,
        "created_at": _now(),
    }
    async with transaction():
        await WomenProgram.insert(WomenProgram(**row)).run()
        await record_audit(
            "women.program.created",
            resource_type="women.program",
            resource_id=row["id"],
            org_path=org["path"],
        )
        await emit(
            PROGRAM_CREATED,
            ProgramCreated(program_id=str(row["id"]), org_id=str(org["id"]), kind=data.kind),
            resource_type="women.program",
            resource_id=row["id"],
            org_path=org["path"],
        )
    return row


async def program_in_reach(principal: Principal, program_id: uuid.UUID, permission: str) -> dict[str, Any]:
    row = await WomenProgram.select().where(WomenProgram.id == program_id).first().run()
    if row is None or not within(row["org_path"], principal.reach(permission)):
        raise Problem("not-found")
    return row


async def figures(program_id: uuid.UUID, sessions: int) -> S.WomenProgramFigures:
    rows = await WomenEnrolment.select().where(WomenEnrolment.program == program_id).run()
    incomes = [r["monthly_income"] for r in rows if r["monthly_income"] is not None]
    attended = sum(r["attended"] for r in rows)
    return S.WomenProgramFigures(
        enrolled=len(rows),
        completed=sum(r["status"] == "completed" for r in rows),
        dropped=sum(r["status"] == "dropped" for r in rows),
        attendance_rate=round(attended / (len(rows) * sessions), 3) if rows else 0.0,
        employed=sum(r["employment"] in ("employed", "self_employed", "business") for r in rows),
        average_monthly_income=round(sum(incomes) / len(incomes)) if incomes else None,
    )


async def list_programs(
    principal: Principal, page: PageRequest, org_id: uuid.UUID | None
) -> tuple[list[dict[str, Any]], str | None]:
    reach = principal.reach(PROGRAM_READ)
    clause = reach_clause(WomenProgram.org_path, reach)
    if clause is None:
        return [], None
    query = WomenProgram.select().where(clause)
    if org_id is not None:
        org = await Org.select(Org.path).where(Org.id == org_id).first().run()
        if org is None or not within(org["path"], reach):
            raise Problem("not-found")
        low, high = subtree_bounds(org["path"])
        query = query.where((WomenProgram.org_path >= low) & (WomenProgram.org_path < high))
    return await paginate(query, [WomenProgram.created_at, WomenProgram.id], page)


async def _changed(row: dict[str, Any], action: str, changes: dict[str, Any]) -> None:
    await record_audit(
        action,
        resource_type="women.enrolment",
        resource_id=row["id"],
        org_path=row["org_path"],
        org_paths=await audit_person_paths([row["person"]]),
        changes=changes,
    )
    await emit(
        ENROLMENT_CHANGED,
        EnrolmentChanged(enrolment_id=str(row["id"]), program_id=str(row["program"]), status=row["status"]),
        resource_type="women.enrolment",
        resource_id=row["id"],
        org_path=row["org_path"],
    )


async def enrol(principal: Principal, program_id: uuid.UUID, data: S.WomenEnrolmentCreate) -> dict[str, Any]:
    program = await program_in_reach(principal, program_id, PROGRAM_MANAGE)
    paths = await audit_person_paths([data.person_id])
    if not any(within(p, principal.reach(PROGRAM_MANAGE)) for p in paths if p):
        raise Problem.invalid(("/person_id", "invalid"))
    if not set(_codes(program["criteria"])) <= set(data.criteria_met):
        raise Problem.invalid(("/criteria_met", problems.CRITERIA_UNMET))
    row = {
        "id": uuid.uuid4(),
        "program": program["id"],
        "org_path": program["org_path"],
        "person": data.person_id,
        "criteria_met": json.dumps(sorted(set(data.criteria_met))),
        "attended": 0,
        "last_attended": None,
        "employment": "",
        "monthly_income": None,
        "status": "enrolled",
        "version": 1,
        "created_at": _now(),
    }
    async with transaction():
        taken = await WomenEnrolment.exists().where(
            (WomenEnrolment.program == program["id"]) & (WomenEnrolment.person == data.person_id)
        )
        if taken:
            raise Problem(problems.ALREADY_ENROLLED)
        await WomenEnrolment.insert(WomenEnrolment(**row)).run()
        await _changed(row, "women.enrolment.created", {"criteria_met": sorted(set(data.criteria_met))})
    return row


async def enrolments(
    principal: Principal, program_id: uuid.UUID, page: PageRequest
) -> tuple[list, str | None]:
    program = await program_in_reach(principal, program_id, PROGRAM_READ)
    query = WomenEnrolment.select().where(WomenEnrolment.program == program["id"])
    return await paginate(query, [WomenEnrolment.created_at, WomenEnrolment.id], page)


async def enrolment_in_reach(
    principal: Principal, enrolment_id: uuid.UUID, permission: str = PROGRAM_MANAGE
) -> dict[str, Any]:
    row = await WomenEnrolment.select().where(WomenEnrolment.id == enrolment_id).first().run()
    if row is None or not within(row["org_path"], principal.reach(permission)):
        raise Problem("not-found")
    return row


async def attend(
    principal: Principal, enrolment_id: uuid.UUID, data: S.WomenAttendanceCreate
) -> dict[str, Any]:
    async with transaction():
        row = await enrolment_in_reach(principal, enrolment_id)
        program = (
            await WomenProgram.select(WomenProgram.sessions)
            .where(WomenProgram.id == row["program"])
            .first()
            .run()
        )
        sessions = program["sessions"] if program else 0
        if row["status"] != "enrolled":
            raise Problem.invalid(("/attended_on", "invalid"))
        # One compare-and-set: concurrent check-ins of one participant never pass the number of sessions.
        updated = await (
            WomenEnrolment.update(
                {
                    WomenEnrolment.attended: WomenEnrolment.attended + 1,
                    WomenEnrolment.last_attended: data.attended_on,
                    WomenEnrolment.version: WomenEnrolment.version + 1,
                }
            )
            .where((WomenEnrolment.id == enrolment_id) & (WomenEnrolment.attended < sessions))
            .returning(*WomenEnrolment.all_columns())
            .run()
        )
        if not updated:
            raise Problem(problems.ALL_SESSIONS, sessions=sessions)
        new = updated[0]
        await _changed(new, "women.enrolment.attended", {"attended_on": data.attended_on.isoformat()})
    return new


async def update(
    principal: Principal, enrolment_id: uuid.UUID, data: S.WomenEnrolmentUpdate, if_match: str | None
) -> dict[str, Any]:
    async with transaction():
        row = await enrolment_in_reach(principal, enrolment_id)
        check_if_match(row["version"], if_match)
        changes = {
            f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET
        }
        values = {getattr(WomenEnrolment, k): v for k, v in changes.items()}
        values[WomenEnrolment.version] = row["version"] + 1
        updated = await (
            WomenEnrolment.update(values)
            .where((WomenEnrolment.id == enrolment_id) & (WomenEnrolment.version == row["version"]))
            .returning(*WomenEnrolment.all_columns())
            .run()
        )
        if not updated:
            raise Problem("precondition-failed")
        new = updated[0]
        await _changed(new, "women.enrolment.updated", changes)
    return new


async def subtree_figures(org_path: str) -> list[StatFigure]:
    low, high = subtree_bounds(org_path)
    programs = await WomenProgram.count().where(
        (WomenProgram.org_path >= low) & (WomenProgram.org_path < high)
    )
    inside = (WomenEnrolment.org_path >= low) & (WomenEnrolment.org_path < high)
    enrolled = await WomenEnrolment.count().where(inside)
    employed = await WomenEnrolment.count().where(
        inside & WomenEnrolment.employment.is_in(["employed", "self_employed", "business"])
    )
    return [
        StatFigure(
            code="women.programs",
            label=Text(zh_hans="赋能项目数", zh_hant="賦能項目數", en="Empowerment programs"),
            value=programs,
        ),
        StatFigure(
            code="women.program_enrolments",
            label=Text(zh_hans="赋能项目参与人数", zh_hant="賦能項目參與人數", en="Women enrolled"),
            value=enrolled,
        ),
        StatFigure(
            code="women.program_employed",
            label=Text(
                zh_hans="赋能后就业创业人数", zh_hant="賦能後就業創業人數", en="Employed after a program"
            ),
            value=employed,
        ),
    ]
