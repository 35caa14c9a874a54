"""Member representatives (会员代表常任制): elected for a term by a constituency, an annual duty report
(履职述职) each, and the members' evaluation of them (满意 / 基本满意 / 不满意, one per member and year)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from core.sdk import (
    Person,
    Problem,
    current_principal,
    emit,
    record_audit,
    subtree_bounds,
    transaction,
    within,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.common import org_in_reach
from plugins.union.membership import active_member_path
from plugins.union.problems import invalid
from plugins.union.tables import UnionDutyReport, UnionEvaluation, UnionRepresentative

Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]


class UnionRepresentativeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    person_id: UUID
    constituency: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    term_start: date
    term_end: date


class UnionDutyReportIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    year: Year
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=3000)]


class UnionEvaluationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    year: Year
    rating: Literal["satisfied", "basic", "unsatisfied"]


class UnionRepresentativeOut(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    person_id: UUID
    name: str
    constituency: str
    term_start: str
    term_end: str
    status: str
    #: Years with a duty report.
    reported_years: list[int]
    #: Evaluations of the latest evaluated year by rating.
    evaluations: dict[str, int]


async def _representative(org: dict[str, Any], person_id: UUID) -> dict[str, Any]:
    row = (
        await UnionRepresentative.select()
        .where(
            (UnionRepresentative.org == org["id"])
            & (UnionRepresentative.person == person_id)
            & (UnionRepresentative.status == "active")
        )
        .first()
        .run()
    )
    if row is None:
        raise Problem("not-found")
    return row


async def _out(rows: list[dict[str, Any]]) -> list[UnionRepresentativeOut]:
    ids = [r["id"] for r in rows] or [uuid4()]
    names = {
        p["id"]: p["name"]
        for p in await Person.select(Person.id, Person.name)
        .where(Person.id.is_in([r["person"] for r in rows] or [uuid4()]))
        .run()
    }
    reports: dict[Any, list[int]] = {}
    for r in (
        await UnionDutyReport.select(UnionDutyReport.representative, UnionDutyReport.year)
        .where(UnionDutyReport.representative.is_in(ids))
        .run()
    ):
        reports.setdefault(r["representative"], []).append(r["year"])
    evals: dict[Any, dict[int, dict[str, int]]] = {}
    for e in (
        await UnionEvaluation.select(
            UnionEvaluation.representative, UnionEvaluation.year, UnionEvaluation.rating
        )
        .where(UnionEvaluation.representative.is_in(ids))
        .run()
    ):
        year = evals.setdefault(e["representative"], {}).setdefault(e["year"], {})
        year[e["rating"]] = year.get(e["rating"], 0) + 1
    return [
        UnionRepresentativeOut(
            id=r["id"],
            org_id=r["org"],
            person_id=r["person"],
            name=names.get(r["person"], ""),
            constituency=r["constituency"],
            term_start=r["term_start"],
            term_end=r["term_end"],
            status=r["status"],
            reported_years=sorted(reports.get(r["id"], [])),
            evaluations=evals.get(r["id"], {}).get(max(evals.get(r["id"], {0: {}})), {}),
        )
        for r in rows
    ]


async def _changed(row: dict[str, Any], what: str, resource_id: Any) -> None:
    await record_audit(
        f"union.representative.{what}",
        resource_type="union.representative",
        resource_id=resource_id,
        org_path=row["org_path"],
    )
    await emit(
        sig.REPRESENTATIVE_CHANGED,
        sig.RepresentativeChanged(representative_id=str(row["id"]), org_id=str(row["org"]), what=what),
        resource_type="union.representative",
        resource_id=row["id"],
        org_path=row["org_path"],
    )


class UnionRepresentativeController(Controller):
    path = "/orgs"
    tags = ["union"]  # noqa: RUF012

    @post(
        "/{org_id:uuid}/representatives",
        opt={"permission": P.REPRESENTATIVE_MANAGE},
        summary="登记会员代表",
        description="登记本工会（或其下级工会）在册会员当选的会员代表：选区与任期。",
        summary_en="Register a member representative",
        description_en="Registers a current member of the union's subtree elected as a representative: constituency and term.",
    )
    async def union_add_representative(
        self, request: Request, org_id: FromPath[UUID], data: JSONBody[UnionRepresentativeIn]
    ) -> UnionRepresentativeOut:
        org = await org_in_reach(
            current_principal(request),
            P.REPRESENTATIVE_MANAGE,
            org_id,
            kinds=("union.grassroots", "union.federation"),
        )
        if data.term_end <= data.term_start:
            raise invalid("/term_end", "union_term")
        path = await active_member_path(data.person_id)
        low, high = subtree_bounds(org["path"])
        if path is None or not low <= path < high:
            raise invalid("/person_id", "union_not_member")
        async with transaction():
            if (
                await UnionRepresentative.exists()
                .where(
                    (UnionRepresentative.org == org_id)
                    & (UnionRepresentative.person == data.person_id)
                    & (UnionRepresentative.status == "active")
                )
                .run()
            ):
                raise invalid("/person_id", "union_already_representative")
            row = {
                "id": uuid4(),
                "org": org_id,
                "org_path": org["path"],
                "person": data.person_id,
                "constituency": data.constituency,
                "term_start": data.term_start.isoformat(),
                "term_end": data.term_end.isoformat(),
                "status": "active",
            }
            await UnionRepresentative.insert(UnionRepresentative(**row)).run()
            await _changed(row, "elected", row["id"])
        return (await _out([row]))[0]

    @get(
        "/{org_id:uuid}/representatives",
        opt={"permission": P.MEMBER_READ},
        summary="会员代表名册",
        description="本工会的现任会员代表，含已述职的年度和最近一年的评议结果。",
        summary_en="Member representatives",
        description_en="The union's current representatives with the years they reported and the latest year's evaluations.",
    )
    async def union_list_representatives(
        self, request: Request, org_id: FromPath[UUID]
    ) -> list[UnionRepresentativeOut]:
        await org_in_reach(current_principal(request), P.MEMBER_READ, org_id)
        rows = (
            await UnionRepresentative.select()
            .where((UnionRepresentative.org == org_id) & (UnionRepresentative.status == "active"))
            .order_by(UnionRepresentative.constituency)
            .run()
        )
        return await _out(rows)

    @post(
        "/{org_id:uuid}/representatives/{person_id:uuid}/reports",
        opt={"permission": P.REPRESENTATIVE_MANAGE},
        summary="登记代表述职",
        description="登记会员代表某年度的履职述职，每年一次。",
        summary_en="Record a duty report",
        description_en="Records a representative's annual duty report, once a year.",
    )
    async def union_duty_report(
        self,
        request: Request,
        org_id: FromPath[UUID],
        person_id: FromPath[UUID],
        data: JSONBody[UnionDutyReportIn],
    ) -> UnionRepresentativeOut:
        org = await org_in_reach(current_principal(request), P.REPRESENTATIVE_MANAGE, org_id)
        async with transaction():
            rep = await _representative(org, person_id)
            if (
                await UnionDutyReport.exists()
                .where((UnionDutyReport.representative == rep["id"]) & (UnionDutyReport.year == data.year))
                .run()
            ):
                raise invalid("/year", "union_already_reported")
            report_id = uuid4()
            await UnionDutyReport.insert(
                UnionDutyReport(
                    id=report_id,
                    representative=rep["id"],
                    org_path=rep["org_path"],
                    year=data.year,
                    summary=data.summary,
                    created_at=datetime.now(UTC),
                )
            ).run()
            await _changed(rep, "reported", report_id)
        return (await _out([rep]))[0]

    @post(
        "/{org_id:uuid}/representatives/{person_id:uuid}/evaluations",
        opt={"policy": "self"},
        summary="评议会员代表（会员本人）",
        description="本工会（含下级工会）的在册会员对会员代表的年度评议：满意、基本满意或不满意，每人每年一次；非本工会会员答复 404。",
        summary_en="Evaluate a representative (as a member)",
        description_en="A current member of the union's subtree rates a representative for a year, once a year; anyone else is answered 404.",
    )
    async def union_evaluate(
        self,
        request: Request,
        org_id: FromPath[UUID],
        person_id: FromPath[UUID],
        data: JSONBody[UnionEvaluationIn],
    ) -> UnionRepresentativeOut:
        principal = current_principal(request)
        me = principal.person_id
        path = await active_member_path(me) if me is not None else None
        from core.sdk import Org, Reach

        org = await Org.select(Org.id, Org.path).where(Org.id == org_id).first().run()
        if org is None or path is None or not within(path, [Reach(path=org["path"], subtree=True)]):
            raise Problem("not-found")
        async with transaction():
            rep = await _representative(org, person_id)
            if (
                await UnionEvaluation.exists()
                .where(
                    (UnionEvaluation.representative == rep["id"])
                    & (UnionEvaluation.year == data.year)
                    & (UnionEvaluation.evaluator == me)
                )
                .run()
            ):
                raise invalid("/year", "union_already_evaluated")
            evaluation_id = uuid4()
            await UnionEvaluation.insert(
                UnionEvaluation(
                    id=evaluation_id,
                    representative=rep["id"],
                    org_path=rep["org_path"],
                    year=data.year,
                    evaluator=me,
                    rating=data.rating,
                    created_at=datetime.now(UTC),
                )
            ).run()
            await _changed(rep, "evaluated", evaluation_id)
        return (await _out([rep]))[0]
