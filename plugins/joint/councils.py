"""``/api/v1/joint/councils…``: joint councils (联席会议), their member orgs, meetings, decisions and the
tasks the decisions assign (followed as ``joint.task`` processes), limited to the caller's reach."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.sdk import (
    Org,
    Page,
    PageParam,
    Principal,
    Problem,
    emit,
    kind_owners,
    open_process,
    paginate,
    reach_clause,
    record_audit,
    subtree_bounds,
    transaction,
    within,
)
from plugins.joint import permissions as perm
from plugins.joint import schemas as S
from plugins.joint import signals as sig
from plugins.joint.common import IfMatch, check_if_match, org_in_reach, principal, tagged, today
from plugins.joint.problems import COUNCIL_DISSOLVED, DUE_PAST, MEMBER_EXISTS, NOT_MEMBER, OUTSIDE_COUNCIL
from plugins.joint.processes import FINAL, TASK_TYPE
from plugins.joint.tables import (
    JointCouncil,
    JointDecision,
    JointMeeting,
    JointMember,
    JointTask,
    JointTaskReport,
)

Req = Request[Any, Any, Any]
CouncilId = Annotated[uuid.UUID, FromPath]


def now() -> datetime:
    return datetime.now(UTC)


# --- loading within reach --------------------------------------------------------------------------------


async def council_row(council_id: uuid.UUID, caller: Principal, permission: str) -> dict[str, Any]:
    row = await JointCouncil.select().where(JointCouncil.id == council_id).first().run()
    if row is None or not within(row["org_path"], caller.reach(permission)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


def _active(council: dict[str, Any]) -> None:
    if council["status"] != "active":
        raise Problem(COUNCIL_DISSOLVED)


def to_council(row: dict[str, Any]) -> S.JointCouncil:
    return S.JointCouncil(
        id=row["id"],
        org_id=row["org"],
        name=row["name"],
        description=row["description"],
        status=row["status"],
        version=row["version"],
        created_at=row["created_at"],
    )


def is_overdue(row: dict[str, Any], on: date) -> bool:
    return row["state"] not in FINAL and row["due_on"] < on


def to_task(row: dict[str, Any], on: date) -> S.JointTask:
    return S.JointTask(
        id=row["id"],
        decision_id=row["decision"],
        council_id=row["council"],
        org_id=row["member_org"],
        title=row["title"],
        due_on=row["due_on"],
        process_id=row["process"],
        state=row["state"],
        progress=row["progress"],
        overdue=is_overdue(row, on),
        urged=row["urged"],
        closed_at=row["closed_at"],
    )


async def members_of(state: Any, council_id: uuid.UUID) -> list[S.JointMember]:
    rows = (
        await JointMember.select()
        .where(JointMember.council == council_id)
        .order_by(JointMember.created_at)
        .run()
    )
    names = {}
    if rows:
        found = await Org.select(Org.id, Org.name).where(Org.id.is_in([r["org"] for r in rows])).run()
        names = {o["id"]: o["name"] for o in found}
    owners = kind_owners(state)
    return [
        S.JointMember(
            id=r["id"],
            org_id=r["org"],
            org_name=names.get(r["org"], ""),
            org_kind=r["org_kind"],
            plugin=owners.get(r["org_kind"], r["org_kind"].split(".", 1)[0]),
            role=r["role"],
            representative_id=r["representative"],
            post_title=r["post_title"],
        )
        for r in rows
    ]


async def _detail(request: Req, row: dict[str, Any]) -> S.JointCouncilDetail:
    on = today(request)
    tasks = (
        await JointTask.select(JointTask.state, JointTask.due_on).where(JointTask.council == row["id"]).run()
    )
    return S.JointCouncilDetail(
        **msgspec_fields(to_council(row)),
        members=await members_of(request.app.state, row["id"]),
        tasks_open=sum(1 for t in tasks if t["state"] not in FINAL),
        tasks_overdue=sum(1 for t in tasks if is_overdue(t, on)),
        tasks_completed=sum(1 for t in tasks if t["state"] == "completed"),
    )


def msgspec_fields(value: Any) -> dict[str, Any]:
    return {f: getattr(value, f) for f in value.__struct_fields__}


async def _holds_post(person_id: uuid.UUID, org_id: uuid.UUID, title: str, on: date) -> bool:
    rows = await Org.raw(
        "SELECT 1 AS held FROM core_post WHERE person = {} AND org = {} AND title = {} AND start_date <= {} "
        "AND (end_date IS NULL OR end_date >= {})",
        person_id,
        org_id,
        title,
        on,
        on,
    ).run()
    return bool(rows)


def _json_list(value: Any) -> list[Any]:
    """A JSON column as read (a list) or as returned by ``UPDATE … RETURNING`` (its text)."""
    return list(msgspec.json.decode(value) if isinstance(value, str | bytes) else value or [])


def to_meeting(row: dict[str, Any], member_count: int) -> S.JointMeeting:
    attendance = [uuid.UUID(str(a)) for a in _json_list(row["attendance"])]
    rate = None
    if row["status"] == "held" and member_count:
        rate = round(len(attendance) / member_count, 4)
    return S.JointMeeting(
        id=row["id"],
        council_id=row["council"],
        title=row["title"],
        starts_at=row["starts_at"],
        place=row["place"],
        agenda=[str(a) for a in _json_list(row["agenda"])],
        minutes=row["minutes"],
        attendance=attendance,
        attendance_rate=rate,
        status=row["status"],
        version=row["version"],
    )


async def _member_count(council_id: uuid.UUID) -> int:
    return await JointMember.count().where(JointMember.council == council_id).run()  # type: ignore[no-any-return]


async def _member_orgs(council_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await JointMember.select(JointMember.org).where(JointMember.council == council_id).run()
    return {r["org"] for r in rows}


def _signal(row: dict[str, Any]) -> sig.CouncilSignal:
    return sig.CouncilSignal(council=str(row["id"]), org=str(row["org"]))


class CouncilController(Controller):
    path = "/councils"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/",
        opt={"permission": perm.COUNCIL_READ},
        summary="联席会议列表",
        description="调用者权限范围内的群团联席会议，可按组织（含下级）筛选，按成立先后分页返回。",
        summary_en="Joint councils",
        description_en="The joint councils within the caller's reach, optionally of one org's subtree, "
        "oldest first, one page at a time.",
    )
    async def list_councils(
        self,
        request: Req,
        page: PageParam,
        org_id: Annotated[
            uuid.UUID | None, QueryParameter(description="Only councils in this org's subtree")
        ] = None,
    ) -> Page[S.JointCouncil]:
        caller = principal(request)
        clause = reach_clause(JointCouncil.org_path, caller.reach(perm.COUNCIL_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        if org_id is not None:
            org = await org_in_reach(org_id, caller, perm.COUNCIL_READ)
            low, high = subtree_bounds(org["path"])
            clause = clause & (JointCouncil.org_path >= low) & (JointCouncil.org_path < high)
        rows, cursor = await paginate(
            JointCouncil.select().where(clause), [JointCouncil.created_at, JointCouncil.id], page
        )
        return Page(items=[to_council(r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": perm.COUNCIL_MANAGE},
        summary="成立联席会议",
        description="在调用者有管理权限的组织（通常是党委）成立群团联席会议；写入审计日志并发出信号。",
        summary_en="Set up a joint council",
        description_en="Sets up a joint council at an org the caller manages (usually a Party committee); "
        "audited and signalled.",
    )
    async def create_council(
        self, request: Req, data: JSONBody[S.JointCouncilIn]
    ) -> Response[S.JointCouncilDetail]:
        caller = principal(request)
        org = await org_in_reach(data.org_id, caller, perm.COUNCIL_MANAGE)
        if org["status"] != "active":
            raise Problem.invalid(("/org_id", "invalid"))
        moment = now()
        row = {
            "id": uuid.uuid4(),
            "org": org["id"],
            "org_path": org["path"],
            "name": data.name,
            "description": data.description,
            "status": "active",
            "version": 1,
            "created_at": moment,
            "updated_at": moment,
        }
        async with transaction():
            await JointCouncil.insert(JointCouncil(**row)).run()
            await record_audit(
                "joint.council.created",
                resource_type="joint.council",
                resource_id=row["id"],
                org_path=org["path"],
            )
            await emit(
                sig.COUNCIL_CREATED,
                _signal(row),
                resource_type="joint.council",
                resource_id=row["id"],
                org_path=org["path"],
            )
        return tagged(await _detail(request, row), 1, 201)

    @get(
        "/{council_id:uuid}",
        opt={"permission": perm.COUNCIL_READ},
        summary="联席会议详情",
        description="联席会议、成员单位及其代表，以及交办任务的在办、逾期、办结数；附 ETag。",
        summary_en="A joint council",
        description_en="The council, its member orgs and their representatives, and its tasks open, "
        "overdue and completed; with an ETag.",
    )
    async def get_council(self, request: Req, council_id: CouncilId) -> Response[S.JointCouncilDetail]:
        row = await council_row(council_id, principal(request), perm.COUNCIL_READ)
        return tagged(await _detail(request, row), row["version"])

    @patch(
        "/{council_id:uuid}",
        opt={"permission": perm.COUNCIL_MANAGE},
        summary="修改或撤销联席会议（须 If-Match）",
        description="修改名称、说明，或撤销（dissolved）联席会议；须带 If-Match。",
        summary_en="Change or dissolve a council (If-Match)",
        description_en="Changes the name or description, or dissolves the council; needs If-Match.",
    )
    async def update_council(
        self,
        request: Req,
        council_id: CouncilId,
        data: JSONBody[S.JointCouncilUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.JointCouncilDetail]:
        row = await council_row(council_id, principal(request), perm.COUNCIL_MANAGE)
        check_if_match(row, if_match)
        changes = {k: v for k, v in msgspec_fields(data).items() if v is not None and v != row[k]}
        if changes:
            async with transaction():
                updated = (
                    await JointCouncil.update({**changes, "version": row["version"] + 1, "updated_at": now()})
                    .where((JointCouncil.id == council_id) & (JointCouncil.version == row["version"]))
                    .returning(*JointCouncil.all_columns())
                    .run()
                )
                if not updated:
                    raise Problem("joint-changed", version=row["version"] + 1)
                row = updated[0]
                await record_audit(
                    "joint.council.updated",
                    resource_type="joint.council",
                    resource_id=council_id,
                    org_path=row["org_path"],
                    changes=changes,
                )
                await emit(
                    sig.COUNCIL_CHANGED,
                    _signal(row),
                    resource_type="joint.council",
                    resource_id=council_id,
                    org_path=row["org_path"],
                )
        return tagged(await _detail(request, row), row["version"])

    # --- members --------------------------------------------------------------------------------------

    @post(
        "/{council_id:uuid}/members",
        opt={"permission": perm.COUNCIL_MANAGE},
        summary="增加成员单位",
        description="把联席会议所在组织下级范围内任一插件的组织加为成员单位（召集单位或成员单位），"
        "可指定其代表：须为今天在该组织担任所填职务的人员。",
        summary_en="Add a member org",
        description_en="Adds an org of any plugin in the council org's subtree as convenor or member, "
        "optionally with its representative: a person holding the named post in that org today.",
    )
    async def add_member(
        self, request: Req, council_id: CouncilId, data: JSONBody[S.JointMemberIn]
    ) -> Response[S.JointCouncilDetail]:
        caller = principal(request)
        council = await council_row(council_id, caller, perm.COUNCIL_MANAGE)
        _active(council)
        org = (
            await Org.select(Org.id, Org.path, Org.kind, Org.status)
            .where(Org.id == data.org_id)
            .first()
            .run()
        )
        if org is None or org["status"] != "active" or not org["path"].startswith(council["org_path"]):
            raise Problem.invalid(("/org_id", OUTSIDE_COUNCIL))
        if data.representative is not None and not await _holds_post(
            data.representative.person_id, org["id"], data.representative.post_title, today(request)
        ):
            raise Problem.invalid(("/representative/post_title", "invalid"))
        if (
            await JointMember.exists()
            .where((JointMember.council == council_id) & (JointMember.org == org["id"]))
            .run()
        ):
            raise Problem(MEMBER_EXISTS)
        member = {
            "id": uuid.uuid4(),
            "council": council_id,
            "org": org["id"],
            "org_path": org["path"],
            "org_kind": org["kind"],
            "role": data.role,
            "representative": data.representative.person_id if data.representative else None,
            "post_title": data.representative.post_title if data.representative else "",
            "created_at": now(),
        }
        async with transaction():
            await JointMember.insert(JointMember(**member)).run()
            await record_audit(
                "joint.member.added",
                resource_type="joint.council",
                resource_id=council_id,
                org_path=council["org_path"],
                org_paths=[org["path"]],
                changes={"org": str(org["id"]), "role": data.role},
            )
            await emit(
                sig.MEMBER_ADDED,
                sig.MemberSignal(council=str(council_id), member=str(member["id"]), org=str(org["id"])),
                resource_type="joint.council",
                resource_id=council_id,
                org_path=council["org_path"],
            )
        return tagged(await _detail(request, council), council["version"], 201)

    @delete(
        "/{council_id:uuid}/members/{council_member_id:uuid}",
        opt={"permission": perm.COUNCIL_MANAGE},
        status_code=204,
        summary="移除成员单位",
        description="把一个成员单位移出联席会议；已交办的任务不受影响。",
        summary_en="Remove a member org",
        description_en="Removes a member org from the council; tasks already assigned stay as they are.",
    )
    async def remove_member(
        self, request: Req, council_id: CouncilId, council_member_id: FromPath[uuid.UUID]
    ) -> None:
        council = await council_row(council_id, principal(request), perm.COUNCIL_MANAGE)
        member = (
            await JointMember.select()
            .where((JointMember.id == council_member_id) & (JointMember.council == council_id))
            .first()
            .run()
        )
        if member is None:
            raise Problem("not-found")
        async with transaction():
            await JointMember.delete().where(JointMember.id == council_member_id).run()
            await record_audit(
                "joint.member.removed",
                resource_type="joint.council",
                resource_id=council_id,
                org_path=council["org_path"],
                org_paths=[member["org_path"]],
                changes={"org": str(member["org"])},
            )
            await emit(
                sig.MEMBER_REMOVED,
                sig.MemberSignal(
                    council=str(council_id), member=str(council_member_id), org=str(member["org"])
                ),
                resource_type="joint.council",
                resource_id=council_id,
                org_path=council["org_path"],
            )

    # --- meetings -------------------------------------------------------------------------------------

    @get(
        "/{council_id:uuid}/meetings",
        opt={"permission": perm.COUNCIL_READ},
        summary="联席会议的会议",
        description="联席会议的历次会议（议程、纪要、出席单位、出席率），按时间先后分页返回。",
        summary_en="Meetings of a council",
        description_en="The council's meetings (agenda, minutes, attending member orgs, attendance rate), "
        "earliest first, one page at a time.",
    )
    async def list_meetings(
        self, request: Req, council_id: CouncilId, page: PageParam
    ) -> Page[S.JointMeeting]:
        await council_row(council_id, principal(request), perm.COUNCIL_READ)
        count = await _member_count(council_id)
        rows, cursor = await paginate(
            JointMeeting.select().where(JointMeeting.council == council_id),
            [JointMeeting.starts_at, JointMeeting.id],
            page,
        )
        return Page(items=[to_meeting(r, count) for r in rows], next_cursor=cursor)

    @post(
        "/{council_id:uuid}/meetings",
        opt={"permission": perm.COUNCIL_MANAGE},
        summary="安排会议",
        description="为联席会议安排一次会议（时间、地点、议程）；写入审计日志并发出信号。",
        summary_en="Schedule a meeting",
        description_en="Schedules a meeting of the council (time, place, agenda); audited and signalled.",
    )
    async def create_meeting(
        self, request: Req, council_id: CouncilId, data: JSONBody[S.JointMeetingIn]
    ) -> Response[S.JointMeeting]:
        council = await council_row(council_id, principal(request), perm.COUNCIL_MANAGE)
        _active(council)
        moment = now()
        row = {
            "id": uuid.uuid4(),
            "council": council_id,
            "org_path": council["org_path"],
            "title": data.title,
            "starts_at": data.starts_at,
            "place": data.place,
            "agenda": list(data.agenda),
            "minutes": "",
            "attendance": [],
            "status": "scheduled",
            "version": 1,
            "created_at": moment,
            "updated_at": moment,
        }
        async with transaction():
            await JointMeeting.insert(JointMeeting(**row)).run()
            await record_audit(
                "joint.meeting.scheduled",
                resource_type="joint.meeting",
                resource_id=row["id"],
                org_path=council["org_path"],
            )
            await emit(
                sig.MEETING_SCHEDULED,
                sig.MeetingSignal(council=str(council_id), meeting=str(row["id"]), status="scheduled"),
                resource_type="joint.meeting",
                resource_id=row["id"],
                org_path=council["org_path"],
            )
        return tagged(to_meeting(row, await _member_count(council_id)), 1, 201)

    # --- decisions and tasks --------------------------------------------------------------------------

    @post(
        "/{council_id:uuid}/decisions",
        opt={"permission": perm.COUNCIL_MANAGE},
        summary="作出议定事项并交办任务",
        description="记录联席会议的议定事项，并把任务分解交办给成员单位：每项任务是成员单位的一件"
        "「联席会议交办任务」流程（joint.task），期限不能早于今天。",
        summary_en="Record a decision and assign its tasks",
        description_en="Records a decision of the council and assigns its tasks to member orgs: each task "
        "is a process of type joint.task on the member org, due no earlier than today.",
    )
    async def create_decision(
        self, request: Req, council_id: CouncilId, data: JSONBody[S.JointDecisionIn]
    ) -> Response[S.JointDecision]:
        caller = principal(request)
        council = await council_row(council_id, caller, perm.COUNCIL_MANAGE)
        _active(council)
        on = today(request)
        members = await _member_orgs(council_id)
        errors = []
        for i, task in enumerate(data.tasks):
            if task.org_id not in members:
                errors.append((f"/tasks/{i}/org_id", NOT_MEMBER))
            if task.due_on < on:
                errors.append((f"/tasks/{i}/due_on", DUE_PAST))
        if (
            data.meeting_id is not None
            and not await JointMeeting.exists()
            .where((JointMeeting.id == data.meeting_id) & (JointMeeting.council == council_id))
            .run()
        ):
            errors.append(("/meeting_id", "invalid"))
        if errors:
            raise Problem.invalid(*errors)
        moment = now()
        decision = {
            "id": uuid.uuid4(),
            "council": council_id,
            "meeting": data.meeting_id,
            "org_path": council["org_path"],
            "title": data.title,
            "content": data.content,
            "created_by": caller.id,
            "created_at": moment,
        }
        orgs = {
            o["id"]: o["path"]
            for o in await Org.select(Org.id, Org.path)
            .where(Org.id.is_in([t.org_id for t in data.tasks]))
            .run()
        }
        tasks = []
        async with transaction():
            await JointDecision.insert(JointDecision(**decision)).run()
            for task in data.tasks:
                task_id = uuid.uuid4()
                process = await open_process(
                    request.app.state,
                    caller,
                    type_code=TASK_TYPE,
                    org_id=task.org_id,
                    form={
                        "task": str(task_id),
                        "council": str(council_id),
                        "title": task.title,
                        "due_on": task.due_on.isoformat(),
                    },
                )
                row = {
                    "id": task_id,
                    "decision": decision["id"],
                    "council": council_id,
                    "org_path": council["org_path"],
                    "member_org": task.org_id,
                    "member_path": orgs[task.org_id],
                    "title": task.title,
                    "due_on": task.due_on,
                    "process": process["id"],
                    "state": process["state"],
                    "progress": 0,
                    "urged": 0,
                    "flagged": 0,
                    "closed_at": None,
                    "created_at": moment,
                }
                await JointTask.insert(JointTask(**row)).run()
                tasks.append(row)
            await record_audit(
                "joint.decision.made",
                resource_type="joint.decision",
                resource_id=decision["id"],
                org_path=council["org_path"],
                org_paths=[t["member_path"] for t in tasks],
                changes={"tasks": [str(t["id"]) for t in tasks]},
            )
            await emit(
                sig.DECISION_MADE,
                sig.DecisionSignal(
                    council=str(council_id),
                    decision=str(decision["id"]),
                    tasks=[str(t["id"]) for t in tasks],
                    processes=[str(t["process"]) for t in tasks],
                ),
                resource_type="joint.decision",
                resource_id=decision["id"],
                org_path=council["org_path"],
            )
        body = S.JointDecision(
            id=decision["id"],
            council_id=council_id,
            meeting_id=data.meeting_id,
            title=data.title,
            content=data.content,
            created_at=moment,
            tasks=[to_task(t, on) for t in tasks],
        )
        return Response(body, status_code=201)

    @get(
        "/{council_id:uuid}/decisions",
        opt={"permission": perm.COUNCIL_READ},
        summary="议定事项列表",
        description="联席会议的议定事项及其交办任务（状态、进度、是否逾期），按时间先后分页返回。",
        summary_en="Decisions of a council",
        description_en="The council's decisions with their tasks (state, progress, overdue), earliest first.",
    )
    async def list_decisions(
        self, request: Req, council_id: CouncilId, page: PageParam
    ) -> Page[S.JointDecision]:
        await council_row(council_id, principal(request), perm.COUNCIL_READ)
        rows, cursor = await paginate(
            JointDecision.select().where(JointDecision.council == council_id),
            [JointDecision.created_at, JointDecision.id],
            page,
        )
        on = today(request)
        tasks: dict[uuid.UUID, list[S.JointTask]] = {}
        if rows:
            for t in (
                await JointTask.select()
                .where(JointTask.decision.is_in([r["id"] for r in rows]))
                .order_by(JointTask.created_at)
                .run()
            ):
                tasks.setdefault(t["decision"], []).append(to_task(t, on))
        return Page(
            items=[
                S.JointDecision(
                    id=r["id"],
                    council_id=r["council"],
                    meeting_id=r["meeting"],
                    title=r["title"],
                    content=r["content"],
                    created_at=r["created_at"],
                    tasks=tasks.get(r["id"], []),
                )
                for r in rows
            ],
            next_cursor=cursor,
        )

    @get(
        "/{council_id:uuid}/tasks",
        opt={"permission": perm.COUNCIL_READ},
        summary="交办任务（督办台账）",
        description="联席会议交办的全部任务，按期限先后；overdue=true 只列逾期未办结的任务。",
        summary_en="Tasks of a council (follow-up ledger)",
        description_en="Every task the council assigned, soonest due first; overdue=true lists only those "
        "past their due date and not completed.",
    )
    async def list_tasks(
        self,
        request: Req,
        council_id: CouncilId,
        page: PageParam,
        overdue: Annotated[bool | None, QueryParameter(description="Only overdue tasks")] = None,
    ) -> Page[S.JointTask]:
        await council_row(council_id, principal(request), perm.COUNCIL_READ)
        on = today(request)
        clause = JointTask.council == council_id
        if overdue:
            clause = clause & (JointTask.due_on < on) & JointTask.state.not_in(list(FINAL))
        rows, cursor = await paginate(
            JointTask.select().where(clause), [JointTask.due_on, JointTask.id], page
        )
        return Page(items=[to_task(r, on) for r in rows], next_cursor=cursor)


class MeetingController(Controller):
    path = "/meetings"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/{meeting_id:uuid}",
        opt={"permission": perm.COUNCIL_READ},
        summary="会议详情",
        description="一次会议的议程、纪要、出席单位与出席率；附 ETag。",
        summary_en="A meeting",
        description_en="One meeting's agenda, minutes, attending member orgs and attendance rate; with an ETag.",
    )
    async def get_meeting(self, request: Req, meeting_id: FromPath[uuid.UUID]) -> Response[S.JointMeeting]:
        row = await JointMeeting.select().where(JointMeeting.id == meeting_id).first().run()
        if row is None or not within(row["org_path"], principal(request).reach(perm.COUNCIL_READ)):
            raise Problem("not-found")
        return tagged(to_meeting(row, await _member_count(row["council"])), row["version"])

    @patch(
        "/{meeting_id:uuid}",
        opt={"permission": perm.COUNCIL_MANAGE},
        summary="记录会议纪要与出席（须 If-Match）",
        description="修改会议的时间、地点、议程，记录纪要和出席的成员单位，或标记为已召开/已取消；须带 If-Match。",
        summary_en="Record minutes and attendance (If-Match)",
        description_en="Changes a meeting's time, place or agenda, records its minutes and the member orgs "
        "that attended, or marks it held or cancelled; needs If-Match.",
    )
    async def update_meeting(
        self,
        request: Req,
        meeting_id: FromPath[uuid.UUID],
        data: JSONBody[S.JointMeetingUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.JointMeeting]:
        row = await JointMeeting.select().where(JointMeeting.id == meeting_id).first().run()
        if row is None or not within(row["org_path"], principal(request).reach(perm.COUNCIL_MANAGE)):
            raise Problem("not-found")
        check_if_match(row, if_match)
        changes = {k: v for k, v in msgspec_fields(data).items() if v is not None}
        if "attendance" in changes:
            members = await _member_orgs(row["council"])
            wrong = [i for i, org in enumerate(changes["attendance"]) if org not in members]
            if wrong:
                raise Problem.invalid(*[(f"/attendance/{i}", NOT_MEMBER) for i in wrong])
            changes["attendance"] = [str(o) for o in dict.fromkeys(changes["attendance"])]
        if "agenda" in changes:
            changes["agenda"] = list(changes["agenda"])
        if changes:
            async with transaction():
                updated = (
                    await JointMeeting.update({**changes, "version": row["version"] + 1, "updated_at": now()})
                    .where((JointMeeting.id == meeting_id) & (JointMeeting.version == row["version"]))
                    .returning(*JointMeeting.all_columns())
                    .run()
                )
                if not updated:
                    raise Problem("joint-changed", version=row["version"] + 1)
                row = updated[0]
                await record_audit(
                    "joint.meeting.updated",
                    resource_type="joint.meeting",
                    resource_id=meeting_id,
                    org_path=row["org_path"],
                    changes={
                        k: (v if k != "minutes" else len(v)) for k, v in changes.items() if k != "starts_at"
                    },
                )
                await emit(
                    sig.MEETING_CHANGED,
                    sig.MeetingSignal(
                        council=str(row["council"]), meeting=str(meeting_id), status=row["status"]
                    ),
                    resource_type="joint.meeting",
                    resource_id=meeting_id,
                    org_path=row["org_path"],
                )
        return tagged(to_meeting(row, await _member_count(row["council"])), row["version"])


class TaskController(Controller):
    path = "/tasks"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/{task_id:uuid}",
        opt={"policy": "visible"},
        summary="交办任务详情",
        description="一项交办任务及其进展报告、退回与督办记录；联席会议的查看者和承办单位的办理人可见，"
        "其他人与不存在的一样答复 404。",
        summary_en="A task",
        description_en="A task with its progress reports, returns and follow-ups; visible to the council's "
        "readers and the member org's handlers, and 404 to anyone else, like a missing one.",
    )
    async def get_task(self, request: Req, task_id: FromPath[uuid.UUID]) -> S.JointTaskDetail:
        caller = principal(request)
        row = await JointTask.select().where(JointTask.id == task_id).first().run()
        if row is None or not (
            within(row["org_path"], caller.reach(perm.COUNCIL_READ))
            or within(row["member_path"], caller.reach(perm.TASK_HANDLE))
        ):
            raise Problem("not-found")
        reports = (
            await JointTaskReport.select()
            .where(JointTaskReport.task == task_id)
            .order_by(JointTaskReport.created_at)
            .run()
        )
        return S.JointTaskDetail(
            **msgspec_fields(to_task(row, today(request))),
            reports=[
                S.JointReport(
                    id=r["id"],
                    kind=r["kind"],
                    progress=r["progress"],
                    note=r["note"],
                    created_at=r["created_at"],
                )
                for r in reports
            ],
        )

    @post(
        "/{task_id:uuid}/followups",
        opt={"permission": perm.TASK_SUPERVISE},
        summary="督办任务",
        description="联席会议办公室对未办结的任务发出督办意见：记入任务，督办次数加一，并发出信号通知承办单位。",
        summary_en="Follow a task up",
        description_en="The council's office urges an open task: the note is kept with the task, its "
        "follow-up count rises and a signal tells the member org.",
    )
    async def follow_up(
        self, request: Req, task_id: FromPath[uuid.UUID], data: JSONBody[S.JointFollowUpIn]
    ) -> Response[S.JointTaskDetail]:
        caller = principal(request)
        row = await JointTask.select().where(JointTask.id == task_id).first().run()
        if row is None or not within(row["org_path"], caller.reach(perm.TASK_SUPERVISE)):
            raise Problem("not-found")
        if row["state"] in FINAL:
            raise Problem.invalid(("/task", "invalid"))
        async with transaction():
            await (
                JointTask.update({JointTask.urged: JointTask.urged + 1}).where(JointTask.id == task_id).run()
            )
            await JointTaskReport.insert(
                JointTaskReport(
                    id=uuid.uuid4(),
                    task=task_id,
                    kind="followup",
                    progress=None,
                    note=data.note,
                    actor=caller.id,
                    created_at=now(),
                )
            ).run()
            await record_audit(
                "joint.task.urged",
                resource_type="joint.task",
                resource_id=task_id,
                org_path=row["org_path"],
                org_paths=[row["member_path"]],
            )
            await emit(
                sig.TASK_URGED,
                sig.TaskSignal(
                    council=str(row["council"]),
                    task=str(task_id),
                    process=str(row["process"]),
                    member_org=str(row["member_org"]),
                ),
                resource_type="joint.task",
                resource_id=task_id,
                org_path=row["member_path"],
            )
        response = await self.get_task.fn(self, request, task_id)  # type: ignore[attr-defined]
        return Response(response, status_code=201)
