"""Events (活动): create, read, list, change and move through draft → published → cancelled/finished.

Who sees an event: every authenticated caller sees published public events; callers whose
``core.event.read`` reach covers an organizer also see ``members``/``subtree`` events; callers whose
``core.event.manage`` reach covers an organizer see drafts and may change the event. A person also sees
the events they registered for or were invited to. Anything else answers 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from core.events import problems
from core.events.permissions import EVENT_MANAGE, EVENT_READ
from core.events.schemas import Event as EventOut
from core.events.schemas import EventCreate, EventUpdate
from core.events.signals import (
    EVENT_CANCELLED,
    EVENT_CREATED,
    EVENT_FINISHED,
    EVENT_PUBLISHED,
    EVENT_UPDATED,
    EventSignal,
)
from core.events.tables import Event, EventInvitee, EventOrganizer, Registration
from core.identity import audit
from core.identity.persons import visible_among
from core.integration.signals import SignalType, emit
from core.kernel import preconditions
from core.kernel.access import Principal, Reach, reach_clause, reach_sql, subtree_bounds, within
from core.kernel.db import fetch, one_connection
from core.kernel.declarations import EventType
from core.kernel.errors import FieldError, Problem, field_error_from_message
from core.kernel.i18n import to_simplified
from core.kernel.pagination import PageRequest, cursor_values, page_of
from core.kernel.settings import Locale
from core.members.tables import Membership
from core.orgs.paths import ancestor_paths
from core.orgs.permissions import ORG_READ
from core.orgs.tables import Org

#: Columns an event's JSON is made of: the list reads exactly these, from one table.
EVENT_COLUMNS = [
    Event.id,
    Event.type,
    Event.title,
    Event.description,
    Event.org,
    Event.org_path,
    Event.organizer_ids,
    Event.organizer_paths,
    Event.place,
    Event.room_resource,
    Event.room_booking,
    Event.starts_at,
    Event.ends_at,
    Event.timezone,
    Event.registration_opens_at,
    Event.registration_closes_at,
    Event.capacity,
    Event.confirmed_count,
    Event.waitlisted_count,
    Event.waitlist,
    Event.eligibility,
    Event.eligibility_org,
    Event.eligibility_org_path,
    Event.visibility,
    Event.status,
    Event.tags,
    Event.details,
    Event.version,
    Event.created_at,
    Event.updated_at,
]


#: Column names are the table's own; every value is a bound parameter.
_SELECT_EVENTS = "SELECT {} FROM core_event WHERE ".format(  # noqa: S608
    ", ".join(c._meta.db_column_name for c in EVENT_COLUMNS)
)


# --- conversions ----------------------------------------------------------------------------------------


def utc(value: datetime) -> datetime:
    """Aware datetimes are stored in UTC (SQLite compares them as text)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    if value is None:
        return None
    return (value if value.tzinfo is not None else value.replace(tzinfo=UTC)).astimezone(zone)


def _utc(value: datetime) -> datetime:
    """A stored UTC time as shown: as read when aware (PostgreSQL), marked UTC when naive (SQLite)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


_UUID_LIST = msgspec.json.Decoder(list[UUID])


def _uuids(value: Any) -> list[UUID]:
    """A JSON list of UUID strings, as stored (text on both backends) or already decoded."""
    if isinstance(value, str | bytes):
        return _UUID_LIST.decode(value)
    return [UUID(str(o)) for o in value]


def to_event(row: Mapping[str, Any]) -> EventOut:
    """A row of :data:`EVENT_COLUMNS` as the API shows it, times in the event's own zone."""
    zone = ZoneInfo(row["timezone"])
    capacity = row["capacity"]
    return EventOut(
        id=row["id"],
        type=row["type"],
        title=row["title"],
        description=row["description"],
        org_id=row["org"],
        organizer_ids=_uuids(row["organizer_ids"]),
        place=row["place"],
        resource_id=row["room_resource"],
        booking_id=row["room_booking"],
        starts_at=_local(row["starts_at"], zone),  # type: ignore[arg-type]
        ends_at=_local(row["ends_at"], zone),  # type: ignore[arg-type]
        timezone=row["timezone"],
        registration_opens_at=_local(row["registration_opens_at"], zone),
        registration_closes_at=_local(row["registration_closes_at"], zone),
        capacity=capacity,
        confirmed_count=row["confirmed_count"],
        waitlisted_count=row["waitlisted_count"],
        places_left=None if capacity is None else max(capacity - row["confirmed_count"], 0),
        waitlist=row["waitlist"],
        eligibility=row["eligibility"],
        eligibility_org_id=row["eligibility_org"],
        visibility=row["visibility"],
        status=row["status"],
        tags=list(_json(row["tags"])),
        details=dict(_json(row["details"])),
        version=row["version"],
        created_at=_utc(row["created_at"]),
        updated_at=_utc(row["updated_at"]),
    )


