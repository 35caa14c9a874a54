"""Bookings of resources: exact under concurrency, with rules, approval, cancellation, check-in, no-show.

Every unit of time a booking occupies is one :class:`~core.places.tables.BookingClaim` row under the
unique key ``(resource, slot, unit)``, claimed with ``INSERT … ON CONFLICT DO NOTHING RETURNING``. On
PostgreSQL a second insert of a key another open transaction holds waits for it, then conflicts (it
committed) or succeeds (it rolled back); SQLite's writes are serialised. Either way a unit is held by at
most one booking, so a bed is never booked twice for a night, a room's overlapping slots are refused and
no resource is booked beyond its capacity — even when a process dies mid-transaction (its claims roll
back with it). The yearly nights of a person are one counter row updated conditionally
(``nights + n <= limit``), exact the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from core.events.checkin_codes import checkin_code, verify_checkin_code
from core.events.services import is_member
from core.identity import audit
from core.integration.signals import SignalType, emit
from core.kernel.access import Principal, within
from core.kernel.db import fetch
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate
from core.orgs.tables import Org
from core.places import problems
from core.places import schemas as S
from core.places import signals as sig
from core.places.hours import within_hours
from core.places.permissions import BOOKING_FOR_ORG
from core.places.services import Env, day_number, now, sees_bookings, utc
from core.places.tables import Booking, BookingClaim, Place, PlaceShare, Resource

#: Statuses that hold their claims (the units stay taken).
HOLDING = ("pending", "confirmed", "checked_in", "no_show")
#: A guest may check in from this long before the booking starts until it ends.
CHECKIN_EARLY = timedelta(hours=2)

_CLAIM = (
    "INSERT INTO core_booking_claim (id, resource, slot, unit, booking) VALUES ({}, {}, {}, {}, {})"
    " ON CONFLICT (resource, slot, unit) DO NOTHING RETURNING unit"
)
_TAKEN = "SELECT slot, unit FROM core_booking_claim WHERE resource = {} AND slot >= {} AND slot <= {}"
_QUOTA_ROW = (
    "INSERT INTO core_booking_quota (id, resource, person, year, nights) VALUES ({}, {}, {}, {}, 0)"
    " ON CONFLICT (resource, person, year) DO NOTHING"
)
_QUOTA_TAKE = (
    "UPDATE core_booking_quota SET nights = nights + {} WHERE resource = {} AND person = {} AND year = {}"
    " AND nights + {} <= {} RETURNING nights"
)
_QUOTA_USED = "SELECT nights FROM core_booking_quota WHERE resource = {} AND person = {} AND year = {}"
_QUOTA_GIVE = (
    "UPDATE core_booking_quota SET nights = nights - {} WHERE resource = {} AND person = {} AND year = {}"
    " AND nights >= {}"
)


def _minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


#: A night begins with check-in at 14:00 local time and the stay ends at 12:00 the day after the last.
NIGHT_CHECKIN = time(14, 0)
NIGHT_CHECKOUT = time(12, 0)


def night_start(day: date, tz: ZoneInfo, *, checkout: bool = False) -> datetime:
    """When the night of ``day`` begins (check-in), or with ``checkout`` when a stay ending ``day`` ends."""
    return datetime.combine(day, NIGHT_CHECKOUT if checkout else NIGHT_CHECKIN, tz).astimezone(UTC)


def slot_key_now(resource: Mapping[str, Any], tz: ZoneInfo) -> int:
    """The key of the current slot or night: claims from it on are the future."""
    moment = now()
    if resource["mode"] == "night":
        return day_number(moment.astimezone(tz).date())
    return _minutes(moment) // resource["slot_minutes"] * resource["slot_minutes"]


def _slot_keys(resource: Mapping[str, Any], booking: Mapping[str, Any]) -> list[int]:
    if resource["mode"] == "night":
        first = day_number(booking["first_night"])
        return list(range(first, first + booking["nights"]))
    step = resource["slot_minutes"]
    start, end = _minutes(utc(booking["starts_at"])), _minutes(utc(booking["ends_at"]))  # type: ignore[arg-type]
    return list(range(start, end, step))


async def _eligible_paths(place: Mapping[str, Any], purpose: str = "booking") -> list[str]:
    """The owner org's path and those of partner orgs sharing the place for ``purpose``."""
    shares = (
        await PlaceShare.select(PlaceShare.org_path, PlaceShare.purposes)
        .where(PlaceShare.place == place["id"])
        .run()
    )
    from core.places.services import _json

    return [place["org_path"], *(s["org_path"] for s in shares if purpose in (_json(s["purposes"]) or []))]


