"""HTTP routes of person link requests: ``/api/v1/person-links`` and ``/api/v1/me/person-links``.

Thin: the rules live in :mod:`core.members.links`. The org keeping a person's file answers with
``core.person.write`` over it (custody); the person answers for themself (self policy: no permission,
only requests naming the caller's own person); the requester lists and withdraws their own proposals
(self policy too: only the caller's own).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter

from core.identity.permissions import PERSON_WRITE
from core.kernel.guards import require_authenticated, require_permission
from core.kernel.pagination import Page, PageParam
from core.members import links
from core.members import schemas as S

Req = Request[Any, Any, Any]
StatusFilter = Annotated[
    Literal["pending", "approved", "rejected", "withdrawn", "expired"] | None,
    QueryParameter(description="Only requests in this status (pending: still waiting and not expired)."),
]


async def _decide(request: Req, link_id: UUID, *, approve: bool, decided_as: links.DecidedAs) -> S.PersonLink:
    state = request.app.state
    return await links.decide(
        state.db,
        state.plugin_manager,
        request.user,
        link_id,
        approve=approve,
        decided_as=decided_as,
        permission=PERSON_WRITE,
    )


class PersonLinkController(Controller):
    """What the org keeping a person's file is asked, and what a cadre proposed."""

    path = "/person-links"
    tags = ["members"]  # noqa: RUF012 - Litestar reads it from the class
    guards = [require_authenticated, require_permission]  # noqa: RUF012

    @get(
        "/",
        opt={"permission": PERSON_WRITE},
        summary="待处理的人员关联请求",
        description="涉及调用方所在组织保管档案的人员的关联请求。",
        summary_en="Link requests concerning persons whose file the caller's orgs keep",
        description_en="The link requests about persons whose file the caller's orgs keep.",
    )
    async def list_for_custody(
        self, request: Req, page: PageParam, status: StatusFilter = "pending"
    ) -> Page[S.PersonLink]:
        items, cursor = await links.list_for_custody(request.user, PERSON_WRITE, page, status)
        return Page(items=items, next_cursor=cursor)

    @get(
        "/sent",
        opt={"policy": "self"},
        summary="我发出的关联请求",
        description="调用方自己发起的人员关联请求及其状态。",
        summary_en="The caller's own link requests (self)",
        description_en="The link requests the caller made, with their status.",
    )
    async def list_sent(
        self, request: Req, page: PageParam, status: StatusFilter = None
    ) -> Page[S.PersonLink]:
        items, cursor = await links.list_sent(request.user, page, status)
        return Page(items=items, next_cursor=cursor)

    @post(
        "/{link_id:uuid}/approve",
        opt={"permission": PERSON_WRITE},
        status_code=200,
        summary="批准关联请求（档案所在组织）",
        description="档案所在组织的干部批准请求，成员关系随即建立。",
        summary_en="Approve as the org keeping the person's file: the membership is made",
        description_en="A cadre of the org keeping the person's file approves; the membership is made.",
    )
    async def approve_person_link(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await _decide(request, link_id, approve=True, decided_as="custody")

    @post(
        "/{link_id:uuid}/reject",
        opt={"permission": PERSON_WRITE},
        status_code=200,
        summary="拒绝关联请求（档案所在组织）",
        description="档案所在组织的干部拒绝请求，不建立成员关系。",
        summary_en="Reject as the org keeping the person's file",
        description_en="A cadre of the org keeping the person's file rejects; no membership is made.",
    )
    async def reject_person_link(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await _decide(request, link_id, approve=False, decided_as="custody")

    @post(
        "/{link_id:uuid}/withdraw",
        opt={"policy": "self"},
        status_code=200,
        summary="撤回我发出的关联请求",
        description="撤回自己发起且尚未处理的关联请求。",
        summary_en="Withdraw one's own pending link request (self)",
        description_en="Withdraws a pending link request the caller made.",
    )
    async def withdraw_person_link(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await links.withdraw(request.app.state.db, request.user, link_id)


class MyPersonLinkController(Controller):
    """``/api/v1/me/person-links``: requests that the caller's own person join an org (self policy)."""

    path = "/me/person-links"
    tags = ["members"]  # noqa: RUF012 - Litestar reads it from the class
    guards = [require_authenticated, require_permission]  # noqa: RUF012

    @get(
        "/",
        opt={"policy": "self"},
        summary="邀请我加入组织的请求",
        description="请求本人加入组织的关联请求。",
        summary_en="Requests that I join an org",
        description_en="The link requests asking the caller's person to join an org.",
    )
    async def list_mine(
        self, request: Req, page: PageParam, status: StatusFilter = "pending"
    ) -> Page[S.PersonLink]:
        items, cursor = await links.list_for_person(request.user.person_id, page, status)
        return Page(items=items, next_cursor=cursor)

    @post(
        "/{link_id:uuid}/approve",
        opt={"policy": "self"},
        status_code=200,
        summary="同意加入组织",
        description="本人同意关联请求，成员关系随即建立。",
        summary_en="Agree to join: the membership is made",
        description_en="The person agrees; the membership is made.",
    )
    async def approve_my_link(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await _decide(request, link_id, approve=True, decided_as="person")

    @post(
        "/{link_id:uuid}/reject",
        opt={"policy": "self"},
        status_code=200,
        summary="拒绝加入组织",
        description="本人拒绝关联请求。",
        summary_en="Decline to join",
        description_en="The person declines the link request.",
    )
    async def reject_my_link(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await _decide(request, link_id, approve=False, decided_as="person")
