"""民主评议团员: the yearly democratic evaluation of a branch's members, graded 优秀 (excellent), 合格
(qualified), 基本合格 (basically qualified) or 不合格 (unqualified) — one grade per member per year — and
the grades counted per branch of a subtree."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.sdk import (
    Org,
    Page,
    PageParam,
    Problem,
    Text,
    current_principal,
    emit,
    paginate,
    record_audit,
    register_field_code,
    register_problem,
    subtree_bounds,
    transaction,
    within,
)
from plugins.youth import permissions as P
from plugins.youth import signals
from plugins.youth.branch_life import page_by_path, today
from plugins.youth.routes import IfMatch, check_if_match, etag, now, org_in_reach
from plugins.youth.tables import YouthEvaluation, YouthMember


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


Grade = Literal["excellent", "qualified", "basically_qualified", "unqualified"]
GRADES: tuple[str, ...] = ("excellent", "qualified", "basically_qualified", "unqualified")

EVALUATION_EXISTS = register_problem(
    "youth-evaluation-exists",
    409,
    _t("该团员本年度已评议", "該團員本年度已評議", "Already evaluated this year"),
    _t(
        "每名团员每年只评定一次等次；如需更正，请修改已有的评议结果。",
        "每名團員每年只評定一次等次；如需更正，請修改已有的評議結果。",
        "A member gets one grade a year; change the existing one to correct it.",
    ),
)
EVALUATION_CHANGED = register_problem(
    "youth-evaluation-changed",
    412,
    _t("评议结果已被修改", "評議結果已被修改", "The evaluation changed"),
    _t(
        "评议结果已被他人修改，请刷新后重试。",
        "評議結果已被他人修改，請重新整理後重試。",
        "The evaluation was changed by someone else; reload and try again.",
    ),
)
for _code, _text in (
    (
        "youth_future_year",
        _t("不能评议尚未到来的年度", "不能評議尚未到來的年度", "The year has not come yet"),
    ),
    (
        "youth_not_branch_member",
        _t("不是该团支部的在册团员", "不是該團支部的在冊團員", "Not an active member of the branch"),
    ),
    (
        "youth_joined_later",
        _t("该团员在评议年度之后才入团", "該團員在評議年度之後才入團", "The member joined after that year"),
    ),
    ("youth_duplicate", _t("同一团员重复出现", "同一團員重複出現", "The member is listed twice")),
    (
        "youth_unqualified_note",
        _t("评为不合格须说明理由", "評為不合格須說明理由", "An unqualified grade needs a reason"),
    ),
):
    register_field_code(_code, _text)

Year = Annotated[int, msgspec.Meta(ge=1950, le=2100)]


class GradeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    member: uuid.UUID
    grade: Grade
    #: Required for 不合格: what the branch found.
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class EvaluationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A branch's grades for a year's 民主评议 (all its members at once, or some of them)."""

    org: uuid.UUID
    year: Year
    grades: Annotated[list[GradeIn], msgspec.Meta(min_length=1, max_length=1000)]


class EvaluationUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    grade: Grade
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class EvaluationOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    member: uuid.UUID
    number: str
    org: uuid.UUID
    year: int
    grade: str
    note: str
    version: int


class EvaluationRecorded(msgspec.Struct, kw_only=True):
    items: list[EvaluationOut]


class BranchGrades(msgspec.Struct, kw_only=True):
    org: uuid.UUID
    name: str
    #: The branch's active members now, and those graded in the year.
    members: int
    evaluated: int
    excellent: int
    qualified: int
    basically_qualified: int
    unqualified: int


class EvaluationSummary(msgspec.Struct, kw_only=True):
    org: uuid.UUID
    year: int
    #: Over the whole subtree: graded members and each grade.
    evaluated: int
    excellent: int
    qualified: int
    basically_qualified: int
    unqualified: int
    items: list[BranchGrades]
    next_cursor: str | None


def _out(row: dict[str, Any], number: str) -> EvaluationOut:
    return EvaluationOut(
        id=row["id"],
        member=row["member"],
        number=number,
        org=row["org"],
        year=row["year"],
        grade=row["grade"],
        note=row["note"],
        version=row["version"],
    )


async def _numbers(member_ids: list[Any]) -> dict[Any, str]:
    rows = (
        await YouthMember.select(YouthMember.id, YouthMember.number)
        .where(YouthMember.id.is_in(member_ids or [uuid.uuid4()]))
        .run()
    )
    return {r["id"]: r["number"] for r in rows}


def _check_note(grade: str, note: str, pointer: str) -> None:
    if grade == "unqualified" and not note.strip():
        raise Problem.invalid((pointer, "youth_unqualified_note"))