async def _check_eligible(
    principal: Principal,
    resource: Mapping[str, Any],
    place: Mapping[str, Any],
    org: Mapping[str, Any] | None,
    purpose: str = "booking",
) -> None:
    if org is not None:
        if not within(org["path"], principal.reach(BOOKING_FOR_ORG)):
            raise Problem(problems.NOT_ELIGIBLE)
        if resource["who"] == "signed_in":
            return
        paths = await _eligible_paths(place, purpose)
        if not any(org["path"].startswith(p) for p in paths):
            raise Problem(problems.NOT_ELIGIBLE)
        return
    if resource["who"] == "signed_in":
        return
    for path in await _eligible_paths(place):
        if await is_member(principal.person_id, path):  # type: ignore[arg-type]
            return
    raise Problem(problems.NOT_ELIGIBLE)


def _window_problem(resource: Mapping[str, Any]) -> Problem:
    return Problem(
        problems.OUTSIDE_WINDOW, lead_hours=resource["lead_hours"], horizon_days=resource["horizon_days"]
    )


def _times(
    env: Env, resource: Mapping[str, Any], place: Mapping[str, Any], data: S.BookingCreate
) -> tuple[datetime, datetime, date | None, int]:
    """The booking's interval (and first night, nights), checked against the resource's rules."""
    moment = now()
    locale = env.locale
    if resource["mode"] == "night":
        if data.first_night is None:
            raise Problem.invalid(("/first_night", "required"), locale=locale)
        if data.starts_at is not None or data.ends_at is not None:
            raise Problem.invalid(("/starts_at", "invalid"), locale=locale)
        starts = night_start(data.first_night, env.tz)
        ends = night_start(data.first_night + timedelta(days=data.nights), env.tz, checkout=True)
        first, nights = data.first_night, data.nights
        today = moment.astimezone(env.tz).date()
        if data.first_night < today:
            raise _window_problem(resource)
        if data.first_night > today + timedelta(days=resource["horizon_days"]):
            raise _window_problem(resource)
        if resource["lead_hours"] and starts < moment + timedelta(hours=resource["lead_hours"]):
            raise _window_problem(resource)
        return starts, ends, first, nights
    if data.first_night is not None:
        raise Problem.invalid(("/first_night", "invalid"), locale=locale)
    if data.starts_at is None:
        raise Problem.invalid(("/starts_at", "required"), locale=locale)
    if data.ends_at is None:
        raise Problem.invalid(("/ends_at", "required"), locale=locale)
    if data.starts_at.tzinfo is None:
        raise Problem.invalid(("/starts_at", "invalid"), locale=locale)
    if data.ends_at.tzinfo is None:
        raise Problem.invalid(("/ends_at", "invalid"), locale=locale)
    starts, ends = utc(data.starts_at), utc(data.ends_at)
    assert starts is not None
    assert ends is not None
    step = resource["slot_minutes"]
    for pointer, value in (("/starts_at", starts), ("/ends_at", ends)):
        if value.second or value.microsecond or _minutes(value) % step:
            raise Problem.invalid((pointer, "invalid"), locale=locale)
    if ends <= starts:
        raise Problem.invalid(("/ends_at", "invalid"), locale=locale)
    if ends - starts > timedelta(hours=resource["max_hours"]):
        raise Problem.invalid(("/ends_at", "too_large"), locale=locale)
    if starts < moment + timedelta(hours=resource["lead_hours"]):
        raise _window_problem(resource)
    if starts > moment + timedelta(days=resource["horizon_days"]):
        raise _window_problem(resource)
    from core.places.services import _json

    if not within_hours(
        starts,
        ends,
        env.tz,
        list(_json(place["opening_hours"]) or []),
        list(_json(place["hours_exceptions"]) or []),
    ):
        raise _window_problem(resource)
    return starts, ends, None, 0


