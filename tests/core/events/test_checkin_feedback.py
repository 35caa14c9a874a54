"""Check-in codes (forged ones refused), idempotent batches, attendance, feedback and ratings."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from core.events.checkin_codes import checkin_code, venue_code, verify_checkin_code, verify_venue_code
from core.events.tables import CheckIn, Event
from core.integration.tables import OutboxSignal
from core.kernel.pagination import encode_cursor
from tests.conftest import SECRET, ApiClient
from tests.core.events.conftest import World, cadre, make_persons, person, published_event, soon
from tests.helpers import AllowAll, problem


def test_codes_are_signed_and_qr_friendly() -> None:
    rid = uuid.uuid4()
    code = checkin_code(SECRET, rid)
    assert code.isupper() and code.isalnum() and len(code) == 42
    assert verify_checkin_code(SECRET, code) == rid
    assert verify_checkin_code(SECRET, code.lower()) == rid
    assert verify_checkin_code("another-secret-of-another-platform", code) is None
    tampered = checkin_code(SECRET, uuid.uuid4())[:26] + code[26:]
    assert verify_checkin_code(SECRET, tampered) is None
    for i in (0, 20, 30, len(code) - 1):  # any character changed, in the id or in the signature
        changed = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
        assert verify_checkin_code(SECRET, changed) is None
    assert verify_checkin_code(SECRET, "not a code!") is None
    assert verify_checkin_code(SECRET, "") is None


async def _registered(
    api: ApiClient, world: World, n: int, **event: Any
) -> tuple[dict[str, str], dict[str, Any], list[dict[str, Any]]]:
    boss = world.add("boss", cadre(world.union))
    ev = await published_event(api, boss, world.union, **event)
    pids = await make_persons(n)
    regs = []
    for i, pid in enumerate(pids):
        me = world.add(f"p{i}", person(pid))
        response = await api.post(f"/api/v1/events/{ev['id']}/registrations", headers=me)
        assert response.status_code == 201, response.text
        regs.append({**response.json(), "headers": me})
    return boss, ev, regs


async def test_check_in_by_code_and_forged_codes(api: ApiClient, world: World) -> None:
    boss, event, regs = await _registered(api, world, 2, capacity=1)
    url = f"/api/v1/events/{event['id']}/checkins"
    mine = await api.get(
        f"/api/v1/events/{event['id']}/registrations/{regs[0]['id']}", headers=regs[0]["headers"]
    )
    code = mine.json()["checkin_code"]
    assert code == regs[0]["checkin_code"]
    assert regs[1]["status"] == "waitlisted" and "checkin_code" not in regs[1]

    forged = checkin_code("forged-secret", uuid.UUID(regs[0]["id"]))
    body = problem(await api.post(url, json={"code": forged}, headers=boss), 422)
    assert body["type"].endswith("/invalid-checkin-code")
    problem(await api.post(url, json={"code": code}, headers=regs[0]["headers"]), 403)

    first = await api.post(url, json={"code": code}, headers=boss)
    assert first.status_code == 201, first.text
    assert first.json()["method"] == "code"
    again = await api.post(url, json={"code": code}, headers=boss)
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    # A genuine code of another event is not valid here.
    other = await published_event(api, boss, world.union)
    body = problem(
        await api.post(f"/api/v1/events/{other['id']}/checkins", json={"code": code}, headers=boss), 422
    )
    assert body["type"].endswith("/invalid-checkin-code")
    # The waitlisted registration cannot check in, even by hand.
    body = problem(await api.post(url, json={"registration_id": regs[1]["id"]}, headers=boss), 409)
    assert body["type"].endswith("/checkin-not-allowed")
    assert await OutboxSignal.count().where(OutboxSignal.name == "checkin.recorded").run() == 1


async def test_batch_check_in_twice_changes_nothing_the_second_time(api: ApiClient, world: World) -> None:
    boss, event, regs = await _registered(api, world, 5, capacity=4)
    url = f"/api/v1/events/{event['id']}/checkins/batch"
    scanned = datetime(2030, 1, 1, 9, 30, tzinfo=UTC).isoformat()
    items = [{"code": r["checkin_code"], "checked_in_at": scanned} for r in regs[:3]]
    items.append({"code": checkin_code("forged", uuid.uuid4())})
    items.append({"code": items[0]["code"]})  # scanned twice at the venue
    waitlisted_code = checkin_code(SECRET, uuid.UUID(regs[4]["id"]))
    items.append({"code": waitlisted_code})
    first = await api.post(url, json={"items": items}, headers=boss)
    assert first.status_code == 200, first.text
    report = first.json()
    assert [r["outcome"] for r in report["items"]] == [
        "recorded",
        "recorded",
        "recorded",
        "invalid_code",
        "already_checked_in",
        "not_confirmed",
    ]
    assert (report["recorded"], report["already_checked_in"], report["rejected"]) == (3, 1, 2)
    before = await CheckIn.select().where(CheckIn.event == event["id"]).order_by(CheckIn.id).run()
    signals = await OutboxSignal.count().run()

    second = (await api.post(url, json={"items": items}, headers=boss)).json()
    assert [r["outcome"] for r in second["items"]] == [
        "already_checked_in",
        "already_checked_in",
        "already_checked_in",
        "invalid_code",
        "already_checked_in",
        "not_confirmed",
    ]
    assert second["recorded"] == 0
    assert await CheckIn.select().where(CheckIn.event == event["id"]).order_by(CheckIn.id).run() == before
    assert await OutboxSignal.count().run() == signals

    attendance = (await api.get(f"/api/v1/events/{event['id']}/attendance", headers=boss)).json()
    assert attendance == {
        "event_id": event["id"],
        "capacity": 4,
        "confirmed": 4,
        "waitlisted": 1,
        "cancelled": 0,
        "checked_in": 3,
        "attendance_rate": 0.75,
    }
    listed = (await api.get(f"/api/v1/events/{event['id']}/checkins", headers=boss)).json()
    assert len(listed["items"]) == 3 and {c["method"] for c in listed["items"]} == {"batch"}


async def test_feedback_after_the_event_by_attendees(api: ApiClient, world: World) -> None:
    boss, event, regs = await _registered(api, world, 3, capacity=10, starts_at=soon(-0.1), ends_at=soon(1))
    url = f"/api/v1/events/{event['id']}/feedback"
    for r in regs[:2]:
        response = await api.post(
            f"/api/v1/events/{event['id']}/checkins", json={"code": r["checkin_code"]}, headers=boss
        )
        assert response.status_code == 201
    body = problem(await api.post(url, json={"rating": 5}, headers=regs[0]["headers"]), 409)
    assert body["type"].endswith("/feedback-not-allowed")  # not over yet
    finished = await api.post(f"/api/v1/events/{event['id']}/finish", headers=boss)
    assert finished.json()["status"] == "finished"

    given = await api.post(url, json={"rating": 5, "comment": "很有收获"}, headers=regs[0]["headers"])
    assert given.status_code == 201, given.text
    body = problem(await api.post(url, json={"rating": 4}, headers=regs[0]["headers"]), 409)
    assert body["type"].endswith("/feedback-already-given")
    assert (await api.post(url, json={"rating": 2}, headers=regs[1]["headers"])).status_code == 201
    body = problem(await api.post(url, json={"rating": 1}, headers=regs[2]["headers"]), 409)
    assert body["type"].endswith("/feedback-not-allowed")  # registered but never came
    body = problem(await api.post(url, json={"rating": 6}, headers=regs[2]["headers"]), 422)
    assert body["errors"][0]["pointer"] == "/rating"

    summary = (await api.get(f"{url}/summary", headers=regs[2]["headers"])).json()
    assert summary["count"] == 2 and summary["average"] == 3.5
    assert summary["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    comments = (await api.get(url, headers=boss)).json()
    assert sorted(c["rating"] for c in comments["items"]) == [2, 5]
    problem(await api.get(url, headers=regs[2]["headers"]), 403)
    assert await OutboxSignal.count().where(OutboxSignal.name == "feedback.given").run() == 2


async def test_ratings_per_organizing_org(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.root))
    past = datetime.now(UTC) - timedelta(days=1)
    pids = await make_persons(2, home=world.union)
    joint = await published_event(
        api,
        boss,
        world.union,
        co_organizer_ids=[str(world.youth["id"])],
        starts_at=(past - timedelta(hours=3)).isoformat(),
        ends_at=past.isoformat(),
        registration_closes_at=(past - timedelta(hours=2)).isoformat(),
    )
    # Registration closed before the start; the organizer registered both persons in time.
    await (
        Event.update(
            {Event.registration_closes_at: None, Event.ends_at: datetime.now(UTC) + timedelta(hours=1)}
        )
        .where(Event.id == joint["id"])
        .run()
    )
    for pid in pids:
        r = await api.post(
            f"/api/v1/events/{joint['id']}/registrations", json={"person_id": str(pid)}, headers=boss
        )
        await api.post(
            f"/api/v1/events/{joint['id']}/checkins", json={"code": r.json()["checkin_code"]}, headers=boss
        )
    await Event.update({Event.ends_at: past}).where(Event.id == joint["id"]).run()
    for pid, rating in zip(pids, (4, 5), strict=True):
        response = await api.post(
            f"/api/v1/events/{joint['id']}/feedback",
            json={"rating": rating},
            headers=world.add(str(pid), person(pid)),
        )
        assert response.status_code == 201, response.text
    ratings = (
        await api.get("/api/v1/events/ratings", params={"org": str(world.root["id"])}, headers=boss)
    ).json()
    by_org = {r["org_id"]: r for r in ratings["items"]}
    assert set(by_org) == {str(world.union["id"]), str(world.youth["id"])}
    assert by_org[str(world.union["id"])] == {
        "org_id": str(world.union["id"]),
        "events": 1,
        "count": 2,
        "average": 4.5,
    }
    only = (
        await api.get(
            "/api/v1/events/ratings", params={"org": str(world.youth["id"]), "scope": "org"}, headers=boss
        )
    ).json()
    assert [r["org_id"] for r in only["items"]] == [str(world.youth["id"])]


async def test_ratings_count_only_the_events_the_caller_may_see(api: ApiClient, world: World) -> None:
    """Members-only and subtree events count for those who may see them (a cadre reaching their
    organizer, a member of it); everyone else's ratings are those of public events alone."""
    boss = world.add("boss", cadre(world.root))
    past = datetime.now(UTC) - timedelta(days=1)
    rater = (await make_persons(1))[0]
    for visibility, rating in (("public", 2), ("members", 4), ("subtree", 5)):
        event = await published_event(api, boss, world.union, visibility=visibility)
        await CheckIn.insert(CheckIn(event=event["id"], person=rater, method="manual")).run()
        await (
            Event.update({Event.ends_at: past, Event.starts_at: past - timedelta(hours=2)})
            .where(Event.id == event["id"])
            .run()
        )
        given = await api.post(
            f"/api/v1/events/{event['id']}/feedback",
            json={"rating": rating},
            headers=world.add("rater", cadre(world.root, person_id=rater)),
        )
        assert given.status_code == 201, given.text

    async def ratings(headers: dict[str, str]) -> dict[str, Any]:
        response = await api.get(
            "/api/v1/events/ratings", params={"org": str(world.root["id"])}, headers=headers
        )
        assert response.status_code == 200, response.text
        return {r["org_id"]: (r["events"], r["count"], r["average"]) for r in response.json()["items"]}

    union = str(world.union["id"])
    assert await ratings(boss) == {union: (3, 3, 3.67)}
    assert await ratings(world.add("reader", cadre(world.union))) == {union: (3, 3, 3.67)}
    assert await ratings(world.add("sibling", cadre(world.women))) == {union: (1, 1, 2.0)}
    assert await ratings(world.add("stranger", person((await make_persons(1))[0]))) == {union: (1, 1, 2.0)}
    member = (await make_persons(1))[0]
    joined = await api.post(
        f"/api/v1/orgs/{world.union['id']}/members",
        json={"person": str(member)},
        headers=world.add("admin", AllowAll()),
    )
    assert joined.status_code == 201, joined.text
    assert await ratings(world.add("member", person(member))) == {union: (2, 2, 3.0)}
    cursor = encode_cursor([world.union["path"], "a second value"])
    refused = await api.get(
        "/api/v1/events/ratings", params={"org": str(world.root["id"]), "cursor": cursor}, headers=boss
    )
    assert refused.status_code == 400


