"""HTTP routes of places and bookings: thin — they parse, open the write transaction, call the services.

Who may call what: the public listing, a public place's details, hours, resources and free slots need no
token (``opt={"public": True}``); creating and editing places needs ``core.place.manage`` over the owner
org; booking needs a signed-in caller (for their own person, or with ``core.booking.org`` for an org)
whom the resource's rule lets in; a booking is seen by its booker and person and by cadres holding
``core.booking.manage`` over the place's org, who also check guests in and record no-shows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any, ClassVar
from uuid import UUID

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.datastructures import State
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from core.access import Principal
from core.db import Database
from core.errors import Problem, request_locale
from core.guards import current_principal, require_permission
from core.orgs.tables import Org
from core.pagination import Page, PageParam
from core.places import bookings, services
from core.places import schemas as S
from core.places.hours import schedule
from core.places.permissions import BOOKING_MANAGE, PLACE_MANAGE
from core.places.services import Env, etag
from core.places.statistics import place_usage

PlaceId = Annotated[UUID, PathParameter(description="Place id")]
ResourceId = Annotated[UUID, PathParameter(description="Resource id")]
BookingId = Annotated[UUID, PathParameter(description="Booking id")]
IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", description="The place's ETag (required)", max_length=64)
]
PUBLIC = {"public": True}
SELF = {"policy": "self"}


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


class PlaceController(Controller):
    """``/api/v1/places``: service points (阵地), their partner orgs, hours, resources and bookings."""

    path = "/places"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["places"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get("/kinds", opt=PUBLIC, security=[], summary="阵地类型（含常见服务）")
    async def list_kinds(self, request: Request[Any, Any, State]) -> list[S.PlaceKindInfo]:
        """Every declared place kind, with the plugin declaring it and its typical services."""
        registry = request.app.state.registry
        owners = {k.code: name for name, d in registry.declarations.items() for k in d.place_kinds}
        return [
            S.PlaceKindInfo(
                code=k.code,
                plugin=owners.get(k.code, "core"),
                name=k.name.as_dict(),
                org_kinds=list(k.org_kinds),
                services=[{"code": s.code, "name": s.name.as_dict()} for s in k.services],
            )
            for _, k in sorted(registry.place_kinds.items())
        ]

    @get(
        "/",
        opt=PUBLIC,
        security=[],
        summary="阵地列表（公开；按地区、类型、服务、距离）",
        description="Public, open places. With near=lat,lon the places within radius_km (default 5, at "
        "most 50), nearest first, each with distance_m; otherwise in a stable order. No token needed.",
    )
    async def list_places(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        kind: Annotated[str | None, QueryParameter(max_length=64, description="Place kind code")] = None,
        region: Annotated[
            str | None,
            QueryParameter(pattern=r"^\d{2,12}$", description="Region code or its prefix (3301 for 杭州)"),
        ] = None,
        service: Annotated[
            str | None, QueryParameter(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="Service offered")
        ] = None,
        org: Annotated[UUID | None, QueryParameter(description="Places of this org's subtree")] = None,
        near: Annotated[
            str | None, QueryParameter(max_length=40, description="lat,lon (WGS-84), e.g. 30.2741,120.1551")
        ] = None,
        radius_km: Annotated[float, QueryParameter(gt=0, le=50, description="Radius around near (km)")] = 5.0,
    ) -> Page[S.Place]:
        items, cursor = await services.public_list(
            _env(request),
            current_principal(request),
            page,
            kind=kind,
            region=region,
            service=service,
            org_path=await _org_path(org),
            near=services.parse_near(near),
            radius_km=radius_km,
        )
        return Page(items=items, next_cursor=cursor)

    @get("/managed", opt={"policy": "visible"}, summary="本辖区阵地（含未公开）")
    async def list_managed(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: Annotated[UUID | None, QueryParameter(description="Only places of this org")] = None,
        org_scope: Annotated[
            str, QueryParameter(name="scope", pattern="^(org|subtree)$", description="org or subtree")
        ] = "subtree",
        kind: Annotated[str | None, QueryParameter(max_length=64, description="Place kind code")] = None,
    ) -> Page[S.Place]:
        """Every place (public or not) of orgs where the caller holds core.place.read or core.place.manage."""
        items, cursor = await services.managed_list(
            _env(request),
            _principal(request),
            page,
            org_path=await _org_path(org),
            subtree=org_scope == "subtree",
            kind=kind,
        )
        return Page(items=items, next_cursor=cursor)

    @post("/", opt={"permission": PLACE_MANAGE}, summary="新建阵地")
    async def create_place(
        self, request: Request[Any, Any, State], data: JSONBody[S.PlaceCreate]
    ) -> Response[S.Place]:
        env = _env(request)
        principal = _principal(request)
        async with _db(request).transaction():
            row = await services.create(env, principal, data)
        return _tagged(await services.detail(env, principal, row), row["version"], 201)

    @get("/{place_id:uuid}", opt=PUBLIC, security=[], summary="阵地详情（公开阵地无需登录）")
    async def get_place(self, request: Request[Any, Any, State], place_id: PlaceId) -> Response[S.Place]:
        """A public place for anyone; a non-public one for readers within reach (404 otherwise). Contact
        phones are masked unless the caller manages the place or may see personal data there."""
        env = _env(request)
        principal = current_principal(request)
        row = await services.visible(principal, place_id)
        return _tagged(await services.detail(env, principal, row), row["version"])

    @patch("/{place_id:uuid}", opt={"permission": PLACE_MANAGE}, summary="修改阵地（须 If-Match）")
    async def update_place(
        self,
        request: Request[Any, Any, State],
        place_id: PlaceId,
        data: JSONBody[S.PlaceUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.Place]:
        env = _env(request)
        principal = _principal(request)
        async with _db(request).transaction():
            row = await services.update(env, principal, place_id, data, if_match)
        return _tagged(await services.detail(env, principal, row), row["version"])

    @put("/{place_id:uuid}/shares", opt={"permission": PLACE_MANAGE}, summary="设置共享组织（一室多用）")
    async def set_shares(
        self, request: Request[Any, Any, State], place_id: PlaceId, data: JSONBody[S.SharesUpdate]
    ) -> list[S.Share]:
        async with _db(request).transaction():
            return await services.set_shares(_env(request), _principal(request), place_id, data)

    @get("/{place_id:uuid}/hours", opt=PUBLIC, security=[], summary="开放时间（含节假日例外）")
    async def hours(
        self,
        request: Request[Any, Any, State],
        place_id: PlaceId,
        since: Annotated[
            date | None, QueryParameter(name="from", description="First day (default today)")
        ] = None,
        days: Annotated[int, QueryParameter(ge=1, le=62, description="Number of days")] = 7,
    ) -> list[S.DayHours]:
        """The effective opening periods of each day, dated exceptions (holidays) applied."""
        env = _env(request)
        row = await services.visible(current_principal(request), place_id)
        first = since or services.now().astimezone(env.tz).date()
        return schedule(
            first,
            days,
            list(services._json(row["opening_hours"]) or []),
            list(services._json(row["hours_exceptions"]) or []),
        )

    @get(
        "/{place_id:uuid}/resources", opt=PUBLIC, security=[], summary="可预约资源（房间、床位、工位、设备）"
    )
    async def list_resources(self, request: Request[Any, Any, State], place_id: PlaceId) -> list[S.Resource]:
        principal = current_principal(request)
        row = await services.visible(principal, place_id)
        rows = await services.resources_of(
            place_id, include_retired=services.manages(principal, row["org_path"])
        )
        return [services.to_resource(r) for r in rows]

    @post("/{place_id:uuid}/resources", opt={"permission": PLACE_MANAGE}, summary="新增可预约资源")
    async def add_resource(
        self, request: Request[Any, Any, State], place_id: PlaceId, data: JSONBody[S.ResourceCreate]
    ) -> Response[S.Resource]:
        async with _db(request).transaction():
            row = await services.add_resource(_env(request), _principal(request), place_id, data)
        return Response(services.to_resource(row), status_code=201)

    @patch("/resources/{resource_id:uuid}", opt={"permission": PLACE_MANAGE}, summary="修改资源及预约规则")
    async def update_resource(
        self, request: Request[Any, Any, State], resource_id: ResourceId, data: JSONBody[S.ResourceUpdate]
    ) -> S.Resource:
        async with _db(request).transaction():
            row = await services.update_resource(_env(request), _principal(request), resource_id, data)
        return services.to_resource(row)

    @get(
        "/resources/{resource_id:uuid}/availability",
        opt=PUBLIC,
        security=[],
        summary="资源空余情况（按时段或按晚）",
    )
    async def availability(
        self,
        request: Request[Any, Any, State],
        resource_id: ResourceId,
        since: Annotated[
            date | None, QueryParameter(name="from", description="First day (default today)")
        ] = None,
        days: Annotated[int, QueryParameter(ge=1, le=31, description="Number of days")] = 7,
    ) -> S.Availability:
        """How many units are free per slot (rooms, desks) or night (beds): counts only, never who."""
        env = _env(request)
        first = since or services.now().astimezone(env.tz).date()
        return await bookings.availability(env, current_principal(request), resource_id, first, days)

    @post("/resources/{resource_id:uuid}/bookings", opt=SELF, summary="预约（本人或以组织名义）")
    async def book(
        self, request: Request[Any, Any, State], resource_id: ResourceId, data: JSONBody[S.BookingCreate]
    ) -> Response[S.Booking]:
        """Book slots (``starts_at``/``ends_at``) or nights (``first_night``/``nights``). A resource
        needing approval answers ``pending`` with the process id; others ``confirmed`` with a check-in code."""
        env = _env(request)
        async with _db(request).transaction():
            row = await bookings.book(env, _principal(request), resource_id, data)
        return Response(bookings.to_booking(row, secret=env.secret), status_code=201)

    @get("/{place_id:uuid}/bookings", opt={"permission": BOOKING_MANAGE}, summary="阵地的预约（管理者）")
    async def place_bookings(
        self,
        request: Request[Any, Any, State],
        place_id: PlaceId,
        page: PageParam,
        status: Annotated[
            S.BookingStatus | None, QueryParameter(description="Only bookings in this status")
        ] = None,
        since: Annotated[
            datetime | None, QueryParameter(name="from", description="Only bookings ending after")
        ] = None,
    ) -> Page[S.Booking]:
        rows, cursor = await bookings.place_bookings(
            _principal(request), place_id, page, status=status, since=since
        )
        return Page(items=[bookings.to_booking(r) for r in rows], next_cursor=cursor)

    @post(
        "/{place_id:uuid}/check-ins",
        opt={"permission": BOOKING_MANAGE},
        status_code=200,
        summary="凭签到码签到（与活动签到码同一格式）",
    )
    async def check_in_at_place(
        self, request: Request[Any, Any, State], place_id: PlaceId, data: JSONBody[S.BookingCheckIn]
    ) -> S.CheckInResult:
        """A second scan of the same code records nothing and answers ``already_checked_in``."""
        env = _env(request)
        async with _db(request).transaction():
            outcome, row = await bookings.check_in(env, _principal(request), place_id, data.code)
        return S.CheckInResult(outcome=outcome, booking=bookings.to_booking(row))  # type: ignore[arg-type]

    @get(
        "/{place_id:uuid}/usage", opt={"policy": "visible"}, summary="阵地使用情况（预约、签到、床位使用率）"
    )
    async def usage(
        self,
        request: Request[Any, Any, State],
        place_id: PlaceId,
        since: Annotated[
            date | None, QueryParameter(name="from", description="First day (default 30 days ago)")
        ] = None,
        until: Annotated[date | None, QueryParameter(name="until", description="Day after the last")] = None,
    ) -> S.UsageFigures:
        """Figures for readers and booking managers of the place's org (404 for others)."""
        principal = _principal(request)
        row = await services.load(place_id)
        if row is None or not (
            services.reads(principal, row["org_path"]) or services.sees_bookings(principal, row["org_path"])
        ):
            raise Problem("not-found")
        env = _env(request)
        last = until or services.now().astimezone(env.tz).date() + timedelta(days=1)
        first = since or last - timedelta(days=30)
        if first >= last or (last - first).days > 366:
            raise Problem.invalid(("/from", "invalid"), locale=env.locale)
        return await place_usage(place_id, first, last)


