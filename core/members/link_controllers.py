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

from core.guards import require_authenticated, require_permission
from core.identity.permissions import PERSON_WRITE
from core.members import links
from core.members import schemas as S
from core.pagination import Page, PageParam

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
        summary="Link requests concerning persons whose file the caller's orgs keep",
    )
    async def list_for_custody(
        self, request: Req, page: PageParam, status: StatusFilter = "pending"
    ) -> Page[S.PersonLink]:
        items, cursor = await links.list_for_custody(request.user, PERSON_WRITE, page, status)
        return Page(items=items, next_cursor=cursor)

    @get("/sent", opt={"policy": "self"}, summary="The caller's own link requests (self)")
    async def list_sent(
        self, request: Req, page: PageParam, status: StatusFilter = None
    ) -> Page[S.PersonLink]:
        items, cursor = await links.list_sent(request.user, page, status)
        return Page(items=items, next_cursor=cursor)

    @post(
        "/{link_id:uuid}/approve",
        opt={"permission": PERSON_WRITE},
        status_code=200,
        summary="Approve as the org keeping the person's file: the membership is made",
    )
    async def approve(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await _decide(request, link_id, approve=True, decided_as="custody")

    @post(
        "/{link_id:uuid}/reject",
        opt={"permission": PERSON_WRITE},
        status_code=200,
        summary="Reject as the org keeping the person's file",
    )
    async def reject(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await _decide(request, link_id, approve=False, decided_as="custody")

    @post(
        "/{link_id:uuid}/withdraw",
        opt={"policy": "self"},
        status_code=200,
        summary="Withdraw one's own pending link request (self)",
    )
    async def withdraw(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await links.withdraw(request.app.state.db, request.user, link_id)


class MyPersonLinkController(Controller):
    """``/api/v1/me/person-links``: requests that the caller's own person join an org (self policy)."""

    path = "/me/person-links"
    tags = ["members"]  # noqa: RUF012 - Litestar reads it from the class
    guards = [require_authenticated, require_permission]  # noqa: RUF012

    @get("/", opt={"policy": "self"}, summary="Requests that I join an org")
    async def list_mine(
        self, request: Req, page: PageParam, status: StatusFilter = "pending"
    ) -> Page[S.PersonLink]:
        items, cursor = await links.list_for_person(request.user.person_id, page, status)
        return Page(items=items, next_cursor=cursor)

    @post(
        "/{link_id:uuid}/approve",
        opt={"policy": "self"},
        status_code=200,
        summary="Agree to join: the membership is made",
    )
    async def approve_my_link(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await _decide(request, link_id, approve=True, decided_as="person")

    @post("/{link_id:uuid}/reject", opt={"policy": "self"}, status_code=200, summary="Decline to join")
    async def reject_my_link(self, request: Req, link_id: FromPath[UUID]) -> S.PersonLink:
        return await _decide(request, link_id, approve=False, decided_as="person")
