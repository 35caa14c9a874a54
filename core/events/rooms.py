"""A room for an event (一室多用): an event may reserve a bookable resource of a place for its time.

The reservation is an ordinary booking made, moved and released by the places' own booking service
(:mod:`core.places.bookings`) inside the event's write transaction, so its rules hold (sharing, lead time,
opening hours, the slot grid, capacity under concurrency) and a conflict — ``resource-unavailable``, 409
— rolls the event's change back with it. The booking is the lead org's (booking for an org needs
``core.booking.org`` there, and a partner org a share of the place for ``events``); the event row keeps
the resource and the booking.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

from core.kernel.settings import Locale
from core.places import bookings
from core.places.schemas import BookingCreate
from core.places.services import Env, now, utc


def _env(state: Any, locale: Locale) -> Env:
    return Env.of(state, locale)


async def reserve(
    state: Any,
    principal: Any,
    resource_id: UUID,
    *,
    org_id: UUID,
    starts_at: datetime,
    ends_at: datetime,
    title: str,
    locale: Locale,
) -> UUID:
    """Book ``resource_id`` for the event's time on behalf of its lead org; returns the booking id."""
    data = BookingCreate(org_id=org_id, starts_at=starts_at, ends_at=ends_at, purpose=title[:500])
    row = await bookings.book(_env(state, locale), principal, resource_id, data, share="events")
    return row["id"]  # type: ignore[no-any-return]


async def release(state: Any, principal: Any, booking_id: UUID | None, *, locale: Locale) -> None:
    """Cancel the event's booking (nothing to do if there is none, or it is over or cancelled already)."""
    if booking_id is None:
        return
    row: Mapping[str, Any] | None = await bookings.load_booking(booking_id)
    if row is None or row["status"] not in ("pending", "confirmed"):
        return
    if utc(row["ends_at"]) <= now():  # type: ignore[operator]
        return
    await bookings.cancel_row(_env(state, locale), principal, row, reason="event")
