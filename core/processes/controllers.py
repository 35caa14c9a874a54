"""HTTP routes of processes and notices: thin — they parse, open the write transaction, call the machine.

Who may call what: every route needs an authenticated caller. Reading a process needs its applicant, a
read or handling reach over its org, or the sight a referral's sender keeps; each step is checked against
the transition's own rule (applicant, permission at a level, post). Notices are readable by every
logged-in caller (they are public by nature) and objections may be filed by any logged-in person (self
policy); publishing and resolving need ``core.notice.manage`` on the notice's org.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from core.idempotency import claim_key, replay
from core.kernel.access import Principal
from core.kernel.db import Database
from core.kernel.errors import Problem, request_locale
from core.kernel.guards import current_principal, require_permission
from core.kernel.pagination import Page, PageParam
from core.orgs.tables import Org
from core.processes import deadlines, machine, notices, services
from core.processes import schemas as S
from core.processes.machine import Env, etag
from core.processes.permissions import NOTICE_MANAGE, PROCESS_READ
from core.processes.statistics import type_stats

ProcessId = Annotated[UUID, PathParameter(description="Process id")]
NoticeId = Annotated[UUID, PathParameter(description="Notice id")]
ObjectionId = Annotated[UUID, PathParameter(description="Objection id")]
IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", description="The process's ETag (required)", max_length=64)
]
OrgScope = Annotated[
    Literal["subtree", "org"], QueryParameter(name="scope", description="org alone or its subtree")
]
TypeFilter = Annotated[
    str | None, QueryParameter(name="type", max_length=64, description="Process type code")
]


def _principal(request: Request[Any, Any, State]) -> Principal:
    principal = current_principal(request)
    assert principal is not None  # the guard answered 401 already
    return principal


def _db(request: Request[Any, Any, State]) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _env(request: Request[Any, Any, State]) -> Env:
    return Env.of(request.app.state, request_locale(request))


async def _org_path(org_id: UUID | None) -> str | None:
    if org_id is None:
        return None
    row = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if row is None:
        raise Problem("not-found")
    return str(row["path"])


def _tagged(body: Any, version: int, status_code: int = 200) -> Response[Any]:
    return Response(body, status_code=status_code, headers={"ETag": etag(version)})


def _type_info(env: Env, ptype: Any) -> S.ProcessTypeInfo:
    def schema(struct: Any) -> dict[str, Any] | None:
        return msgspec.json.schema(struct) if struct is not None else None

    return S.ProcessTypeInfo(
        code=ptype.code,
        plugin=env.owner(ptype.code),
        name=ptype.name.as_dict(),
        org_kinds=list(ptype.org_kinds),
        initial=ptype.initial,
        states=[
            S.StateInfo(
                code=s.code,
                name=s.name.as_dict(),
                final=s.final,
                outcome=s.outcome,
                deadline_days=s.deadline.days if s.deadline else None,
                deadline_action=s.deadline.action if s.deadline else None,
            )
            for s in ptype.states
        ],
        transitions=[
            S.TransitionInfo(
                code=t.code,
                name=t.name.as_dict(),
                sources=list(t.sources),
                target=t.target,
                applicant=t.applicant,
                permission=t.permission,
                level=t.level,
                post=t.post,
                comment_required=t.comment_required,
                handler=t.handler,
                publish_notice=t.publish_notice,
                form_schema=schema(t.form),
            )
            for t in ptype.transitions
        ],
        form_schema=schema(ptype.form),
        personal_fields=list(ptype.personal_fields),
        referral_from=list(ptype.referral_from),
        notice_days=ptype.notice_days,
    )


#: The deadline pass is registered (as a job and a periodic one) wherever the routes are.
_JOBS = (deadlines.DEADLINE_JOB,)


class ProcessController(Controller):
    """``/api/v1/processes``: applications and cases of every declared type, their steps and referrals."""

    path = "/processes"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["processes"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get(
        "/types",
        opt={"policy": "visible"},
        summary="办理事项类型（含表单 JSON Schema）",
        description="各插件声明的办理事项类型，附申请表的 JSON Schema。",
        summary_en="Process types (with form JSON Schemas)",
        description_en="The process types plugins declare, each with its form's JSON Schema.",
    )
    async def list_process_types(self, request: Request[Any, Any, State]) -> list[S.ProcessTypeInfo]:
        """Every declared process type with its states, transitions and the JSON Schemas of its forms."""
        env = _env(request)
        return [_type_info(env, t) for _, t in sorted(env.registry.process_types.items())]

    @post(
        "/",
        opt={"policy": "self"},
        summary="提交申请（支持 Idempotency-Key）",
        description=(
            "为调用方本人提交申请，持有所在组织的 core.process.handle 时可为他人提交。带 "
            "Idempotency-Key 可安全重试。"
        ),
        summary_en="Apply (Idempotency-Key honoured)",
        description_en=(
            "Opens a process for the caller's person, or with core.process.handle on the org for another "
            "person. Send an Idempotency-Key to make retries safe."
        ),
    )
    async def open_process(
        self,
        request: Request[Any, Any, State],
        data: JSONBody[S.ProcessCreate],
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key", description="Any unique string; repeats get the first response."
            ),
        ] = None,
    ) -> Response[S.ProcessDetail]:
        principal = _principal(request)
        env = _env(request)
        async with _db(request).transaction():
            claim = await claim_key(request, principal, scope="processes.open", key=idempotency_key)
            if claim.replay is not None:
                return replay(claim.replay, S.ProcessDetail)
            row = await machine.open_process(
                env,
                principal,
                type_code=data.type,
                org_id=data.org_id,
                applicant_id=data.applicant_id,
                form=data.form,
            )
            out = await services.detail(env, principal, row, read_only=False)
            await claim.record(201, out)
        return _tagged(out, row["version"], 201)

    @get(
        "/",
        opt={"policy": "visible"},
        summary="办理事项列表（辖区内）",
        description="调用方辖区内的办理事项，可按类型、状态筛选。",
        summary_en="Processes within reach",
        description_en="The processes within the caller's reach, filterable by type and status.",
    )
    async def list_processes(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: Annotated[UUID | None, QueryParameter(description="Only processes of this org")] = None,
        org_scope: OrgScope = "subtree",
        type: TypeFilter = None,
        status: Annotated[
            S.ProcessStatus | None, QueryParameter(description="open, held, referred, closed")
        ] = None,
    ) -> Page[S.Process]:
        items, cursor = await services.list_processes(
            _env(request),
            _principal(request),
            page,
            org_path=await _org_path(org),
            subtree=org_scope == "subtree",
            type_code=type,
            status=status,
        )
        return Page(items=items, next_cursor=cursor)

    @get(
        "/queue",
        opt={"policy": "process-roles"},
        summary="待办（按到期时间）",
        description="调用方待办的办理事项，先到期的在前。",
        summary_en="Work queue (by due date)",
        description_en="The processes waiting for the caller, soonest due first.",
    )
    async def work_queue(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: Annotated[UUID | None, QueryParameter(description="Only processes handled in this org")] = None,
        org_scope: OrgScope = "subtree",
        type: TypeFilter = None,
        state_code: Annotated[
            str | None, QueryParameter(name="state", max_length=40, description="State code")
        ] = None,
        overdue: Annotated[
            bool | None, QueryParameter(description="Only overdue (true) or not (false)")
        ] = None,
        assigned: Annotated[
            Literal["me", "any"], QueryParameter(description="me: only those assigned to the caller")
        ] = "any",
        counts: Annotated[
            bool,
            QueryParameter(description="Also count open and overdue processes per type (reads the subtree)"),
        ] = False,
    ) -> S.Queue:
        """Open processes the caller may act on, soonest due first; ``counts=true`` adds counts per type."""
        return await services.queue(
            _env(request),
            _principal(request),
            page,
            org_path=await _org_path(org),
            subtree=org_scope == "subtree",
            type_code=type,
            state=state_code,
            overdue=overdue,
            mine=assigned == "me",
            with_counts=counts,
        )

    @get(
        "/statistics",
        opt={"permission": PROCESS_READ},
        summary="办理统计（按类型、辖区）",
        description="办理事项按类型、状态和辖区的数量与超期情况。",
        summary_en="Process statistics (by type and reach)",
        description_en="Counts and overdue processes by type, status and reach.",
    )
    async def process_statistics(
        self,
        request: Request[Any, Any, State],
        org: Annotated[UUID, QueryParameter(description="The org whose subtree is counted")],
    ) -> S.ProcessStats:
        path = await _org_path(org)
        assert path is not None
        if not services.may_see_statistics(_principal(request), path):
            raise Problem("not-found")
        return S.ProcessStats(org_id=org, types=await type_stats(path))

    @get(
        "/{process_id:uuid}",
        opt={"policy": "visible"},
        summary="办理事项详情（含全部步骤）",
        description="一个办理事项及其全部步骤记录。",
        summary_en="One process with all its steps",
        description_en="One process with every step taken.",
    )
    async def get_process(
        self, request: Request[Any, Any, State], process_id: ProcessId
    ) -> Response[S.ProcessDetail]:
        env = _env(request)
        principal = _principal(request)
        row, read_only = await services.readable(env, principal, process_id)
        return _tagged(await services.detail(env, principal, row, read_only), row["version"])

    @post(
        "/{process_id:uuid}/transitions",
        status_code=200,
        opt={"policy": "process-roles", "if_match": "required"},
        summary="办理一步（须 If-Match）",
        description="按类型声明的流程办理一步（受理、审核、办结等）。",
        summary_en="Take a step (If-Match)",
        description_en="Takes one step of the process as its type declares (accept, review, close …).",
    )
    async def take_step(
        self,
        request: Request[Any, Any, State],
        process_id: ProcessId,
        data: JSONBody[S.TransitionCreate],
        if_match: IfMatch = None,
    ) -> Response[S.ProcessDetail]:
        """Take a transition. Of several callers acting on one version at once exactly one succeeds; the
        others get ``process-changed`` (412) with the current version."""
        env = _env(request)
        principal = _principal(request)
        async with _db(request).transaction():
            row, read_only = await services.readable(env, principal, process_id)
            machine.check_if_match(row, if_match)
            ptype = env.type(row["type"])
            t = ptype.transition(data.transition)
            if t is None:
                raise Problem("unknown-transition", transition=data.transition)
            if read_only:
                raise Problem("transition-forbidden", transition=data.transition)
            new = await machine.step(
                env,
                principal,
                row,
                t,
                comment=data.comment,
                form=data.form,
                notice=(data.notice_title, data.notice_body),
            )
            out = await services.detail(env, principal, new, read_only=False)
        return _tagged(out, new["version"])

    @post(
        "/{process_id:uuid}/referrals",
        status_code=200,
        opt={"policy": "process-roles", "if_match": "required"},
        summary="转办到其他组织（须 If-Match）",
        description="把办理事项转到另一个组织办理。",
        summary_en="Refer to another org (If-Match)",
        description_en="Refers the process to another org to handle.",
    )
    async def refer_process(
        self,
        request: Request[Any, Any, State],
        process_id: ProcessId,
        data: JSONBody[S.ReferralCreate],
        if_match: IfMatch = None,
    ) -> Response[S.ProcessDetail]:
        """Hand the process to another org (of any plugin whose kind runs this type or a mapped one). The
        sender keeps read-only sight; the answer is the sender's process, ``referred_to`` naming the new one."""
        env = _env(request)
        principal = _principal(request)
        async with _db(request).transaction():
            row, read_only = await services.readable(env, principal, process_id)
            machine.check_if_match(row, if_match)
            if read_only:
                raise Problem("transition-forbidden", transition="refer")
            source, _ = await machine.refer(
                env, principal, row, org_id=data.org_id, type_code=data.type, comment=data.comment
            )
            out = await services.detail(env, principal, source, read_only=False)
        return _tagged(out, source["version"])

    @put(
        "/{process_id:uuid}/assignee",
        opt={"policy": "process-roles", "if_match": "required"},
        summary="指定经办人（须 If-Match）",
        description="为办理事项指定经办人。",
        summary_en="Assign a handler (If-Match)",
        description_en="Assigns the process to a handler.",
    )
    async def assign_process_handler(
        self,
        request: Request[Any, Any, State],
        process_id: ProcessId,
        data: JSONBody[S.AssignmentUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.ProcessDetail]:
        env = _env(request)
        principal = _principal(request)
        async with _db(request).transaction():
            row, read_only = await services.readable(env, principal, process_id)
            machine.check_if_match(row, if_match)
            if read_only or not await machine.may_assign(principal, env.registry, row):
                raise Problem("transition-forbidden", transition="assign")
            new = await machine.assign(row, principal, data.assignee_id)
            out = await services.detail(env, principal, new, read_only=False)
        return _tagged(out, new["version"])


class MyProcessController(Controller):
    """``/api/v1/me/processes``: the caller's own applications across every org and plugin (self policy)."""

    path = "/me/processes"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["processes"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get(
        "/",
        opt={"policy": "self"},
        summary="我的申请（进度查询）",
        description="本人提交的申请及其进度。",
        summary_en="My applications (progress)",
        description_en="The caller's own applications and their progress.",
    )
    async def my_processes(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        status: Annotated[
            S.ProcessStatus | None, QueryParameter(description="open, held, referred, closed")
        ] = None,
    ) -> Page[S.Process]:
        items, cursor = await services.mine(_env(request), _principal(request), page, status=status)
        return Page(items=items, next_cursor=cursor)


class NoticeController(Controller):
    """``/api/v1/notices``: public notices (公示) and their objections (异议)."""

    path = "/notices"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["notices"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get(
        "/",
        opt={"policy": "visible"},
        summary="公示列表（按组织及下级）",
        description="组织及下级的公示。",
        summary_en="Public notices (org and subtree)",
        description_en="The public notices of an org and its subtree.",
    )
    async def list_notices(
        self,
        page: PageParam,
        org: Annotated[
            UUID | None, QueryParameter(description="Notices of this org (and its subtree)")
        ] = None,
        org_scope: OrgScope = "subtree",
        status: Annotated[
            Literal["open", "closed", "withdrawn"] | None,
            QueryParameter(description="In the window or archived"),
        ] = None,
    ) -> Page[S.Notice]:
        items, cursor = await notices.list_notices(
            await _org_path(org), org_scope == "subtree", status, page, machine.now()
        )
        return Page(items=items, next_cursor=cursor)

    @post(
        "/",
        opt={"permission": NOTICE_MANAGE},
        summary="发布公示",
        description="发布一则公示，公示期内可提出异议。",
        summary_en="Publish a public notice",
        description_en="Publishes a public notice; objections may be raised during its period.",
    )
    async def publish_notice(
        self, request: Request[Any, Any, State], data: JSONBody[S.NoticeCreate]
    ) -> Response[S.NoticeDetail]:
        env = _env(request)
        async with _db(request).transaction():
            row = await notices.publish(
                env,
                _principal(request),
                org_id=data.org_id,
                title=data.title,
                body=data.body,
                kind=data.kind,
                days=data.days,
                entries=data.entries,
            )
        return Response(await notices.to_detail(row), status_code=201)

    @get(
        "/{notice_id:uuid}",
        opt={"policy": "visible"},
        summary="公示详情",
        description="一则公示的内容与公示期。",
        summary_en="One public notice",
        description_en="One public notice (公示) with its period.",
    )
    async def get_notice(self, notice_id: NoticeId) -> S.NoticeDetail:
        return await notices.to_detail(await notices.load(notice_id))

    @post(
        "/{notice_id:uuid}/withdraw",
        opt={"permission": NOTICE_MANAGE},
        status_code=200,
        summary="撤回公示",
        description="撤回一则公示。",
        summary_en="Withdraw a notice",
        description_en="Withdraws a public notice.",
    )
    async def withdraw_notice(self, request: Request[Any, Any, State], notice_id: NoticeId) -> S.NoticeDetail:
        async with _db(request).transaction():
            row = await notices.withdraw(_env(request), _principal(request), notice_id)
        return await notices.to_detail(row)

    @get(
        "/{notice_id:uuid}/objections",
        opt={"policy": "visible"},
        summary="公示的异议（管理者见全部，个人见自己的）",
        description="管理者看到全部异议，个人只看到自己提出的。",
        summary_en="Objections to a notice",
        description_en="Managers see every objection, a person only their own.",
    )
    async def list_objections(
        self, request: Request[Any, Any, State], notice_id: NoticeId, page: PageParam
    ) -> Page[S.Objection]:
        items, cursor = await notices.list_objections(_principal(request), notice_id, page)
        return Page(items=items, next_cursor=cursor)

    @post(
        "/{notice_id:uuid}/objections",
        opt={"policy": "self"},
        summary="对公示提出异议（公示期内）",
        description="在公示期内对公示提出异议。",
        summary_en="Object to a notice (during its period)",
        description_en="Raises an objection while the notice runs.",
    )
    async def object_to(
        self, request: Request[Any, Any, State], notice_id: NoticeId, data: JSONBody[S.ObjectionCreate]
    ) -> Response[S.Objection]:
        async with _db(request).transaction():
            row = await notices.file_objection(_env(request), _principal(request), notice_id, data.reason)
        return Response(notices.to_objection(row), status_code=201)

    @post(
        "/{notice_id:uuid}/objections/{objection_id:uuid}/resolve",
        opt={"permission": NOTICE_MANAGE},
        status_code=200,
        summary="处理异议",
        description="记录对异议的处理结果。",
        summary_en="Resolve an objection",
        description_en="Records how an objection was resolved.",
    )
    async def resolve_objection(
        self,
        request: Request[Any, Any, State],
        notice_id: NoticeId,
        objection_id: ObjectionId,
        data: JSONBody[S.ObjectionResolve],
    ) -> S.Objection:
        async with _db(request).transaction():
            row = await notices.resolve_objection(
                _env(request), _principal(request), notice_id, objection_id, data
            )
        return notices.to_objection(row)


ROUTES = [ProcessController, MyProcessController, NoticeController]
__all__ = ["ROUTES", "MyProcessController", "NoticeController", "ProcessController"]
