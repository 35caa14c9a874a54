"""Check-in (签到): by signed code, by the organizer, in idempotent batches from venues offline, or by the
attendees themselves scanning the event's venue code (signed, time-limited, shown at the venue).

A registration has at most one check-in (a unique column), claimed with ``INSERT … ON CONFLICT DO
NOTHING``: recording it again — a second scan, a re-uploaded batch — changes nothing and says so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from core.events import problems
from core.events.checkin_codes import venue_code, verify_checkin_code, verify_venue_code
from core.events.permissions import CHECKIN_MANAGE
from core.events.schemas import (
    Attendance,
    BatchCheckInReport,
    BatchCheckInResult,
    BatchCheckInRow,
    VenueCode,
)
from core.events.schemas import CheckIn as CheckInOut
from core.events.services import load_event, load_managed_event, utc
from core.events.signals import CHECKIN_RECORDED, CheckInSignal
from core.events.tables import CheckIn, Event, Registration
from core.identity import audit
from core.integration.signals import emit
from core.kernel.access import Principal
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate

CHECKIN_COLUMNS = [
    CheckIn.id,
    CheckIn.event,
    CheckIn.registration,
    CheckIn.person,
    CheckIn.method,
    CheckIn.checked_in_at,
]


def to_checkin(row: dict[str, Any]) -> CheckInOut:
    return CheckInOut(
        id=row["id"],
        event_id=row["event"],
        registration_id=row["registration"],
        person_id=row["person"],
        method=row["method"],
        checked_in_at=utc(row["checked_in_at"]),
    )


#: Self check-in by venue code opens this long before the event starts (and closes when it ends).
SELF_CHECKIN_OPENS_BEFORE = timedelta(minutes=60)


def _check_event_open(event: dict[str, Any]) -> None:
    if event["status"] not in ("published", "finished"):
        raise Problem(problems.CHECKIN_NOT_ALLOWED)


async def _record(
    principal: Principal, event: dict[str, Any], registration_id: UUID, method: str, at: datetime
) -> tuple[str, dict[str, Any] | None]:
    """Record one check-in: ``recorded``, ``already_checked_in``, ``invalid_code`` or ``not_confirmed``."""
    registration = (
        await Registration.select(Registration.id, Registration.person, Registration.status)
        .where((Registration.id == registration_id) & (Registration.event == event["id"]))
        .first()
        .run()
    )
    if registration is None:
        return "invalid_code", None
    if registration["status"] != "confirmed":
        return "not_confirmed", None
    checkin_id = uuid4()
    inserted = await CheckIn.raw(
        "INSERT INTO core_checkin (id, registration, event, person, method, checked_in_at, recorded_by, "
        "recorded_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}) ON CONFLICT (registration) DO NOTHING RETURNING id",
        checkin_id,
        registration_id,
        event["id"],
        registration["person"],
        method,
        utc(at),
        principal.id,
        datetime.now(UTC),
    ).run()
    row = await CheckIn.select(*CHECKIN_COLUMNS).where(CheckIn.registration == registration_id).first().run()
    if not inserted:
        return "already_checked_in", row
    assert row is not None
    await audit.record(
        CHECKIN_RECORDED.name,
        resource_type="checkin",
        resource_id=row["id"],
        org_path=event["org_path"],
        org_paths=await audit.paths_of_persons([row["person"]]),
        changes={"event": event["id"], "registration": registration_id, "method": method},
    )
    await emit(
        CHECKIN_RECORDED,
        CheckInSignal(
            event_id=event["id"], registration_id=registration_id, person_id=row["person"], method=method
        ),
        resource_type="checkin",
        resource_id=row["id"],
        org_path=event["org_path"],
    )
    return "recorded", row


async def check_in(
    principal: Principal,
    event_id: UUID,
    *,
    secret: str,
    code: str | None,
    registration_id: UUID | None,
    at: datetime | None,
) -> tuple[str, dict[str, Any]]:
    """Check one attendee in by code or (manually) by registration id; in the caller's transaction."""
    event, _ = await load_managed_event(principal, event_id, CHECKIN_MANAGE)
    _check_event_open(event)
    if code is not None:
        target, method = verify_checkin_code(secret, code), "code"
    elif registration_id is not None:
        target, method = registration_id, "manual"
    else:
        raise Problem.invalid(("/code", "required"))
    if target is None:
        raise Problem(problems.INVALID_CHECKIN_CODE)
    outcome, row = await _record(principal, event, target, method, at or datetime.now(UTC))
    if outcome == "invalid_code":
        raise Problem(problems.INVALID_CHECKIN_CODE if method == "code" else "not-found")
    if outcome == "not_confirmed":
        raise Problem(problems.CHECKIN_NOT_ALLOWED)
    assert row is not None
    return outcome, row


def self_checkin_window(event: dict[str, Any]) -> tuple[datetime, datetime]:
    """When attendees may check themselves in: from an hour before the start to the end."""
    return utc(event["starts_at"]) - SELF_CHECKIN_OPENS_BEFORE, utc(event["ends_at"])