etag = preconditions.version_etag


def search_text(title: str, place: str, tags: Sequence[str]) -> str:
    """Lower-case, simplified-script text the ``q`` filter matches (so 工會 finds 工会)."""
    return to_simplified(" ".join([title, place, *tags])).lower()


def signal_payload(row: dict[str, Any]) -> EventSignal:
    return EventSignal(
        event_id=row["id"], type=row["type"], org_id=row["org"], status=row["status"], version=row["version"]
    )


async def emit_event(
    signal: SignalType,
    row: dict[str, Any],
    fields: Sequence[str] = (),
    invitees: Sequence[UUID] = (),
) -> None:
    """The signal and the audit entry of an event's change (``fields``: what a change set), seen by every
    organizer, the eligibility org and the orgs of the persons invited by it."""
    await audit.record(
        signal.name,
        resource_type="event",
        resource_id=row["id"],
        org_path=row["org_path"],
        org_paths=[
            *organizer_paths(row),
            row["eligibility_org_path"],
            *(await audit.paths_of_persons(invitees) if invitees else ()),
        ],
        changes={"status": row["status"], "version": row["version"], "fields": sorted(fields)},
    )
    await emit(
        signal, signal_payload(row), resource_type="event", resource_id=row["id"], org_path=row["org_path"]
    )


# --- access ---------------------------------------------------------------------------------------------


def organized_within(reaches: Sequence[Reach]) -> Any | None:
    """Events with an organizer inside ``reaches``, as SQL (None: no reach, so nothing).

    The lead organizer's path is on the event row itself, so the common case is a filter on the row being
    scanned; only co-organizers of joint events need the organizer table, and those rows are few.
    """
    lead = reach_clause(Event.org_path, reaches)
    if lead is None:
        return None
    co = reach_clause(EventOrganizer.org_path, reaches)
    co_organizers = EventOrganizer.select(EventOrganizer.event).where(EventOrganizer.lead.eq(False) & co)
    joint = Event.id.is_in(co_organizers)
    return lead | joint


def organizer_paths(row: dict[str, Any]) -> list[str]:
    """The organizers' paths of an event row (lead first)."""
    return [str(p) for p in _json(row["organizer_paths"])]


def reaches_any(principal: Principal, permission: str, paths: Sequence[str]) -> bool:
    reaches = principal.reach(permission)
    return any(within(p, reaches) for p in paths)


async def is_member(person_id: UUID, org_path: str, *, direct: bool = False) -> bool:
    """Whether the person holds an active membership of an org in the subtree at ``org_path`` (with
    ``direct``, of the org at ``org_path`` itself)."""

    if direct:
        where = Membership.org.path == org_path
    else:
        low, high = subtree_bounds(org_path)
        where = (Membership.org.path >= low) & (Membership.org.path < high)
    row = (
        await Membership.select(Membership.id)
        .where((Membership.person == person_id) & (Membership.status == "active") & where)
        .first()
        .run()
    )
    return row is not None


async def is_invited(event_id: UUID, person_id: UUID) -> bool:
    return (
        await EventInvitee.exists()
        .where((EventInvitee.event == event_id) & (EventInvitee.person == person_id))
        .run()
    )


async def _involved(event_id: UUID, person_id: UUID | None) -> bool:
    if person_id is None:
        return False
    registered = (
        await Registration.exists()
        .where((Registration.event == event_id) & (Registration.person == person_id))
        .run()
    )
    return registered or await is_invited(event_id, person_id)


