"""Capacity holds exactly under concurrency, on SQLite and on PostgreSQL.

500 people register at once for 50 places, 20 times over: exactly 50 are confirmed each time, the rest
waitlisted (or, without a waitlist, refused with ``event-full``). Driven through HTTP (httpx over ASGI,
all requests in flight together) and directly against the service.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest

from core.events import registrations
from core.events.tables import Event, Registration
from core.kernel.errors import Problem
from tests.conftest import ApiClient
from tests.core.events.conftest import World, cadre, make_persons, person, published_event

ATTEMPTS = 500
CAPACITY = 50
ROUNDS = 20


async def _figures(event_id: str) -> tuple[int, Counter[str]]:
    row = await Event.select(Event.confirmed_count).where(Event.id == event_id).first().run()
    assert row is not None
    rows = await Registration.select(Registration.status).where(Registration.event == event_id).run()
    return row["confirmed_count"], Counter(r["status"] for r in rows)


@pytest.mark.slow
async def test_500_concurrent_registrations_for_50_places_over_http(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    pids = await make_persons(ATTEMPTS)
    callers = [world.add(f"p{i}", person(pid)) for i, pid in enumerate(pids)]
    for round_ in range(ROUNDS):
        waitlist = round_ % 2 == 0
        event = await published_event(api, boss, world.union, capacity=CAPACITY, waitlist=waitlist)
        url = f"/api/v1/events/{event['id']}/registrations"
        responses = await asyncio.gather(*[api.post(url, headers=h) for h in callers])
        outcomes = Counter(
            r.json()["status"] if r.status_code == 201 else r.json()["type"].rsplit("/", 1)[-1]
            for r in responses
        )
        confirmed, stored = await _figures(event["id"])
        assert confirmed == CAPACITY, (round_, outcomes)
        assert outcomes["confirmed"] == CAPACITY, (round_, outcomes)
        assert stored["confirmed"] == CAPACITY
        if waitlist:
            assert outcomes["waitlisted"] == ATTEMPTS - CAPACITY, (round_, outcomes)
            assert stored["waitlisted"] == ATTEMPTS - CAPACITY
        else:
            assert outcomes["event-full"] == ATTEMPTS - CAPACITY, (round_, outcomes)
            assert sum(stored.values()) == CAPACITY


async def test_concurrent_registrations_against_the_service(api: ApiClient, world: World) -> None:
    """The same guarantee without HTTP: many transactions racing on one event row."""
    boss = world.add("boss", cadre(world.union))
    db = api.app.state.db
    pids = await make_persons(ATTEMPTS, home=world.union)
    principal = cadre(world.union)
    for round_ in range(2):
        event = await published_event(api, boss, world.union, capacity=CAPACITY, waitlist=round_ == 0)

        async def attempt(pid: Any, event_id: Any = event["id"]) -> str:
            try:
                async with db.transaction():
                    row, _ = await registrations.register(principal, event_id, pid, timezone="Asia/Shanghai")
                return str(row["status"])
            except Problem as exc:
                return exc.problem.code

        outcomes = Counter(await asyncio.gather(*[attempt(pid) for pid in pids]))
        confirmed, stored = await _figures(event["id"])
        assert outcomes["confirmed"] == confirmed == stored["confirmed"] == CAPACITY, outcomes
        rest = "waitlisted" if round_ == 0 else "event-full"
        assert outcomes[rest] == ATTEMPTS - CAPACITY, outcomes


async def test_concurrent_cancellations_and_registrations_keep_the_count(
    api: ApiClient, world: World
) -> None:
    """Cancellations racing new registrations: the confirmed count always equals the confirmed rows."""
    boss = world.add("boss", cadre(world.union))
    pids = await make_persons(120, home=world.union)
    event = await published_event(api, boss, world.union, capacity=40)
    url = f"/api/v1/events/{event['id']}/registrations"
    first = await asyncio.gather(
        *[api.post(url, json={"person_id": str(p)}, headers=boss) for p in pids[:80]]
    )
    confirmed_ids = [r.json()["id"] for r in first if r.json()["status"] == "confirmed"]
    assert len(confirmed_ids) == 40
    await asyncio.gather(
        *[api.post(f"{url}/{rid}/cancel", headers=boss) for rid in confirmed_ids[:20]],
        *[api.post(url, json={"person_id": str(p)}, headers=boss) for p in pids[80:]],
    )
    confirmed, stored = await _figures(event["id"])
    assert confirmed == stored["confirmed"] == 40
    assert stored["cancelled"] == 20
    assert stored["waitlisted"] == 120 - 40 - 20