def test_venue_codes_are_signed_per_event_and_never_person_codes() -> None:
    event_id, expires = uuid.uuid4(), 2_000_000_000
    code = venue_code(SECRET, event_id, expires)
    assert code.isupper() and code.isalnum()
    assert verify_venue_code(SECRET, code) == (event_id, expires)
    assert verify_venue_code("another-secret", code) is None
    assert verify_venue_code(SECRET, venue_code("another-secret", event_id, expires)) is None
    for i in (0, 20, 30, len(code) - 1):
        changed = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1 :]
        assert verify_venue_code(SECRET, changed) is None
    assert verify_venue_code(SECRET, checkin_code(SECRET, event_id)) is None
    assert verify_checkin_code(SECRET, code) is None


async def test_my_events_carry_my_registration(api: ApiClient, world: World) -> None:
    _, event, regs = await _registered(api, world, 2, capacity=1)
    for reg in regs:
        mine = (await api.get("/api/v1/events/mine", headers=reg["headers"])).json()["items"]
        assert [e["id"] for e in mine] == [event["id"]]
        assert mine[0]["title"] == event["title"]
        registration = mine[0]["registration"]
        assert registration["id"] == reg["id"] and registration["status"] == reg["status"]
        assert registration.get("checkin_code") == reg.get("checkin_code")
    assert "checkin_code" not in regs[1]  # waitlisted: no code yet
    assert "checked_in_at" not in mine[0]["registration"]


