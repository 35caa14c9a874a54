"""HTTP routes of membership: ``/api/v1/orgs/{id}/members`` and ``/api/v1/members/{id}``."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from core.identity.throttle import LinkBudget
from core.kernel.errors import PROBLEM_MEDIA_TYPE, ProblemDetails
from core.kernel.guards import require_authenticated, require_permission
from core.kernel.pagination import Page, PageParam
from core.members import schemas as S
from core.members import services
from core.orgs import permissions as perm

Req = Request[Any, Any, Any]


def _reach(request: Req, code: str) -> list[Any]:
    return list(request.user.reach(code))


class MemberController(Controller):
    path = "/"
    tags = ["members"]  # noqa: RUF012
    guards = [require_authenticated, require_permission]  # noqa: RUF012

    @get(
        "/orgs/{org_id:uuid}/members",
        opt={"permission": perm.MEMBER_READ},
        summary="组织成员列表",
        description="组织或其下级的成员；默认只含在册成员，可按状态筛选。",
        summary_en="Members of an org or subtree",
        description_en="The members of an org or its subtree; current members unless a status is asked for.",
    )
    async def list_members(
        self,
        request: Req,
        org_id: FromPath[UUID],
        page: PageParam,
        org_scope: Annotated[Literal["self", "subtree"], QueryParameter(name="scope")] = "self",
        status: FromQuery[Literal["active", "transferred", "left"] | None] = "active",
        person: FromQuery[UUID | None] = None,
    ) -> Page[S.Membership]:
        items, cursor = await services.list_members(
            _reach(request, perm.MEMBER_READ), page, org_id, scope=org_scope, status=status, person=person
        )
        return Page(items=items, next_cursor=cursor)

    @post(
        "/orgs/{org_id:uuid}/members",
        opt={"permission": perm.MEMBER_MANAGE},
        responses={
            202: ResponseSpec(
                data_container=S.PersonLink, description="A person link request was proposed instead"
            ),
            429: ResponseSpec(
                data_container=ProblemDetails,
                media_type=PROBLEM_MEDIA_TYPE,
                description="Today's link requests are spent",
            ),
        },
        summary="加入组织（范围外人员则发起关联请求）",
        description=(
            "调用方可见的人员立即加入（201）；其他人员只生成关联请求（202），"
            "由本人或档案所在组织批准后才成为成员。每次请求计入每日上限。"
        ),
        summary_en="A person joins the org (or, for a person outside reach, a link request is proposed)",
        description_en=(
            "A person the caller can already see (home org, a membership or a post within the caller's "
            "`core.member.manage` reach) joins at once: 201 with the membership. For any other id — a "
            "person outside reach, or an id that names nobody, answered alike — no membership is made: 202 "
            "with a person link request (`status: pending`) that the person (`/api/v1/me/person-links`) or "
            "a cadre of the org keeping their file (`/api/v1/person-links`) may approve; approval makes the "
            "membership. Each proposal spends one of the caller's `QUNTUAN_PERSON_LINK_MAX_PER_DAY` (429 "
            "with Retry-After beyond it)."
        ),
    )
    async def join_org(
        self, request: Req, org_id: FromPath[UUID], data: JSONBody[S.MemberJoin]
    ) -> Response[S.Membership]:
        state = request.app.state
        outcome = await services.add_member(
            state.db,
            state.plugin_manager,
            request.user,
            perm.MEMBER_MANAGE,
            org_id,
            data,
            budget=LinkBudget.of(state.settings, state.shared),
            settings=state.settings,
        )
        return Response(outcome, status_code=202 if isinstance(outcome, S.PersonLink) else 201)  # type: ignore[arg-type]

    @get(
        "/members/{membership_id:uuid}",
        opt={"permission": perm.MEMBER_READ},
        summary="成员关系详情",
        description="一条成员关系及其插件附加数据（extra）。",
        summary_en="One membership",
        description_en="One membership with its plugin data (extra).",
    )
    async def get_membership(self, request: Req, membership_id: FromPath[UUID]) -> S.Membership:
        return await services.get_membership(membership_id, _reach(request, perm.MEMBER_READ))

    @post(
        "/members/{membership_id:uuid}/transfer",
        opt={"permission": perm.MEMBER_MANAGE},
        status_code=200,
        summary="组织关系转接",
        description="把成员关系转到另一个组织，一步完成，历史保留。",
        summary_en="Transfer the membership to another org (one atomic step; history kept)",
        description_en="Moves the membership to another org in one atomic step; history is kept.",
    )
    async def transfer_membership(
        self, request: Req, membership_id: FromPath[UUID], data: JSONBody[S.MemberTransfer]
    ) -> S.Membership:
        return await services.transfer(
            request.app.state.db,
            request.app.state.plugin_manager,
            membership_id,
            data,
            _reach(request, perm.MEMBER_MANAGE),
        )

    @post(
        "/members/{membership_id:uuid}/leave",
        opt={"permission": perm.MEMBER_MANAGE},
        status_code=200,
        summary="结束成员关系",
        description="成员离开组织，记录作为历史保留。",
        summary_en="End the membership (kept as history)",
        description_en="The member leaves the org; the record is kept as history.",
    )
    async def leave_membership(self, request: Req, membership_id: FromPath[UUID]) -> S.Membership:
        return await services.leave(request.app.state.db, membership_id, _reach(request, perm.MEMBER_MANAGE))