async def load_event(principal: Principal, event_id: UUID) -> tuple[dict[str, Any], list[str]]:
    """The event row and its organizers' paths, if the principal may see it; else 404."""
    rows = await fetch(Event, _SELECT_EVENTS + "id = {}", (event_id,))
    if not rows:
        raise Problem("not-found")
    row = dict(rows[0])  # callers may change their copy
    paths = organizer_paths(row)
    if reaches_any(principal, EVENT_MANAGE, paths):
        return row, paths
    if row["status"] != "draft":
        if row["visibility"] == "public" or reaches_any(principal, EVENT_READ, paths):
            return row, paths
        person = principal.person_id
        members = row["visibility"] in ("members", "members_direct")
        direct = row["visibility"] == "members_direct"
        if members and person is not None and await is_member(person, row["org_path"], direct=direct):
            return row, paths
        if await _involved(event_id, person):
            return row, paths
    raise Problem("not-found")


async def load_managed_event(
    principal: Principal, event_id: UUID, permission: str = EVENT_MANAGE
) -> tuple[dict[str, Any], list[str]]:
    """The event, when the principal holds ``permission`` over one of its organizers (403 if only visible)."""
    row, paths = await load_event(principal, event_id)
    if not reaches_any(principal, permission, paths):
        raise Problem("forbidden")
    return row, paths


# --- validation -----------------------------------------------------------------------------------------


def check_details(event_type: EventType, details: dict[str, Any], locale: Locale) -> dict[str, Any]:
    """Validate ``details`` against the type's Struct; returns them normalised (defaults filled)."""
    if event_type.details is None:
        if details:
            raise Problem.invalid(("/details/" + next(iter(details)), "unknown_field"), locale=locale)
        return {}
    try:
        value = msgspec.convert(details, type=event_type.details, strict=True)
    except msgspec.ValidationError as exc:
        error = field_error_from_message(str(exc), locale)
        pointer = "/details" + (error.pointer if error.pointer != "/" else "")
        raise Problem.invalid(
            FieldError(pointer=pointer, code=error.code, message=error.message), locale=locale
        ) from None
    return msgspec.to_builtins(value)  # type: ignore[no-any-return]


def _zone(name: str, locale: Locale) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Problem.invalid(("/timezone", "invalid"), locale=locale) from None
    return name


def _check_times(values: dict[str, Any], locale: Locale) -> None:
    if values["ends_at"] < values["starts_at"]:
        raise Problem.invalid(("/ends_at", "invalid"), locale=locale)
    opens, closes = values["registration_opens_at"], values["registration_closes_at"]
    if opens is not None and closes is not None and closes < opens:
        raise Problem.invalid(("/registration_closes_at", "invalid"), locale=locale)


async def _org_paths(org_ids: Sequence[UUID]) -> dict[UUID, str]:
    if not org_ids:
        return {}
    rows = await Org.select(Org.id, Org.path).where(Org.id.is_in(list(org_ids))).run()
    return {r["id"]: r["path"] for r in rows}


def _nameable(principal: Principal) -> list[Reach]:
    """Where the orgs a cadre may name on an event lie: within their event-manage or org-read reach.
    An org outside is refused exactly like an id that names no org (no existence oracle)."""
    return [*principal.reach(EVENT_MANAGE), *principal.reach(ORG_READ)]


async def _check_persons(
    principal: Principal,
    person_ids: Sequence[UUID],
    locale: Locale,
    timezone: str,
    already: Sequence[UUID] = (),
) -> None:
    """Invitees must be persons visible to the caller under their event-manage reach (those invited
    already may stay): any other id is refused exactly like one that names nobody."""
    wanted = set(person_ids) - set(already)
    if not wanted:
        return
    seen = await visible_among(principal, EVENT_MANAGE, list(wanted), timezone)
    if seen != wanted:
        raise Problem.invalid(("/invitee_ids", "invalid"), locale=locale)


async def _invitees(event_id: UUID) -> list[UUID]:
    rows = await EventInvitee.select(EventInvitee.person).where(EventInvitee.event == event_id).run()
    return [r["person"] for r in rows]


async def _replace_organizers(event_id: UUID, lead: UUID, organizers: dict[UUID, str]) -> None:
    await EventOrganizer.delete().where(EventOrganizer.event == event_id).run()
    await EventOrganizer.insert(
        *[
            EventOrganizer(id=uuid4(), event=event_id, org=org_id, org_path=path, lead=org_id == lead)
            for org_id, path in organizers.items()
        ]
    ).run()


