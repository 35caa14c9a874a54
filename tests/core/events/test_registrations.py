"""Registration: second registration, closed/full/ineligible refusals, waitlist order, Idempotency-Key."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from core.events.tables import Event, Registration
from core.integration.tables import OutboxSignal
from core.members.tables import Membership
from tests.conftest import ApiClient
from tests.core.events.conftest import World, cadre, make_persons, person, published_event, soon
from tests.helpers import problem


async def test_register_myself_then_again_is_a_conflict(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    event = await published_event(api, boss, world.union, capacity=10)
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    url = f"/api/v1/events/{event['id']}/registrations"
    first = await api.post(url, headers=me)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["status"] == "confirmed" and body["person_id"] == str(pid)
    assert body["checkin_code"]
    second = problem(await api.post(url, headers=me), 409)
    assert second["type"].endswith("/already-registered")
    # My events and the event's figures.
    mine = (await api.get("/api/v1/events/mine", headers=me)).json()
    assert [e["id"] for e in mine["items"]] == [event["id"]]
    assert (await api.get(f"/api/v1/events/{event['id']}", headers=me)).json()["places_left"] == 9
    # Cancelling and registering again reuses the registration.
    cancelled = await api.post(f"{url}/{body['id']}/cancel", headers=me)
    assert cancelled.json()["status"] == "cancelled"
    problem(await api.post(f"{url}/{body['id']}/cancel", headers=me), 409)
    again = await api.post(url, headers=me)
    assert again.status_code == 201 and again.json()["id"] == body["id"]


async def test_refusals_each_have_their_own_type(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    pids = await make_persons(2, home=world.union)
    one, two = (world.add(f"p{i}", person(p)) for i, p in enumerate(pids))

    draft = (
        await api.post(
            "/api/v1/events",
            json={
                "type": "core.activity",
                "title": "草稿",
                "org_id": str(world.union["id"]),
                "starts_at": soon(3),
                "ends_at": soon(3, 2),
            },
            headers=boss,
        )
    ).json()
    problem(await api.post(f"/api/v1/events/{draft['id']}/registrations", headers=one), 404)
    body = problem(
        await api.post(
            f"/api/v1/events/{draft['id']}/registrations", json={"person_id": str(pids[0])}, headers=boss
        ),
        409,
    )
    assert body["type"].endswith("/registration-closed")
    closed = await published_event(api, boss, world.union, registration_closes_at=soon(-1))
    body = problem(await api.post(f"/api/v1/events/{closed['id']}/registrations", headers=one), 409)
    assert body["type"].endswith("/registration-closed")
    not_yet = await published_event(api, boss, world.union, registration_opens_at=soon(1))
    body = problem(await api.post(f"/api/v1/events/{not_yet['id']}/registrations", headers=one), 409)
    assert body["type"].endswith("/registration-closed")

    full = await published_event(api, boss, world.union, capacity=1, waitlist=False)
    assert (await api.post(f"/api/v1/events/{full['id']}/registrations", headers=one)).status_code == 201
    body = problem(await api.post(f"/api/v1/events/{full['id']}/registrations", headers=two), 409)
    assert body["type"].endswith("/event-full")

    invited = await published_event(api, boss, world.union, eligibility="invited", invitee_ids=[str(pids[0])])
    assert (await api.post(f"/api/v1/events/{invited['id']}/registrations", headers=one)).status_code == 201
    body = problem(await api.post(f"/api/v1/events/{invited['id']}/registrations", headers=two), 403)
    assert body["type"].endswith("/registration-ineligible")
    assert body["title"] == "不符合报名条件"
    en = await api.post(
        f"/api/v1/events/{invited['id']}/registrations", headers={**two, "Accept-Language": "en"}
    )
    assert en.json()["title"] == "Not eligible"


async def test_registering_others_needs_registration_manage(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    event = await published_event(api, boss, world.union, capacity=5)
    pids = await make_persons(2, home=world.union)
    me = world.add("me", person(pids[0]))
    url = f"/api/v1/events/{event['id']}/registrations"
    problem(await api.post(url, json={"person_id": str(pids[1])}, headers=me), 403)
    on_behalf = await api.post(url, json={"person_id": str(pids[1])}, headers=boss)
    assert on_behalf.status_code == 201 and on_behalf.json()["person_id"] == str(pids[1])
    problem(await api.post(url, json={"person_id": str(uuid.uuid4())}, headers=boss), 404)
    # The person sees their registration; another person does not.
    rid = on_behalf.json()["id"]
    problem(await api.get(f"{url}/{rid}", headers=me), 404)
    listed = (await api.get(url, headers=boss)).json()
    assert [r["id"] for r in listed["items"]] == [rid]
    problem(await api.get(url, headers=me), 403)


async def test_cancellations_promote_the_waitlist_in_order(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    event = await published_event(api, boss, world.union, capacity=2)
    url = f"/api/v1/events/{event['id']}/registrations"
    pids = await make_persons(6, home=world.union)
    regs = []
    for i, pid in enumerate(pids):
        response = await api.post(url, json={"person_id": str(pid)}, headers=boss)
        assert response.status_code == 201
        regs.append(response.json())
        if i >= 2:
            assert regs[-1]["status"] == "waitlisted"
            assert regs[-1]["waitlist_position"] == i - 1
    # The second in the waitlist leaves; then a confirmed one cancels: the first in line is promoted.
    await api.post(f"{url}/{regs[3]['id']}/cancel", headers=boss)
    await api.post(f"{url}/{regs[0]['id']}/cancel", headers=boss)
    statuses = {
        r["id"]: r["status"]
        for r in (await api.get(url, params={"limit": 100}, headers=boss)).json()["items"]
    }
    assert statuses[regs[2]["id"]] == "confirmed"
    assert statuses[regs[4]["id"]] == "waitlisted"
    assert (await api.get(f"{url}/{regs[4]['id']}", headers=boss)).json()["waitlist_position"] == 1
    await api.post(f"{url}/{regs[1]['id']}/cancel", headers=boss)
    assert (await api.get(f"{url}/{regs[4]['id']}", headers=boss)).json()["status"] == "confirmed"
    assert (await api.get(f"{url}/{regs[5]['id']}", headers=boss)).json()["waitlist_position"] == 1
    # Raising the capacity promotes too.
    current = await api.get(f"/api/v1/events/{event['id']}", headers=boss)
    raised = await api.patch(
        f"/api/v1/events/{event['id']}",
        json={"capacity": 3},
        headers={**boss, "If-Match": current.headers["etag"]},
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["confirmed_count"] == 3 and raised.json()["waitlisted_count"] == 0
    assert (await api.get(f"{url}/{regs[5]['id']}", headers=boss)).json()["status"] == "confirmed"
    # Lowering below the confirmed count is refused.
    body = problem(
        await api.patch(
            f"/api/v1/events/{event['id']}",
            json={"capacity": 1},
            headers={**boss, "If-Match": raised.headers["etag"]},
        ),
        422,
    )
    assert body["errors"][0]["pointer"] == "/capacity"
    promoted = await OutboxSignal.count().where(OutboxSignal.name == "registration.promoted").run()
    assert promoted == 3


async def test_same_idempotency_key_ten_times_concurrently_has_one_effect(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.union))
    event = await published_event(api, boss, world.union, capacity=100)
    pids = await make_persons(2, home=world.union)
    url = f"/api/v1/events/{event['id']}/registrations"
    key = {"Idempotency-Key": "reg-" + uuid.uuid4().hex}
    body = {"person_id": str(pids[0])}
    responses = await asyncio.gather(*[api.post(url, json=body, headers={**boss, **key}) for _ in range(10)])
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == 9
    assert await Registration.count().where(Registration.event == event["id"]).run() == 1
    row = await Event.select(Event.confirmed_count).where(Event.id == event["id"]).first().run()
    assert row is not None and row["confirmed_count"] == 1
    assert await OutboxSignal.count().where(OutboxSignal.name == "registration.confirmed").run() == 1
    # The same key with another request is refused; another caller's identical key is its own.
    other = problem(await api.post(url, json={"person_id": str(pids[1])}, headers={**boss, **key}), 422)
    assert other["type"].endswith("/idempotency-key-reused")
    problem(await api.post(url, json=body, headers={**boss, "Idempotency-Key": "bad key"}), 400)
    # Keys are scoped to the caller: someone else's identical key is a request of its own.
    (third,) = await make_persons(1)
    mine = await api.post(url, headers={**world.add("third", person(third)), **key})
    assert mine.status_code == 201 and mine.json()["person_id"] == str(third)
    assert "idempotent-replayed" not in mine.headers


async def test_registration_after_the_event_ended_is_closed(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    past = datetime.now(UTC) - timedelta(days=2)
    event = await published_event(
        api, boss, world.union, starts_at=past.isoformat(), ends_at=(past + timedelta(hours=2)).isoformat()
    )
    (pid,) = await make_persons(1)
    body = problem(
        await api.post(f"/api/v1/events/{event['id']}/registrations", headers=world.add("p", person(pid))),
        409,
    )
    assert body["type"].endswith("/registration-closed")


async def test_members_only_events_take_members_of_the_subtree(api: ApiClient, world: World) -> None:

    boss = world.add("boss", cadre(world.root))
    event = await published_event(api, boss, world.root, eligibility="members")
    member, outsider = await make_persons(2)
    await Membership.insert(Membership(org=world.union["id"], person=member, status="active")).run()
    url = f"/api/v1/events/{event['id']}/registrations"
    assert (await api.post(url, headers=world.add("member", person(member)))).status_code == 201
    body = problem(await api.post(url, headers=world.add("outsider", person(outsider))), 403)
    assert body["type"].endswith("/registration-ineligible")


async def test_members_see_members_only_events_of_the_orgs_above_them(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.root))
    above = await published_event(api, boss, world.root, title="区委会员活动", visibility="members")
    mine = await published_event(api, boss, world.union, title="工会会员活动", visibility="members")
    await published_event(api, boss, world.youth, title="团员活动", visibility="members")
    member, outsider = await make_persons(2)
    await Membership.insert(Membership(org=world.union["id"], person=member, status="active")).run()
    await Membership.insert(Membership(org=world.youth["id"], person=member, status="left")).run()
    seen = (await api.get("/api/v1/events", headers=world.add("member", person(member)))).json()
    assert sorted(e["title"] for e in seen["items"]) == ["区委会员活动", "工会会员活动"]
    assert (
        await api.get(f"/api/v1/events/{mine['id']}", headers=world.add("member", person(member)))
    ).status_code == 200
    others = (await api.get("/api/v1/events", headers=world.add("outsider", person(outsider)))).json()
    assert others["items"] == []
    problem(
        await api.get(f"/api/v1/events/{above['id']}", headers=world.add("outsider", person(outsider))), 404
    )


async def test_members_direct_events_reach_the_organizers_own_members_only(
    api: ApiClient, world: World
) -> None:
    """``members`` reaches the whole subtree's members; ``members_direct`` the lead organizer's own."""
    boss = world.add("boss", cadre(world.root))
    whole = await published_event(api, boss, world.root, title="区委全体会员", visibility="members")
    direct = await published_event(api, boss, world.root, title="区委直属会员", visibility="members_direct")
    below, own = await make_persons(2)
    await Membership.insert(
        Membership(org=world.union["id"], person=below, status="active"),
        Membership(org=world.root["id"], person=own, status="active"),
    ).run()
    for who, titles in ((below, ["区委全体会员"]), (own, ["区委全体会员", "区委直属会员"])):
        headers = world.add(str(who), person(who))
        seen = (await api.get("/api/v1/events", headers=headers)).json()
        assert sorted(e["title"] for e in seen["items"]) == titles
        assert (await api.get(f"/api/v1/events/{whole['id']}", headers=headers)).status_code == 200
        expected = 200 if who == own else 404
        assert (await api.get(f"/api/v1/events/{direct['id']}", headers=headers)).status_code == expected