async def test_self_check_in_by_the_venue_code(api: ApiClient, world: World) -> None:
    boss, event, regs = await _registered(api, world, 3, capacity=2, starts_at=soon(-0.01), ends_at=soon(0.1))
    minted = await api.get(f"/api/v1/events/{event['id']}/venue-code", headers=boss)
    assert minted.status_code == 200, minted.text
    venue = minted.json()
    assert venue["event_id"] == event["id"]
    assert datetime.fromisoformat(venue["expires_at"]) <= datetime.now(UTC) + timedelta(seconds=301)
    problem(await api.get(f"/api/v1/events/{event['id']}/venue-code", headers=regs[0]["headers"]), 403)
    url = f"/api/v1/events/{event['id']}/checkins/venue"

    first = await api.post(url, json={"code": venue["code"]}, headers=regs[0]["headers"])
    assert first.status_code == 201, first.text
    assert first.json()["method"] == "venue" and first.json()["registration_id"] == regs[0]["id"]
    again = await api.post(url, json={"code": venue["code"]}, headers=regs[0]["headers"])
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]  # once
    mine = (await api.get("/api/v1/events/mine", headers=regs[0]["headers"])).json()["items"]
    assert mine[0]["registration"]["checked_in_at"] == first.json()["checked_in_at"]

    body = problem(await api.post(url, json={"code": venue["code"]}, headers=regs[2]["headers"]), 409)
    assert body["type"].endswith("/checkin-not-allowed")  # waitlisted
    outsider = world.add("outsider", person((await make_persons(1))[0]))
    problem(await api.post(url, json={"code": venue["code"]}, headers=outsider), 409)

    other = await published_event(api, boss, world.union, starts_at=soon(-0.01), ends_at=soon(0.1))
    other_code = (await api.get(f"/api/v1/events/{other['id']}/venue-code", headers=boss)).json()["code"]
    body = problem(await api.post(url, json={"code": other_code}, headers=regs[1]["headers"]), 422)
    assert body["type"].endswith("/invalid-venue-code")  # another event's code
    forged = venue_code("forged-secret", uuid.UUID(event["id"]), int(datetime.now(UTC).timestamp()) + 300)
    body = problem(await api.post(url, json={"code": forged}, headers=regs[1]["headers"]), 422)
    assert body["type"].endswith("/invalid-venue-code")
    expired = venue_code(SECRET, uuid.UUID(event["id"]), int(datetime.now(UTC).timestamp()) - 1)
    body = problem(await api.post(url, json={"code": expired}, headers=regs[1]["headers"]), 422)
    assert body["type"].endswith("/venue-code-expired")
    assert (await CheckIn.count().where(CheckIn.event == uuid.UUID(event["id"])).run()) == 1