async def mint_venue_code(principal: Principal, event_id: UUID, *, secret: str, valid_for: int) -> VenueCode:
    """A venue code of a published event, valid for ``valid_for`` seconds (never past the event's end)."""
    event, _ = await load_managed_event(principal, event_id, CHECKIN_MANAGE)
    if event["status"] != "published":
        raise Problem(problems.CHECKIN_NOT_ALLOWED)
    opens, closes = self_checkin_window(event)
    now = datetime.now(UTC)
    if now >= closes:
        raise Problem(problems.CHECKIN_WINDOW, opens_before=_minutes())
    expires = min(int(now.timestamp()) + valid_for, int(closes.timestamp()))
    return VenueCode(
        event_id=event_id,
        code=venue_code(secret, event_id, expires),
        expires_at=datetime.fromtimestamp(expires, UTC),
        checkin_opens_at=opens,
        checkin_closes_at=closes,
    )


def _minutes() -> int:
    return int(SELF_CHECKIN_OPENS_BEFORE.total_seconds() // 60)


async def self_check_in(
    principal: Principal, event_id: UUID, code: str, *, secret: str
) -> tuple[str, dict[str, Any]]:
    """The caller's person checks in with the venue code they scanned: the code must be genuine, of this
    event and unexpired; the time within the event's window; their registration confirmed. Once: a
    second scan answers the first check-in."""
    event, _ = await load_event(principal, event_id)
    person = principal.person_id
    if person is None:
        raise Problem(problems.NO_PERSON)
    decoded = verify_venue_code(secret, code)
    if decoded is None or decoded[0] != event_id:
        raise Problem(problems.INVALID_VENUE_CODE)
    now = datetime.now(UTC)
    if now.timestamp() >= decoded[1]:
        raise Problem(problems.VENUE_CODE_EXPIRED)
    _check_event_open(event)
    opens, closes = self_checkin_window(event)
    if not opens <= now < closes:
        raise Problem(problems.CHECKIN_WINDOW, opens_before=_minutes())
    registration = (
        await Registration.select(Registration.id)
        .where((Registration.event == event_id) & (Registration.person == person))
        .first()
        .run()
    )
    if registration is None:
        raise Problem(problems.CHECKIN_NOT_ALLOWED)
    outcome, row = await _record(principal, event, registration["id"], "venue", now)
    if outcome == "not_confirmed" or row is None:
        raise Problem(problems.CHECKIN_NOT_ALLOWED)
    return outcome, row


async def batch_check_in(
    principal: Principal, event_id: UUID, rows: list[BatchCheckInRow], *, secret: str
) -> tuple[BatchCheckInReport, list[dict[str, Any]]]:
    """Record a venue's offline scans; each row reports its outcome. Returns the report and new check-ins."""
    event, _ = await load_managed_event(principal, event_id, CHECKIN_MANAGE)
    _check_event_open(event)
    results: list[BatchCheckInResult] = []
    recorded: list[dict[str, Any]] = []
    now = datetime.now(UTC)
    for index, item in enumerate(rows):
        target = verify_checkin_code(secret, item.code)
        if target is None:
            results.append(BatchCheckInResult(index=index, outcome="invalid_code"))
            continue
        outcome, row = await _record(principal, event, target, "batch", item.checked_in_at or now)
        results.append(
            BatchCheckInResult(
                index=index,
                outcome=outcome,  # type: ignore[arg-type]
                registration_id=target if outcome in ("recorded", "already_checked_in") else None,
            )
        )
        if outcome == "recorded" and row is not None:
            recorded.append(row)
    report = BatchCheckInReport(
        recorded=sum(r.outcome == "recorded" for r in results),
        already_checked_in=sum(r.outcome == "already_checked_in" for r in results),
        rejected=sum(r.outcome in ("invalid_code", "not_confirmed") for r in results),
        items=results,
    )
    return report, recorded


async def list_checkins(
    principal: Principal, event_id: UUID, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    await load_managed_event(principal, event_id, CHECKIN_MANAGE)
    query = CheckIn.select(*CHECKIN_COLUMNS).where(CheckIn.event == event_id)
    return await paginate(query, [CheckIn.checked_in_at, CheckIn.id], page)


async def attendance(principal: Principal, event_id: UUID) -> Attendance:
    """Attendance figures: places, confirmed, waitlisted, cancelled, checked in, and the rate."""
    await load_managed_event(principal, event_id, CHECKIN_MANAGE)
    event = await Event.select(Event.capacity).where(Event.id == event_id).first().run()
    assert event is not None
    counts = {
        status: await Registration.count()
        .where((Registration.event == event_id) & (Registration.status == status))
        .run()
        for status in ("confirmed", "waitlisted", "cancelled")
    }
    checked_in = await CheckIn.count().where(CheckIn.event == event_id).run()
    confirmed = counts["confirmed"]
    return Attendance(
        event_id=event_id,
        capacity=event["capacity"],
        confirmed=confirmed,
        waitlisted=counts["waitlisted"],
        cancelled=counts["cancelled"],
        checked_in=checked_in,
        attendance_rate=round(checked_in / confirmed, 4) if confirmed else None,
    )