async def _replace_invitees(event_id: UUID, person_ids: Sequence[UUID]) -> None:
    await EventInvitee.delete().where(EventInvitee.event == event_id).run()
    unique = list(dict.fromkeys(person_ids))
    if unique:
        await EventInvitee.insert(
            *[EventInvitee(id=uuid4(), event=event_id, person=pid) for pid in unique]
        ).run()


async def _organizers(
    principal: Principal, lead: UUID, co: Sequence[UUID], locale: Locale, already: Sequence[UUID] = ()
) -> dict[UUID, str]:
    """The organizers' paths, lead first. The lead must be an org the caller manages events of (403 for
    any other id, existing or not); a co-organizer must be an org the caller may name (see
    :func:`_nameable`) or one organizing already, else 422 exactly as for an id that names no org."""
    ids = list(dict.fromkeys([lead, *co]))
    paths = await _org_paths(ids)
    if lead not in paths or not (lead in already or within(paths[lead], principal.reach(EVENT_MANAGE))):
        raise Problem("forbidden")
    nameable = _nameable(principal)
    for org_id in ids:
        if org_id not in paths or not (org_id in already or within(paths[org_id], nameable)):
            raise Problem.invalid(("/co_organizer_ids", "invalid"), locale=locale)
    return {org_id: paths[org_id] for org_id in ids}


async def _eligibility_path(
    principal: Principal, org_id: UUID, locale: Locale, already: UUID | None = None
) -> str:
    """The path of the org whose members may register: one the caller may name, or the lead's."""
    found = await _org_paths([org_id])
    if org_id not in found or not (org_id == already or within(found[org_id], _nameable(principal))):
        raise Problem.invalid(("/eligibility_org_id", "invalid"), locale=locale)
    return found[org_id]


# --- writes (each inside the caller's transaction) -------------------------------------------------------


async def create_event(
    principal: Principal,
    data: EventCreate,
    *,
    event_types: dict[str, EventType],
    default_timezone: str,
    locale: Locale,
    event_id: UUID | None = None,
    state: Any = None,
) -> dict[str, Any]:
    """Create a draft event organized by ``org_id`` (and co-organizers); needs manage reach over the lead.

    ``event_id`` lets a caller that must be reproducible (the demo seeder) choose the id; otherwise random.
    With ``resource_id`` the room is booked for the event's time (:mod:`core.events.rooms`; the app
    ``state`` gives the places' booking service what it needs).
    """
    event_type = event_types.get(data.type)
    if event_type is None:
        raise Problem(problems.UNKNOWN_EVENT_TYPE, type=data.type)
    details = check_details(event_type, data.details, locale)
    zone = _zone(data.timezone or default_timezone, locale)
    organizers = await _organizers(principal, data.org_id, data.co_organizer_ids, locale)
    eligibility_org, eligibility_path = None, None
    if data.eligibility == "members":
        eligibility_org = data.eligibility_org_id or data.org_id
        eligibility_path = await _eligibility_path(principal, eligibility_org, locale, already=data.org_id)
    await _check_persons(principal, data.invitee_ids, locale, default_timezone)
    values: dict[str, Any] = {
        "starts_at": utc(data.starts_at),
        "ends_at": utc(data.ends_at),
        "registration_opens_at": utc(data.registration_opens_at) if data.registration_opens_at else None,
        "registration_closes_at": utc(data.registration_closes_at) if data.registration_closes_at else None,
    }
    _check_times(values, locale)
    booking_id = None
    if data.resource_id is not None:
        from core.events import rooms

        booking_id = await rooms.reserve(
            state,
            principal,
            data.resource_id,
            org_id=data.org_id,
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            title=data.title,
            locale=locale,
        )
    now = datetime.now(UTC)
    event_id = event_id or uuid4()
    await Event.insert(
        Event(
            id=event_id,
            type=data.type,
            title=data.title,
            description=data.description,
            org=data.org_id,
            org_path=organizers[data.org_id],
            organizer_ids=[str(o) for o in organizers],
            organizer_paths=list(organizers.values()),
            place=data.place,
            room_resource=data.resource_id,
            room_booking=booking_id,
            timezone=zone,
            capacity=data.capacity,
            waitlist=data.waitlist,
            eligibility=data.eligibility,
            eligibility_org=eligibility_org,
            eligibility_org_path=eligibility_path,
            visibility=data.visibility,
            status="draft",
            tags=list(dict.fromkeys(data.tags)),
            details=details,
            search_text=search_text(data.title, data.place, data.tags),
            created_at=now,
            updated_at=now,
            **values,
        )
    ).run()
    await _replace_organizers(event_id, data.org_id, organizers)
    await _replace_invitees(event_id, data.invitee_ids)
    row = await Event.select(*EVENT_COLUMNS).where(Event.id == event_id).first().run()
    assert row is not None
    given = [f for f in data.__struct_fields__ if getattr(data, f) not in (None, [], {})]
    await emit_event(EVENT_CREATED, row, given, data.invitee_ids)
    return row


