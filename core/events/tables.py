"""Tables of events (活动): the event, its organizers and invitees, registrations, check-ins, feedback."""

from __future__ import annotations

import uuid

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    ForeignKey,
    Integer,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.identity.tables import Person
from core.orgs.paths import PATH_LENGTH
from core.orgs.tables import Org


class Event(Table, tablename="core_event"):
    """An event (活动) organized by one org or jointly by several; listed by ``(starts_at, id)``."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: An event type code registered by the core or a plugin, e.g. ``union.labour_competition``.
    type = Varchar(length=64, index=True)
    title = Varchar(length=200)
    description = Text(default="")
    #: The lead organizer; joint organizers are in core_event_organizer (the lead too).
    org = ForeignKey(references=Org, index=True)
    #: The lead organizer's path ("C" collation on PostgreSQL), placing the event's signals in the tree.
    org_path = Varchar(length=PATH_LENGTH, index=True)
    #: Every organizer's id, in order, lead first: lists show them without a join.
    organizer_ids = JSON(default=[])
    #: Every organizer's path, in the same order: access checks on one event read no other table.
    organizer_paths = JSON(default=[])
    place = Varchar(length=300, default="")
    #: A bookable resource (room) of a place the event reserves for its time, and the booking holding it
    #: (see core.events.rooms); null when the event books nothing.
    room_resource = UUID(null=True, default=None)
    room_booking = UUID(null=True, default=None)
    #: Stored in UTC; shown in ``timezone``.
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    #: IANA zone the event happens in (Asia/Shanghai by default).
    timezone = Varchar(length=64)
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    #: Places; null means unlimited.
    capacity = Integer(null=True, default=None)
    #: Confirmed registrations; only ever changed by conditional UPDATEs (see core.events.registrations).
    confirmed_count = Integer(default=0)
    waitlisted_count = Integer(default=0)
    #: Whether registrations beyond capacity join a waitlist (else they are refused).
    waitlist = Boolean(default=True)
    #: Next waitlist ticket; waitlisted registrations are promoted in ticket order.
    waitlist_seq = Integer(default=0)
    #: Who may register: public, members (of eligibility_org's subtree), invited.
    eligibility = Varchar(length=16, default="public")
    #: For ``members``: the org whose subtree's members may register (the lead organizer by default).
    eligibility_org = ForeignKey(references=Org, null=True, default=None)
    eligibility_org_path = Varchar(length=PATH_LENGTH, null=True, default=None)
    #: Who may see it: public (every caller), members, subtree (callers reaching an organizer).
    visibility = Varchar(length=16, default="public")
    #: draft, published, cancelled, finished.
    status = Varchar(length=16, default="draft", index=True)
    tags = JSON(default=[])
    #: Type-specific fields, validated against the event type's ``details`` Struct.
    details = JSON(default={})
    #: Lower-case, simplified-script title, place and tags, for text search (工會 finds 工会).
    search_text = Text(default="")
    #: Bumped on every change; the ETag.
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class EventOrganizer(Table, tablename="core_event_organizer"):
    """One organizing org of an event (joint events have several); the subtree filter reads this."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    event = ForeignKey(references=Event, index=True)
    org = ForeignKey(references=Org, index=True)
    #: The org's path ("C" collation on PostgreSQL); indexed with the event for subtree lists.
    org_path = Varchar(length=PATH_LENGTH)
    lead = Boolean(default=False)


class EventInvitee(Table, tablename="core_event_invitee"):
    """A person invited to an event whose eligibility is ``invited``."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    event = ForeignKey(references=Event, index=True)
    person = ForeignKey(references=Person, index=True)


class Registration(Table, tablename="core_registration"):
    """A person's registration (报名) for an event: confirmed, waitlisted or cancelled.

    One row per (event, person): registering again after cancelling reuses it.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    event = ForeignKey(references=Event, index=True)
    person = ForeignKey(references=Person, index=True)
    #: confirmed, waitlisted, cancelled.
    status = Varchar(length=16, index=True)
    #: Waitlist ticket (from core_event.waitlist_seq); promotion goes in ticket order.
    waitlist_ticket = Integer(null=True, default=None)
    #: The account or API client that registered (the person, or a cadre on their behalf).
    registered_by = UUID()
    registered_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class CheckIn(Table, tablename="core_checkin"):
    """An attendance (签到): at most one per registration, so recording it twice changes nothing."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    registration = ForeignKey(references=Registration, unique=True)
    event = ForeignKey(references=Event, index=True)
    person = ForeignKey(references=Person, index=True)
    #: code (scanned), manual (by the organizer) or batch (uploaded later from a venue).
    method = Varchar(length=16)
    checked_in_at = Timestamptz()
    recorded_by = UUID()
    recorded_at = Timestamptz(default=TimestamptzNow())


class Feedback(Table, tablename="core_feedback"):
    """An attendee's rating (1–5) and comment after an event: the masses' evaluation (群众评议)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    event = ForeignKey(references=Event, index=True)
    person = ForeignKey(references=Person, index=True)
    rating = SmallInt()
    comment = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
