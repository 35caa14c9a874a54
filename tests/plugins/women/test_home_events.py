"""Activities at a women's or children's home through HTTP: the women's event types (家庭教育
``women.family_education``, 妇女之家/儿童之家活动 ``women.home_activity``) held in a home's room, booked with
the event so two activities never share it; their details validated; another county's cadre refused."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.testkit import assert_problem, signals_emitted
from tests.plugins.women.conftest import Women, make_account

ZONE = ZoneInfo("Asia/Shanghai")  # the platform's day, whatever the machine's


def _saturday() -> date:
    """A Saturday at least two days after today in Asia/Shanghai (the home opens 09:00–17:00 then)."""
    day = datetime.now(ZONE).date() + timedelta(days=2)
    while day.isoweekday() != 6:
        day += timedelta(days=1)
    return day


def _at(day: date, hour: int) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).isoformat()


async def _home_with_room(client: Any, headers: dict[str, str], org_id: Any) -> tuple[dict, dict]:
    place = await client.post(
        "/api/v1/places",
        json={
            "kind": "women.childrens_home",
            "org_id": str(org_id),
            "name": "东村儿童之家",
            "services": ["reading", "safety_education"],
            "opening_hours": [{"days": [6], "opens": "09:00", "closes": "17:00"}],
        },
        headers=headers,
    )
    assert place.status_code == 201, place.text
    room = await client.post(
        f"/api/v1/places/{place.json()['id']}/resources",
        json={"kind": "room", "name": "活动室", "seats": 40, "slot_minutes": 60},
        headers=headers,
    )
    assert room.status_code == 201, room.text
    return place.json(), room.json()


async def test_activities_are_held_in_a_homes_room_with_their_details(
    quntuan_client: Any, women: Women
) -> None:
    client, admin, platform = quntuan_client, women.admin_a, women.headers["platform"]
    village = women.orgs["county_a_village"]
    place, room = await _home_with_room(client, admin, village["id"])
    day = _saturday()
    lecture: dict[str, Any] = {
        "type": "women.family_education",
        "title": "家长学校：亲子阅读指导",
        "org_id": str(village["id"]),
        "starts_at": _at(day, 9),
        "ends_at": _at(day, 11),
        "place": place["name"],
        "resource_id": room["id"],
        "capacity": 30,
        "details": {
            "form": "parent_child",
            "audience": "families",
            "topic": "亲子阅读",
            "parents_school": True,
        },
    }

    # The details follow the type: a family-education activity names its topic; kinds are listed ones.
    untitled = await client.post(
        "/api/v1/events", json={**lecture, "details": {"form": "lecture"}}, headers=admin
    )
    assert assert_problem(untitled, 422)["errors"][0]["pointer"] == "/details/topic"
    bad_form = await client.post(
        "/api/v1/events", json={**lecture, "details": {"topic": "亲子", "form": "party"}}, headers=admin
    )
    assert assert_problem(bad_form, 422)["errors"][0]["pointer"] == "/details/form"
    unknown = await client.post(
        "/api/v1/events", json={**lecture, "details": {"topic": "亲子", "year": 2026}}, headers=admin
    )
    assert assert_problem(unknown, 422)["errors"][0]["pointer"] == "/details/year"

    created = await client.post("/api/v1/events", json=lecture, headers=admin)
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["type"] == "women.family_education" and event["resource_id"] == room["id"]
    assert event["details"] == {
        "form": "parent_child",
        "audience": "families",
        "topic": "亲子阅读",
        "lecturer": "",
        "parents_school": True,
    }
    published = await client.post(f"/api/v1/events/{event['id']}/publish", headers=admin)
    assert published.status_code == 200, published.text

    # The room is the lecture's for its hours: a home activity at the same time is refused, later it fits.
    home_activity: dict[str, Any] = {
        **lecture,
        "type": "women.home_activity",
        "title": "儿童之家暑期安全教育",
        "details": {"home": "children", "theme": "防溺水安全教育"},
    }
    clash = await client.post("/api/v1/events", json=home_activity, headers=admin)
    assert_problem(clash, 409, "resource-unavailable")
    wrong_home = await client.post(
        "/api/v1/events", json={**home_activity, "details": {"home": "elderly"}}, headers=admin
    )
    assert assert_problem(wrong_home, 422)["errors"][0]["pointer"] == "/details/home"
    later = await client.post(
        "/api/v1/events",
        json={**home_activity, "starts_at": _at(day, 14), "ends_at": _at(day, 16)},
        headers=admin,
    )
    assert later.status_code == 201, later.text
    assert later.json()["details"] == {"home": "children", "theme": "防溺水安全教育"}
    # Outside the home's opening hours there is no room to book.
    evening = await client.post(
        "/api/v1/events",
        json={**home_activity, "starts_at": _at(day, 18), "ends_at": _at(day, 19)},
        headers=admin,
    )
    assert_problem(evening, 422, "booking-outside-window")

    # Listed by type for anyone signed in; a mother registers for the lecture.
    mother, _ = await make_account(client, platform, women.tree.orgs["county_a"]["id"])
    listed = await client.get("/api/v1/events", params={"type": "women.family_education"}, headers=mother)
    assert listed.status_code == 200, listed.text
    assert [e["id"] for e in listed.json()["items"]] == [event["id"]]
    registered = await client.post(f"/api/v1/events/{event['id']}/registrations", json={}, headers=mother)
    assert registered.status_code == 201, registered.text
    assert {"event.created", "event.published"} <= {s["name"] for s in await signals_emitted()}

    # County B's cadre can hold no activity for county A's village federation, nor in its home's room.
    admin_b, _ = await make_account(
        client, platform, women.tree.orgs["county_b"]["id"], sorted(client.app.state.registry.permissions)
    )
    foreign = await client.post(
        "/api/v1/events",
        json={**home_activity, "starts_at": _at(day, 12), "ends_at": _at(day, 13)},
        headers=admin_b,
    )
    assert_problem(foreign, 403, "forbidden")
    fed_b = women.orgs["county_b_fed"]
    borrowed = await client.post(
        "/api/v1/events",
        json={
            **home_activity,
            "org_id": str(fed_b["id"]),
            "starts_at": _at(day, 12),
            "ends_at": _at(day, 13),
        },
        headers=admin_b,
    )
    assert_problem(borrowed, 403, "booking-not-eligible")
