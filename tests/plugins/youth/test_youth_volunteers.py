"""Volunteers through HTTP: registration, hours credited from check-ins of a volunteer event, confirmed
by the organizer, the certificate and the totals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.testkit import assert_problem, signals_emitted
from tests.identity_helpers import bearer, make_account
from tests.plugins.youth.conftest import League, years_ago


async def volunteer_event(lg: League, hours: float) -> dict[str, Any]:
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    created = await lg.client.post(
        "/api/v1/events",
        json={
            "type": "youth.volunteer_service",
            "title": "社区助老志愿服务",
            "org_id": lg.orgs["committee"]["id"],
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=4)).isoformat(),
            "details": {"hours": hours, "field": "助老"},
        },
        headers=lg.headers["committee"],
    )
    assert created.status_code == 201, created.text
    event = created.json()
    published = await lg.client.post(f"/api/v1/events/{event['id']}/publish", headers=lg.headers["committee"])
    assert published.status_code in (200, 201), published.text
    return event


async def attend(lg: League, event: dict[str, Any], person: str) -> None:
    url = f"/api/v1/events/{event['id']}/registrations"
    reg = await lg.client.post(url, json={"person_id": person}, headers=lg.headers["committee"])
    assert reg.status_code == 201, reg.text
    code = (await lg.client.get(f"{url}/{reg.json()['id']}", headers=lg.headers["committee"])).json()[
        "checkin_code"
    ]
    checked = await lg.client.post(
        f"/api/v1/events/{event['id']}/checkins", json={"code": code}, headers=lg.headers["committee"]
    )
    assert checked.status_code in (200, 201), checked.text


async def test_hours_from_attended_events(league: League) -> None:
    lg = league
    person = await lg.person("a1", years_ago(20))
    me = await bearer(lg.client, *await make_account(lg.client.app.state.db, person=uuid_of(person)))
    other = await lg.person("a1", years_ago(21))

    registered = await lg.client.post(
        "/api/v1/youth/volunteers/me", json={"org": lg.orgs["a1"]["id"]}, headers=me
    )
    assert registered.status_code == 201 and registered.json()["number"].startswith("V")
    assert_problem(
        await lg.client.post("/api/v1/youth/volunteers/me", json={"org": lg.orgs["a1"]["id"]}, headers=me),
        409,
    )
    assert_problem(
        await lg.client.post(
            "/api/v1/youth/volunteers/me",
            json={"org": str(lg.tree.orgs["county_a"]["id"])},
            headers=await bearer(lg.client, *await make_account(lg.client.app.state.db)),
        ),
        422,
    )

    first, second = await volunteer_event(lg, 3.5), await volunteer_event(lg, 2)
    await attend(lg, first, person)
    await attend(lg, first, other)
    await attend(lg, second, person)
    hours = await lg.client.get(
        f"/api/v1/youth/volunteers/events/{first['id']}/hours", headers=lg.headers["committee"]
    )
    assert sorted((h["hours"], h["status"]) for h in hours.json()) == [("3.5", "pending"), ("3.5", "pending")]
    # nothing counts until the organizer confirms
    assert (await lg.client.get("/api/v1/youth/volunteers/me/certificate", headers=me)).json()[
        "total_hours"
    ] == "0.0"

    url = f"/api/v1/youth/volunteers/events/{first['id']}/hours/decision"
    assert_problem(await lg.client.post(url, json={"decision": "confirm"}, headers=lg.headers["other"]), 404)
    assert_problem(
        await lg.client.post(url, json={"decision": "maybe"}, headers=lg.headers["committee"]), 422
    )
    rejected = await lg.client.post(
        url, json={"decision": "reject", "persons": [other]}, headers=lg.headers["committee"]
    )
    assert rejected.json() == {"decided": 1}
    confirmed = await lg.client.post(url, json={"decision": "confirm"}, headers=lg.headers["committee"])
    assert confirmed.json() == {"decided": 1}
    await lg.client.post(
        f"/api/v1/youth/volunteers/events/{second['id']}/hours/decision",
        json={"decision": "confirm"},
        headers=lg.headers["committee"],
    )
    certificate = (await lg.client.get("/api/v1/youth/volunteers/me/certificate", headers=me)).json()
    assert certificate["total_hours"] == "5.5" and certificate["services"] == 2
    assert certificate["volunteer_number"] == registered.json()["number"]
    assert certificate["certificate_number"].startswith("VH")

    totals = await lg.client.get(
        "/api/v1/youth/volunteers/totals",
        params={"org": lg.orgs["committee"]["id"]},
        headers=lg.headers["committee"],
    )
    assert totals.json() == {
        "org": lg.orgs["committee"]["id"],
        "volunteers": 1,
        "persons_served": 1,
        "confirmed_hours": "5.5",
        "pending_hours": "0.0",
    }
    assert_problem(
        await lg.client.get(
            "/api/v1/youth/volunteers/totals",
            params={"org": lg.orgs["committee"]["id"]},
            headers=lg.headers["other"],
        ),
        404,
    )
    assert len(await signals_emitted("youth.hours_changed")) == 3 + 3


def uuid_of(value: str) -> Any:
    import uuid

    return uuid.UUID(value)