async def _take_quota(
    resource: Mapping[str, Any], person: UUID, first: date, nights: int
) -> list[tuple[int, int]]:
    """Count the nights against the person's yearly limit; returns (year, nights) taken (to give back)."""
    limit = resource["max_nights_per_year"]
    per_year: dict[int, int] = {}
    for i in range(nights):
        year = (first + timedelta(days=i)).year
        per_year[year] = per_year.get(year, 0) + 1
    taken = []
    for year, n in sorted(per_year.items()):
        await fetch(Booking, _QUOTA_ROW, [uuid4(), resource["id"], person, year])
        done = await fetch(Booking, _QUOTA_TAKE, [n, resource["id"], person, year, n, limit])
        if not done:
            used = await fetch(Booking, _QUOTA_USED, [resource["id"], person, year])
            raise Problem(
                problems.QUOTA_EXCEEDED, limit=limit, year=year, used=int(used[0]["nights"]) if used else 0
            )
        taken.append((year, n))
    return taken


async def _give_quota(resource_id: UUID, person: UUID, nights_by_year: dict[int, int]) -> None:
    for year, n in nights_by_year.items():
        if n > 0:
            await fetch(Booking, _QUOTA_GIVE, [n, resource_id, person, year, n])


async def _claim(resource: Mapping[str, Any], booking_id: UUID, keys: list[int]) -> None:
    """Hold one unit of every slot (or night) in ``keys``, or raise ``resource-unavailable``.

    Units already taken are read first, so a contender tries only the free ones; the same unit is
    preferred across slots (one bed for the whole stay when it is free).
    """
    capacity = resource["capacity"]
    taken: dict[int, set[int]] = {}
    for r in await fetch(BookingClaim, _TAKEN, [resource["id"], keys[0], keys[-1]]):
        taken.setdefault(int(r["slot"]), set()).add(int(r["unit"]))
    preferred: int | None = None
    for key in keys:
        busy = taken.get(key, set())
        order = [u for u in range(capacity) if u not in busy]
        if preferred is not None and preferred in order:
            order.remove(preferred)
            order.insert(0, preferred)
        for unit in order:
            if await fetch(BookingClaim, _CLAIM, [uuid4(), resource["id"], key, unit, booking_id]):
                preferred = unit
                break
        else:
            raise Problem(problems.UNAVAILABLE, resource=resource["name"])


async def _release(resource: Mapping[str, Any], booking: Mapping[str, Any], from_key: int | None) -> int:
    """Free the booking's claims (those from ``from_key`` on); returns how many nights were freed."""
    args: list[Any] = [booking["id"]]
    where = "booking = {}"
    if from_key is not None:
        where += " AND slot >= {}"
        args.append(from_key)
    freed = await fetch(BookingClaim, f"DELETE FROM core_booking_claim WHERE {where} RETURNING slot", args)  # noqa: S608
    if resource["mode"] == "night" and booking["person"] is not None and resource["max_nights_per_year"]:
        from core.places.services import day_of

        per_year: dict[int, int] = {}
        for r in freed:
            year = day_of(int(r["slot"])).year
            per_year[year] = per_year.get(year, 0) + 1
        await _give_quota(resource["id"], booking["person"], per_year)
    return len(freed)


async def load_resource(resource_id: UUID) -> tuple[dict[str, Any], dict[str, Any]]:
    resource = await Resource.select().where(Resource.id == resource_id).first().run()
    if resource is None:
        raise Problem("not-found")
    place = await Place.select().where(Place.id == resource["place"]).first().run()
    assert place is not None
    return resource, place


def _signal_payload(row: Mapping[str, Any]) -> sig.BookingSignal:
    return sig.BookingSignal(
        booking_id=row["id"],
        place_id=row["place"],
        resource_id=row["resource"],
        status=row["status"],
        starts_at=utc(row["starts_at"]),  # type: ignore[arg-type]
        ends_at=utc(row["ends_at"]),  # type: ignore[arg-type]
    )


async def _announce(
    signal: SignalType, row: Mapping[str, Any], action: str, actor: Any, **changes: Any
) -> None:
    await audit.record(
        f"booking.{action}",
        resource_type="booking",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes={"status": row["status"], "resource_id": str(row["resource"]), **changes},
        actor=actor,
    )
    await emit(
        signal, _signal_payload(row), resource_type="booking", resource_id=row["id"], org_path=row["org_path"]
    )


