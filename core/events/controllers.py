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

from core.access import Principal
from core.db import Database
from core.errors import Problem, request_locale
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
    OrgRating,
    RatingSummary,
    Registration,
    RegistrationCreate,
    RegistrationStatus,
)
from core.events.services import EventFilters, etag, to_event
from core.guards import current_principal, require_permission
from core.idempotency import claim_key, replay
from core.orgs.tables import Org
from core.pagination import Page, PageParam, paginate
from core.plugin_host import call_runtime_hook

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

    @get("/", summary="List events", opt={"policy": "visible"})
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

    @post("/", opt={"permission": EVENT_MANAGE}, summary="Create an event (draft)")
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

    @get("/{event_id:uuid}", summary="Read an event", opt={"policy": "visible"})
    async def get_event(self, request: Request[Any, Any, State], event_id: EventId) -> Response[Event]:
        row, _ = await services.load_event(_principal(request), event_id)
        return _with_etag(to_event(row))

    @patch(
        "/{event_id:uuid}",
        opt={"permission": EVENT_MANAGE, "if_match": "required"},
        summary="Change an event (If-Match)",
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

    @post("/{event_id:uuid}/publish", opt={"permission": EVENT_MANAGE}, status_code=200, summary="Publish")
    async def publish_event(self, request: Request[Any, Any, State], event_id: EventId) -> Response[Event]:
        return await self._transition(request, event_id, "published")

    @post("/{event_id:uuid}/cancel", opt={"permission": EVENT_MANAGE}, status_code=200, summary="Cancel")
    async def cancel_event(self, request: Request[Any, Any, State], event_id: EventId) -> Response[Event]:
        return await self._transition(request, event_id, "cancelled")

    @post("/{event_id:uuid}/finish", opt={"permission": EVENT_MANAGE}, status_code=200, summary="Finish")
    async def finish(self, request: Request[Any, Any, State], event_id: EventId) -> Response[Event]:
        return await self._transition(request, event_id, "finished")

    # --- my events and calendars ---------------------------------------------------------------------------

    @get("/mine", opt={"policy": "self"}, summary="My events")
    async def my_events(self, request: Request[Any, Any, State], page: PageParam) -> Page[Event]:
        """Events the caller's person is registered for (confirmed or waitlisted), by start time."""
        person = _principal(request).person_id
        if person is None:
            raise Problem(problems.NO_PERSON)
        rows, cursor = await paginate(
            calendars.my_events_query(person), [services.Event.starts_at, services.Event.id], page
        )
        return Page(items=[to_event(r) for r in rows], next_cursor=cursor)

    @get("/mine/calendar", opt={"policy": "self"}, media_type=ICS, summary="My events as iCalendar")
    async def my_calendar(self, request: Request[Any, Any, State]) -> Response[bytes]:
        person = _principal(request).person_id
        if person is None:
            raise Problem(problems.NO_PERSON)
        rows = await calendars.person_events(person)
        return Response(calendars.to_ical(rows, "我的活动", _uid_host(request)), media_type=ICS)

    @get("/mine/calendar-link", opt={"policy": "self"}, summary="Private subscription link to my events")
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
        summary="Ratings per organizing org (群众评议), over the events the caller may see",
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
        summary="Register (Idempotency-Key honoured)",
        description="Registers the caller's person, or with core.registration.manage another person. "
        "Send an Idempotency-Key to make retries safe: repeats get the first response back.",
    )
    async def register(
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

    @get("/{event_id:uuid}/registrations", opt={"policy": "visible"}, summary="List an event's registrations")
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
        summary="Read a registration",
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
        summary="Cancel a registration",
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

    @post("/{event_id:uuid}/checkins", opt={"permission": CHECKIN_MANAGE}, summary="Check an attendee in")
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
        summary="Upload offline check-ins",
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

    @get("/{event_id:uuid}/checkins", opt={"permission": CHECKIN_MANAGE}, summary="List check-ins")
    async def list_checkins(
        self, request: Request[Any, Any, State], event_id: EventId, page: PageParam
    ) -> Page[CheckIn]:
        rows, cursor = await checkins.list_checkins(_principal(request), event_id, page)
        return Page(items=[checkins.to_checkin(r) for r in rows], next_cursor=cursor)

    @get("/{event_id:uuid}/attendance", opt={"permission": CHECKIN_MANAGE}, summary="Attendance figures")
    async def attendance(self, request: Request[Any, Any, State], event_id: EventId) -> Attendance:
        return await checkins.attendance(_principal(request), event_id)

    # --- feedback ----------------------------------------------------------------------------------------

    @post("/{event_id:uuid}/feedback", opt={"policy": "self"}, summary="Rate an event you attended")
    async def give_feedback(
        self, request: Request[Any, Any, State], event_id: EventId, data: JSONBody[FeedbackCreate]
    ) -> Response[Feedback]:
        async with _db(request).transaction():
            row = await feedback.give_feedback(_principal(request), event_id, data)
        out = feedback.to_feedback(row)
        await _hook(request, "quntuan_feedback_given", feedback=out)
        return Response(out, status_code=201)

    @get("/{event_id:uuid}/feedback", opt={"permission": EVENT_MANAGE}, summary="Read an event's feedback")
    async def list_feedback(
        self, request: Request[Any, Any, State], event_id: EventId, page: PageParam
    ) -> Page[Feedback]:
        rows, cursor = await feedback.list_feedback(_principal(request), event_id, page)
        return Page(items=[feedback.to_feedback(r) for r in rows], next_cursor=cursor)

    @get("/{event_id:uuid}/feedback/summary", opt={"policy": "visible"}, summary="An event's ratings")
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
        summary="Public events of an org subtree as iCalendar",
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
        "/feeds/{token:str}",
        opt={"policy": "signed-link"},
        media_type=ICS,
        summary="A person's events (private link)",
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
