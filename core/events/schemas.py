"""Request and response bodies of events, registrations, check-ins and feedback."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

#: ``public``: everyone; ``members``: active members of the lead organizer's whole subtree (a 团县委 event
#: reaches the 团员 of its branches); ``members_direct``: members of the lead organizer itself only;
#: ``subtree``: cadres reading events within reach (and those registered or invited).
Visibility = Literal["public", "members", "members_direct", "subtree"]
Eligibility = Literal["public", "members", "invited"]
EventStatus = Literal["draft", "published", "cancelled", "finished"]
RegistrationStatus = Literal["confirmed", "waitlisted", "cancelled"]
#: ``code``: the person's code scanned by the organizer; ``manual``: by registration; ``batch``: uploaded
#: from a venue later; ``venue``: the person scanned the venue code themselves.
CheckInMethod = Literal["code", "manual", "batch", "venue"]

#: RFC 3339 date-time with an offset (a time without a zone is refused).
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Description = Annotated[str, msgspec.Meta(max_length=20000)]
Place = Annotated[str, msgspec.Meta(max_length=300)]
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=32)]
Capacity = Annotated[int, msgspec.Meta(ge=1, le=1_000_000)]
TimeZoneName = Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
TypeCode = Annotated[str, msgspec.Meta(min_length=3, max_length=64)]


class EventCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new event (created as a draft). ``org_id`` leads; ``co_organizer_ids`` make it a joint event."""

    type: TypeCode
    title: Title
    org_id: UUID
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    description: Description = ""
    co_organizer_ids: Annotated[list[UUID], msgspec.Meta(max_length=20)] = []
    place: Place = ""
    #: A bookable resource (room) of a place to reserve for the event's time, booked for ``org_id``.
    resource_id: UUID | None = None
    #: IANA zone of the event (default: the platform's, Asia/Shanghai).
    timezone: TimeZoneName | None = None
    registration_opens_at: AwareDatetime | None = None
    registration_closes_at: AwareDatetime | None = None
    #: Places; null for unlimited.
    capacity: Capacity | None = None
    #: Whether registrations beyond capacity join a waitlist.
    waitlist: bool = True
    eligibility: Eligibility = "public"
    #: For ``members``: whose subtree's members may register (default the lead organizer).
    eligibility_org_id: UUID | None = None
    #: For ``invited``: the persons invited.
    invitee_ids: Annotated[list[UUID], msgspec.Meta(max_length=5000)] = []
    visibility: Visibility = "public"
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] = []
    #: Fields of the event type (validated against the type's ``details``).
    details: dict[str, Any] = {}


class EventUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A change to an event; absent fields stay as they are. Send ``If-Match`` with the ETag."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    co_organizer_ids: Annotated[list[UUID], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    place: Place | msgspec.UnsetType = msgspec.UNSET
    #: Reserve this resource instead (its booking moves); null releases the room.
    resource_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    starts_at: AwareDatetime | msgspec.UnsetType = msgspec.UNSET
    ends_at: AwareDatetime | msgspec.UnsetType = msgspec.UNSET
    timezone: TimeZoneName | msgspec.UnsetType = msgspec.UNSET
    registration_opens_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    registration_closes_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    capacity: Capacity | msgspec.UnsetType | None = msgspec.UNSET
    waitlist: bool | msgspec.UnsetType = msgspec.UNSET
    eligibility: Eligibility | msgspec.UnsetType = msgspec.UNSET
    eligibility_org_id: UUID | msgspec.UnsetType | None = msgspec.UNSET
    invitee_ids: Annotated[list[UUID], msgspec.Meta(max_length=5000)] | msgspec.UnsetType = msgspec.UNSET
    visibility: Visibility | msgspec.UnsetType = msgspec.UNSET
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    details: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET


class Event(msgspec.Struct, kw_only=True):
    """An event (活动). Times carry the offset of the event's time zone."""

    id: UUID
    type: str
    title: str
    description: str
    org_id: UUID
    organizer_ids: list[UUID]
    place: str
    #: The room reserved for the event, and its booking (null when none).
    resource_id: UUID | None
    booking_id: UUID | None
    starts_at: datetime
    ends_at: datetime
    timezone: str
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    capacity: int | None
    confirmed_count: int
    waitlisted_count: int
    #: Places still free (null when unlimited).
    places_left: int | None
    waitlist: bool
    eligibility: Eligibility
    eligibility_org_id: UUID | None
    visibility: Visibility
    status: EventStatus
    tags: list[str]
    details: dict[str, Any]
    version: int
    created_at: datetime
    updated_at: datetime


