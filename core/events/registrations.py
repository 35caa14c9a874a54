"""Registration (报名) with exact capacity, a waitlist promoted in order, and cancellation.

Capacity is never checked by reading and then writing. A place is taken by one conditional UPDATE —
``confirmed_count = confirmed_count + 1 WHERE confirmed_count < capacity`` — which PostgreSQL evaluates
under the row lock (a concurrent writer re-checks the condition after the first commits) and SQLite runs
under the app's write lock. Whatever the concurrency, at most ``capacity`` registrations are confirmed.

A cancelled confirmed registration frees its place inside the same transaction that fills it from the
waitlist (lowest ticket first), so a place never stays free while someone waits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from core.events import problems
from core.events.checkin_codes import checkin_code
from core.events.permissions import REGISTRATION_MANAGE
from core.events.schemas import MyEvent, MyRegistration
from core.events.schemas import Registration as RegistrationOut
from core.events.services import is_invited, is_member, load_event, reaches_any, to_event, utc
from core.events.signals import (
    REGISTRATION_CANCELLED,
    REGISTRATION_CONFIRMED,
    REGISTRATION_PROMOTED,
    REGISTRATION_WAITLISTED,
    RegistrationSignal,
)
from core.events.tables import CheckIn, Event, Registration
from core.identity import audit
from core.identity.persons import today, visible_sql
from core.integration.signals import SignalType, emit
from core.kernel.access import Principal
from core.kernel.db import fetch
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate

REGISTRATION_COLUMNS = [
    Registration.id,
    Registration.event,
    Registration.person,
    Registration.status,
    Registration.waitlist_ticket,
    Registration.registered_at,
    Registration.confirmed_at,
    Registration.cancelled_at,
]


# Registering is the contended write: its statements are SQL texts written once (``core.kernel.db.fetch`` runs
# them as prepared statements on the transaction's connection), not Piccolo queries built per request.
_TAKE_PLACE = (
    "UPDATE core_event SET confirmed_count = confirmed_count + 1 "
    "WHERE id = {} AND (capacity IS NULL OR confirmed_count < capacity) RETURNING confirmed_count"
)
_WAITLIST_TICKET = (
    "UPDATE core_event SET waitlist_seq = waitlist_seq + 1, waitlisted_count = waitlisted_count + 1 "
    "WHERE id = {} RETURNING waitlist_seq, waitlisted_count"
)
_EXISTING = "SELECT id, status FROM core_registration WHERE event = {} AND person = {} LIMIT 1"
#: The person registered by someone else must be visible to them (core.identity.persons.visible_sql,
#: spliced in); their earlier registration comes in the same trip.
_PERSON_AND_EXISTING = (
    "SELECT EXISTS(SELECT 1 FROM core_person p LEFT JOIN core_org h ON h.id = p.home_org"
    " WHERE p.id = {{}} AND {visible}) AS person_found, r.id, r.status"
    " FROM (SELECT 1) AS one LEFT JOIN core_registration r ON r.event = {{}} AND r.person = {{}}"
)
_INSERT = (
    "INSERT INTO core_registration (id, event, person, status, waitlist_ticket, registered_by,"
    " registered_at, confirmed_at, cancelled_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})"
)
_REUSE = (
    "UPDATE core_registration SET status = {}, waitlist_ticket = {}, registered_by = {}, registered_at = {},"
    " confirmed_at = {}, cancelled_at = {}, updated_at = {} WHERE id = {} AND status = 'cancelled' RETURNING id"
)
_AHEAD = (
    "SELECT count(*) AS ahead FROM core_registration"
    " WHERE event = {} AND status = 'waitlisted' AND waitlist_ticket < {}"
)


async def _take_place(event_id: UUID) -> bool:
    """Take one confirmed place if one is free: the single conditional UPDATE capacity rests on."""
    return bool(await fetch(Event, _TAKE_PLACE, (event_id,)))


async def _release_place(event_id: UUID) -> None:
    await Event.raw(
        "UPDATE core_event SET confirmed_count = confirmed_count - 1 WHERE id = {} AND confirmed_count > 0",
        event_id,
    ).run()


async def _waitlist_ticket(event_id: UUID) -> tuple[int, int]:
    """A ticket at the end of the waitlist, and the place in line it gives (the new waitlist length)."""
    rows = await fetch(Event, _WAITLIST_TICKET, (event_id,))
    return int(rows[0]["waitlist_seq"]), int(rows[0]["waitlisted_count"])


async def _leave_waitlist(event_id: UUID) -> None:
    await Event.raw(
        "UPDATE core_event SET waitlisted_count = waitlisted_count - 1 WHERE id = {} AND waitlisted_count > 0",
        event_id,
    ).run()


async def waitlist_position(event_id: UUID, ticket: int) -> int:
    rows = await fetch(Registration, _AHEAD, (event_id, ticket))
    return int(rows[0]["ahead"]) + 1


async def to_registration(
    row: dict[str, Any], secret: str, *, with_code: bool, with_position: bool = True
) -> RegistrationOut:
    """The API form; the waitlist position costs a count, so lists leave it out."""
    position = row.get("waitlist_position")
    if position is None and with_position and row["status"] == "waitlisted" and row["waitlist_ticket"]:
        position = await waitlist_position(row["event"], row["waitlist_ticket"])
    return RegistrationOut(
        id=row["id"],
        event_id=row["event"],
        person_id=row["person"],
        status=row["status"],
        waitlist_position=position,
        registered_at=utc(row["registered_at"]),
        confirmed_at=row["confirmed_at"] and utc(row["confirmed_at"]),
        cancelled_at=row["cancelled_at"] and utc(row["cancelled_at"]),
        checkin_code=checkin_code(secret, row["id"]) if with_code and row["status"] == "confirmed" else None,
    )


async def my_events(person_id: UUID, rows: list[dict[str, Any]], secret: str) -> list[MyEvent]:
    """Events of ``/events/mine`` with the person's registration for each (its id, status, check-in
    code and check-in time): two queries for the whole page."""
    if not rows:
        return []
    registrations = await (
        Registration.select(Registration.id, Registration.event, Registration.status)
        .where((Registration.person == person_id) & Registration.event.is_in([r["id"] for r in rows]))
        .run()
    )
    ids = [r["id"] for r in registrations]
    checked = (
        await CheckIn.select(CheckIn.registration, CheckIn.checked_in_at)
        .where(CheckIn.registration.is_in(ids))
        .run()
    )
    checked_at = {c["registration"]: utc(c["checked_in_at"]) for c in checked}
    mine = {
        r["event"]: MyRegistration(
            id=r["id"],
            status=r["status"],
            checkin_code=checkin_code(secret, r["id"]) if r["status"] == "confirmed" else None,
            checked_in_at=checked_at.get(r["id"]),
        )
        for r in registrations
    }
    out = []
    for row in rows:
        event = to_event(row)
        fields = {f: getattr(event, f) for f in event.__struct_fields__}
        out.append(MyEvent(**fields, registration=mine[row["id"]]))
    return out


async def _emit(signal: SignalType, row: dict[str, Any], org_path: str) -> None:
    """The signal and the audit entry (seen by the event's organizer and the person's orgs)."""
    await audit.record(
        signal.name,
        resource_type="registration",
        resource_id=row["id"],
        org_path=org_path,
        org_paths=await audit.paths_of_persons([row["person"]]),
        changes={"event": row["event"], "person": row["person"], "status": row["status"]},
    )
    await emit(
        signal,
        RegistrationSignal(
            event_id=row["event"], registration_id=row["id"], person_id=row["person"], status=row["status"]
        ),
        resource_type="registration",
        resource_id=row["id"],
        org_path=org_path,
    )


async def _check_open(event: dict[str, Any], now: datetime) -> None:
    if event["status"] != "published":
        raise Problem(problems.REGISTRATION_CLOSED)
    opens, closes = event["registration_opens_at"], event["registration_closes_at"]
    if opens is not None and now < utc(opens):
        raise Problem(problems.REGISTRATION_CLOSED)
    if closes is not None and now >= utc(closes):
        raise Problem(problems.REGISTRATION_CLOSED)
    if closes is None and now >= utc(event["ends_at"]):
        raise Problem(problems.REGISTRATION_CLOSED)


async def _check_eligible(event: dict[str, Any], person_id: UUID) -> None:
    if event["eligibility"] == "members":
        if not await is_member(person_id, event["eligibility_org_path"] or event["org_path"]):
            raise Problem(problems.NOT_ELIGIBLE)
    elif event["eligibility"] == "invited" and not await is_invited(event["id"], person_id):
        raise Problem(problems.NOT_ELIGIBLE)


async def register(
    principal: Principal, event_id: UUID, person_id: UUID | None, *, timezone: str
) -> tuple[dict[str, Any], str]:
    """Register a person (oneself by default); returns the registration row and the event's org path.

    Must run inside a write transaction. Refusals: ``registration-closed``, ``registration-ineligible``,
    ``event-full`` (no waitlist) and ``already-registered`` (409). Registering someone else needs
    ``core.registration.manage`` over an organizer, and a person visible under that reach: any other id
    answers 404 exactly like an id that names nobody.
    """
    event, paths = await load_event(principal, event_id)
    if person_id is None or person_id == principal.person_id:
        if principal.person_id is None:
            raise Problem(problems.NO_PERSON)
        person_id = principal.person_id
        rows = await fetch(Registration, _EXISTING, (event_id, person_id))
        existing = rows[0] if rows else None
    elif not reaches_any(principal, REGISTRATION_MANAGE, paths):
        raise Problem("forbidden")
    else:
        args: list[Any] = [person_id]
        visible = visible_sql(principal.reach(REGISTRATION_MANAGE), today(timezone), args)
        if visible is None:
            raise Problem("not-found")
        args.extend((event_id, person_id))
        found = (await fetch(Registration, _PERSON_AND_EXISTING.format(visible=visible), args))[0]
        if not found["person_found"]:
            raise Problem("not-found")
        existing = found if found["id"] is not None else None
    now = datetime.now(UTC)
    await _check_open(event, now)
    await _check_eligible(event, person_id)
    if existing is not None and existing["status"] != "cancelled":
        raise Problem(problems.ALREADY_REGISTERED)

    position: int | None = None
    if await _take_place(event_id):
        status, ticket = "confirmed", None
    elif event["waitlist"]:
        status = "waitlisted"
        ticket, position = await _waitlist_ticket(event_id)
    else:
        raise Problem(problems.EVENT_FULL)

    confirmed_at = now if status == "confirmed" else None
    if existing is None:
        # A racing duplicate fails on the unique (event, person) index and rolls back its place.
        registration_id = uuid4()
        await fetch(
            Registration,
            _INSERT,
            (
                registration_id,
                event_id,
                person_id,
                status,
                ticket,
                principal.id,
                now,
                confirmed_at,
                None,
                now,
            ),
        )
    else:
        registration_id = existing["id"]
        reused = await fetch(
            Registration,
            _REUSE,
            (status, ticket, principal.id, now, confirmed_at, None, now, registration_id),
        )
        if not reused:
            raise Problem(problems.ALREADY_REGISTERED)
    row = {
        "id": registration_id,
        "event": event_id,
        "person": person_id,
        "status": status,
        "waitlist_ticket": ticket,
        "registered_by": principal.id,
        "registered_at": now,
        "confirmed_at": confirmed_at,
        "cancelled_at": None,
        "updated_at": now,
        "waitlist_position": position,
    }
    await _emit(
        REGISTRATION_CONFIRMED if status == "confirmed" else REGISTRATION_WAITLISTED, row, event["org_path"]
    )
    return row, event["org_path"]


async def fill_from_waitlist(event_id: UUID) -> list[dict[str, Any]]:
    """Promote waitlisted registrations, lowest ticket first, while places are free (in the transaction)."""
    org_path = (await Event.select(Event.org_path).where(Event.id == event_id).first().run() or {}).get(
        "org_path"
    )
    promoted: list[dict[str, Any]] = []
    while True:
        candidate = (
            await Registration.select(Registration.id)
            .where((Registration.event == event_id) & (Registration.status == "waitlisted"))
            .order_by(Registration.waitlist_ticket)
            .first()
            .run()
        )
        if candidate is None or not await _take_place(event_id):
            return promoted
        now = datetime.now(UTC)
        moved = (
            await Registration.update(
                {
                    Registration.status: "confirmed",
                    Registration.confirmed_at: now,
                    Registration.updated_at: now,
                }
            )
            .where((Registration.id == candidate["id"]) & (Registration.status == "waitlisted"))
            .returning(Registration.id)
            .run()
        )
        if not moved:  # cancelled meanwhile: give the place back and look again
            await _release_place(event_id)
            continue
        await _leave_waitlist(event_id)
        row = (
            await Registration.select(*REGISTRATION_COLUMNS)
            .where(Registration.id == candidate["id"])
            .first()
            .run()
        )
        assert row is not None
        await _emit(REGISTRATION_PROMOTED, row, org_path or "")
        promoted.append(row)


async def load_registration(
    principal: Principal, event_id: UUID, registration_id: UUID
) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """The registration, its event, and whether the caller manages it (else it must be their own; 404)."""
    event, paths = await load_event(principal, event_id)
    row = (
        await Registration.select(*REGISTRATION_COLUMNS)
        .where((Registration.id == registration_id) & (Registration.event == event_id))
        .first()
        .run()
    )
    if row is None:
        raise Problem("not-found")
    manages = reaches_any(principal, REGISTRATION_MANAGE, paths)
    if not manages and (principal.person_id is None or row["person"] != principal.person_id):
        raise Problem("not-found")
    return row, event, manages


async def cancel(
    principal: Principal, event_id: UUID, registration_id: UUID
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Cancel a registration (one's own, or any with manage reach); a freed place goes to the waitlist."""
    _, event, _ = await load_registration(principal, event_id, registration_id)
    now = datetime.now(UTC)
    changes = {Registration.status: "cancelled", Registration.cancelled_at: now, Registration.updated_at: now}
    promoted: list[dict[str, Any]] = []
    was_confirmed = (
        await Registration.update(changes)
        .where((Registration.id == registration_id) & (Registration.status == "confirmed"))
        .returning(Registration.id)
        .run()
    )
    if was_confirmed:
        await _release_place(event_id)
        if event["status"] == "published":
            promoted = await fill_from_waitlist(event_id)
    else:
        was_waitlisted = (
            await Registration.update(changes)
            .where((Registration.id == registration_id) & (Registration.status == "waitlisted"))
            .returning(Registration.id)
            .run()
        )
        if not was_waitlisted:
            raise Problem(problems.REGISTRATION_NOT_ACTIVE)
        await _leave_waitlist(event_id)
    new = (
        await Registration.select(*REGISTRATION_COLUMNS)
        .where(Registration.id == registration_id)
        .first()
        .run()
    )
    assert new is not None
    await _emit(REGISTRATION_CANCELLED, new, event["org_path"])
    return new, promoted


async def list_registrations(
    principal: Principal, event_id: UUID, status: str | None, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """An event's registrations for those who manage them, in registration order."""
    _, paths = await load_event(principal, event_id)
    if not reaches_any(principal, REGISTRATION_MANAGE, paths):
        raise Problem("forbidden")
    clause: Any = Registration.event == event_id
    if status is not None:
        clause = clause & (Registration.status == status)
    query = Registration.select(*REGISTRATION_COLUMNS).where(clause)
    return await paginate(query, [Registration.registered_at, Registration.id], page)