async def update_event(
    principal: Principal,
    event_id: UUID,
    data: EventUpdate,
    *,
    if_match: str | None,
    event_types: dict[str, EventType],
    locale: Locale,
    state: Any = None,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Apply a change under ``If-Match``; returns the new row and any registrations promoted by it.

    A new time or ``resource_id`` moves the room's booking: the old one is cancelled and the room booked
    anew for the new time (a conflict refuses the whole change, 409)."""
    from core.events.registrations import fill_from_waitlist

    if if_match is None:
        raise Problem("precondition-required")
    row, _ = await load_managed_event(principal, event_id)
    preconditions.check_if_match(etag(row["version"]), if_match)
    if row["status"] in ("cancelled", "finished"):
        raise Problem(problems.EVENT_NOT_EDITABLE)
    changes: dict[Any, Any] = {}
    given = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
    merged = {
        "starts_at": utc(row["starts_at"]),
        "ends_at": utc(row["ends_at"]),
        "registration_opens_at": row["registration_opens_at"] and utc(row["registration_opens_at"]),
        "registration_closes_at": row["registration_closes_at"] and utc(row["registration_closes_at"]),
    }
    for name in merged:
        if name in given:
            merged[name] = utc(given[name]) if given[name] is not None else None
            changes[getattr(Event, name)] = merged[name]
    _check_times(merged, locale)
    for name in ("title", "description", "place", "waitlist", "visibility"):
        if name in given:
            changes[getattr(Event, name)] = given[name]
    if "timezone" in given:
        changes[Event.timezone] = _zone(given["timezone"], locale)
    if "details" in given:
        changes[Event.details] = check_details(event_types[row["type"]], given["details"], locale)
    if "tags" in given:
        changes[Event.tags] = list(dict.fromkeys(given["tags"]))
    tags = given.get("tags", _json(row["tags"]))
    changes[Event.search_text] = search_text(
        given.get("title", row["title"]), given.get("place", row["place"]), tags
    )
    eligibility = given.get("eligibility", row["eligibility"])
    if "eligibility" in given or "eligibility_org_id" in given:
        changes[Event.eligibility] = eligibility
        org_id = given.get("eligibility_org_id", row["eligibility_org"]) or row["org"]
        if eligibility == "members":
            kept = row["eligibility_org"] if org_id == row["eligibility_org"] else row["org"]
            changes[Event.eligibility_org] = org_id
            changes[Event.eligibility_org_path] = await _eligibility_path(principal, org_id, locale, kept)
        else:
            changes[Event.eligibility_org] = None
            changes[Event.eligibility_org_path] = None
    if "co_organizer_ids" in given:
        organizers = await _organizers(
            principal, row["org"], given["co_organizer_ids"], locale, already=_uuids(row["organizer_ids"])
        )
        changes[Event.organizer_ids] = [str(o) for o in organizers]
        changes[Event.organizer_paths] = list(organizers.values())
    if "invitee_ids" in given:
        await _check_persons(
            principal, given["invitee_ids"], locale, row["timezone"], await _invitees(event_id)
        )
    resource = given.get("resource_id", row["room_resource"])
    moved = "starts_at" in given or "ends_at" in given
    if resource != row["room_resource"] or (moved and resource is not None):
        from core.events import rooms

        await rooms.release(state, principal, row["room_booking"], locale=locale)
        booking = None
        if resource is not None:
            booking = await rooms.reserve(
                state,
                principal,
                resource,
                org_id=row["org"],
                starts_at=merged["starts_at"],
                ends_at=merged["ends_at"],
                title=given.get("title", row["title"]),
                locale=locale,
            )
        changes[Event.room_resource] = resource
        changes[Event.room_booking] = booking
    where: Any = (Event.id == event_id) & (Event.version == row["version"])
    if "capacity" in given:
        changes[Event.capacity] = given["capacity"]
        if given["capacity"] is not None:
            # Conditional on the live count: a registration racing this change cannot overbook.
            where = where & (Event.confirmed_count <= given["capacity"])
    changes[Event.version] = row["version"] + 1
    changes[Event.updated_at] = datetime.now(UTC)
    updated = await Event.update(changes).where(where).returning(Event.id).run()
    if not updated:
        current = (
            await Event.select(Event.version, Event.confirmed_count).where(Event.id == event_id).first().run()
        )
        if current is not None and current["version"] == row["version"]:
            raise Problem.invalid(("/capacity", "too_small"), locale=locale)
        raise Problem("precondition-failed")
    if "co_organizer_ids" in given:
        await _replace_organizers(event_id, row["org"], organizers)
    if "invitee_ids" in given:
        await _replace_invitees(event_id, given["invitee_ids"])
    promoted: list[dict[str, Any]] = []
    if "capacity" in given and row["status"] == "published":
        promoted = await fill_from_waitlist(event_id)
    new = await Event.select(*EVENT_COLUMNS).where(Event.id == event_id).first().run()
    assert new is not None
    await emit_event(EVENT_UPDATED, new, sorted(given), given.get("invitee_ids", ()))
    return new, promoted


_TRANSITIONS: dict[str, tuple[tuple[str, ...], SignalType]] = {
    "published": (("draft",), EVENT_PUBLISHED),
    "cancelled": (("draft", "published"), EVENT_CANCELLED),
    "finished": (("published",), EVENT_FINISHED),
}


async def change_status(
    principal: Principal, event_id: UUID, status: str, *, state: Any = None, locale: Locale = "zh-Hans"
) -> dict[str, Any]:
    """Publish, cancel or finish an event (a conditional update on the current status); cancelling
    releases the room the event reserved."""
    allowed, signal = _TRANSITIONS[status]
    row, _ = await load_managed_event(principal, event_id)
    if status == "finished" and datetime.now(UTC) < utc(row["starts_at"]):
        raise Problem.invalid(("/starts_at", problems.NOT_STARTED), locale=locale)
    updated = (
        await Event.update(
            {Event.status: status, Event.version: Event.version + 1, Event.updated_at: datetime.now(UTC)}
        )
        .where((Event.id == event_id) & Event.status.is_in(list(allowed)))
        .returning(Event.id)
        .run()
    )
    if not updated:
        raise Problem(problems.EVENT_STATE, status=row["status"])
    if status == "cancelled" and row["room_booking"] is not None:
        from core.events import rooms

        await rooms.release(state, principal, row["room_booking"], locale=locale)
    new = await Event.select(*EVENT_COLUMNS).where(Event.id == event_id).first().run()
    assert new is not None
    await emit_event(signal, new)
    return new


# --- lists ---------------------------------------------------------------------------------------------


class EventFilters(msgspec.Struct, kw_only=True):
    #: Only events organized by this org (resolved to its path in the same round trip as memberships).
    org: UUID | None = None
    org_path: str | None = None
    subtree: bool = True
    type: str | None = None
    status: str | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    q: str | None = None


_LIST_KEY = (Event.starts_at, Event.id)


class MemberOf(msgspec.Struct, frozen=True):
    """The orgs whose members-only events a person may see."""

    #: Every ancestor of their active memberships (a member of a union group is a member of every org
    #: above it): ``members`` events organized there.
    subtree: list[str]
    #: The orgs they are active members of themselves: ``members_direct`` events organized there.
    direct: list[str]


async def _list_context(org: UUID | None, person_id: UUID | None) -> tuple[str | None, MemberOf]:
    """In one round trip: the path of the ``org`` filter (404 when absent), and the orgs whose
    members-only events the person may see.
    """
    parts: list[str] = []
    args: list[Any] = []
    if org is not None:
        parts.append("SELECT 'org' AS what, path FROM core_org WHERE id = {}")
        args.append(org)
    if person_id is not None:
        parts.append(
            "SELECT 'member' AS what, o.path AS path FROM core_membership m JOIN core_org o ON o.id = m.org"
            " WHERE m.person = {} AND m.status = 'active'"
        )
        args.append(person_id)
    rows = await fetch(Org, " UNION ALL ".join(parts), args) if parts else []
    org_path = next((str(r["path"]) for r in rows if r["what"] == "org"), None)
    if org is not None and org_path is None:
        raise Problem("not-found")
    direct = sorted({str(r["path"]) for r in rows if r["what"] == "member"})
    subtree = sorted({a for path in direct for a in ancestor_paths(path)})
    return org_path, MemberOf(subtree=subtree, direct=direct)


def _organized_within_sql(reaches: Sequence[Reach], args: list[Any]) -> str | None:
    """:func:`organized_within` as SQL text: the lead organizer on the row, co-organizers by sub-select."""
    lead = reach_sql("org_path", reaches, args)
    if lead is None:
        return None
    args.append(False)
    co = reach_sql("org_path", reaches, args)
    return f"(({lead}) OR id IN (SELECT event FROM core_event_organizer WHERE lead = {{}} AND ({co})))"  # noqa: S608 - placeholders only


def _visible_sql(principal: Principal, member_of: MemberOf, args: list[Any]) -> str:
    """Events the principal may see in lists: published (and later) public events for everyone;
    ``members`` events of the orgs above the person's memberships and ``members_direct`` events of the
    orgs they are members of; any status but draft within the read or manage reach; drafts within the
    manage reach.
    """
    manage = list(principal.reach(EVENT_MANAGE))
    parts = ["(visibility = 'public' AND status <> 'draft')"]
    for visibility, paths in (("members", member_of.subtree), ("members_direct", member_of.direct)):
        if paths:
            args.extend(paths)
            marks = ", ".join("{}" for _ in paths)
            parts.append(f"(visibility = '{visibility}' AND status <> 'draft' AND org_path IN ({marks}))")
    readable = _organized_within_sql([*principal.reach(EVENT_READ), *manage], args)
    if readable is not None:
        parts.append(f"(status <> 'draft' AND {readable})")
    drafts = _organized_within_sql(manage, args)
    if drafts is not None:
        parts.append(f"(status = 'draft' AND {drafts})")
    return "(" + " OR ".join(parts) + ")"


async def visible_sql(principal: Principal, args: list[Any]) -> str:
    """The events the principal may see in lists, as a condition on core_event's own columns (its
    parameters appended to ``args``) — for queries over events other than the list itself."""
    _, member_of = await _list_context(None, principal.person_id)
    return _visible_sql(principal, member_of, args)


async def list_events(
    principal: Principal, filters: EventFilters, page: PageRequest
) -> tuple[list[EventOut], str | None]:
    """The hottest path: one parameterised query on core_event, ordered by (starts_at, id), filtered in SQL.

    Written as SQL text rather than built as a Piccolo query on every call (building cost more than
    PostgreSQL's work); the org filter's path and the caller's memberships come in one round trip before.
    """
    async with one_connection(Event):
        return await _list_events(principal, filters, page)


async def _list_events(
    principal: Principal, filters: EventFilters, page: PageRequest
) -> tuple[list[EventOut], str | None]:
    org_path, member_of = await _list_context(filters.org, principal.person_id)
    org_path = org_path if org_path is not None else filters.org_path
    args: list[Any] = []
    where = [_visible_sql(principal, member_of, args)]
    if org_path is not None:
        organized = _organized_within_sql([Reach(path=org_path, subtree=filters.subtree)], args)
        assert organized is not None  # one reach: never empty
        where.append(organized)
    if filters.type is not None:
        where.append("type = {}")
        args.append(filters.type)
    if filters.status is not None:
        where.append("status = {}")
        args.append(filters.status)
    if filters.starts_from is not None:
        where.append("starts_at >= {}")
        args.append(utc(filters.starts_from))
    if filters.starts_before is not None:
        where.append("starts_at < {}")
        args.append(utc(filters.starts_before))
    if filters.q:
        needle = to_simplified(filters.q).lower().replace("%", "").replace("_", "")
        if needle:
            where.append("search_text LIKE {}")
            args.append(f"%{needle}%")
    if page.after is not None:
        starts_at, event_id = cursor_values(_LIST_KEY, page.after)
        where.append("(starts_at > {} OR (starts_at = {} AND id > {}))")
        args.extend((starts_at, starts_at, event_id))
    args.append(page.limit + 1)
    sql = _SELECT_EVENTS + " AND ".join(where) + " ORDER BY starts_at, id LIMIT {}"
    rows, cursor = page_of(list(await fetch(Event, sql, args)), _LIST_KEY, page)
    return [to_event(r) for r in rows], cursor
