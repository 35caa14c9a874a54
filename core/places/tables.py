"""Tables of places (阵地), their shares, services, bookable resources and bookings.

The owner org's path is copied onto places and bookings ("C" collation on PostgreSQL), so the lists of a
subtree are range scans; an org move rewrites the copies (``quntuan_org_path_columns``). A booking holds
one :class:`BookingClaim` per unit of time it occupies — a night of a bed, a slot of a room — under a
unique key ``(resource, slot, unit)``: two bookings can never hold the same unit, whatever the
concurrency, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import uuid

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.identity.tables import Person
from core.orgs.paths import PATH_LENGTH
from core.orgs.tables import Org


class Place(Table, tablename="core_place"):
    """A service point of an org: an address, a point on the map, opening hours, services, contacts."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: A place kind code declared by the core or a plugin, e.g. ``union.workers_home``.
    kind = Varchar(length=64)
    org = ForeignKey(references=Org, index=True)
    org_path = Varchar(length=PATH_LENGTH)
    name = Varchar(length=200)
    description = Text(default="")
    address = Varchar(length=300, default="")
    #: The administrative division code (6 digits, or 9/12 for township/village), prefix-searchable.
    region_code = Varchar(length=12, default="")
    #: WGS-84 latitude and longitude; null when the place has no point on the map.
    lat = DoublePrecision(null=True, default=None)
    lon = DoublePrecision(null=True, default=None)
    #: Weekly hours: ``[{"days": [1..7], "opens": "08:30", "closes": "17:30"}]`` (ISO weekdays).
    opening_hours = JSON(default=[])
    #: Dated exceptions (holidays): ``[{"date": "2026-10-01", "closed": true, "note": "国庆"}]``.
    hours_exceptions = JSON(default=[])
    #: Contacts with their phones masked (what the public sees).
    contacts = JSON(default=[])
    #: The contacts' phones in clear, as JSON, encrypted (vault field ``place_contacts``).
    contacts_enc = Text(null=True, default=None)
    #: Listed publicly (portal, map) when true.
    public = Boolean(default=True)
    #: active, closed.
    status = Varchar(length=16, default="active")
    created_by = UUID(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PlaceService(Table, tablename="core_place_service"):
    """One service a place offers (a row each, so "places offering legal aid" is an index lookup)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    place = ForeignKey(references=Place, index=True)
    service = Varchar(length=40)


class PlaceShare(Table, tablename="core_place_share"):
    """A partner org that may use the place (一室多用), and for what: ``booking``, ``events``…"""

    id = UUID(primary_key=True, default=uuid.uuid4)
    place = ForeignKey(references=Place, index=True)
    org = ForeignKey(references=Org)
    org_path = Varchar(length=PATH_LENGTH)
    purposes = JSON(default=["booking"])
    created_at = Timestamptz(default=TimestamptzNow())


class Resource(Table, tablename="core_place_resource"):
    """Something bookable in a place: a room, the beds of a dormitory, desks, equipment.

    ``capacity`` identical units may be booked at once (10 beds; 1 room). ``mode`` ``slot`` books
    intervals on a grid of ``slot_minutes``; ``night`` books nights. The rules: who may book, how many
    nights a person may take a year, how far ahead (``lead_hours`` at least, ``horizon_days`` at most),
    the longest slot booking, and whether a booking needs approval (a process).
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    place = ForeignKey(references=Place, index=True)
    #: room, bed, desk, equipment.
    kind = Varchar(length=16)
    name = Varchar(length=200)
    description = Text(default="")
    capacity = Integer(default=1)
    #: Seats of a room (the most attendees a booking may name); null when not relevant.
    seats = Integer(null=True, default=None)
    #: slot, night.
    mode = Varchar(length=8)
    slot_minutes = Integer(default=30)
    #: members (of the owner org's or a sharing org's subtree), signed_in (anyone with a person).
    who = Varchar(length=16, default="members")
    max_nights_per_year = Integer(null=True, default=None)
    lead_hours = Integer(default=0)
    horizon_days = Integer(default=90)
    max_hours = Integer(default=8)
    approval = Boolean(default=False)
    #: active, retired.
    status = Varchar(length=16, default="active")
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class Booking(Table, tablename="core_booking"):
    """A booking of a resource by a person (for themself) or by an org, for slots or nights."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    resource = ForeignKey(references=Resource, index=True)
    place = ForeignKey(references=Place)
    #: The place owner's org path (who manages the booking).
    org_path = Varchar(length=PATH_LENGTH)
    #: The person the booking is for (self bookings), or null for an org's booking.
    person = ForeignKey(references=Person, null=True, default=None, index=True)
    #: The org booking (a cadre's booking on its behalf), or null.
    booking_org = ForeignKey(references=Org, null=True, default=None)
    booked_by = UUID()
    #: pending (awaits approval), confirmed, checked_in, no_show, cancelled, rejected.
    status = Varchar(length=16)
    mode = Varchar(length=8)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    #: For nights: the first night and how many (the quota counts these).
    first_night = Date(null=True, default=None)
    nights = Integer(default=0)
    attendees = Integer(default=1)
    purpose = Text(default="")
    #: The approval process (``core.place_booking``) when the resource needs approval.
    process = UUID(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    checked_in_at = Timestamptz(null=True, default=None)


class BookingClaim(Table, tablename="core_booking_claim"):
    """One unit of one slot held by a booking. Unique on ``(resource, slot, unit)``.

    ``slot`` is the night's day number (days since 1970-01-01) for nights, or the slot's start in minutes
    since 1970-01-01 UTC for slots; ``unit`` is 0 … capacity − 1 (which bed, which desk).
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    resource = UUID()
    slot = Integer()
    unit = Integer()
    booking = UUID(index=True)


class BookingQuota(Table, tablename="core_booking_quota"):
    """Nights a person holds on a resource in a year: the ``max_nights_per_year`` rule, kept exact by a
    conditional update on this row (unique ``(resource, person, year)``)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    resource = UUID()
    person = ForeignKey(references=Person, index=True)
    year = Integer()
    nights = Integer(default=0)