class BookingController(Controller):
    """``/api/v1/bookings``: one booking — its booker and person, or the place's booking managers."""

    path = "/bookings"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["places"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get("/{booking_id:uuid}", opt=SELF, summary="预约详情（本人或管理者）")
    async def get_booking(self, request: Request[Any, Any, State], booking_id: BookingId) -> S.Booking:
        """The booker sees the check-in code of a confirmed booking; managers see the booking without it."""
        env = _env(request)
        principal = _principal(request)
        row = await bookings.readable(principal, booking_id)
        return bookings.to_booking(row, secret=env.secret if bookings.is_own(principal, row) else None)

    @post("/{booking_id:uuid}/cancel", opt=SELF, status_code=200, summary="取消预约")
    async def cancel(self, request: Request[Any, Any, State], booking_id: BookingId) -> S.Booking:
        """Frees the booking's units (those not yet past); a pending booking's approval is withdrawn."""
        env = _env(request)
        async with _db(request).transaction():
            row = await bookings.cancel(env, _principal(request), booking_id)
        return bookings.to_booking(row)

    @post(
        "/{booking_id:uuid}/no-show", opt={"permission": BOOKING_MANAGE}, status_code=200, summary="登记未到"
    )
    async def no_show(self, request: Request[Any, Any, State], booking_id: BookingId) -> S.Booking:
        """After the booking began; the nights after tonight (and slots not begun) are freed."""
        env = _env(request)
        async with _db(request).transaction():
            row = await bookings.no_show(env, _principal(request), booking_id)
        return bookings.to_booking(row)


class MyBookingController(Controller):
    """``/api/v1/me/bookings``: the caller's own bookings (and those they made for orgs), newest first."""

    path = "/me/bookings"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["places"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get("/", opt=SELF, summary="我的预约")
    async def my_bookings(self, request: Request[Any, Any, State], page: PageParam) -> Page[S.Booking]:
        env = _env(request)
        principal = _principal(request)
        rows, cursor = await bookings.my_bookings(principal, page)
        return Page(items=[bookings.to_booking(r, secret=env.secret) for r in rows], next_cursor=cursor)


ROUTES = [PlaceController, BookingController, MyBookingController]
__all__ = ["ROUTES", "BookingController", "MyBookingController", "PlaceController"]
