"""HTTP routes of events: thin — they parse, open the write transaction, call services and answer.

Runtime hooks for plugins are called after the transaction committed, so a plugin never sees a change
that was rolled back, and a failing hook never breaks the request.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, PathParameter, QueryParameter

from core.events import calendars, checkins, feedback, problems, registrations, services
from core.events.permissions import CHECKIN_MANAGE, EVENT_MANAGE
from core.events.schemas import (
    Attendance,
    BatchCheckInReport,
    BatchCheckInUpload,
    CalendarLink,
    CheckIn,
    CheckInCreate,
    Event,
    EventCreate,
    EventStatus,
    EventUpdate,
    Feedback,
    FeedbackCreate,
    MyEvent,
    OrgRating,
    PublicEvent,
    RatingSummary,
    Registration,
    RegistrationCreate,
    RegistrationStatus,
    VenueCheckIn,
    VenueCode,
)
from core.events.services import EventFilters, etag, to_event
from core.idempotency import claim_key, replay
from core.kernel.access import Principal
from core.kernel.db import Database
from core.kernel.errors import Problem, request_locale
from core.kernel.guards import current_principal, require_permission
from core.kernel.pagination import Page, PageParam, paginate
from core.kernel.plugin_host import call_runtime_hook
from core.orgs.tables import Org

ICS = "text/calendar; charset=utf-8"
EventId = Annotated[UUID, PathParameter(description="Event id")]
RegistrationId = Annotated[UUID, PathParameter(description="Registration id")]


def _principal(request: Request[Any, Any, State]) -> Principal:
    principal = current_principal(request)
    assert principal is not None  # the guard answered 401 already
    return principal


def _db(request: Request[Any, Any, State]) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _uid_host(request: Request[Any, Any, State]) -> str:
    """The domain part of calendar UIDs: the public base URL's host (never the request's ``Host``)."""
    return urlsplit(request.app.state.settings.base_url).netloc


def _secret(request: Request[Any, Any, State]) -> str:
    return request.app.state.settings.resolved_secret_key()  # type: ignore[no-any-return]


async def _hook(request: Request[Any, Any, State], name: str, **kwargs: Any) -> None:
    await call_runtime_hook(request.app.state.plugin_manager, name, **kwargs)


def _is_unique_violation(exc: BaseException) -> bool:
    return isinstance(exc, asyncpg.exceptions.UniqueViolationError) or (
        isinstance(exc, sqlite3.IntegrityError) and "UNIQUE" in str(exc)
    )


def _with_etag(event: Event, status_code: int = 200) -> Response[Event]:
    return Response(event, status_code=status_code, headers={"ETag": etag(event.version)})


async def _org_path(org_id: UUID) -> str:
    row = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if row is None:
        raise Problem("not-found")
    return str(row["path"])


async def _promoted(request: Request[Any, Any, State], rows: list[dict[str, Any]]) -> None:
    secret = _secret(request)
    for row in rows:
        out = await registrations.to_registration(row, secret, with_code=False, with_position=False)
        await _hook(request, "quntuan_registration_promoted", registration=out)


class EventController(Controller):
    """``/api/v1/events``: events, their registrations, check-ins and feedback."""

    path = "/events"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["events"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    # --- events ------------------------------------------------------------------------------------------

    @get(
        "/",
        opt={"policy": "visible"},
        summary="活动列表",
        description="调用方可见的活动，可按组织（含下级）、类型、状态和时间筛选。",
        summary_en="List events",
        description_en="The events the caller may see, filterable by org (and subtree), type, status and time.",
    )
    async def list_events(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: Annotated[UUID | None, QueryParameter(description="Only events organized by this org")] = None,
        org_scope: Annotated[
            Literal["subtree", "org"], QueryParameter(name="scope", description="org alone or its subtree")
        ] = "subtree",
        type: Annotated[str | None, QueryParameter(max_length=64, description="Event type code")] = None,
        status: FromQuery[EventStatus | None] = None,
        starts_from: Annotated[
            datetime | None, QueryParameter(description="Starting at or after (RFC 3339)")
        ] = None,
        starts_before: Annotated[
            datetime | None, QueryParameter(description="Starting before (RFC 3339)")
        ] = None,
        q: Annotated[
            str | None, QueryParameter(max_length=100, description="Text in title, place or tags")
        ] = None,
    ) -> Page[Event]:
        """Events the caller may see, by start time: one indexed query, whatever the filters."""
        filters = EventFilters(
            org=org,
            subtree=org_scope == "subtree",
            type=type,
            status=status,
            starts_from=starts_from,
            starts_before=starts_before,
            q=q,
        )
        items, cursor = await services.list_events(_principal(request), filters, page)
        return Page(items=items, next_cursor=cursor)

    @post(
        "/",
        opt={"permission": EVENT_MANAGE},
        summary="新建活动（草稿）",
        description="新建一个草稿活动；details 须符合活动类型声明的结构。",
        summary_en="Create an event (draft)",
        description_en="Creates a draft event; its details must match the structure its event type declares.",
    )
    async def create_event(
        self, request: Request[Any, Any, State], data: JSONBody[EventCreate]
    ) -> Response[Event]:
        async with _db(request).transaction():
            row = await services.create_event(
                _principal(request),
                data,
                event_types=request.app.state.registry.event_types,
                default_timezone=request.app.state.settings.timezone,
                locale=request_locale(request),
                state=request.app.state,
            )
        return _with_etag(to_event(row), 201)

    @get(
        "/{event_id:uuid}",
        opt={"policy": "visible"},
        summary="活动详情",
        description="一个活动及其 ETag。",
        summary_en="Read an event",
        description_en="One event with its ETag.",
    )
    async def get_event(self, request: Request[Any, Any, State], event_id: EventId) -> Response[Event]:
        row, _ = await services.load_event(_principal(request), event_id)
        return _with_etag(to_event(row))

    @patch(
        "/{event_id:uuid}",
        opt={"permission": EVENT_MANAGE, "if_match": "required"},
        summary="修改活动（须 If-Match）",
        description="修改活动信息；须带读取时的 ETag 作为 If-Match。",
        summary_en="Change an event (If-Match)",
        description_en="Changes the event; send the ETag you read as If-Match.",
    )
    async def update_event(
        self, request: Request[Any, Any, State], event_id: EventId, data: JSONBody[EventUpdate]
    ) -> Response[Event]:
        async with _db(request).transaction():
            row, promoted = await services.update_event(
                _principal(request),
                event_id,
                data,
                if_match=request.headers.get("if-match"),
                event_types=request.app.state.registry.event_types,
                locale=request_locale(request),
                state=request.app.state,
            )
        await _promoted(request, promoted)
        return _with_etag(to_event(row))

    async def _transition(
        self, request: Request[Any, Any, State], event_id: UUID, status: str
    ) -> Response[Event]:
        async with _db(request).transaction():
            row = await services.change_status(
                _principal(request), event_id, status, state=request.app.state, locale=request_locale(request)
            )
        event = to_event(row)
        if status == "published":
            await _hook(request, "quntuan_event_published", event=event)
        elif status == "cancelled":
            await _hook(request, "quntuan_event_cancelled", event=event)
        return _with_etag(event)

    @post(
        "/{event_id:uuid}/publish",
        opt={"permission": EVENT_MANAGE},
        status_code=200,
        summary="发布活动",
        description="把草稿活动发布，按可见范围向成员展示并开放报名。",
        summary_en="Publish an event",
        description_en="Publishes a draft event: it is shown to its audience and opens for registration.",
    )
    async def publish_event(self, request: Request[Any, Any, State], event_id: EventId) -> Response[Event]:
        return await self._transition(request, event_id, "published")

    @post(
        "/{event_id:uuid}/cancel",
        opt={"permission": EVENT_MANAGE},
        status_code=200,
        summary="取消活动",
        description="取消活动；已报名者收到通知。",
        summary_en="Cancel an event",
        description_en="Cancels the event; those registered are notified.",
    )
    async def cancel_event(self, request: Request[Any, Any, State], event_id: EventId) -> Response[Event]:
        return await self._transition(request, event_id, "cancelled")

    @post(
        "/{event_id:uuid}/finish",
        opt={"permission": EVENT_MANAGE},
        status_code=200,
        summary="结束活动",
        description="活动结束后标记为已结束，开始前不能结束。",
        summary_en="Finish an event",
        description_en="Marks the event finished; not before it has started.",
    )
    async def finish_event(self, request: Request[Any, Any, State], event_id: EventId) -> Response[Event]:
        return await self._transition(request, event_id, "finished")

    # --- my events and calendars ---------------------------------------------------------------------------

    @get(
        "/mine",
        opt={"policy": "self"},
        summary="我的活动",
        description="本人报名（已确认或候补）的活动，每项附本人的报名：报名 id、状态、签到码和签到时间。",
        summary_en="My events",
        description_en=(
            "The events the caller is registered for (confirmed or waitlisted), each with that registration: "
            "its id, status, check-in code and check-in time."
        ),
    )
    async def my_events(self, request: Request[Any, Any, State], page: PageParam) -> Page[MyEvent]:
        """Events the caller's person is registered for (confirmed or waitlisted), by start time, each
        with that registration (id, status, check-in code)."""
        person = _principal(request).person_id
        if person is None:
            raise Problem(problems.NO_PERSON)
        rows, cursor = await paginate(
            calendars.my_events_query(person), [services.Event.starts_at, services.Event.id], page
        )
        items = await registrations.my_events(person, rows, _secret(request))
        return Page(items=items, next_cursor=cursor)

    @get(
        "/mine/calendar",
        opt={"policy": "self"},
        media_type=ICS,
        summary="我的活动（iCalendar）",
        description="本人报名的活动，iCalendar 格式，时间为 UTC。",
        summary_en="My events as iCalendar",
        description_en="The caller's events as iCalendar, times in UTC.",
    )
    async def my_calendar(self, request: Request[Any, Any, State]) -> Response[bytes]:
        person = _principal(request).person_id
        if person is None:
            raise Problem(problems.NO_PERSON)
        rows = await calendars.person_events(person)
        return Response(calendars.to_ical(rows, "我的活动", _uid_host(request)), media_type=ICS)

    @get(
        "/mine/calendar-link",
        opt={"policy": "self"},
        summary="我的活动日历订阅链接",
        description="一个私有的日历订阅链接，日历应用无需登录即可订阅。",
        summary_en="Private subscription link to my events",
        description_en="A private subscription link that calendar apps can follow without a token.",
    )
    async def my_calendar_link(self, request: Request[Any, Any, State]) -> CalendarLink:
        person = _principal(request).person_id
        if person is None:
            raise Problem(problems.NO_PERSON)
        token = calendars.feed_token(_secret(request), person)
        base = request.app.state.settings.base_url
        return CalendarLink(url=f"{base}/api/v1/events/feeds/{token}.ics")

    @get(
        "/ratings",
        opt={"policy": "signed-in"},
        summary="按主办组织的群众评议",
        description="调用方可见的活动按主办组织汇总的评分（群众评议）。",
        summary_en="Ratings per organizing org (群众评议), over the events the caller may see",
        description_en="Ratings per organizing org (群众评议), over the events the caller may see.",
    )
    async def org_ratings(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: Annotated[UUID, QueryParameter(description="The org (and, by default, its subtree)")],
        org_scope: Annotated[
            Literal["subtree", "org"], QueryParameter(name="scope", description="org alone or its subtree")
        ] = "subtree",
    ) -> Page[OrgRating]:
        items, cursor = await feedback.org_ratings(
            _principal(request), await _org_path(org), subtree=org_scope == "subtree", page=page
        )
        return Page(items=items, next_cursor=cursor)

    # --- registrations -----------------------------------------------------------------------------------

    @post(
        "/{event_id:uuid}/registrations",
        opt={"policy": "self"},
        summary="报名（支持 Idempotency-Key）",
        description=(
            "为调用方本人报名，持有 core.registration.manage 时可为他人报名。带 "
            "Idempotency-Key 可安全重试：重复请求得到第一次的应答。"
        ),
        summary_en="Register (Idempotency-Key honoured)",
        description_en=(
            "Registers the caller's person, or with core.registration.manage another person. Send an "
            "Idempotency-Key to make retries safe: repeats get the first response back."
        ),
    )
    async def register_for_event(
        self,
        request: Request[Any, Any, State],
        event_id: EventId,
        data: JSONBody[RegistrationCreate | None] = None,
        idempotency_key: Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                description="Any unique string (a UUID); repeats of the request get the first response.",
            ),
        ] = None,
    ) -> Response[Registration]:
        principal = _principal(request)
        secret = _secret(request)
        try:
            async with _db(request).transaction():
                claim = await claim_key(request, principal, scope="events.register", key=idempotency_key)
                if claim.replay is not None:
                    return replay(claim.replay, Registration)
                row, _ = await registrations.register(
                    principal,
                    event_id,
                    data.person_id if data else None,
                    timezone=request.app.state.settings.timezone,
                )
                out = await registrations.to_registration(row, secret, with_code=True)
                await claim.record(201, out)
        except Exception as exc:
            if _is_unique_violation(exc):
                raise Problem(problems.ALREADY_REGISTERED) from None
            raise
        if out.status == "confirmed":
            await _hook(request, "quntuan_registration_confirmed", registration=out)
        return Response(out, status_code=201)

    @get(
        "/{event_id:uuid}/registrations",
        opt={"policy": "visible"},
        summary="活动的报名",
        description="活动的报名列表，含候补。",
        summary_en="List an event's registrations",
        description_en="The event's registrations, the waitlist included.",
    )
    async def list_registrations(
        self,
        request: Request[Any, Any, State],
        event_id: EventId,
        page: PageParam,
        status: FromQuery[RegistrationStatus | None] = None,
    ) -> Page[Registration]:
        rows, cursor = await registrations.list_registrations(_principal(request), event_id, status, page)
        secret = _secret(request)
        items = [
            await registrations.to_registration(r, secret, with_code=False, with_position=False) for r in rows
        ]
        return Page(items=items, next_cursor=cursor)

    @get(
        "/{event_id:uuid}/registrations/{registration_id:uuid}",
        opt={"policy": "self"},
        summary="报名详情",
        description="一条报名及其状态。",
        summary_en="Read a registration",
        description_en="One registration and its status.",
    )
    async def get_registration(
        self, request: Request[Any, Any, State], event_id: EventId, registration_id: RegistrationId
    ) -> Registration:
        """One's own registration (with its check-in code), or any for those who manage registrations."""
        row, _, _ = await registrations.load_registration(_principal(request), event_id, registration_id)
        return await registrations.to_registration(row, _secret(request), with_code=True)

    @post(
        "/{event_id:uuid}/registrations/{registration_id:uuid}/cancel",
        opt={"policy": "self"},
        status_code=200,
        summary="取消报名",
        description="取消一条报名；候补者自动递补。",
        summary_en="Cancel a registration",
        description_en="Cancels a registration; the waitlist moves up.",
    )
    async def cancel_registration(
        self, request: Request[Any, Any, State], event_id: EventId, registration_id: RegistrationId
    ) -> Registration:
        async with _db(request).transaction():
            row, promoted = await registrations.cancel(_principal(request), event_id, registration_id)
        out = await registrations.to_registration(row, _secret(request), with_code=False)
        await _hook(request, "quntuan_registration_cancelled", registration=out)
        await _promoted(request, promoted)
        return out

    # --- check-in ----------------------------------------------------------------------------------------

    @post(
        "/{event_id:uuid}/checkins",
        opt={"permission": CHECKIN_MANAGE},
        summary="为参加者签到",
        description="按报名或签到码为参加者签到。",
        summary_en="Check an attendee in",
        description_en="Checks an attendee in by registration or check-in code.",
    )
    async def check_in(
        self, request: Request[Any, Any, State], event_id: EventId, data: JSONBody[CheckInCreate]
    ) -> Response[CheckIn]:
        """201 when recorded; 200 with the earlier check-in when the attendee was already checked in."""
        async with _db(request).transaction():
            outcome, row = await checkins.check_in(
                _principal(request),
                event_id,
                secret=_secret(request),
                code=data.code,
                registration_id=data.registration_id,
                at=data.checked_in_at,
            )
        out = checkins.to_checkin(row)
        if outcome == "recorded":
            await _hook(request, "quntuan_checked_in", checkin=out)
            return Response(out, status_code=201)
        return Response(out, status_code=200)

    @post(
        "/{event_id:uuid}/checkins/batch",
        opt={"permission": CHECKIN_MANAGE},
        status_code=200,
        summary="上传离线签到",
        description="上传在无网络时记录的签到（按签到码），逐条返回结果。",
        summary_en="Upload offline check-ins",
        description_en="Uploads check-ins recorded offline (by check-in code), answering per item.",
    )
    async def batch_check_in(
        self, request: Request[Any, Any, State], event_id: EventId, data: JSONBody[BatchCheckInUpload]
    ) -> BatchCheckInReport:
        """Idempotent: each row reports recorded, already_checked_in, invalid_code or not_confirmed."""
        async with _db(request).transaction():
            report, recorded = await checkins.batch_check_in(
                _principal(request), event_id, data.items, secret=_secret(request)
            )
        for row in recorded:
            await _hook(request, "quntuan_checked_in", checkin=checkins.to_checkin(row))
        return report

    @get(
        "/{event_id:uuid}/venue-code",
        opt={"permission": CHECKIN_MANAGE},
        summary="现场签到码",
        description=(
            "已发布活动的现场签到码（签名、限时），在现场以二维码显示，参加者扫码自助签到；"
            "valid_for 秒后失效（不超过活动结束），过期前请刷新显示。"
        ),
        summary_en="Venue code for self check-in",
        description_en=(
            "A signed, time-limited code of a published event to show at the venue as a QR code; attendees "
            "scan it to check themselves in. It expires after valid_for seconds (never after the event ends): "
            "show a fresh one before then."
        ),
    )
    async def venue_code(
        self,
        request: Request[Any, Any, State],
        event_id: EventId,
        valid_for: Annotated[
            int, QueryParameter(ge=60, le=86400, description="Seconds the code stays valid (60–86400)")
        ] = 300,
    ) -> VenueCode:
        return await checkins.mint_venue_code(
            _principal(request), event_id, secret=_secret(request), valid_for=valid_for
        )

    @post(
        "/{event_id:uuid}/checkins/venue",
        opt={"policy": "self"},
        summary="扫现场签到码自助签到",
        description=(
            "本人扫描现场显示的签到码签到：签到码须属于此活动且未过期，时间在活动开始前 60 分钟至结束之间，"
            "报名已确认。每人一次：再次扫码返回 200 和第一次的签到。"
        ),
        summary_en="Check yourself in with the venue code",
        description_en=(
            "Checks the caller in with the code shown at the venue: the code must be this event's and "
            "unexpired, the time between 60 minutes before the start and the end, the registration "
            "confirmed. Once: scanning again answers 200 with the first check-in."
        ),
    )
    async def venue_check_in(
        self, request: Request[Any, Any, State], event_id: EventId, data: JSONBody[VenueCheckIn]
    ) -> Response[CheckIn]:
        async with _db(request).transaction():
            outcome, row = await checkins.self_check_in(
                _principal(request), event_id, data.code, secret=_secret(request)
            )
        out = checkins.to_checkin(row)
        if outcome == "recorded":
            await _hook(request, "quntuan_checked_in", checkin=out)
            return Response(out, status_code=201)
        return Response(out, status_code=200)

    @get(
        "/{event_id:uuid}/checkins",
        opt={"permission": CHECKIN_MANAGE},
        summary="签到记录",
        description="活动的签到记录。",
        summary_en="List check-ins",
        description_en="The event's check-ins.",
    )
    async def list_checkins(
        self, request: Request[Any, Any, State], event_id: EventId, page: PageParam
    ) -> Page[CheckIn]:
        rows, cursor = await checkins.list_checkins(_principal(request), event_id, page)
        return Page(items=[checkins.to_checkin(r) for r in rows], next_cursor=cursor)

    @get(
        "/{event_id:uuid}/attendance",
        opt={"permission": CHECKIN_MANAGE},
        summary="出勤统计",
        description="活动的报名、签到与出勤率。",
        summary_en="Attendance figures",
        description_en="An event's registrations, check-ins and attendance rate.",
    )
    async def event_attendance(self, request: Request[Any, Any, State], event_id: EventId) -> Attendance:
        return await checkins.attendance(_principal(request), event_id)

    # --- feedback ----------------------------------------------------------------------------------------

    @post(
        "/{event_id:uuid}/feedback",
        opt={"policy": "self"},
        summary="评价参加过的活动",
        description="参加过活动的人给出评分与意见。",
        summary_en="Rate an event you attended",
        description_en="A person who attended rates the event and comments.",
    )
    async def give_feedback(
        self, request: Request[Any, Any, State], event_id: EventId, data: JSONBody[FeedbackCreate]
    ) -> Response[Feedback]:
        async with _db(request).transaction():
            row = await feedback.give_feedback(_principal(request), event_id, data)
        out = feedback.to_feedback(row)
        await _hook(request, "quntuan_feedback_given", feedback=out)
        return Response(out, status_code=201)

    @get(
        "/{event_id:uuid}/feedback",
        opt={"permission": EVENT_MANAGE},
        summary="活动评价",
        description="活动收到的评价与评分。",
        summary_en="Read an event's feedback",
        description_en="The feedback and ratings the event received.",
    )
    async def list_feedback(
        self, request: Request[Any, Any, State], event_id: EventId, page: PageParam
    ) -> Page[Feedback]:
        rows, cursor = await feedback.list_feedback(_principal(request), event_id, page)
        return Page(items=[feedback.to_feedback(r) for r in rows], next_cursor=cursor)

    @get(
        "/{event_id:uuid}/feedback/summary",
        opt={"policy": "visible"},
        summary="活动评分汇总",
        description="活动的平均分与评分分布。",
        summary_en="An event's ratings",
        description_en="The event's average rating and its distribution.",
    )
    async def rating_summary(self, request: Request[Any, Any, State], event_id: EventId) -> RatingSummary:
        return await feedback.rating_summary(_principal(request), event_id)