async def book(
    env: Env, principal: Principal, resource_id: UUID, data: S.BookingCreate, *, share: str = "booking"
) -> dict[str, Any]:
    """Book a resource (inside the caller's write transaction); returns the booking row.

    ``share`` is the purpose a partner org's share must name for the org to book (``events`` for the
    room of an event, :mod:`core.events.rooms`).

    Refusals: 404 (unknown, retired or hidden resource), ``booking-not-eligible``, ``booking-no-person``,
    ``booking-outside-window``, ``booking-quota-exceeded``, ``resource-unavailable`` and 422s.
    """
    resource, place = await load_resource(resource_id)
    if resource["status"] != "active" or place["status"] != "active":
        raise Problem("not-found")
    org = None
    if data.org_id is not None:
        org = await Org.select(Org.id, Org.path, Org.status).where(Org.id == data.org_id).first().run()
        if org is None or org["status"] != "active":
            raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    elif principal.person_id is None:
        raise Problem(problems.NO_PERSON)
    await _check_eligible(principal, resource, place, org, share)
    if resource["seats"] is not None and data.attendees > resource["seats"]:
        raise Problem.invalid(("/attendees", "too_large"), locale=env.locale)
    starts, ends, first, nights = _times(env, resource, place, data)
    person = principal.person_id if org is None else None
    approval = bool(resource["approval"])
    if approval and principal.person_id is None:
        raise Problem(problems.NO_PERSON)
    moment = now()
    row: dict[str, Any] = {
        "id": uuid4(),
        "resource": resource["id"],
        "place": place["id"],
        "org_path": place["org_path"],
        "person": person,
        "booking_org": org["id"] if org is not None else None,
        "booked_by": principal.id,
        "status": "pending" if approval else "confirmed",
        "mode": resource["mode"],
        "starts_at": starts,
        "ends_at": ends,
        "first_night": first,
        "nights": nights,
        "attendees": data.attendees,
        "purpose": data.purpose,
        "process": None,
        "version": 1,
        "created_at": moment,
        "decided_at": None if approval else moment,
        "cancelled_at": None,
        "checked_in_at": None,
    }
    if first is not None and person is not None and resource["max_nights_per_year"]:
        await _take_quota(resource, person, first, nights)
    await _claim(resource, row["id"], _slot_keys(resource, row))
    await Booking.insert(Booking(**row)).run()
    if approval:
        from core.places.approval import open_approval

        row["process"] = await open_approval(env, principal, row, resource, place)
        await Booking.update({Booking.process: row["process"]}).where(Booking.id == row["id"]).run()
        await _announce(sig.BOOKING_REQUESTED, row, "request", principal)
    else:
        await _announce(sig.BOOKING_CONFIRMED, row, "confirm", principal)
    return row


async def load_booking(booking_id: UUID) -> dict[str, Any] | None:
    return await Booking.select().where(Booking.id == booking_id).first().run()  # type: ignore[no-any-return]


def is_own(principal: Principal, row: Mapping[str, Any]) -> bool:
    return (principal.person_id is not None and principal.person_id == row["person"]) or principal.id == row[
        "booked_by"
    ]


async def readable(principal: Principal, booking_id: UUID) -> dict[str, Any]:
    """The booking if the caller booked it, it is theirs, or they manage the place's bookings; else 404."""
    row = await load_booking(booking_id)
    if row is None or not (is_own(principal, row) or sees_bookings(principal, row["org_path"])):
        raise Problem("not-found")
    return row


def to_booking(row: Mapping[str, Any], *, secret: str | None = None) -> S.Booking:
    return S.Booking(
        id=row["id"],
        resource_id=row["resource"],
        place_id=row["place"],
        status=row["status"],
        mode=row["mode"],
        starts_at=utc(row["starts_at"]),  # type: ignore[arg-type]
        ends_at=utc(row["ends_at"]),  # type: ignore[arg-type]
        first_night=row["first_night"],
        nights=row["nights"],
        attendees=row["attendees"],
        person_id=row["person"],
        org_id=row["booking_org"],
        purpose=row["purpose"],
        process_id=row["process"],
        created_at=utc(row["created_at"]),
        checked_in_at=utc(row["checked_in_at"]),
        checkin_code=checkin_code(secret, row["id"]) if secret and row["status"] == "confirmed" else None,
    )


