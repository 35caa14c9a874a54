"""青年驿站 through HTTP: a League committee's station with beds, free nights within a yearly limit per
person, and overbooking refused (the core's bookings, exact under concurrency)."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from core.testkit import assert_problem
from tests.identity_helpers import bearer, make_account
from tests.plugins.youth.conftest import League

TZ = ZoneInfo("Asia/Shanghai")


async def test_station_beds_limit_and_overbooking(league: League) -> None:
    lg = league
    wrong = await lg.client.post(
        "/api/v1/places",
        json={"kind": "youth.hostel", "org_id": str(lg.tree.orgs["county_a"]["id"]), "name": "党委驿站"},
        headers=lg.tree.headers["platform"],
    )
    assert_problem(wrong, wrong.status_code)  # only League orgs keep 青年驿站
    place = await lg.client.post(
        "/api/v1/places",
        json={
            "kind": "youth.hostel",
            "org_id": lg.orgs["committee"]["id"],
            "name": "甲县青年驿站",
            "services": ["lodging", "job_advice"],
        },
        headers=lg.headers["committee"],
    )
    assert place.status_code == 201, place.text
    bed = await lg.client.post(
        f"/api/v1/places/{place.json()['id']}/resources",
        json={
            "kind": "bed",
            "name": "求职免费床位",
            "capacity": 2,
            "who": "signed_in",
            "max_nights_per_year": 3,
        },
        headers=lg.headers["committee"],
    )
    assert bed.status_code == 201, bed.text
    url = f"/api/v1/places/resources/{bed.json()['id']}/bookings"
    db = lg.client.app.state.db
    guests = [
        await bearer(lg.client, *await make_account(db, home_org=uuid.UUID(lg.orgs["a1"]["id"])))
        for _ in range(4)
    ]
    night = dt.datetime.now(TZ).date() + dt.timedelta(days=20)
    if night.year != (night + dt.timedelta(days=10)).year:
        night += dt.timedelta(days=12)

    # four job-seekers want the same night of two beds at once: exactly two get one
    tries = await asyncio.gather(
        *[lg.client.post(url, json={"first_night": night.isoformat()}, headers=g) for g in guests]
    )
    assert sorted(r.status_code for r in tries) == [201, 201, 409, 409]
    winner = guests[[r.status_code for r in tries].index(201)]
    # the yearly limit of three free nights per person holds
    two = await lg.client.post(
        url, json={"first_night": (night + dt.timedelta(days=2)).isoformat(), "nights": 2}, headers=winner
    )
    assert two.status_code == 201, two.text
    over = await lg.client.post(
        url, json={"first_night": (night + dt.timedelta(days=6)).isoformat()}, headers=winner
    )
    assert_problem(over, over.status_code)
    assert over.status_code in (409, 422)
