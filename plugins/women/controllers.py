"""``/api/v1/women/…``: executive members (执委) and the org shape. Thin: the rules are in the services."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from core.sdk import Page, PageParam, current_principal
from plugins.women import empowerment as emp
from plugins.women import executives as svc
from plugins.women import schemas as S
from plugins.women.permissions import EXEC_MANAGE, EXEC_READ, PROGRAM_MANAGE, PROGRAM_READ

IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", description="The record's ETag (required)", max_length=64)
]


def _tagged(row: dict[str, Any], status_code: int = 200) -> Response[S.WomenExecMember]:
    return Response(svc.to_member(row), status_code=status_code, headers={"ETag": f'"{row["version"]}"'})


class ShapeController(Controller):
    path = "/orgs"

    @get(
        "/{org_id:uuid}/shape",
        opt={"permission": EXEC_READ},
        summary="妇联组织架构（1+10+95+N）",
        description=(
            "任一妇联组织及其下级按“1+10+95+N”形式统计：本级妇联、下级（街道、乡镇）妇联、村（社区）妇联，"
            "以及楼宇、企业、园区、社会组织妇联和妇女小组等其他组织；附在任执委人数和按类型、层级的明细。"
            "调用方须对整个下级范围有权限。"
        ),
        summary_en='Org shape ("1+10+95+N")',
        description_en=(
            "Any federation's subtree counted in the 1+10+95+N form: the federation itself, the federations "
            "below it (streets, townships), village and community federations, and the others (buildings, "
            "enterprises, parks, social organizations, women's groups), with the executives in office and a "
            "breakdown by kind and level. The caller must reach the whole subtree."
        ),
    )
    async def shape(self, request: Request[Any, Any, Any], org_id: FromPath[UUID]) -> S.WomenOrgShape:
        return await svc.shape(current_principal(request), org_id)


class ExecutiveController(Controller):
    path = "/executives"

    @post(
        "/",
        opt={"permission": EXEC_MANAGE},
        summary="任命执委",
        description="在妇联或基层妇联任命执委，写明任期、职务与分工；此人须属于调用方权限范围内的组织。",
        summary_en="Appoint an executive member",
        description_en=(
            "Appoints a person an executive member of a federation for a term, with role and duties; the "
            "person must belong to an org within the caller's reach."
        ),
    )
    async def appoint_executive(
        self, request: Request[Any, Any, Any], data: JSONBody[S.WomenExecMemberCreate]
    ) -> Response[S.WomenExecMember]:
        return _tagged(await svc.appoint(current_principal(request), data), 201)

    @get(
        "/",
        opt={"permission": EXEC_READ},
        summary="执委列表",
        description="调用方权限范围内的执委，可按组织（含下级）和状态筛选，分页返回。",
        summary_en="Executive members",
        description_en="The executive members within reach, filterable by org (with its subtree) and status.",
    )
    async def list_executives(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        org: Annotated[UUID | None, QueryParameter(description="Only this org and its subtree")] = None,
        status: Annotated[
            Literal["active", "ended"] | None, QueryParameter(description="Only this status")
        ] = None,
    ) -> Page[S.WomenExecMember]:
        rows, cursor = await svc.list_members(current_principal(request), page, org_id=org, status=status)
        return Page(items=[svc.to_member(r) for r in rows], next_cursor=cursor)

    @get(
        "/{member_id:uuid}",
        opt={"permission": EXEC_READ},
        summary="查看执委",
        description="一名执委的任期与分工；权限范围外的与不存在的一样答复 404。",
        summary_en="An executive member",
        description_en="One executive member's term and duties; outside reach it is answered 404.",
    )
    async def get_executive(
        self, request: Request[Any, Any, Any], member_id: FromPath[UUID]
    ) -> Response[S.WomenExecMember]:
        return _tagged(await svc.member_in_reach(current_principal(request), member_id, EXEC_READ))

    @patch(
        "/{member_id:uuid}",
        opt={"permission": EXEC_MANAGE, "if_match": "required"},
        summary="修改执委任期或卸任（须 If-Match）",
        description="修改职务、分工、任期结束日期，或以 status=ended 提前卸任；须带 If-Match。",
        summary_en="Change or end a term (If-Match)",
        description_en="Changes role, duties or the term's end, or ends the term with status=ended; send If-Match.",
    )
    async def update_executive(
        self,
        request: Request[Any, Any, Any],
        member_id: FromPath[UUID],
        data: JSONBody[S.WomenExecMemberUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.WomenExecMember]:
        return _tagged(await svc.update(current_principal(request), member_id, data, if_match))

    @post(
        "/{member_id:uuid}/contacts",
        opt={"permission": EXEC_MANAGE},
        summary="新增联系服务对象",
        description="执委联系服务的家庭（户）、个人或组织。",
        summary_en="Add a contact served",
        description_en="A household, person or org the executive member is responsible for (联系服务).",
    )
    async def add_executive_contact(
        self, request: Request[Any, Any, Any], member_id: FromPath[UUID], data: JSONBody[S.WomenContactCreate]
    ) -> S.WomenContact:
        return await svc.add_contact(current_principal(request), member_id, data)

    @get(
        "/{member_id:uuid}/contacts",
        opt={"permission": EXEC_READ},
        summary="联系服务对象",
        description="执委联系服务的全部对象。",
        summary_en="Contacts served",
        description_en="Everyone the executive member is responsible for.",
    )
    async def list_executive_contacts(
        self, request: Request[Any, Any, Any], member_id: FromPath[UUID]
    ) -> list[S.WomenContact]:
        return await svc.contacts(current_principal(request), member_id)

    @post(
        "/{member_id:uuid}/records",
        opt={"permission": EXEC_MANAGE},
        summary="记录履职活动或年度评价",
        description="记录执委的一次履职活动，或其年度评价（每年一次：优秀、称职、基本称职、不称职）。",
        summary_en="Record an activity or the year's evaluation",
        description_en=(
            "Records one of the member's activities, or the year's evaluation (once a year: excellent, "
            "competent, basically competent, incompetent)."
        ),
    )
    async def add_executive_record(
        self, request: Request[Any, Any, Any], member_id: FromPath[UUID], data: JSONBody[S.WomenRecordCreate]
    ) -> S.WomenRecord:
        return await svc.add_record(current_principal(request), member_id, data)

    @get(
        "/{member_id:uuid}/records",
        opt={"permission": EXEC_READ},
        summary="履职记录与年度汇总",
        description="执委的履职活动和评价，附每年的活动次数（按类型）与评价等次。",
        summary_en="Activity and evaluations by year",
        description_en="The member's activities and evaluations, with each year's counts by kind and grade.",
    )
    async def list_executive_records(
        self,
        request: Request[Any, Any, Any],
        member_id: FromPath[UUID],
        year: Annotated[int | None, QueryParameter(description="Only this year", ge=2000, le=2100)] = None,
    ) -> S.WomenExecRecords:
        return await svc.records(current_principal(request), member_id, year)


def _enrolment_tagged(row: dict[str, Any], status_code: int = 200) -> Response[S.WomenEnrolment]:
    return Response(emp.to_enrolment(row), status_code=status_code, headers={"ETag": f'"{row["version"]}"'})


class ProgramController(Controller):
    path = "/programs"

    @post(
        "/",
        opt={"permission": PROGRAM_MANAGE},
        summary="新建赋能项目",
        description="妇联新建低收入妇女赋能、巾帼创业等项目，写明报名条件与培训课次。",
        summary_en="Create an empowerment program",
        description_en="A federation creates an empowerment program with its enrolment criteria and sessions.",
    )
    async def create_program(
        self, request: Request[Any, Any, Any], data: JSONBody[S.WomenProgramCreate]
    ) -> S.WomenProgram:
        return emp.to_program(await emp.create(current_principal(request), data))

    @get(
        "/",
        opt={"permission": PROGRAM_READ},
        summary="赋能项目列表",
        description="调用方权限范围内的赋能项目，可按组织（含下级）筛选。",
        summary_en="Empowerment programs",
        description_en="The empowerment programs within reach, filterable by org and its subtree.",
    )
    async def list_programs(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        org: Annotated[UUID | None, QueryParameter(description="Only this org and its subtree")] = None,
    ) -> Page[S.WomenProgram]:
        rows, cursor = await emp.list_programs(current_principal(request), page, org)
        return Page(items=[emp.to_program(r) for r in rows], next_cursor=cursor)

    @get(
        "/{program_id:uuid}",
        opt={"permission": PROGRAM_READ},
        summary="赋能项目及其统计",
        description="一个赋能项目，附报名、结业、退出人数、出勤率、就业创业人数与平均月收入。",
        summary_en="A program and its figures",
        description_en=(
            "One program with its figures: enrolled, completed, dropped, attendance rate, employed and the "
            "average monthly income."
        ),
    )
    async def get_program(
        self, request: Request[Any, Any, Any], program_id: FromPath[UUID]
    ) -> S.WomenProgram:
        row = await emp.program_in_reach(current_principal(request), program_id, PROGRAM_READ)
        return emp.to_program(row, await emp.figures(row["id"], row["sessions"]))

    @post(
        "/{program_id:uuid}/enrolments",
        opt={"permission": PROGRAM_MANAGE},
        summary="项目报名",
        description="为符合全部报名条件的妇女报名；每人每个项目一次。",
        summary_en="Enrol a woman",
        description_en="Enrols a woman who meets every criterion of the program; once per person and program.",
    )
    async def enrol(
        self,
        request: Request[Any, Any, Any],
        program_id: FromPath[UUID],
        data: JSONBody[S.WomenEnrolmentCreate],
    ) -> Response[S.WomenEnrolment]:
        return _enrolment_tagged(await emp.enrol(current_principal(request), program_id, data), 201)

    @get(
        "/{program_id:uuid}/enrolments",
        opt={"permission": PROGRAM_READ},
        summary="项目学员",
        description="项目的报名记录、出勤与结果，分页返回。",
        summary_en="Enrolments",
        description_en="The program's enrolments with attendance and outcomes, one page at a time.",
    )
    async def list_enrolments(
        self, request: Request[Any, Any, Any], program_id: FromPath[UUID], page: PageParam
    ) -> Page[S.WomenEnrolment]:
        rows, cursor = await emp.enrolments(current_principal(request), program_id, page)
        return Page(items=[emp.to_enrolment(r) for r in rows], next_cursor=cursor)


class EnrolmentController(Controller):
    path = "/enrolments"

    @get(
        "/{enrolment_id:uuid}",
        opt={"permission": PROGRAM_READ},
        summary="查看报名记录",
        description="一条报名记录及其出勤与结果；权限范围外的与不存在的一样答复 404。",
        summary_en="An enrolment",
        description_en="One enrolment with its attendance and outcome; outside reach it is answered 404.",
    )
    async def get_enrolment(
        self, request: Request[Any, Any, Any], enrolment_id: FromPath[UUID]
    ) -> Response[S.WomenEnrolment]:
        row = await emp.enrolment_in_reach(current_principal(request), enrolment_id, PROGRAM_READ)
        return _enrolment_tagged(row)

    @post(
        "/{enrolment_id:uuid}/attendance",
        opt={"permission": PROGRAM_MANAGE},
        summary="记录培训出勤",
        description="记录学员参加一次培训；不超过项目的培训课次。",
        summary_en="Record attendance",
        description_en="Records that the participant attended one session; never more than the program's sessions.",
    )
    async def record_attendance(
        self,
        request: Request[Any, Any, Any],
        enrolment_id: FromPath[UUID],
        data: JSONBody[S.WomenAttendanceCreate],
    ) -> Response[S.WomenEnrolment]:
        return _enrolment_tagged(await emp.attend(current_principal(request), enrolment_id, data), 201)

    @patch(
        "/{enrolment_id:uuid}",
        opt={"permission": PROGRAM_MANAGE, "if_match": "required"},
        summary="记录项目结果（须 If-Match）",
        description="记录学员结业、退出，以及就业创业情况和月收入；须带 If-Match。",
        summary_en="Record the outcome (If-Match)",
        description_en="Records completion or dropping out, employment and monthly income; send If-Match.",
    )
    async def update_enrolment(
        self,
        request: Request[Any, Any, Any],
        enrolment_id: FromPath[UUID],
        data: JSONBody[S.WomenEnrolmentUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.WomenEnrolment]:
        return _enrolment_tagged(await emp.update(current_principal(request), enrolment_id, data, if_match))