async def _set_status(
    row: Mapping[str, Any], status: str, expected: tuple[str, ...], **extra: Any
) -> dict[str, Any] | None:
    """Move the booking to ``status`` if it is still in one of ``expected`` (a compare-and-set)."""
    changes: dict[Any, Any] = {Booking.status: status, Booking.version: row["version"] + 1}
    for name, value in extra.items():
        changes[getattr(Booking, name)] = value
    done = await (
        Booking.update(changes)
        .where(
            (Booking.id == row["id"])
            & (Booking.version == row["version"])
            & Booking.status.is_in(list(expected))
        )
        .returning(*Booking.all_columns())
        .run()
    )
    return done[0] if done else None


def _state_problem(row: Mapping[str, Any], action: str) -> Problem:
    return Problem(problems.BOOKING_STATE, status=row["status"], action=action)


async def cancel(env: Env, principal: Principal, booking_id: UUID, *, reason: str = "") -> dict[str, Any]:
    """Cancel a pending or confirmed booking (its booker, its person, or a manager) before it ends."""
    return await cancel_row(env, principal, await readable(principal, booking_id), reason=reason)


async def cancel_row(
    env: Env, principal: Principal, row: Mapping[str, Any], *, reason: str = ""
) -> dict[str, Any]:
    """Cancel a booking the caller was found to hold authority over (its own, a manager's, or the booking
    of an event the caller manages): frees its claims from now on, withdraws a pending approval."""
    booking_id = row["id"]
    if row["status"] not in ("pending", "confirmed") or utc(row["ends_at"]) <= now():  # type: ignore[operator]
        raise _state_problem(row, "cancel")
    resource, _ = await load_resource(row["resource"])
    new = await _set_status(row, "cancelled", ("pending", "confirmed"), cancelled_at=now())
    if new is None:
        raise _state_problem((await load_booking(booking_id)) or row, "cancel")
    await _release(resource, new, slot_key_now(resource, env.tz) if utc(row["starts_at"]) <= now() else None)  # type: ignore[operator]
    if row["process"] is not None and row["status"] == "pending":
        from core.places.approval import withdraw_approval

        await withdraw_approval(env, row["process"])
    await _announce(sig.BOOKING_CANCELLED, new, "cancel", principal, reason=reason[:200])
    return new


async def decide(env: Env | None, process_id: UUID, approved: bool, actor: Any) -> None:
    """The approval process was decided: confirm the pending booking, or reject it and free its units."""
    row = await Booking.select().where(Booking.process == process_id).first().run()
    if row is None or row["status"] != "pending":
        return
    if approved:
        new = await _set_status(row, "confirmed", ("pending",), decided_at=now())
        if new is not None:
            await _announce(sig.BOOKING_CONFIRMED, new, "approve", actor)
        return
    new = await _set_status(row, "rejected", ("pending",), decided_at=now())
    if new is not None:
        resource, _ = await load_resource(row["resource"])
        await _release(resource, new, None)
        await _announce(sig.BOOKING_REJECTED, new, "reject", actor)


async def no_show(env: Env, principal: Principal, booking_id: UUID) -> dict[str, Any]:
    """Record that a confirmed booking's guest did not come (after it started): the rest is freed."""
    row = await load_booking(booking_id)
    if row is None or not sees_bookings(principal, row["org_path"]):
        raise Problem("not-found")
    if row["status"] != "confirmed" or utc(row["starts_at"]) > now():  # type: ignore[operator]
        raise _state_problem(row, "no_show")
    new = await _set_status(row, "no_show", ("confirmed",))
    if new is None:
        raise _state_problem((await load_booking(booking_id)) or row, "no_show")
    resource, _ = await load_resource(row["resource"])
    # Nights after tonight (and slots not begun) go back to others.
    key = slot_key_now(resource, env.tz) + (1 if resource["mode"] == "night" else resource["slot_minutes"])
    await _release(resource, new, key)
    await _announce(sig.BOOKING_NO_SHOW, new, "no_show", principal)
    return new


