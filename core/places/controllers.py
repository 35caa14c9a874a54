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

from core.kernel.access import Principal
from core.kernel.db import Database
from core.kernel.errors import Problem, request_locale
from core.kernel.guards import current_principal, require_permission
from core.kernel.pagination import Page, PageParam
from core.orgs.tables import Org
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

    @get(
        "/kinds",
        opt=PUBLIC,
        security=[],
        summary="阵地类型（含常见服务）",
        description="各插件声明的阵地类型及其常见服务。无需登录。",
        summary_en="Place kinds (with common services)",
        description_en="The place kinds plugins declare with their usual services. No token needed.",
    )
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
        description=(
            "公开开放的阵地。带 near=纬度,经度 时返回 radius_km（默认 5，最多 "
            "50）内的阵地，按距离由近到远并附 distance_m；否则按固定顺序。无需登录。"
        ),
        summary_en="Public places (by region, kind, service, distance)",
        description_en=(
            "Public, open places. With near=lat,lon the places within radius_km (default 5, at most 50), "
            "nearest first, each with distance_m; otherwise in a stable order. No token needed."
        ),
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

    @get(
        "/managed",
        opt={"policy": "visible"},
        summary="本辖区阵地（含未公开）",
        description="调用方辖区内的阵地，包括未公开的。",
        summary_en="Places within reach (unpublished too)",
        description_en="The places within the caller's reach, unpublished ones too.",
    )
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

    @post(
        "/",
        opt={"permission": PLACE_MANAGE},
        summary="新建阵地",
        description="新建服务阵地（职工之家、青年之家、妇女之家等）。",
        summary_en="Create a place",
        description_en="Creates a service place (职工之家, 青年之家, 妇女之家 …).",
    )
    async def create_place(
        self, request: Request[Any, Any, State], data: JSONBody[S.PlaceCreate]
    ) -> Response[S.Place]:
        env = _env(request)
        principal = _principal(request)
        async with _db(request).transaction():
            row = await services.create(env, principal, data)
        return _tagged(await services.detail(env, principal, row), row["version"], 201)

    @get(
        "/{place_id:uuid}",
        opt=PUBLIC,
        security=[],
        summary="阵地详情（公开阵地无需登录）",
        description="一个阵地的信息、开放时间与服务。",
        summary_en="One place (no token for a public place)",
        description_en="One place with its hours and services.",
    )
    async def get_place(self, request: Request[Any, Any, State], place_id: PlaceId) -> Response[S.Place]:
        """A public place for anyone; a non-public one for readers within reach (404 otherwise). Contact
        phones are masked unless the caller manages the place or may see personal data there."""
        env = _env(request)
        principal = current_principal(request)
        row = await services.visible(principal, place_id)
        return _tagged(await services.detail(env, principal, row), row["version"])

    @patch(
        "/{place_id:uuid}",
        opt={"permission": PLACE_MANAGE},
        summary="修改阵地（须 If-Match）",
        description="修改阵地信息。",
        summary_en="Change a place (If-Match)",
        description_en="Changes a place.",
    )
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

    @put(
        "/{place_id:uuid}/shares",
        opt={"permission": PLACE_MANAGE},
        summary="设置共享组织（一室多用）",
        description="设置共同使用该阵地的组织。",
        summary_en="Set the orgs sharing a place",
        description_en="Sets the orgs that share the place (一室多用).",
    )
    async def set_shares(
        self, request: Request[Any, Any, State], place_id: PlaceId, data: JSONBody[S.SharesUpdate]
    ) -> list[S.Share]:
        async with _db(request).transaction():
            return await services.set_shares(_env(request), _principal(request), place_id, data)

    @get(
        "/{place_id:uuid}/hours",
        opt=PUBLIC,
        security=[],
        summary="开放时间（含节假日例外）",
        description="阵地在给定期间的开放时间，已计入节假日与调休。",
        summary_en="Opening hours (with holiday exceptions)",
        description_en="A place's opening hours over a period, public holidays and make-up days applied.",
    )
    async def place_hours(
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
        "/{place_id:uuid}/resources",
        opt=PUBLIC,
        security=[],
        summary="可预约资源（房间、床位、工位、设备）",
        description="阵地的可预约资源。公开阵地无需登录。",
        summary_en="Bookable resources (rooms, beds, desks, equipment)",
        description_en="A place's bookable resources. No token needed for a public place.",
    )
    async def list_resources(self, request: Request[Any, Any, State], place_id: PlaceId) -> list[S.Resource]:
        principal = current_principal(request)
        row = await services.visible(principal, place_id)
        rows = await services.resources_of(
            place_id, include_retired=services.manages(principal, row["org_path"])
        )
        return [services.to_resource(r) for r in rows]

    @post(
        "/{place_id:uuid}/resources",
        opt={"permission": PLACE_MANAGE},
        summary="新增可预约资源",
        description="为阵地新增可预约资源及其预约规则。",
        summary_en="Add a bookable resource",
        description_en="Adds a bookable resource with its booking rules.",
    )
    async def add_resource(
        self, request: Request[Any, Any, State], place_id: PlaceId, data: JSONBody[S.ResourceCreate]
    ) -> Response[S.Resource]:
        async with _db(request).transaction():
            row = await services.add_resource(_env(request), _principal(request), place_id, data)
        return Response(services.to_resource(row), status_code=201)

    @patch(
        "/resources/{resource_id:uuid}",
        opt={"permission": PLACE_MANAGE},
        summary="修改资源及预约规则",
        description="修改资源及其预约规则。",
        summary_en="Change a resource and its booking rules",
        description_en="Changes a resource and its booking rules.",
    )
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
        description="资源在给定时间段内的空余时段或空余床位。",
        summary_en="Availability (by slot or night)",
        description_en="A resource's free slots or nights over a period.",
    )
    async def resource_availability(
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

    @post(
        "/resources/{resource_id:uuid}/bookings",
        opt=SELF,
        summary="预约（本人或以组织名义）",
        description="为本人或以组织名义预约资源。",
        summary_en="Book (for oneself or an org)",
        description_en="Books a resource for oneself or on behalf of an org.",
    )
    async def book_resource(
        self, request: Request[Any, Any, State], resource_id: ResourceId, data: JSONBody[S.BookingCreate]
    ) -> Response[S.Booking]:
        """Book slots (``starts_at``/``ends_at``) or nights (``first_night``/``nights``). A resource
        needing approval answers ``pending`` with the process id; others ``confirmed`` with a check-in code."""
        env = _env(request)
        async with _db(request).transaction():
            row = await bookings.book(env, _principal(request), resource_id, data)
        return Response(bookings.to_booking(row, secret=env.secret), status_code=201)

    @get(
        "/{place_id:uuid}/bookings",
        opt={"permission": BOOKING_MANAGE},
        summary="阵地的预约（管理者）",
        description="阵地资源的预约，供管理者查看。",
        summary_en="A place's bookings (managers)",
        description_en="The bookings of a place's resources, for its managers.",
    )
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
        description="凭预约的签到码在阵地签到。",
        summary_en="Check in at a place with a check-in code",
        description_en="Checks in at a place with a booking's check-in code (the same format as events').",
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
        "/{place_id:uuid}/usage",
        opt={"policy": "visible"},
        summary="阵地使用情况（预约、签到、床位使用率）",
        description="阵地在给定期间的预约数、签到数与床位使用率。",
        summary_en="Usage of a place (bookings, check-ins, bed occupancy)",
        description_en="A place's bookings, check-ins and bed occupancy over a period.",
    )
    async def place_usage(
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

    @get(
        "/{booking_id:uuid}",
        opt=SELF,
        summary="预约详情（本人或管理者）",
        description="一条预约，本人或阵地管理者可见。",
        summary_en="One booking (booker or manager)",
        description_en="One booking, for its booker or the place's managers.",
    )
    async def get_booking(self, request: Request[Any, Any, State], booking_id: BookingId) -> S.Booking:
        """The booker sees the check-in code of a confirmed booking; managers see the booking without it."""
        env = _env(request)
        principal = _principal(request)
        row = await bookings.readable(principal, booking_id)
        return bookings.to_booking(row, secret=env.secret if bookings.is_own(principal, row) else None)

    @post(
        "/{booking_id:uuid}/cancel",
        opt=SELF,
        status_code=200,
        summary="取消预约",
        description="取消本人的预约，或由管理者取消。",
        summary_en="Cancel a booking",
        description_en="Cancels a booking: its booker, or a manager.",
    )
    async def cancel_booking(self, request: Request[Any, Any, State], booking_id: BookingId) -> S.Booking:
        """Frees the booking's units (those not yet past); a pending booking's approval is withdrawn."""
        env = _env(request)
        async with _db(request).transaction():
            row = await bookings.cancel(env, _principal(request), booking_id)
        return bookings.to_booking(row)

    @post(
        "/{booking_id:uuid}/no-show",
        opt={"permission": BOOKING_MANAGE},
        status_code=200,
        summary="登记未到",
        description="管理者登记预约者未到场。",
        summary_en="Record a no-show",
        description_en="A manager records that the booker did not come.",
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

    @get(
        "/",
        opt=SELF,
        summary="我的预约",
        description="本人的预约。",
        summary_en="My bookings",
        description_en="The caller's bookings.",
    )
    async def my_bookings(self, request: Request[Any, Any, State], page: PageParam) -> Page[S.Booking]:
        env = _env(request)
        principal = _principal(request)
        rows, cursor = await bookings.my_bookings(principal, page)
        return Page(items=[bookings.to_booking(r, secret=env.secret) for r in rows], next_cursor=cursor)


ROUTES = [PlaceController, BookingController, MyBookingController]
__all__ = ["ROUTES", "BookingController", "MyBookingController", "PlaceController"]
