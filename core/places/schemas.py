"""Request and response bodies of places, resources and bookings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=5000)]
Address = Annotated[str, msgspec.Meta(max_length=300)]
RegionCode = Annotated[str, msgspec.Meta(pattern=r"^(\d{2,12})?$", description="行政区划代码, e.g. 330106")]
KindCode = Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
ServiceCode = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Clock = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]
Weekday = Annotated[int, msgspec.Meta(ge=1, le=7)]
Purpose = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Comment = Annotated[str, msgspec.Meta(max_length=2000)]
ResourceKind = Literal["room", "bed", "desk", "equipment"]
BookingMode = Literal["slot", "night"]
Who = Literal["members", "signed_in"]
BookingStatus = Literal["pending", "confirmed", "checked_in", "no_show", "cancelled", "rejected"]
PlaceStatus = Literal["active", "closed"]


class Hours(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Opening hours on some weekdays (1 = Monday … 7 = Sunday): ``opens`` to ``closes``, local time."""

    days: Annotated[list[Weekday], msgspec.Meta(min_length=1, max_length=7)]
    opens: Clock
    closes: Clock


class HoursException(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A dated exception (a holiday): closed all day, or open at other hours."""

    date: date
    closed: bool = True
    opens: Clock | None = None
    closes: Clock | None = None
    note: Annotated[str, msgspec.Meta(max_length=100)] = ""


class ContactIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    phone: Annotated[str, msgspec.Meta(min_length=3, max_length=40)]


class Contact(msgspec.Struct, kw_only=True):
    name: str
    #: Masked (``138****8000``) unless the caller may see it in full.
    phone: str


class PlaceCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new place of ``org_id`` (needs ``core.place.manage`` there). ``kind`` is a declared place kind
    (``GET /api/v1/places/kinds``)."""

    kind: KindCode
    org_id: UUID
    name: Name
    description: Description = ""
    address: Address = ""
    region_code: RegionCode = ""
    lat: Latitude | None = None
    lon: Longitude | None = None
    opening_hours: Annotated[list[Hours], msgspec.Meta(max_length=14)] = []
    hours_exceptions: Annotated[list[HoursException], msgspec.Meta(max_length=400)] = []
    services: Annotated[list[ServiceCode], msgspec.Meta(max_length=40)] = []
    contacts: Annotated[list[ContactIn], msgspec.Meta(max_length=10)] = []
    public: bool = True


class PlaceUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields to change (send ``If-Match`` with the place's ETag); absent fields stay as they are."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    address: Address | msgspec.UnsetType = msgspec.UNSET
    region_code: RegionCode | msgspec.UnsetType = msgspec.UNSET
    lat: Latitude | msgspec.UnsetType | None = msgspec.UNSET
    lon: Longitude | msgspec.UnsetType | None = msgspec.UNSET
    opening_hours: Annotated[list[Hours], msgspec.Meta(max_length=14)] | msgspec.UnsetType = msgspec.UNSET
    hours_exceptions: Annotated[list[HoursException], msgspec.Meta(max_length=400)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    services: Annotated[list[ServiceCode], msgspec.Meta(max_length=40)] | msgspec.UnsetType = msgspec.UNSET
    contacts: Annotated[list[ContactIn], msgspec.Meta(max_length=10)] | msgspec.UnsetType = msgspec.UNSET
    public: bool | msgspec.UnsetType = msgspec.UNSET
    status: PlaceStatus | msgspec.UnsetType = msgspec.UNSET


class Share(msgspec.Struct, kw_only=True):
    org_id: UUID
    org_name: str
    purposes: list[str]


class ShareIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A partner org that may use the place, and for what (``booking``: its members and cadres may book
    resources whose rule is ``members``; ``events``: it may hold events there)."""

    org_id: UUID
    purposes: Annotated[list[Purpose], msgspec.Meta(min_length=1, max_length=10)] = msgspec.field(
        default_factory=lambda: ["booking"]
    )


class SharesUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The full list of partner orgs (replaces the current one)."""

    shares: Annotated[list[ShareIn], msgspec.Meta(max_length=100)]


class Place(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    kind_name: str
    org_id: UUID
    name: str
    description: str
    address: str
    region_code: str
    lat: float | None
    lon: float | None
    #: Metres from the point asked for ("near me" lists only).
    distance_m: float | None
    services: list[str]
    opening_hours: list[Hours]
    hours_exceptions: list[HoursException]
    contacts: list[Contact]
    public: bool
    status: str
    version: int
    shares: list[Share] | None = None


class DayHours(msgspec.Struct, kw_only=True):
    date: date
    closed: bool
    #: ``[["08:30", "12:00"], ["14:00", "17:30"]]``; empty when closed.
    periods: list[list[str]]
    note: str = ""


class PlaceKindInfo(msgspec.Struct, kw_only=True):
    code: str
    plugin: str
    name: dict[str, str]
    org_kinds: list[str]
    services: list[dict[str, Any]]


class ResourceCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A bookable resource. ``capacity`` units may be booked at once (10 beds; 1 room). ``mode`` ``slot``
    books intervals on a grid of ``slot_minutes`` (rooms, desks, equipment); ``night`` books nights (beds)."""

    kind: ResourceKind
    name: Name
    description: Description = ""
    capacity: Annotated[int, msgspec.Meta(ge=1, le=500)] = 1
    seats: Annotated[int, msgspec.Meta(ge=1, le=10000)] | None = None
    mode: BookingMode | None = None
    slot_minutes: Literal[15, 30, 60] = 30
    who: Who = "members"
    max_nights_per_year: Annotated[int, msgspec.Meta(ge=1, le=366)] | None = None
    lead_hours: Annotated[int, msgspec.Meta(ge=0, le=720)] = 0
    horizon_days: Annotated[int, msgspec.Meta(ge=1, le=366)] = 90
    max_hours: Annotated[int, msgspec.Meta(ge=1, le=24)] = 8
    approval: bool = False


class ResourceUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Rules to change; ``capacity`` may grow (or shrink to what no future booking holds), the grid stays."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    capacity: Annotated[int, msgspec.Meta(ge=1, le=500)] | msgspec.UnsetType = msgspec.UNSET
    seats: Annotated[int, msgspec.Meta(ge=1, le=10000)] | msgspec.UnsetType | None = msgspec.UNSET
    who: Who | msgspec.UnsetType = msgspec.UNSET
    max_nights_per_year: Annotated[int, msgspec.Meta(ge=1, le=366)] | msgspec.UnsetType | None = msgspec.UNSET
    lead_hours: Annotated[int, msgspec.Meta(ge=0, le=720)] | msgspec.UnsetType = msgspec.UNSET
    horizon_days: Annotated[int, msgspec.Meta(ge=1, le=366)] | msgspec.UnsetType = msgspec.UNSET
    max_hours: Annotated[int, msgspec.Meta(ge=1, le=24)] | msgspec.UnsetType = msgspec.UNSET
    approval: bool | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "retired"] | msgspec.UnsetType = msgspec.UNSET


class Resource(msgspec.Struct, kw_only=True):
    id: UUID
    place_id: UUID
    kind: str
    name: str
    description: str
    capacity: int
    seats: int | None
    mode: str
    slot_minutes: int
    who: str
    max_nights_per_year: int | None
    lead_hours: int
    horizon_days: int
    max_hours: int
    approval: bool
    status: str


class SlotFree(msgspec.Struct, kw_only=True):
    #: The slot's start (slots) or the night's date at local midnight (nights).
    starts_at: datetime
    free: int


class Availability(msgspec.Struct, kw_only=True):
    resource_id: UUID
    capacity: int
    mode: str
    slots: list[SlotFree]


class BookingCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A booking for the caller's person, or with ``org_id`` for an org (needs ``core.booking.org`` there).

    Slots: ``starts_at``/``ends_at`` on the resource's grid. Nights: ``first_night`` and ``nights``.
    """

    org_id: UUID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    first_night: date | None = None
    nights: Annotated[int, msgspec.Meta(ge=1, le=31)] = 1
    attendees: Annotated[int, msgspec.Meta(ge=1, le=10000)] = 1
    purpose: Annotated[str, msgspec.Meta(max_length=500)] = ""


class Booking(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: UUID
    resource_id: UUID
    place_id: UUID
    status: str
    mode: str
    starts_at: datetime
    ends_at: datetime
    first_night: date | None = None
    nights: int = 0
    attendees: int = 1
    person_id: UUID | None = None
    org_id: UUID | None = None
    purpose: str = ""
    process_id: UUID | None = None
    created_at: datetime | None = None
    checked_in_at: datetime | None = None
    #: The signed code the guest shows at the desk (confirmed bookings, to the booker only).
    checkin_code: str | None = None


class BookingCheckIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Annotated[str, msgspec.Meta(min_length=10, max_length=64)]


class CheckInResult(msgspec.Struct, kw_only=True):
    outcome: Literal["recorded", "already_checked_in"]
    booking: Booking


class UsageFigures(msgspec.Struct, kw_only=True):
    place_id: UUID
    since: date
    until: date
    bookings: dict[str, int]
    #: Units booked × slots or nights (what was held) and what was offered, per resource mode.
    unit_nights_booked: int
    unit_nights_offered: int
    occupancy_nights: float | None
    unit_hours_booked: float
    checked_in: int
    no_shows: int