class PublicCalendarController(Controller):
    """Calendar feeds calendar apps subscribe to: no bearer token (public events, or a signed link)."""

    path = "/events"
    tags: ClassVar[list[str]] = ["events"]

    @get(
        "/calendar.ics",
        opt={"policy": "public"},
        media_type=ICS,
        summary="组织及下级的公开活动（iCalendar）",
        description="组织及下级的公开活动，iCalendar 格式。无需登录。",
        summary_en="Public events of an org subtree as iCalendar",
        description_en="The public events of an org and its subtree as iCalendar. No token needed.",
    )
    async def public_calendar(
        self,
        request: Request[Any, Any, State],
        org: Annotated[
            UUID | None, QueryParameter(description="The org whose subtree's events to include")
        ] = None,
    ) -> Response[bytes]:
        rows = await calendars.public_events(await _org_path(org) if org is not None else None)
        return Response(calendars.to_ical(rows, "公开活动", _uid_host(request)), media_type=ICS)

    @get(
        "/{event_id:uuid}/public",
        opt={"policy": "public"},
        summary="公开活动页",
        description=(
            "公开活动（已发布、已取消或已结束）的公开信息，无需登录；门户订阅的条目链接到这里。"
            "时间带活动所在时区的偏移。非公开的活动为 404。"
        ),
        summary_en="A public event's public page",
        description_en=(
            "What anyone may read of a public event (published, cancelled or finished), without a token; "
            "portal feed items link here. Times carry the offset of the event's zone. Other events: 404."
        ),
    )
    async def public_event(self, event_id: EventId) -> PublicEvent:
        return await calendars.public_event(event_id)

    @get(
        "/feeds/{token:str}",
        opt={"policy": "signed-link"},
        media_type=ICS,
        summary="个人活动日历（私有链接）",
        description="凭私有链接中的令牌返回某人的活动日历，无需登录。",
        summary_en="A person's events (private link)",
        description_en="A person's events through the token of their private link, without logging in.",
    )
    async def person_calendar(
        self, request: Request[Any, Any, State], token: FromPath[str]
    ) -> Response[bytes]:
        person = calendars.person_of_token(_secret(request), token.removesuffix(".ics"))
        if person is None:
            raise Problem(problems.INVALID_FEED_TOKEN)
        rows = await calendars.person_events(person)
        return Response(calendars.to_ical(rows, "我的活动", _uid_host(request)), media_type=ICS)


ROUTES = [EventController, PublicCalendarController]