class YouthEvaluationController(Controller):
    path = "/evaluations"

    @post(
        "/",
        opt={"permission": P.EVALUATION_MANAGE},
        summary="记录民主评议结果",
        description="团支部记录某年度民主评议团员的等次（优秀、合格、基本合格、不合格），可一次记录全支部；"
        "每名团员每年一个等次，已评议的须修改原结果；评为不合格须说明理由。",
        summary_en="Record evaluation grades",
        description_en="A branch records the year's democratic evaluation of its members (excellent, qualified, "
        "basically qualified, unqualified), the whole branch at once if it likes; one grade per member and "
        "year (change an existing one instead); an unqualified grade needs a reason.",
    )
    async def youth_record_evaluations(
        self, request: Request, data: JSONBody[EvaluationIn]
    ) -> Response[EvaluationRecorded]:
        if data.year > today(request).year:
            raise Problem.invalid(("/year", "youth_future_year"))
        seen: set[uuid.UUID] = set()
        for index, item in enumerate(data.grades):
            if item.member in seen:
                raise Problem.invalid((f"/grades/{index}/member", "youth_duplicate"))
            seen.add(item.member)
            _check_note(item.grade, item.note, f"/grades/{index}/note")
        async with transaction():
            org = await org_in_reach(request, data.org, P.EVALUATION_MANAGE)
            if org["kind"] != "youth.branch":
                raise Problem.invalid(("/org", "youth_not_branch"))
            members = {
                r["id"]: r
                for r in await YouthMember.select(
                    YouthMember.id, YouthMember.person, YouthMember.number, YouthMember.joined_on
                )
                .where(
                    YouthMember.id.is_in(list(seen))
                    & (YouthMember.org == data.org)
                    & (YouthMember.status == "active")
                )
                .run()
            }
            for index, item in enumerate(data.grades):
                if item.member not in members:
                    raise Problem.invalid((f"/grades/{index}/member", "youth_not_branch_member"))
                if members[item.member]["joined_on"].year > data.year:
                    raise Problem.invalid((f"/grades/{index}/member", "youth_joined_later"))
            keys = [f"{item.member}:{data.year}" for item in data.grades]
            if await YouthEvaluation.exists().where(YouthEvaluation.key.is_in(keys)).run():
                raise Problem(EVALUATION_EXISTS)
            stamp = now()
            rows = [
                {
                    "id": uuid.uuid4(),
                    "member": item.member,
                    "person": members[item.member]["person"],
                    "org": data.org,
                    "org_path": org["path"],
                    "year": data.year,
                    "key": key,
                    "grade": item.grade,
                    "note": item.note,
                    "version": 1,
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for item, key in zip(data.grades, keys, strict=True)
            ]
            await YouthEvaluation.insert(*[YouthEvaluation(**r) for r in rows]).run()
            for row in rows:
                await record_audit(
                    "youth.member.evaluated",
                    resource_type="youth.evaluation",
                    resource_id=row["id"],
                    org_path=org["path"],
                    changes={"member": row["member"], "year": data.year, "grade": row["grade"]},
                )
                await emit(
                    signals.MEMBER_EVALUATED,
                    signals.Evaluated(
                        evaluation_id=str(row["id"]),
                        member_id=str(row["member"]),
                        year=data.year,
                        grade=row["grade"],
                    ),
                    resource_type="youth.evaluation",
                    resource_id=row["id"],
                    org_path=org["path"],
                )
        return Response(
            EvaluationRecorded(items=[_out(r, members[r["member"]]["number"]) for r in rows]), status_code=201
        )

    @get(
        "/",
        opt={"permission": P.LIFE_READ},
        summary="民主评议结果",
        description="某团组织及下级某年度的民主评议结果，按记录先后分页；可按等次筛选。",
        summary_en="Evaluation grades",
        description_en="The democratic-evaluation grades of an org's subtree for a year, page by page; filter "
        "by grade.",
    )
    async def youth_list_evaluations(
        self,
        request: Request,
        page: PageParam,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
        year: Annotated[int, QueryParameter(name="year", ge=1950, le=2100)],
        grade: Annotated[Grade | None, QueryParameter(name="grade")] = None,
    ) -> Page[EvaluationOut]:
        org = await org_in_reach(request, org_id, P.LIFE_READ)
        low, high = subtree_bounds(org["path"])
        where = (
            (YouthEvaluation.org_path >= low)
            & (YouthEvaluation.org_path < high)
            & (YouthEvaluation.year == year)
        )
        if grade is not None:
            where &= YouthEvaluation.grade == grade
        rows, cursor = await paginate(YouthEvaluation.select().where(where), [YouthEvaluation.id], page)
        numbers = await _numbers([r["member"] for r in rows])
        return Page(items=[_out(r, numbers.get(r["member"], "")) for r in rows], next_cursor=cursor)

    @get(
        "/{evaluation_id:uuid}",
        opt={"permission": P.LIFE_READ},
        summary="查看民主评议结果",
        description="一名团员某年度的评议等次（ETag 供更正时使用）；不在权限范围内的答复 404。",
        summary_en="An evaluation grade",
        description_en="One member's grade for a year (its ETag for corrections); outside the caller's reach, 404.",
    )
    async def youth_get_evaluation(
        self, request: Request, evaluation_id: FromPath[uuid.UUID]
    ) -> Response[EvaluationOut]:
        row = await YouthEvaluation.select().where(YouthEvaluation.id == evaluation_id).first().run()
        if row is None or not within(row["org_path"], current_principal(request).reach(P.LIFE_READ)):
            raise Problem("not-found")
        numbers = await _numbers([row["member"]])
        return Response(_out(row, numbers.get(row["member"], "")), headers={"ETag": etag(row["version"])})

    @patch(
        "/{evaluation_id:uuid}",
        opt={"permission": P.EVALUATION_MANAGE},
        summary="更正民主评议结果（须 If-Match）",
        description="更正一名团员某年度的评议等次；须带 If-Match，写入审计并发出信号。",
        summary_en="Correct a grade (If-Match)",
        description_en="Corrects a member's grade for the year; needs If-Match; audited and signalled.",
    )
    async def youth_update_evaluation(
        self,
        request: Request,
        evaluation_id: FromPath[uuid.UUID],
        data: JSONBody[EvaluationUpdate],
        if_match: IfMatch = None,
    ) -> Response[EvaluationOut]:
        _check_note(data.grade, data.note, "/note")
        async with transaction():
            row = await YouthEvaluation.select().where(YouthEvaluation.id == evaluation_id).first().run()
            if row is None or not within(
                row["org_path"], current_principal(request).reach(P.EVALUATION_MANAGE)
            ):
                raise Problem("not-found")
            check_if_match(row["version"], if_match, EVALUATION_CHANGED)
            row = {**row, "grade": data.grade, "note": data.note, "version": row["version"] + 1}
            await (
                YouthEvaluation.update(
                    {
                        YouthEvaluation.grade: data.grade,
                        YouthEvaluation.note: data.note,
                        YouthEvaluation.version: row["version"],
                        YouthEvaluation.updated_at: now(),
                    }
                )
                .where(YouthEvaluation.id == evaluation_id)
                .run()
            )
            await record_audit(
                "youth.evaluation.updated",
                resource_type="youth.evaluation",
                resource_id=evaluation_id,
                org_path=row["org_path"],
                changes={"grade": data.grade},
            )
            await emit(
                signals.MEMBER_EVALUATED,
                signals.Evaluated(
                    evaluation_id=str(evaluation_id),
                    member_id=str(row["member"]),
                    year=row["year"],
                    grade=data.grade,
                ),
                resource_type="youth.evaluation",
                resource_id=evaluation_id,
                org_path=row["org_path"],
            )
        numbers = await _numbers([row["member"]])
        return Response(_out(row, numbers.get(row["member"], "")), headers={"ETag": etag(row["version"])})

    @get(
        "/summary",
        opt={"permission": P.LIFE_READ},
        summary="民主评议统计",
        description="某团组织下级各团支部某年度民主评议的在册团员数、已评议数与各等次人数，以及合计。",
        summary_en="Evaluation figures per branch",
        description_en="Per branch of an org's subtree: active members, those graded in the year and each "
        "grade's count, with the subtree's totals.",
    )
    async def youth_evaluation_summary(
        self,
        request: Request,
        page: PageParam,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
        year: Annotated[int, QueryParameter(name="year", ge=1950, le=2100)],
    ) -> EvaluationSummary:
        org = await org_in_reach(request, org_id, P.LIFE_READ)
        low, high = subtree_bounds(org["path"])
        branches = (
            await Org.select(Org.id, Org.name, Org.path)
            .where((Org.path >= low) & (Org.path < high) & (Org.kind == "youth.branch"))
            .order_by(Org.path)
            .run()
        )
        graded = (
            await YouthEvaluation.select(YouthEvaluation.org, YouthEvaluation.grade)
            .where(
                (YouthEvaluation.org_path >= low)
                & (YouthEvaluation.org_path < high)
                & (YouthEvaluation.year == year)
            )
            .run()
        )
        active = (
            await YouthMember.select(YouthMember.org)
            .where(
                (YouthMember.org_path >= low)
                & (YouthMember.org_path < high)
                & (YouthMember.status == "active")
            )
            .run()
        )
        counts: dict[Any, dict[str, int]] = {b["id"]: dict.fromkeys(GRADES, 0) for b in branches}
        members: dict[Any, int] = {}
        for r in active:
            members[r["org"]] = members.get(r["org"], 0) + 1
        totals = dict.fromkeys(GRADES, 0)
        for r in graded:
            totals[r["grade"]] += 1
            if r["org"] in counts:
                counts[r["org"]][r["grade"]] += 1
        rows = [
            (
                b["path"],
                BranchGrades(
                    org=b["id"],
                    name=b["name"],
                    members=members.get(b["id"], 0),
                    evaluated=sum(counts[b["id"]].values()),
                    **counts[b["id"]],
                ),
            )
            for b in branches
        ]
        return EvaluationSummary(
            org=org_id, year=year, evaluated=len(graded), **totals, **page_by_path(rows, page)
        )
