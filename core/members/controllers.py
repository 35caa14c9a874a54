"""HTTP routes of membership: ``/api/v1/orgs/{id}/members`` and ``/api/v1/members/{id}``."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from core.guards import require_authenticated, require_permission
from core.members import schemas as S
from core.members import services
from core.orgs import permissions as perm
from core.pagination import Page, PageParam

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
        summary="Members of an org or subtree",
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
        summary="A person joins the org",
    )
    async def join(self, request: Req, org_id: FromPath[UUID], data: JSONBody[S.MemberJoin]) -> S.Membership:
        return await services.join(
            request.app.state.db,
            request.app.state.plugin_manager,
            org_id,
            data,
            _reach(request, perm.MEMBER_MANAGE),
        )

    @get("/members/{membership_id:uuid}", opt={"permission": perm.MEMBER_READ}, summary="One membership")
    async def get_membership(self, request: Req, membership_id: FromPath[UUID]) -> S.Membership:
        return await services.get_membership(membership_id, _reach(request, perm.MEMBER_READ))

    @post(
        "/members/{membership_id:uuid}/transfer",
        opt={"permission": perm.MEMBER_MANAGE},
        status_code=200,
        summary="Transfer the membership to another org (one atomic step; history kept)",
    )
    async def transfer(
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
        summary="End the membership (kept as history)",
    )
    async def leave(self, request: Req, membership_id: FromPath[UUID]) -> S.Membership:
        return await services.leave(request.app.state.db, membership_id, _reach(request, perm.MEMBER_MANAGE))
