"""``/api/v1/scitech/consulting``: a topic's experts, drafts and report, and figures per year.

The topic itself is a process (``GET /api/v1/processes/{id}``); these routes show what the plugin keeps
beside it, limited to the caller's reach like the processes are.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, QueryParameter

from core.sdk import Problem, reach_clause, subtree_bounds, within
from plugins.scitech.common import name_schemas, org_within, reaches
from plugins.scitech.permissions import CONSULT_READ
from plugins.scitech.tables import (
    ScitechConsultAssignment,
    ScitechConsultDraft,
    ScitechConsultReport,
    ScitechExpert,
)


class AssignedExpert(msgspec.Struct, kw_only=True):
    expert: uuid.UUID
    name: str
    title: str
    employer: str
    lead: bool
    assigned_at: datetime
    released_at: datetime | None


class Draft(msgspec.Struct, kw_only=True):
    number: int
    summary: str
    created_at: datetime


class Report(msgspec.Struct, kw_only=True):
    process: uuid.UUID
    org: uuid.UUID
    title: str
    discipline: str
    source: str
    submitted_to: str
    submitted_at: datetime
    #: instruction (批示) or adoption (采纳); empty while not adopted.
    adoption: str
    adopted_by: str
    adopted_level: str
    adopted_on: date | None


class Dossier(msgspec.Struct, kw_only=True):
    process: uuid.UUID
    experts: list[AssignedExpert]
    drafts: list[Draft]
    report: Report | None


class YearFigures(msgspec.Struct, kw_only=True):
    year: int
    #: Reports submitted that year.
    reports: int
    #: Reports adopted that year, of either kind, and of each.
    adopted: int
    instructions: int
    adoptions: int


class Figures(msgspec.Struct, kw_only=True):
    org: uuid.UUID
    years: list[YearFigures]


def _report(row: dict[str, Any]) -> Report:
    return Report(**{f: row[f] for f in Report.__struct_fields__})


class ConsultingController(Controller):
    path = "/consulting"

    @get(
        "/topics/{topic_id:uuid}",
        opt={"permission": CONSULT_READ},
        summary="课题档案",
        description="决策咨询课题的选派专家、研究稿与报告（含批示或采纳）；课题流程本身见 /api/v1/processes。",
        summary_en="A topic's dossier",
        description_en="A consulting topic's assigned experts, drafts and report with its adoption; the "
        "topic's process itself is at /api/v1/processes.",
    )
    async def get_scitech_consulting_topic(
        self, request: Request[Any, Any, Any], topic_id: FromPath[uuid.UUID]
    ) -> Dossier:
        reach = reaches(request, CONSULT_READ)
        assignments = (
            await ScitechConsultAssignment.select()
            .where(ScitechConsultAssignment.process == topic_id)
            .order_by(ScitechConsultAssignment.assigned_at)
            .run()
        )
        drafts = (
            await ScitechConsultDraft.select()
            .where(ScitechConsultDraft.process == topic_id)
            .order_by(ScitechConsultDraft.number)
            .run()
        )
        report = (
            await ScitechConsultReport.select().where(ScitechConsultReport.process == topic_id).first().run()
        )
        paths = [r["org_path"] for r in (*assignments, *drafts, *([report] if report else []))]
        if not paths or not all(within(p, reach) for p in paths):
            raise Problem("not-found")
        ids = [a["expert"] for a in assignments]
        experts = (
            {
                e["id"]: e
                for e in await ScitechExpert.select(
                    ScitechExpert.id, ScitechExpert.name, ScitechExpert.title, ScitechExpert.employer
                )
                .where(ScitechExpert.id.is_in(ids))
                .run()
            }
            if ids
            else {}
        )
        return Dossier(
            process=topic_id,
            experts=[
                AssignedExpert(
                    expert=a["expert"],
                    name=experts.get(a["expert"], {}).get("name", ""),
                    title=experts.get(a["expert"], {}).get("title", ""),
                    employer=experts.get(a["expert"], {}).get("employer", ""),
                    lead=a["lead"],
                    assigned_at=a["assigned_at"],
                    released_at=a["released_at"],
                )
                for a in assignments
            ],
            drafts=[
                Draft(number=d["number"], summary=d["summary"], created_at=d["created_at"]) for d in drafts
            ],
            report=_report(report) if report else None,
        )

    @get(
        "/reports",
        opt={"permission": CONSULT_READ},
        summary="咨询报告",
        description="权限范围内报送的咨询报告，可按组织（含下级）与报送年份筛选，最近的在前。",
        summary_en="Consulting reports",
        description_en="Submitted reports within reach, by org (with its subtree) and year, newest first.",
    )
    async def list_scitech_consulting_reports(
        self,
        request: Request[Any, Any, Any],
        org: Annotated[uuid.UUID | None, QueryParameter(description="组织（含下级）")] = None,
        year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        adopted: FromQuery[bool | None] = None,
    ) -> list[Report]:
        clause = reach_clause(ScitechConsultReport.org_path, reaches(request, CONSULT_READ))
        if clause is None:
            return []
        query = ScitechConsultReport.select().where(clause)
        if org is not None:
            low, high = subtree_bounds((await org_within(request, org, CONSULT_READ))["path"])
            query = query.where(
                (ScitechConsultReport.org_path >= low) & (ScitechConsultReport.org_path < high)
            )
        if year is not None:
            query = query.where(ScitechConsultReport.submitted_year == year)
        if adopted is not None:
            query = query.where(
                ScitechConsultReport.adoption != "" if adopted else ScitechConsultReport.adoption == ""
            )
        rows = await query.order_by(ScitechConsultReport.submitted_at, ascending=False).limit(500).run()
        return [_report(r) for r in rows]

    @get(
        "/figures",
        opt={"permission": CONSULT_READ},
        summary="决策咨询年度统计",
        description="组织及下级每年报送的咨询报告数与获批示、采纳数。",
        summary_en="Consulting figures per year",
        description_en="Reports submitted and reports adopted (instructions, adoptions) per year in an "
        "org's subtree.",
    )
    async def scitech_consulting_figures(
        self,
        request: Request[Any, Any, Any],
        org: Annotated[uuid.UUID, QueryParameter(description="组织（含下级）")],
        from_year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
        to_year: Annotated[int | None, QueryParameter(ge=2000, le=2100)] = None,
    ) -> Figures:
        low, high = subtree_bounds((await org_within(request, org, CONSULT_READ))["path"])
        rows = (
            await ScitechConsultReport.select(
                ScitechConsultReport.submitted_year,
                ScitechConsultReport.adopted_year,
                ScitechConsultReport.adoption,
            )
            .where((ScitechConsultReport.org_path >= low) & (ScitechConsultReport.org_path < high))
            .run()
        )
        years: dict[int, YearFigures] = {}

        def year_of(y: int) -> YearFigures:
            return years.setdefault(y, YearFigures(year=y, reports=0, adopted=0, instructions=0, adoptions=0))

        for row in rows:
            year_of(row["submitted_year"]).reports += 1
            if row["adopted_year"] is not None:
                figures = year_of(row["adopted_year"])
                figures.adopted += 1
                if row["adoption"] == "instruction":
                    figures.instructions += 1
                else:
                    figures.adoptions += 1
        kept = [
            years[y]
            for y in sorted(years)
            if (from_year is None or y >= from_year) and (to_year is None or y <= to_year)
        ]
        return Figures(org=org, years=kept)


ROUTES = [ConsultingController]

name_schemas(globals())
