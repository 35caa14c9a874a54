"""iCalendar feeds (RFC 5545): public events of an org subtree, and a person's own events.

Calendar apps cannot send bearer tokens, so a person's feed is also reachable through a private link
carrying a signed token (HMAC of the person id); the org feed holds public events only and is open.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from core.events.schemas import PublicEvent
from core.events.services import EVENT_COLUMNS, organized_within, to_event, utc
from core.events.tables import Event, Registration
from core.kernel.access import Reach
from core.kernel.errors import Problem

#: Feeds show events from this long ago onwards.
FEED_PAST = timedelta(days=90)
FEED_LIMIT = 500
_CONTEXT = b"quntuan.calendar.v1:"


def feed_token(secret: str, person_id: UUID) -> str:
    tag = hmac.new(secret.encode(), _CONTEXT + person_id.bytes, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(person_id.bytes + tag).decode().rstrip("=")


def person_of_token(secret: str, token: str) -> UUID | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 32:
        return None
    person_id = UUID(bytes=raw[:16])
    return person_id if hmac.compare_digest(token, feed_token(secret, person_id)) else None


def to_ical(rows: Sequence[dict[str, Any]], name: str, host: str) -> bytes:
    from icalendar import Calendar  # loaded on the first feed, not at start-up
    from icalendar import Event as VEvent

    calendar = Calendar()
    calendar.add("prodid", "-//quntuan//events//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = datetime.now(UTC)
    for row in rows:
        item = VEvent()
        item.add("uid", f"{row['id']}@{host}")
        item.add("dtstamp", stamp)
        item.add("summary", row["title"])
        item.add("dtstart", utc(row["starts_at"]))
        item.add("dtend", utc(row["ends_at"]))
        if row["place"]:
            item.add("location", row["place"])
        if row["description"]:
            item.add("description", row["description"])
        item.add("status", "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
        item.add("last-modified", utc(row["updated_at"]))
        item.add("sequence", row["version"])
        calendar.add_component(item)
    return calendar.to_ical()  # type: ignore[no-any-return]


async def public_events(org_path: str | None) -> list[dict[str, Any]]:
    """Published or finished public events (cancelled ones too, so subscribers drop them) of a subtree."""
    clause: Any = (
        (Event.visibility == "public")
        & Event.status.is_in(["published", "cancelled", "finished"])
        & (Event.starts_at >= datetime.now(UTC) - FEED_PAST)
    )
    if org_path is not None:
        clause = clause & organized_within([Reach(path=org_path, subtree=True)])
    return await Event.select(*EVENT_COLUMNS).where(clause).order_by(Event.starts_at).limit(FEED_LIMIT).run()


async def public_event(event_id: UUID) -> PublicEvent:
    """A public event that is published, cancelled or finished, as anyone may read it; else 404."""
    row = (
        await Event.select(*EVENT_COLUMNS, Event.org.name.as_alias("org_name"))
        .where(
            (Event.id == event_id)
            & (Event.visibility == "public")
            & Event.status.is_in(["published", "cancelled", "finished"])
        )
        .first()
        .run()
    )
    if row is None:
        raise Problem("not-found")
    event = to_event(row)
    return PublicEvent(
        id=event.id,
        type=event.type,
        title=event.title,
        description=event.description,
        org_id=event.org_id,
        org_name=row["org_name"],
        place=event.place,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        timezone=event.timezone,
        status=event.status,
        places_left=event.places_left,
        tags=event.tags,
    )


def _mine(person_id: UUID) -> Any:
    return Event.id.is_in(
        Registration.select(Registration.event).where(
            (Registration.person == person_id) & Registration.status.is_in(["confirmed", "waitlisted"])
        )
    ) & (Event.status != "draft")


async def person_events(person_id: UUID) -> list[dict[str, Any]]:
    """The events a person is registered for (confirmed or waitlisted), for their calendar."""
    clause = _mine(person_id) & (Event.starts_at >= datetime.now(UTC) - FEED_PAST)
    return await Event.select(*EVENT_COLUMNS).where(clause).order_by(Event.starts_at).limit(FEED_LIMIT).run()


def my_events_query(person_id: UUID) -> Any:
    """ "My events": every event the person is registered for, for the paginated list."""
    return Event.select(*EVENT_COLUMNS).where(_mine(person_id))