async def test_self_check_in_only_within_the_events_window(api: ApiClient, world: World) -> None:
    boss, event, regs = await _registered(api, world, 1, starts_at=soon(1), ends_at=soon(1.1))
    code = (await api.get(f"/api/v1/events/{event['id']}/venue-code", headers=boss)).json()["code"]
    url = f"/api/v1/events/{event['id']}/checkins/venue"
    body = problem(await api.post(url, json={"code": code}, headers=regs[0]["headers"]), 409)
    assert body["type"].endswith("/checkin-window-closed")
    assert "60" in body["detail"]
    # An hour before the start the window opens.
    await (
        Event.update({Event.starts_at: datetime.now(UTC) + timedelta(minutes=50)})
        .where(Event.id == uuid.UUID(event["id"]))
        .run()
    )
    assert (await api.post(url, json={"code": code}, headers=regs[0]["headers"])).status_code == 201


async def test_an_event_cannot_finish_before_it_starts(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    event = await published_event(api, boss, world.union)
    body = problem(
        await api.post(f"/api/v1/events/{event['id']}/finish", headers={**boss, "Accept-Language": "en"}), 422
    )
    assert body["errors"][0]["pointer"] == "/starts_at" and body["errors"][0]["code"] == "event_not_started"
    assert "not started" in body["errors"][0]["message"]
    read = (await api.get(f"/api/v1/events/{event['id']}", headers=boss)).json()
    assert read["status"] == "published" and read["version"] == event["version"]
