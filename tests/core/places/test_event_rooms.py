"""An event reserves a room through HTTP: booked for its time, moved with it, released when it is
cancelled, and a conflict refuses the event's change with nothing written — the places' own booking
rules and claims, in the event's write transaction."""

from __future__ import annotations

from typing import Any

from core.events.permissions import EVENT_MANAGE, EVENT_READ
from core.events.tables import Event
from core.places.tables import Booking, BookingClaim
from tests.conftest import ApiClient
from tests.core.places.conftest import (
    CADRE,
    World,
    cadre,
    make_persons,
    make_place,
    make_resource,
    person,
    slot,
    tomorrow,
)
from tests.helpers import problem


def _event(org: dict[str, Any], starts: str, ends: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "core.meeting",
        "title": "青年座谈会",
        "org_id": str(org["id"]),
        "starts_at": starts,
        "ends_at": ends,
        **extra,
    }


async def _patch(api: ApiClient, headers: dict[str, str], event: dict[str, Any], **body: Any) -> Any:
    current = await api.get(f"/api/v1/events/{event['id']}", headers=headers)
    return await api.patch(
        f"/api/v1/events/{event['id']}", json=body, headers={**headers, "If-Match": current.headers["etag"]}
    )


async def test_an_event_books_moves_and_releases_its_room(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth, *CADRE, EVENT_MANAGE, EVENT_READ))
    place = await make_place(api, boss, world.youth)
    room = await make_resource(api, boss, place, kind="room", name="会议室", seats=20, who="signed_in")
    (pid,) = await make_persons(1)
    guest = world.add("guest", person(pid))
    rooms_url = f"/api/v1/places/resources/{room['id']}/bookings"
    day = tomorrow()

    created = await api.post(
        "/api/v1/events",
        json=_event(world.youth, slot(day, 10), slot(day, 11), resource_id=room["id"]),
        headers=boss,
    )
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["resource_id"] == room["id"] and event["booking_id"]
    booking = (await api.get(f"/api/v1/bookings/{event['booking_id']}", headers=boss)).json()
    assert booking["status"] == "confirmed" and booking["org_id"] == str(world.youth["id"])
    assert booking["resource_id"] == room["id"] and booking["purpose"] == "青年座谈会"
    # The room is held for the event's hour: nobody else books into it.
    clash = await api.post(
        rooms_url, json={"starts_at": slot(day, 10, 30), "ends_at": slot(day, 11)}, headers=guest
    )
    assert problem(clash, 409)["type"].endswith("/resource-unavailable")

    # A second event wanting the same room at the same time is refused whole: no event, no booking.
    events_before, bookings_before = await Event.count().run(), await Booking.count().run()
    second = await api.post(
        "/api/v1/events",
        json=_event(world.youth, slot(day, 10), slot(day, 12), resource_id=room["id"]),
        headers=boss,
    )
    assert problem(second, 409)["type"].endswith("/resource-unavailable")
    assert await Event.count().run() == events_before
    assert await Booking.count().run() == bookings_before

    # Moving the event moves its booking: the old hour is free again, the new one held.
    moved = await _patch(api, boss, event, starts_at=slot(day, 14), ends_at=slot(day, 15))
    assert moved.status_code == 200, moved.text
    moved_event = moved.json()
    assert moved_event["booking_id"] != event["booking_id"]
    old = (await api.get(f"/api/v1/bookings/{event['booking_id']}", headers=boss)).json()
    assert old["status"] == "cancelled"
    new = (await api.get(f"/api/v1/bookings/{moved_event['booking_id']}", headers=boss)).json()
    assert new["status"] == "confirmed" and new["starts_at"].startswith(f"{day.isoformat()}T06:00")
    taken = await api.post(
        rooms_url, json={"starts_at": slot(day, 10), "ends_at": slot(day, 11)}, headers=guest
    )
    assert taken.status_code == 201, taken.text

    # A move onto a taken hour is refused whole: the event keeps its time and its booking.
    version = moved_event["version"]
    refused = await _patch(api, boss, moved_event, starts_at=slot(day, 10), ends_at=slot(day, 11))
    assert problem(refused, 409)["type"].endswith("/resource-unavailable")
    kept = (await api.get(f"/api/v1/events/{event['id']}", headers=boss)).json()
    assert kept["version"] == version and kept["booking_id"] == moved_event["booking_id"]
    assert kept["starts_at"] == moved_event["starts_at"]
    still = (await api.get(f"/api/v1/bookings/{moved_event['booking_id']}", headers=boss)).json()
    assert still["status"] == "confirmed"

    # Cancelling the event releases the room.
    cancelled = await api.post(f"/api/v1/events/{event['id']}/cancel", headers=boss)
    assert cancelled.status_code == 200, cancelled.text
    released = (await api.get(f"/api/v1/bookings/{moved_event['booking_id']}", headers=boss)).json()
    assert released["status"] == "cancelled"
    assert await BookingClaim.count().where(BookingClaim.booking == moved_event["booking_id"]).run() == 0
    free = await api.post(
        rooms_url, json={"starts_at": slot(day, 14), "ends_at": slot(day, 15)}, headers=guest
    )
    assert free.status_code == 201, free.text


async def test_an_event_drops_or_cannot_take_a_room(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth, *CADRE, EVENT_MANAGE, EVENT_READ))
    place = await make_place(api, boss, world.youth)
    room = await make_resource(api, boss, place, kind="room", name="活动室")
    day = tomorrow()
    event = (
        await api.post(
            "/api/v1/events",
            json=_event(world.youth, slot(day, 9), slot(day, 10), resource_id=room["id"]),
            headers=boss,
        )
    ).json()
    dropped = await _patch(api, boss, event, resource_id=None)
    assert dropped.status_code == 200, dropped.text
    assert dropped.json()["resource_id"] is None and dropped.json()["booking_id"] is None
    old = (await api.get(f"/api/v1/bookings/{event['booking_id']}", headers=boss)).json()
    assert old["status"] == "cancelled"
    # A cadre of another district cannot book this room for its own org, so it cannot take it for an event.
    stranger = world.add("stranger", cadre(world.other, *CADRE, EVENT_MANAGE, EVENT_READ))
    events_before = await Event.count().run()
    refused = await api.post(
        "/api/v1/events",
        json=_event(world.other, slot(day, 9), slot(day, 10), resource_id=room["id"]),
        headers=stranger,
    )
    assert problem(refused, 403)["type"].endswith("/booking-not-eligible")
    assert await Event.count().run() == events_before
    # A resource that does not exist is not found.
    missing = await api.post(
        "/api/v1/events",
        json=_event(
            world.youth, slot(day, 9), slot(day, 10), resource_id="00000000-0000-4000-8000-000000000000"
        ),
        headers=boss,
    )
    problem(missing, 404)