class PublicEvent(msgspec.Struct, kw_only=True):
    """What anyone may read of a public event (portal feeds link here): no counts of persons, no ids
    of anything but the event and its lead organizer. Times carry the offset of the event's zone."""

    id: UUID
    type: str
    title: str
    description: str
    org_id: UUID
    org_name: str
    place: str
    starts_at: datetime
    ends_at: datetime
    timezone: str
    status: EventStatus
    #: Places still free (null when unlimited).
    places_left: int | None
    tags: list[str]


class MyRegistration(msgspec.Struct, kw_only=True, omit_defaults=True):
    """The caller's own registration for an event, as ``/events/mine`` lists it."""

    id: UUID
    status: RegistrationStatus
    #: QR-friendly signed code to show at check-in (while confirmed).
    checkin_code: str | None = None
    #: When the person was checked in (absent until then).
    checked_in_at: datetime | None = None


class MyEvent(Event, kw_only=True):
    """An event the caller is registered for, with that registration."""

    registration: MyRegistration


class RegistrationCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Register yourself (no body or ``{}``), or — with ``core.registration.manage`` — another person."""

    person_id: UUID | None = None


class Registration(msgspec.Struct, kw_only=True, omit_defaults=True):
    id: UUID
    event_id: UUID
    person_id: UUID
    status: RegistrationStatus
    #: Place in the waitlist (1 = next to be promoted); only while waitlisted.
    waitlist_position: int | None = None
    registered_at: datetime
    confirmed_at: datetime | None = None
    cancelled_at: datetime | None = None
    #: QR-friendly signed code for check-in (shown to the person and to organizers, while confirmed).
    checkin_code: str | None = None


class CheckInCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Check one attendee in: by the code they show, or (``manual``) by registration id."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    registration_id: UUID | None = None
    checked_in_at: AwareDatetime | None = None


class CheckIn(msgspec.Struct, kw_only=True):
    id: UUID
    event_id: UUID
    registration_id: UUID
    person_id: UUID
    method: CheckInMethod
    checked_in_at: datetime


class VenueCode(msgspec.Struct, kw_only=True):
    """A signed, time-limited code to show at the venue (as a QR code); attendees scan it to check in."""

    event_id: UUID
    #: QR-friendly (``[A-Z2-7]``); valid until ``expires_at``. Show a fresh one before it expires.
    code: str
    expires_at: datetime
    #: When attendees may check themselves in: from an hour before the start to the end.
    checkin_opens_at: datetime
    checkin_closes_at: datetime


class VenueCheckIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Check yourself in with the venue code you scanned."""

    code: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class BatchCheckInRow(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    code: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    #: When the attendee was scanned at the venue (default: now).
    checked_in_at: AwareDatetime | None = None


class BatchCheckInUpload(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Codes scanned offline at a venue; uploading the same batch again changes nothing."""

    items: Annotated[list[BatchCheckInRow], msgspec.Meta(min_length=1, max_length=2000)]


BatchOutcome = Literal["recorded", "already_checked_in", "invalid_code", "not_confirmed"]


class BatchCheckInResult(msgspec.Struct, kw_only=True, omit_defaults=True):
    index: int
    outcome: BatchOutcome
    registration_id: UUID | None = None


class BatchCheckInReport(msgspec.Struct, kw_only=True):
    recorded: int
    already_checked_in: int
    rejected: int
    items: list[BatchCheckInResult]


class Attendance(msgspec.Struct, kw_only=True):
    """Attendance figures of one event."""

    event_id: UUID
    capacity: int | None
    confirmed: int
    waitlisted: int
    cancelled: int
    checked_in: int
    #: checked_in / confirmed (null when nobody is confirmed).
    attendance_rate: float | None


class FeedbackCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)]
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class Feedback(msgspec.Struct, kw_only=True):
    id: UUID
    event_id: UUID
    person_id: UUID
    rating: int
    comment: str
    created_at: datetime


class RatingSummary(msgspec.Struct, kw_only=True):
    """Aggregated ratings (群众评议) of one event."""

    event_id: UUID
    count: int
    average: float | None
    #: How many gave 1, 2, 3, 4 and 5.
    distribution: dict[str, int]


class OrgRating(msgspec.Struct, kw_only=True):
    """Aggregated ratings of the events an org organized (jointly or alone)."""

    org_id: UUID
    events: int
    count: int
    average: float | None


class CalendarLink(msgspec.Struct, kw_only=True):
    """A private iCalendar subscription address for the caller's own events."""

    url: str
