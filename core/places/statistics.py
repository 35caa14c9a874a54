"""Usage and occupancy of places, per place and per subtree (contributed to the org statistics).

Occupancy of beds is held unit-nights over offered unit-nights (capacity × nights) in the period; the
held ones are the claim rows, so the figure is a count over an index range, never a sum of intervals.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from core.kernel.access import subtree_bounds
from core.kernel.db import fetch
from core.kernel.declarations.orgs import StatFigure
from core.kernel.i18n import Text
from core.places import schemas as S
from core.places.services import day_number, now
from core.places.tables import Booking, Place

#: The subtree figures look back this many days.
PERIOD_DAYS = 30


def _minutes(day: date) -> int:
    return int(datetime.combine(day, time(0), UTC).timestamp() // 60)


async def _claims(where: str, args: list[Any], first: int, last: int) -> int:
    rows = await fetch(
        Booking,
        "SELECT COUNT(*) AS n FROM core_booking_claim c JOIN core_place_resource r ON r.id = c.resource"  # noqa: S608
        f" JOIN core_place p ON p.id = r.place WHERE {where} AND c.slot >= {{}} AND c.slot < {{}}",
        [*args, first, last],
    )
    return int(rows[0]["n"] or 0)


async def _figures(where: str, args: list[Any], since: date, until: date) -> dict[str, Any]:
    """Bookings by status starting in ``[since, until)``, and held/offered unit-nights, of places matching
    ``where`` (on ``p``, the place)."""
    start = datetime.combine(since, time(0), UTC)
    end = datetime.combine(until, time(0), UTC)
    rows = await fetch(
        Booking,
        "SELECT b.status, COUNT(*) AS n FROM core_booking b JOIN core_place p ON p.id = b.place"  # noqa: S608
        f" WHERE {where} AND b.starts_at >= {{}} AND b.starts_at < {{}} GROUP BY b.status",
        [*args, start, end],
    )
    by_status = {r["status"]: int(r["n"]) for r in rows}
    nights = (until - since).days
    night_where = where + " AND r.mode = 'night'"
    held_nights = await _claims(night_where, args, day_number(since), day_number(until))
    offered = await fetch(
        Booking,
        "SELECT COALESCE(SUM(r.capacity), 0) AS n FROM core_place_resource r JOIN core_place p ON p.id = r.place"  # noqa: S608
        f" WHERE {where} AND r.mode = 'night' AND r.status = 'active'",
        args,
    )
    offered_nights = int(offered[0]["n"] or 0) * nights
    slot_rows = await fetch(
        Booking,
        "SELECT COALESCE(SUM(r.slot_minutes), 0) AS m FROM core_booking_claim c"  # noqa: S608
        " JOIN core_place_resource r ON r.id = c.resource JOIN core_place p ON p.id = r.place"
        f" WHERE {where} AND r.mode = 'slot' AND c.slot >= {{}} AND c.slot < {{}}",
        [*args, _minutes(since), _minutes(until)],
    )
    return {
        "bookings": by_status,
        "held_nights": held_nights,
        "offered_nights": offered_nights,
        "slot_hours": round(int(slot_rows[0]["m"] or 0) / 60, 2),
    }


async def place_usage(place_id: UUID, since: date, until: date) -> S.UsageFigures:
    f = await _figures("p.id = {}", [place_id], since, until)
    return S.UsageFigures(
        place_id=place_id,
        since=since,
        until=until,
        bookings=f["bookings"],
        unit_nights_booked=f["held_nights"],
        unit_nights_offered=f["offered_nights"],
        occupancy_nights=round(f["held_nights"] / f["offered_nights"], 4) if f["offered_nights"] else None,
        unit_hours_booked=f["slot_hours"],
        checked_in=f["bookings"].get("checked_in", 0),
        no_shows=f["bookings"].get("no_show", 0),
    )


def _local_today() -> date:
    """Today in the platform's time zone (nights are local dates)."""
    from zoneinfo import ZoneInfo

    from core.kernel.db import active_database

    db = active_database()
    zone = ZoneInfo(db.settings.timezone) if db is not None else UTC
    return now().astimezone(zone).date()


async def place_figures(org_path: str) -> list[StatFigure]:
    """The subtree's places, bookings starting in the 30 days up to today and their bed occupancy
    (``core.place.*``)."""
    low, high = subtree_bounds(org_path)
    where, args = "p.org_path >= {} AND p.org_path < {}", [low, high]
    counts = await fetch(
        Place,
        "SELECT COUNT(*) AS n, SUM(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS active FROM core_place"
        " WHERE org_path >= {} AND org_path < {}",
        [low, high],
    )
    until = _local_today() + timedelta(days=1)
    since = until - timedelta(days=PERIOD_DAYS)
    f = await _figures(where, args, since, until)
    held = sum(n for s, n in f["bookings"].items() if s in ("confirmed", "checked_in", "no_show"))
    occupancy = round(f["held_nights"] / f["offered_nights"], 4) if f["offered_nights"] else 0.0

    def fig(code: str, zh: str, en: str, value: Any) -> StatFigure:
        return StatFigure(code=f"core.place.{code}", label=Text(zh_hans=zh, en=en), value=value)

    return [
        fig("places", "阵地数", "Places", int(counts[0]["n"] or 0)),
        fig("places_active", "开放中的阵地", "Places open", int(counts[0]["active"] or 0)),
        fig("bookings_30d", "近30天预约", "Bookings (30 days)", held),
        fig("checked_in_30d", "近30天签到", "Check-ins (30 days)", f["bookings"].get("checked_in", 0)),
        fig("no_shows_30d", "近30天未到", "No-shows (30 days)", f["bookings"].get("no_show", 0)),
        fig("bed_occupancy_30d", "近30天床位使用率", "Bed occupancy (30 days)", occupancy),
        fig("room_hours_30d", "近30天场地使用小时", "Room hours (30 days)", f["slot_hours"]),
    ]