async def check_in(env: Env, principal: Principal, place_id: UUID, code: str) -> tuple[str, dict[str, Any]]:
    """Check a guest in by the signed code of their booking (the events' codes): ``recorded`` or
    ``already_checked_in``; a code of another place's booking, or forged, is ``invalid-booking-code``."""
    place = await Place.select(Place.id, Place.org_path).where(Place.id == place_id).first().run()
    if place is None or not sees_bookings(principal, place["org_path"]):
        raise Problem("not-found")
    booking_id = verify_checkin_code(env.secret, code)
    row = await load_booking(booking_id) if booking_id is not None else None
    if row is None or row["place"] != place_id:
        raise Problem(problems.INVALID_CODE)
    if row["status"] == "checked_in":
        return "already_checked_in", row
    moment = now()
    if row["status"] != "confirmed" or not (
        utc(row["starts_at"]) - CHECKIN_EARLY <= moment < utc(row["ends_at"])  # type: ignore[operator]
    ):
        raise _state_problem(row, "check_in")
    new = await _set_status(row, "checked_in", ("confirmed",), checked_in_at=moment)
    if new is None:
        current = await load_booking(row["id"])
        if current is not None and current["status"] == "checked_in":
            return "already_checked_in", current
        raise _state_problem(current or row, "check_in")
    await _announce(sig.BOOKING_CHECKED_IN, new, "check_in", principal)
    return "recorded", new


_KEY = (Booking.starts_at, Booking.id)


async def place_bookings(
    principal: Principal, place_id: UUID, page: PageRequest, *, status: str | None, since: datetime | None
) -> tuple[list[dict[str, Any]], str | None]:
    place = await Place.select(Place.id, Place.org_path).where(Place.id == place_id).first().run()
    if place is None or not sees_bookings(principal, place["org_path"]):
        raise Problem("not-found")
    query = Booking.select().where(Booking.place == place_id)
    if status is not None:
        query = query.where(Booking.status == status)
    if since is not None:
        query = query.where(Booking.ends_at > since)
    return await paginate(query, list(_KEY), page)


async def my_bookings(principal: Principal, page: PageRequest) -> tuple[list[dict[str, Any]], str | None]:
    if principal.person_id is None:
        query = Booking.select().where(Booking.booked_by == principal.id)
    else:
        query = Booking.select().where(
            (Booking.person == principal.person_id) | (Booking.booked_by == principal.id)
        )
    return await paginate(query, [Booking.created_at, Booking.id], page, descending=True)


async def availability(
    env: Env, principal: Principal | None, resource_id: UUID, since: date, days: int
) -> S.Availability:
    """Free units per slot (or night) from ``since`` for ``days`` days: counts only, never who."""
    resource, place = await load_resource(resource_id)
    from core.places.services import reads

    if resource["status"] != "active" or not (
        (place["public"] and place["status"] == "active") or reads(principal, place["org_path"])
    ):
        raise Problem("not-found")
    if resource["mode"] == "night":
        keys = [day_number(since) + i for i in range(days)]
        starts = {k: night_start(since + timedelta(days=i), env.tz) for i, k in enumerate(keys)}
    else:
        step = resource["slot_minutes"]
        first = _minutes(datetime.combine(since, time(0), env.tz))
        keys = list(range(first, first + days * 24 * 60, step))
        starts = {k: datetime.fromtimestamp(k * 60, UTC) for k in keys}
    counts: dict[int, int] = {}
    for r in await fetch(BookingClaim, _TAKEN, [resource_id, keys[0], keys[-1]]):
        counts[int(r["slot"])] = counts.get(int(r["slot"]), 0) + 1
    return S.Availability(
        resource_id=resource_id,
        capacity=resource["capacity"],
        mode=resource["mode"],
        slots=[
            S.SlotFree(starts_at=starts[k], free=max(0, resource["capacity"] - counts.get(k, 0)))
            for k in keys
        ],
    )


async def withdraw_booking(process_id: UUID, actor: Any) -> None:
    """The approval process was withdrawn: cancel its booking if it still waits, freeing its units."""
    row = await Booking.select().where(Booking.process == process_id).first().run()
    if row is None or row["status"] != "pending":
        return
    new = await _set_status(row, "cancelled", ("pending",), cancelled_at=now())
    if new is not None:
        resource, _ = await load_resource(row["resource"])
        await _release(resource, new, None)
        await _announce(sig.BOOKING_CANCELLED, new, "cancel", actor, reason="withdrawn")
