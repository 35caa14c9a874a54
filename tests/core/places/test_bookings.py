"""Bookings through HTTP: exact capacity under concurrency, overlapping slots, shares, rules, approval,
check-in with signed codes, no-show, cancellation, reach and figures — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import timedelta
from typing import Any

from core.identity.tables import AuditEntry
from core.integration.tables import OutboxSignal
from core.places.tables import Booking, BookingClaim
from tests.conftest import ApiClient
from tests.core.places.conftest import (
    World,
    cadre,
    join,
    make_persons,
    make_place,
    make_resource,
    next_slot,
    person,
    slot,
    tomorrow,
)
from tests.helpers import problem


def _outcome(response: Any) -> str:
    return (
        response.json()["status"]
        if response.status_code == 201
        else response.json()["type"].rsplit("/", 1)[-1]
    )


async def test_100_concurrent_bookings_of_10_beds_for_one_night_book_exactly_10(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    beds = await make_resource(api, boss, place, kind="bed", name="床位", capacity=10, who="signed_in")
    pids = await make_persons(100)
    callers = [world.add(f"p{i}", person(pid)) for i, pid in enumerate(pids)]
    url = f"/api/v1/places/resources/{beds['id']}/bookings"
    night = tomorrow().isoformat()
    responses = await asyncio.gather(
        *[api.post(url, json={"first_night": night}, headers=h) for h in callers]
    )
    outcomes = Counter(_outcome(r) for r in responses)
    assert outcomes == {"confirmed": 10, "resource-unavailable": 90}, outcomes
    for r in responses:
        if r.status_code != 201:
            problem(r, 409)
    claims = await BookingClaim.select().where(BookingClaim.resource == beds["id"]).run()
    assert len(claims) == 10
    assert sorted(c["unit"] for c in claims) == list(range(10))  # ten beds, each held once
    assert await Booking.count().where(Booking.status == "confirmed").run() == 10
    # Each booking wrote its audit entry and its signal in its own transaction; the refused ones nothing.
    assert await AuditEntry.count().where(AuditEntry.action == "booking.confirm").run() == 10
    assert await OutboxSignal.count().where(OutboxSignal.name == "booking.confirmed").run() == 10
    free = (await api.get(f"/api/v1/places/resources/{beds['id']}/availability?from={night}&days=2")).json()
    assert [s["free"] for s in free["slots"]] == [0, 10]


async def test_a_stay_of_several_nights_needs_every_night_free(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    bed = await make_resource(api, boss, place, kind="bed", name="单床", capacity=1, who="signed_in")
    a, b = await make_persons(2)
    url = f"/api/v1/places/resources/{bed['id']}/bookings"
    first = tomorrow()
    ok = await api.post(
        url, json={"first_night": (first + timedelta(days=2)).isoformat()}, headers=world.add("a", person(a))
    )
    assert ok.status_code == 201, ok.text
    clash = await api.post(
        url, json={"first_night": first.isoformat(), "nights": 3}, headers=world.add("b", person(b))
    )
    problem(clash, 409)
    assert (
        await BookingClaim.count().where(BookingClaim.resource == bed["id"]).run() == 1
    )  # nothing half-held
    short = await api.post(
        url, json={"first_night": first.isoformat(), "nights": 2}, headers=world.add("b", person(b))
    )
    assert short.status_code == 201, short.text


async def test_overlapping_room_slots_are_refused_adjacent_ones_accepted(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    room = await make_resource(api, boss, place, kind="room", name="会议室", seats=20, who="signed_in")
    url = f"/api/v1/places/resources/{room['id']}/bookings"
    day = tomorrow()
    pids = await make_persons(3)
    first = await api.post(
        url,
        json={"starts_at": slot(day, 10), "ends_at": slot(day, 11)},
        headers=world.add("a", person(pids[0])),
    )
    assert first.status_code == 201, first.text
    overlap = await api.post(
        url,
        json={"starts_at": slot(day, 10, 30), "ends_at": slot(day, 11, 30)},
        headers=world.add("b", person(pids[1])),
    )
    assert problem(overlap, 409)["type"].endswith("/resource-unavailable")
    inside = await api.post(
        url,
        json={"starts_at": slot(day, 9), "ends_at": slot(day, 12)},
        headers=world.add("b", person(pids[1])),
    )
    problem(inside, 409)
    after = await api.post(
        url,
        json={"starts_at": slot(day, 11), "ends_at": slot(day, 12)},
        headers=world.add("c", person(pids[2])),
    )
    assert after.status_code == 201, after.text


async def test_concurrent_overlapping_room_bookings_never_overlap(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    room = await make_resource(api, boss, place, kind="room", name="活动室", who="signed_in", max_hours=4)
    url = f"/api/v1/places/resources/{room['id']}/bookings"
    day = tomorrow()
    pids = await make_persons(40)
    # Forty requests of one or two hours starting on the half hours between 08:00 and 17:30.
    bodies = []
    for i in range(40):
        start = 8 * 60 + (i * 30) % (10 * 60)
        length = 60 if i % 2 else 120
        bodies.append(
            {
                "starts_at": slot(day, start // 60, start % 60),
                "ends_at": slot(day, (start + length) // 60, (start + length) % 60),
            }
        )
    responses = await asyncio.gather(
        *[
            api.post(url, json=b, headers=world.add(f"p{i}", person(pid)))
            for i, (b, pid) in enumerate(zip(bodies, pids, strict=True))
        ]
    )
    accepted = [r.json() for r in responses if r.status_code == 201]
    assert accepted and all(r.status_code in (201, 409) for r in responses)
    spans = sorted((b["starts_at"], b["ends_at"]) for b in accepted)
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert end <= start, spans


async def test_a_shared_place_is_bookable_by_a_partner_org_and_not_by_others(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    union_cadre = world.add("union", cadre(world.union))
    women_cadre = world.add("women", cadre(world.women))
    place = await make_place(api, boss, world.youth)
    room = await make_resource(api, boss, place, kind="room", name="共享会议室")
    url = f"/api/v1/places/resources/{room['id']}/bookings"
    day = tomorrow()
    body = {"starts_at": slot(day, 14), "ends_at": slot(day, 15), "org_id": str(world.union["id"])}
    problem(await api.post(url, json=body, headers=union_cadre), 403)  # not shared yet
    shared = await api.put(
        f"/api/v1/places/{place['id']}/shares",
        json={"shares": [{"org_id": str(world.union["id"])}]},
        headers=boss,
    )
    assert shared.status_code == 200, shared.text
    ok = await api.post(url, json=body, headers=union_cadre)
    assert ok.status_code == 201, ok.text
    assert ok.json()["org_id"] == str(world.union["id"])
    women = {"starts_at": slot(day, 16), "ends_at": slot(day, 17), "org_id": str(world.women["id"])}
    assert problem(await api.post(url, json=women, headers=women_cadre), 403)["type"].endswith(
        "/booking-not-eligible"
    )
    # A union cadre cannot book in the name of the women's federation either.
    problem(await api.post(url, json=women, headers=union_cadre), 403)
    # Members of the partner org book for themselves; a member of another org may not.
    member, outsider = await make_persons(2)
    await join(member, world.union)
    await join(outsider, world.women)
    mine = {"starts_at": slot(day, 18), "ends_at": slot(day, 19)}
    assert (await api.post(url, json=mine, headers=world.add("m", person(member)))).status_code == 201
    problem(
        await api.post(
            url,
            json={**mine, "starts_at": slot(day, 19), "ends_at": slot(day, 20)},
            headers=world.add("o", person(outsider)),
        ),
        403,
    )


async def test_bad_booking_input_answers_4xx(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(
        api,
        boss,
        world.youth,
        opening_hours=[{"days": [1, 2, 3, 4, 5, 6, 7], "opens": "08:00", "closes": "22:00"}],
    )
    room = await make_resource(
        api, boss, place, kind="room", name="会议室", seats=10, who="signed_in", lead_hours=1
    )
    bed = await make_resource(
        api, boss, place, kind="bed", name="床位", capacity=2, who="signed_in", horizon_days=10
    )
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    room_url = f"/api/v1/places/resources/{room['id']}/bookings"
    bed_url = f"/api/v1/places/resources/{bed['id']}/bookings"
    day = tomorrow()
    cases = [
        (room_url, {"starts_at": slot(day, 10, 10), "ends_at": slot(day, 11)}, 422),  # off the grid
        (room_url, {"starts_at": slot(day, 11), "ends_at": slot(day, 10)}, 422),  # ends first
        (room_url, {"starts_at": slot(day, 10)}, 422),  # no end
        (room_url, {"first_night": day.isoformat()}, 422),  # nights of a room
        (room_url, {"starts_at": slot(day, 10), "ends_at": slot(day, 11), "attendees": 11}, 422),  # seats
        (room_url, {"starts_at": slot(day, 6), "ends_at": slot(day, 7)}, 422),  # before opening
        (room_url, {"starts_at": slot(day, 21), "ends_at": slot(day, 23)}, 422),  # after closing
        (room_url, {"starts_at": "2026-01-01T10:00:00", "ends_at": "2026-01-01T11:00:00"}, 422),  # no zone
        (room_url, {"starts_at": "2020-01-01T10:00:00+08:00", "ends_at": "2020-01-01T11:00:00+08:00"}, 422),
        (room_url, {"starts_at": "tomorrow", "ends_at": "later"}, 422),
        (room_url, {"starts_at": slot(day, 10), "ends_at": slot(day, 11), "colour": "red"}, 422),
        (bed_url, {}, 422),  # no night
        (bed_url, {"first_night": (day + timedelta(days=30)).isoformat()}, 422),  # beyond the horizon
        (bed_url, {"first_night": day.isoformat(), "nights": 0}, 422),
        (bed_url, {"first_night": day.isoformat(), "starts_at": slot(day, 10)}, 422),
        (
            "/api/v1/places/resources/00000000-0000-0000-0000-000000000000/bookings",
            {"first_night": day.isoformat()},
            404,
        ),
    ]
    for url, body, status in cases:
        problem(await api.post(url, json=body, headers=me), status)
    problem(await api.post(bed_url, json={"first_night": day.isoformat()}), 401)
    nobody = world.add("nobody", cadre(world.youth))
    problem(await api.post(bed_url, json={"first_night": day.isoformat()}, headers=nobody), 422)
    assert await Booking.count().run() == 0


async def test_yearly_night_limit_is_exact_and_given_back_on_cancel(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    bed = await make_resource(
        api, boss, place, kind="bed", name="求职床位", capacity=20, who="signed_in", max_nights_per_year=3
    )
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    url = f"/api/v1/places/resources/{bed['id']}/bookings"
    start = tomorrow() + timedelta(days=40)
    if start.year != (start + timedelta(days=10)).year:
        start += timedelta(days=15)
    first = await api.post(url, json={"first_night": start.isoformat(), "nights": 2}, headers=me)
    assert first.status_code == 201, first.text
    # Five attempts at two more nights at once: the limit of three holds, none is granted.
    tries = await asyncio.gather(
        *[
            api.post(
                url,
                json={"first_night": (start + timedelta(days=3 + i)).isoformat(), "nights": 2},
                headers=me,
            )
            for i in range(5)
        ]
    )
    assert Counter(_outcome(r) for r in tries) == {"booking-quota-exceeded": 5}
    one = await api.post(url, json={"first_night": (start + timedelta(days=9)).isoformat()}, headers=me)
    assert one.status_code == 201, one.text
    problem(
        await api.post(url, json={"first_night": (start + timedelta(days=10)).isoformat()}, headers=me), 409
    )
    cancelled = await api.post(f"/api/v1/bookings/{first.json()['id']}/cancel", headers=me)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    again = await api.post(
        url, json={"first_night": (start + timedelta(days=3)).isoformat(), "nights": 2}, headers=me
    )
    assert again.status_code == 201, again.text


async def test_check_in_with_the_signed_code_once(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    other_place = await make_place(api, boss, world.youth, name="另一驿站")
    room = await make_resource(api, boss, place, kind="desk", name="共享工位", capacity=3, who="signed_in")
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    start = next_slot(30)
    booked = await api.post(
        f"/api/v1/places/resources/{room['id']}/bookings",
        json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()},
        headers=me,
    )
    assert booked.status_code == 201, booked.text
    code = booked.json()["checkin_code"]
    assert (
        code
        and (await api.get(f"/api/v1/bookings/{booked.json()['id']}", headers=me)).json()["checkin_code"]
        == code
    )
    problem(
        await api.post(f"/api/v1/places/{other_place['id']}/check-ins", json={"code": code}, headers=boss),
        422,
    )
    problem(
        await api.post(
            f"/api/v1/places/{place['id']}/check-ins", json={"code": code[:-2] + "AA"}, headers=boss
        ),
        422,
    )
    first = await api.post(f"/api/v1/places/{place['id']}/check-ins", json={"code": code}, headers=boss)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "recorded" and first.json()["booking"]["status"] == "checked_in"
    second = await api.post(f"/api/v1/places/{place['id']}/check-ins", json={"code": code}, headers=boss)
    assert second.json()["outcome"] == "already_checked_in"
    problem(await api.post(f"/api/v1/bookings/{booked.json()['id']}/cancel", headers=me), 409)
    usage = (await api.get(f"/api/v1/places/{place['id']}/usage", headers=boss)).json()
    assert usage["checked_in"] == 1 and usage["unit_hours_booked"] == 1.0


async def test_a_no_show_frees_the_remaining_nights(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    bed = await make_resource(api, boss, place, kind="bed", name="单床", capacity=1, who="signed_in")
    (pid, other) = await make_persons(2)
    me = world.add("me", person(pid))
    url = f"/api/v1/places/resources/{bed['id']}/bookings"
    today = tomorrow() - timedelta(days=1)
    booked = await api.post(url, json={"first_night": today.isoformat(), "nights": 3}, headers=me)
    assert booked.status_code == 201, booked.text
    bid = booked.json()["id"]
    if (await Booking.select(Booking.starts_at).where(Booking.id == bid).first().run())[
        "starts_at"
    ].timestamp() > __import__("time").time():
        # Before 14:00 local the night has not begun: a no-show cannot be recorded yet.
        problem(await api.post(f"/api/v1/bookings/{bid}/no-show", headers=boss), 409)
        await (
            Booking.update({Booking.starts_at: Booking.starts_at - timedelta(hours=15)})
            .where(Booking.id == bid)
            .run()
        )
    problem(await api.post(f"/api/v1/bookings/{bid}/no-show", headers=me), 403)
    marked = await api.post(f"/api/v1/bookings/{bid}/no-show", headers=boss)
    assert marked.status_code == 200 and marked.json()["status"] == "no_show", marked.text
    assert await BookingClaim.count().where(BookingClaim.booking == bid).run() == 1  # tonight stays held
    later = await api.post(
        url,
        json={"first_night": (today + timedelta(days=1)).isoformat(), "nights": 2},
        headers=world.add("o", person(other)),
    )
    assert later.status_code == 201, later.text


async def test_approval_opens_a_process_whose_decision_confirms_or_frees(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    hall = await make_resource(api, boss, place, kind="room", name="报告厅", who="signed_in", approval=True)
    url = f"/api/v1/places/resources/{hall['id']}/bookings"
    day = tomorrow()
    a, b, c = await make_persons(3)
    pa, pb, pc = (world.add(n, person(p)) for n, p in (("a", a), ("b", b), ("c", c)))
    first = await api.post(
        url, json={"starts_at": slot(day, 9), "ends_at": slot(day, 11), "purpose": "求职讲座"}, headers=pa
    )
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "pending" and first.json().get("checkin_code") is None
    process_id = first.json()["process_id"]
    # A pending booking holds its time.
    problem(await api.post(url, json={"starts_at": slot(day, 10), "ends_at": slot(day, 12)}, headers=pb), 409)
    process = (await api.get(f"/api/v1/processes/{process_id}", headers=boss)).json()
    assert process["type"] == "core.place_booking" and process["form"]["purpose"] == "求职讲座"
    assert set(process["available_transitions"]) == {"approve", "reject"}
    approved = await api.post(
        f"/api/v1/processes/{process_id}/transitions",
        json={"transition": "approve"},
        headers={**boss, "If-Match": f'"{process["version"]}"'},
    )
    assert approved.status_code == 200, approved.text
    mine = (await api.get(f"/api/v1/bookings/{first.json()['id']}", headers=pa)).json()
    assert mine["status"] == "confirmed" and mine["checkin_code"]
    # Rejection frees the slots.
    second = await api.post(url, json={"starts_at": slot(day, 13), "ends_at": slot(day, 14)}, headers=pb)
    process2 = (await api.get(f"/api/v1/processes/{second.json()['process_id']}", headers=boss)).json()
    rejected = await api.post(
        f"/api/v1/processes/{process2['id']}/transitions",
        json={"transition": "reject", "comment": "当天另有安排"},
        headers={**boss, "If-Match": f'"{process2["version"]}"'},
    )
    assert rejected.status_code == 200, rejected.text
    assert (await api.get(f"/api/v1/bookings/{second.json()['id']}", headers=pb)).json()[
        "status"
    ] == "rejected"
    third = await api.post(url, json={"starts_at": slot(day, 13), "ends_at": slot(day, 14)}, headers=pc)
    assert third.status_code == 201, third.text
    # Cancelling a pending booking withdraws its process.
    cancelled = await api.post(f"/api/v1/bookings/{third.json()['id']}/cancel", headers=pc)
    assert cancelled.status_code == 200, cancelled.text
    closed = (await api.get(f"/api/v1/processes/{third.json()['process_id']}", headers=boss)).json()
    assert closed["status"] == "closed" and closed["outcome"] == "withdrawn"


async def test_a_cadre_of_a_sibling_subtree_neither_manages_nor_sees_bookings(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    stranger = world.add("stranger", cadre(world.other))
    sibling = world.add("sibling", cadre(world.union))
    place = await make_place(api, boss, world.youth)
    bed = await make_resource(api, boss, place, kind="bed", name="床位", capacity=2, who="signed_in")
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    booked = await api.post(
        f"/api/v1/places/resources/{bed['id']}/bookings",
        json={"first_night": tomorrow().isoformat(), "purpose": "来杭面试"},
        headers=me,
    )
    assert booked.status_code == 201, booked.text
    bid = booked.json()["id"]
    listed = await api.get(f"/api/v1/places/{place['id']}/bookings", headers=boss)
    assert [b["id"] for b in listed.json()["items"]] == [bid] and listed.json()["items"][0][
        "purpose"
    ] == "来杭面试"
    assert listed.json()["items"][0].get("checkin_code") is None
    for outsider in (stranger, sibling):
        problem(await api.get(f"/api/v1/places/{place['id']}/bookings", headers=outsider), 404)
        problem(await api.get(f"/api/v1/bookings/{bid}", headers=outsider), 404)
        problem(await api.post(f"/api/v1/bookings/{bid}/cancel", headers=outsider), 404)
        problem(await api.post(f"/api/v1/bookings/{bid}/no-show", headers=outsider), 404)
        problem(
            await api.post(
                f"/api/v1/places/{place['id']}/check-ins", json={"code": "A" * 42}, headers=outsider
            ),
            404,
        )
        problem(await api.get(f"/api/v1/places/{place['id']}/usage", headers=outsider), 404)
        problem(
            await api.post(
                f"/api/v1/places/{place['id']}/resources",
                json={"kind": "room", "name": "x"},
                headers=outsider,
            ),
            404,
        )
        problem(
            await api.patch(f"/api/v1/places/resources/{bed['id']}", json={"capacity": 9}, headers=outsider),
            404,
        )
        problem(
            await api.put(f"/api/v1/places/{place['id']}/shares", json={"shares": []}, headers=outsider), 404
        )
    other = world.add("other", person((await make_persons(1))[0]))
    problem(await api.get(f"/api/v1/bookings/{bid}", headers=other), 404)
    assert (await api.get("/api/v1/me/bookings", headers=me)).json()["items"][0]["id"] == bid
    assert (await api.get("/api/v1/me/bookings", headers=other)).json()["items"] == []


async def test_statistics_count_places_bookings_and_bed_occupancy(api: ApiClient, world: World) -> None:
    from core.places.statistics import place_figures

    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    bed = await make_resource(api, boss, place, kind="bed", name="床位", capacity=2, who="signed_in")
    pids = await make_persons(2)
    for i, pid in enumerate(pids):
        tonight = (tomorrow() - timedelta(days=1)).isoformat()
        r = await api.post(
            f"/api/v1/places/resources/{bed['id']}/bookings",
            json={"first_night": tonight},
            headers=world.add(f"p{i}", person(pid)),
        )
        assert r.status_code == 201, r.text
    figures = {f.code: f.value for f in await place_figures(world.root["path"])}
    assert figures["core.place.places"] == 1 and figures["core.place.bookings_30d"] == 2
    # Two bed-nights held of two beds × 30 nights offered.
    assert figures["core.place.bed_occupancy_30d"] == round(2 / 60, 4)
    assert (await place_figures(world.other["path"]))[0].value == 0


async def test_capacity_grows_freely_and_shrinks_only_to_what_no_future_booking_holds(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.youth))
    place = await make_place(api, boss, world.youth)
    beds = await make_resource(api, boss, place, kind="bed", name="床位", capacity=2, who="signed_in")
    url = f"/api/v1/places/resources/{beds['id']}"
    pids = await make_persons(3)
    for i, pid in enumerate(pids[:2]):
        booked = await api.post(
            f"{url}/bookings",
            json={"first_night": tomorrow().isoformat()},
            headers=world.add(f"p{i}", person(pid)),
        )
        assert booked.status_code == 201, booked.text
    problem(
        await api.post(
            f"{url}/bookings",
            json={"first_night": tomorrow().isoformat()},
            headers=world.add("p2", person(pids[2])),
        ),
        409,
    )
    problem(await api.patch(url, json={"capacity": 1}, headers=boss), 422)  # bed 2 is held tomorrow
    grown = await api.patch(url, json={"capacity": 3, "max_nights_per_year": 5}, headers=boss)
    assert grown.status_code == 200 and grown.json()["capacity"] == 3, grown.text
    third = await api.post(
        f"{url}/bookings",
        json={"first_night": tomorrow().isoformat()},
        headers=world.add("p2", person(pids[2])),
    )
    assert third.status_code == 201, third.text
    retired = await api.patch(url, json={"status": "retired"}, headers=boss)
    assert retired.status_code == 200
    assert (await api.get(f"/api/v1/places/{place['id']}/resources")).json() == []
    problem(
        await api.post(
            f"{url}/bookings",
            json={"first_night": tomorrow().isoformat()},
            headers=world.add("p0", person(pids[0])),
        ),
        404,
    )
