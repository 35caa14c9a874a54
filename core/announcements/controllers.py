"""HTTP routes of announcements (公告/通知): thin — they parse, open the write transaction, call services."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.params import FromQuery, JSONBody, PathParameter, QueryParameter

from core.announcements import services
from core.announcements.permissions import ANNOUNCEMENT_MANAGE
from core.announcements.schemas import (
    Announcement,
    AnnouncementCreate,
    AnnouncementStatus,
    AnnouncementUpdate,
    AnnouncementVisibility,
    PublicAnnouncement,
)
from core.announcements.services import Filters, etag
from core.kernel.access import Principal
from core.kernel.db import Database
from core.kernel.errors import request_locale
from core.kernel.guards import current_principal, require_permission
from core.kernel.pagination import Page, PageParam

AnnouncementId = Annotated[UUID, PathParameter(description="Announcement id")]
OrgFilter = Annotated[UUID | None, QueryParameter(description="Only announcements of this org (and subtree)")]
Scope = Annotated[
    Literal["subtree", "org"], QueryParameter(name="scope", description="org alone or its subtree")
]
Search = Annotated[
    str | None, QueryParameter(max_length=100, description="Text in the title or body (工會 finds 工会)")
]


def _principal(request: Request[Any, Any, State]) -> Principal:
    principal = current_principal(request)
    assert principal is not None  # the guard answered 401 already
    return principal


def _db(request: Request[Any, Any, State]) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _zone(request: Request[Any, Any, State]) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


def _base(request: Request[Any, Any, State]) -> str:
    return request.app.state.settings.base_url  # type: ignore[no-any-return]


def _out(
    request: Request[Any, Any, State], row: dict[str, Any], status_code: int = 200
) -> Response[Announcement]:
    out = services.to_announcement(row, _zone(request), _base(request))
    return Response(out, status_code=status_code, headers={"ETag": etag(out.version)})


def _items(request: Request[Any, Any, State], rows: list[dict[str, Any]]) -> list[Announcement]:
    zone, base = _zone(request), _base(request)
    return [services.to_announcement(r, zone, base) for r in rows]


async def _filters(org: UUID | None, scope: str, **more: Any) -> Filters:
    path = await services.org_path(org) if org is not None else None
    return Filters(org_path=path, subtree=scope == "subtree", **more)


class AnnouncementController(Controller):
    """``/api/v1/announcements``: announcements of orgs, for their members and their managers."""

    path = "/announcements"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["announcements"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get(
        "/",
        opt={"policy": "visible"},
        summary="公告列表",
        description=(
            "调用方可见的公告：正在展示的公开公告、本人所在组织的成员公告；持 core.announcement.read 时含"
            "权限范围内的全部（定时、已过期、已撤回），持 core.announcement.manage 时另含草稿。置顶在前，"
            "新的在前。"
        ),
        summary_en="List announcements",
        description_en=(
            "The announcements the caller may see: public ones being shown, members' ones of the caller's "
            "orgs; with core.announcement.read every one within reach (scheduled, expired, withdrawn), with "
            "core.announcement.manage their drafts too. Pinned first, newest first."
        ),
    )
    async def list_announcements(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: OrgFilter = None,
        org_scope: Scope = "subtree",
        status: FromQuery[AnnouncementStatus | None] = None,
        visibility: FromQuery[AnnouncementVisibility | None] = None,
        pinned: Annotated[bool | None, QueryParameter(description="Only pinned (or unpinned) ones")] = None,
        q: Search = None,
    ) -> Page[Announcement]:
        filters = await _filters(org, org_scope, status=status, visibility=visibility, pinned=pinned, q=q)
        rows, cursor = await services.list_visible(_principal(request), filters, page)
        return Page(items=_items(request, rows), next_cursor=cursor)

    @post(
        "/",
        opt={"permission": ANNOUNCEMENT_MANAGE},
        summary="起草公告",
        description="为权限范围内的组织起草一则公告（草稿）；发布后按可见范围展示。",
        summary_en="Draft an announcement",
        description_en="Drafts an announcement of an org within reach; once published it is shown to its audience.",
    )
    async def create_announcement(
        self, request: Request[Any, Any, State], data: JSONBody[AnnouncementCreate]
    ) -> Response[Announcement]:
        async with _db(request).transaction():
            row = await services.create(_principal(request), data, locale=request_locale(request))
        return _out(request, row, 201)

    @get(
        "/mine",
        opt={"policy": "self"},
        summary="我的公告",
        description=(
            "本人所在组织正在展示的公告：本人成员关系所在组织及其上级的公开公告和成员公告，以及本人直接"
            "所在组织的“仅直属成员”公告。置顶在前，新的在前。"
        ),
        summary_en="My announcements",
        description_en=(
            "The announcements of the caller's orgs being shown now: public and members' ones of the orgs "
            "at and above the caller's memberships, and members_direct ones of the orgs the caller belongs "
            "to. Pinned first, newest first."
        ),
    )
    async def list_my_announcements(
        self, request: Request[Any, Any, State], page: PageParam, q: Search = None
    ) -> Page[Announcement]:
        rows, cursor = await services.list_mine(_principal(request).person_id, Filters(q=q), page)
        return Page(items=_items(request, rows), next_cursor=cursor)

    @get(
        "/{announcement_id:uuid}",
        opt={"policy": "visible"},
        summary="公告详情",
        description="一则调用方可见的公告及其 ETag。",
        summary_en="Read an announcement",
        description_en="One announcement the caller may see, with its ETag.",
    )
    async def get_announcement(
        self, request: Request[Any, Any, State], announcement_id: AnnouncementId
    ) -> Response[Announcement]:
        return _out(request, await services.load(_principal(request), announcement_id))

    @patch(
        "/{announcement_id:uuid}",
        opt={"permission": ANNOUNCEMENT_MANAGE, "if_match": "required"},
        summary="修改公告（须 If-Match）",
        description=(
            "修改草稿或已发布的公告；须带读取时的 ETag 作为 If-Match。已发布公告的 publish_at 改晚则重新定时，"
            "设为 null 则立即展示。已撤回的公告不能修改。"
        ),
        summary_en="Change an announcement (If-Match)",
        description_en=(
            "Changes a draft or published announcement; send the ETag you read as If-Match. On a published "
            "one a later publish_at schedules it again and null shows it now. A withdrawn one cannot change."
        ),
    )
    async def update_announcement(
        self,
        request: Request[Any, Any, State],
        announcement_id: AnnouncementId,
        data: JSONBody[AnnouncementUpdate],
    ) -> Response[Announcement]:
        async with _db(request).transaction():
            row = await services.update(
                _principal(request),
                announcement_id,
                data,
                if_match=request.headers.get("if-match"),
                locale=request_locale(request),
            )
        return _out(request, row)

    @post(
        "/{announcement_id:uuid}/publish",
        opt={"permission": ANNOUNCEMENT_MANAGE},
        status_code=200,
        summary="发布公告",
        description="发布草稿：publish_at 晚于现在则定时发布，否则立即展示；到 expire_at 停止展示。",
        summary_en="Publish an announcement",
        description_en=(
            "Publishes a draft: from its publish_at when that is later than now (scheduled), else at once; "
            "it stops being shown at expire_at."
        ),
    )
    async def publish_announcement(
        self, request: Request[Any, Any, State], announcement_id: AnnouncementId
    ) -> Response[Announcement]:
        async with _db(request).transaction():
            row = await services.publish(_principal(request), announcement_id, locale=request_locale(request))
        return _out(request, row)

    @post(
        "/{announcement_id:uuid}/pin",
        opt={"permission": ANNOUNCEMENT_MANAGE},
        status_code=200,
        summary="置顶公告",
        description="把公告置顶：在各列表中排在最前。已置顶时不变。",
        summary_en="Pin an announcement",
        description_en="Pins the announcement: it heads every list. Nothing changes when it is pinned already.",
    )
    async def pin_announcement(
        self, request: Request[Any, Any, State], announcement_id: AnnouncementId
    ) -> Response[Announcement]:
        async with _db(request).transaction():
            row = await services.pin(_principal(request), announcement_id, True)
        return _out(request, row)

    @post(
        "/{announcement_id:uuid}/unpin",
        opt={"permission": ANNOUNCEMENT_MANAGE},
        status_code=200,
        summary="取消置顶",
        description="取消公告的置顶。未置顶时不变。",
        summary_en="Unpin an announcement",
        description_en="Unpins the announcement. Nothing changes when it is not pinned.",
    )
    async def unpin_announcement(
        self, request: Request[Any, Any, State], announcement_id: AnnouncementId
    ) -> Response[Announcement]:
        async with _db(request).transaction():
            row = await services.pin(_principal(request), announcement_id, False)
        return _out(request, row)

    @post(
        "/{announcement_id:uuid}/withdraw",
        opt={"permission": ANNOUNCEMENT_MANAGE},
        status_code=200,
        summary="撤回公告",
        description="撤回公告（或搁置草稿）：此后不再向公众和成员展示，也不再出现在门户订阅中。",
        summary_en="Withdraw an announcement",
        description_en=(
            "Withdraws the announcement (or shelves a draft): it is no longer shown to the public or to "
            "members, nor carried by the portal feeds."
        ),
    )
    async def withdraw_announcement(
        self, request: Request[Any, Any, State], announcement_id: AnnouncementId
    ) -> Response[Announcement]:
        async with _db(request).transaction():
            row = await services.withdraw(_principal(request), announcement_id)
        return _out(request, row)


class PublicAnnouncementController(Controller):
    """Public announcements, for portals and anyone without a token."""

    path = "/announcements"
    tags: ClassVar[list[str]] = ["announcements"]

    @get(
        "/public",
        opt={"policy": "public"},
        summary="公开公告列表",
        description=(
            "正在展示的公开公告，可按组织（含下级）筛选，无需登录。置顶在前，新的在前；时间带本地时区偏移。"
        ),
        summary_en="Public announcements",
        description_en=(
            "The public announcements being shown, filterable by org (and subtree), without a token. Pinned "
            "first, newest first; times carry the local zone's offset."
        ),
    )
    async def list_public_announcements(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: OrgFilter = None,
        org_scope: Scope = "subtree",
        q: Search = None,
    ) -> Page[PublicAnnouncement]:
        rows, cursor = await services.list_public(await _filters(org, org_scope, q=q), page)
        zone, base = _zone(request), _base(request)
        return Page(items=[services.to_public(r, zone, base) for r in rows], next_cursor=cursor)

    @get(
        "/{announcement_id:uuid}/public",
        opt={"policy": "public"},
        summary="公开公告页",
        description=(
            "一则正在展示的公开公告，无需登录；门户订阅的条目链接到这里。草稿、定时未到、已过期、已撤回和"
            "非公开的公告为 404。"
        ),
        summary_en="A public announcement's page",
        description_en=(
            "One public announcement being shown, without a token; portal feed items link here. Drafts, "
            "scheduled, expired, withdrawn and non-public announcements: 404."
        ),
    )
    async def get_public_announcement(
        self, request: Request[Any, Any, State], announcement_id: AnnouncementId
    ) -> PublicAnnouncement:
        return services.to_public(await services.public_row(announcement_id), _zone(request), _base(request))


ROUTES = [AnnouncementController, PublicAnnouncementController]
