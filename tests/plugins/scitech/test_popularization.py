"""Science popularization through HTTP: events become activities, reach reported, resources, bases."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import msgspec

import plugins.scitech.hooks
from core.sdk import EventInfo
from core.testkit import assert_problem, audit_entries, signals_emitted

from .conftest import decoded

POP = "/api/v1/scitech/popularization"


async def publish_event(
    client: Any, headers: dict[str, str], org: str, type_: str, details: dict[str, Any]
) -> str:
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    made = await client.post(
        "/api/v1/events",
        json={
            "type": type_,
            "title": "走进人工智能",
            "org_id": org,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "details": details,
        },
        headers=headers,
    )
    assert made.status_code == 201, made.text
    event = made.json()["id"]
    published = await client.post(f"/api/v1/events/{event}/publish", headers=headers)
    assert published.status_code == 200, published.text
    return str(event)


async def test_events_become_activities_with_reach(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, cadre, a = quntuan_client, scitech_orgs["headers"]["a"], scitech_orgs["a"]
    lecture = await publish_event(
        client, cadre, a, "scitech.science_lecture", {"topic": "大模型入门", "online": True}
    )
    caravan = await publish_event(client, cadre, a, "scitech.science_caravan", {"stops": ["甲镇", "乙乡"]})
    bad = await client.post(
        "/api/v1/events",
        json={
            "type": "scitech.science_caravan",
            "title": "x",
            "org_id": a,
            "starts_at": "2030-01-01T09:00:00+08:00",
            "ends_at": "2030-01-01T10:00:00+08:00",
            "details": {"stops": []},
        },
        headers=cadre,
    )
    assert_problem(bad, 422)
    listed = (await client.get(f"{POP}/activities", headers=cadre)).json()["items"]
    assert sorted((a_["kind"], a_["status"], a_["event"]) for a_ in listed) == sorted(
        [("lecture", "scheduled", lecture), ("caravan", "scheduled", caravan)]
    )
    activity = next(x for x in listed if x["event"] == lecture)
    url = f"{POP}/activities/{activity['id']}/reach"
    assert_problem(await client.put(url, json={"offline": 120, "online": 3000}, headers=cadre), 428)
    reported = await client.put(
        url, json={"offline": 120, "online": 3000}, headers={**cadre, "If-Match": '"1"'}
    )
    assert reported.status_code == 200, reported.text
    assert (reported.json()["offline"], reported.json()["status"]) == (120, "held")
    assert_problem(await client.put(url, json={"offline": 1}, headers={**cadre, "If-Match": '"1"'}), 412)
    assert_problem(await client.put(url, json={"offline": -1}, headers={**cadre, "If-Match": '"2"'}), 422)

    # a cancelled event's activity is left out of the reach and takes no figures
    caravan_activity = next(x for x in listed if x["event"] == caravan)
    assert (await client.post(f"/api/v1/events/{caravan}/cancel", headers=cadre)).status_code == 200
    cancelled = await client.put(
        f"{POP}/activities/{caravan_activity['id']}/reach",
        json={"offline": 5},
        headers={**cadre, "If-Match": '"2"'},
    )
    assert assert_problem(cancelled, 422)["errors"][0]["code"] == "scitech_activity_cancelled"
    [signal] = await signals_emitted("scitech.activity_cancelled")
    assert (signal["resource_id"], decoded(signal["payload"])["org"]) == (caravan_activity["id"], a)
    [entry] = await audit_entries("scitech.activity.cancelled")
    assert entry["resource_id"] == caravan_activity["id"]
    # the event's hook delivered again with the same event writes nothing; the event brought back with
    # a new title schedules the activity again, audited and signalled
    event = (await client.get(f"/api/v1/events/{caravan}", headers=cadre)).json()
    await plugins.scitech.hooks.quntuan_event_cancelled(msgspec.convert(event, EventInfo))
    assert len(await signals_emitted("scitech.activity_cancelled")) == 1
    info = msgspec.convert({**event, "status": "published", "title": "科普大篷车进校园"}, EventInfo)
    await plugins.scitech.hooks.quntuan_event_published(info)
    await plugins.scitech.hooks.quntuan_event_published(info)
    back = await client.get(f"{POP}/activities/{caravan_activity['id']}", headers=cadre)
    assert (back.json()["status"], back.json()["title"], back.headers["etag"]) == (
        "scheduled",
        "科普大篷车进校园",
        '"3"',
    )
    [signal] = await signals_emitted("scitech.activity_changed")
    assert signal["resource_id"] == caravan_activity["id"]
    [entry] = await audit_entries("scitech.activity.republished")
    assert decoded(entry["changes"])["fields"] == ["status", "title"]
    await plugins.scitech.hooks.quntuan_event_cancelled(msgspec.convert(event, EventInfo))

    today = dt.date.today()
    visit = await client.post(
        f"{POP}/activities",
        json={
            "org": a,
            "kind": "visit",
            "title": "科技馆开放日",
            "held_on": today.isoformat(),
            "offline": 80,
        },
        headers=cadre,
    )
    assert visit.status_code == 201, visit.text
    future = await client.post(
        f"{POP}/activities",
        json={"org": a, "kind": "visit", "title": "x", "held_on": (today + dt.timedelta(days=9)).isoformat()},
        headers=cadre,
    )
    assert_problem(future, 422)

    reach = (await client.get(f"{POP}/reach", params={"org": a}, headers=cadre)).json()
    assert (reach["activities"], reach["offline"], reach["online"], reach["total"]) == (2, 200, 3000, 3200)
    assert {k["kind"]: k["offline"] for k in reach["kinds"]} == {"lecture": 120, "visit": 80}
    only_today = (
        await client.get(
            f"{POP}/reach",
            params={"org": a, "since": today.isoformat(), "until": today.isoformat()},
            headers=cadre,
        )
    ).json()
    assert (only_today["activities"], only_today["offline"]) == (1, 80)
    assert_problem(
        await client.get(
            f"{POP}/reach", params={"org": a, "since": "2026-02-01", "until": "2026-01-01"}, headers=cadre
        ),
        422,
    )
    city = (
        await client.get(
            f"{POP}/reach",
            params={"org": str(quntuan_tree.orgs["city"]["id"])},
            headers=quntuan_tree.headers["city"],
        )
    ).json()
    assert city["total"] == 3200
    stats = (
        await client.get(
            f"/api/v1/orgs/{quntuan_tree.orgs['city']['id']}/statistics", headers=quntuan_tree.headers["city"]
        )
    ).text
    assert "scitech.popsci_offline_year" in stats
    assert len(await signals_emitted("scitech.reach_reported")) == 1
    assert len(await audit_entries("scitech.activity.recorded")) == 3
    recorded = await signals_emitted("scitech.activity_recorded")
    assert len(recorded) == 3 and recorded[-1]["resource_id"] == visit.json()["id"]
    assert {decoded(s["payload"])["org"] for s in recorded} == {a}

    # reach of another subtree: not visible, not writable
    assert_problem(await client.get(f"{POP}/reach", params={"org": scitech_orgs["b"]}, headers=cadre), 404)
    other = await client.post(
        f"{POP}/activities",
        json={"org": scitech_orgs["b"], "kind": "visit", "title": "x", "held_on": today.isoformat()},
        headers=cadre,
    )
    assert_problem(other, 404)
    assert_problem(
        await client.put(
            url, json={"offline": 1}, headers={**quntuan_tree.headers["county"], "If-Match": '"2"'}
        ),
        404,
    )


async def test_resources_and_bases(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, cadre, a = quntuan_client, scitech_orgs["headers"]["a"], scitech_orgs["a"]
    for kind, title, tags in [
        ("article", "认识人工智能", ["人工智能", "青少年"]),
        ("video", "防震减灾科普", ["应急"]),
        ("exhibit", "机器人展品", ["人工智能"]),
    ]:
        made = await client.post(
            f"{POP}/resources", json={"org": a, "kind": kind, "title": title, "tags": tags}, headers=cadre
        )
        assert made.status_code == 201, made.text

    async def titles(**params: Any) -> list[str]:
        return [
            r["title"]
            for r in (await client.get(f"{POP}/resources", params=params, headers=cadre)).json()["items"]
        ]

    assert await titles(tag="人工智慧") == []
    assert await titles(tag="人工智能") == ["认识人工智能", "机器人展品"]
    assert await titles(kind="video") == ["防震减灾科普"]
    assert await titles(q="認識") == ["认识人工智能"]
    assert await titles(q="jqr") == ["机器人展品"]
    item = (await client.get(f"{POP}/resources", params={"q": "jqr"}, headers=cadre)).json()["items"][0]
    down = await client.patch(
        f"{POP}/resources/{item['id']}", json={"status": "withdrawn"}, headers={**cadre, "If-Match": '"1"'}
    )
    assert down.status_code == 200, down.text
    assert await titles(q="jqr") == []
    changed = await signals_emitted("scitech.resource_changed")
    assert len(changed) == 4 and changed[-1]["resource_id"] == item["id"]
    # two editors changing it at once from the same read: exactly one change lands
    both = await asyncio.gather(
        *[
            client.patch(
                f"{POP}/resources/{item['id']}", json={"title": title}, headers={**cadre, "If-Match": '"2"'}
            )
            for title in ("机器人展品（新）", "机器人互动展品")
        ]
    )
    assert sorted(r.status_code for r in both) == [200, 412]
    assert (await client.get(f"{POP}/resources/{item['id']}", headers=cadre)).headers["etag"] == '"3"'
    entry = (await audit_entries("scitech.resource.changed"))[0]
    assert (entry["resource_id"], decoded(entry["changes"])["fields"]) == (item["id"], ["status"])
    assert_problem(
        await client.post(f"{POP}/resources", json={"org": a, "kind": "book", "title": "x"}, headers=cadre),
        422,
    )
    assert_problem(
        await client.post(
            f"{POP}/resources",
            json={"org": a, "kind": "video", "title": "x", "url": "javascript:alert(1)"},
            headers=cadre,
        ),
        422,
    )
    assert_problem(
        await client.post(
            f"{POP}/resources", json={"org": scitech_orgs["b"], "kind": "video", "title": "x"}, headers=cadre
        ),
        404,
    )
    assert (await client.get(f"{POP}/resources", headers=quntuan_tree.headers["county"])).json()[
        "items"
    ] == []
    assert_problem(await client.get(f"{POP}/resources", headers=quntuan_tree.headers["member"]), 403)

    # 科普基地 is a place kind of the core's places, offered to scitech orgs
    base = await client.post(
        "/api/v1/places",
        json={
            "org_id": a,
            "kind": "scitech.popularization_base",
            "name": "甲县科技馆",
            "services": ["exhibition"],
        },
        headers=cadre,
    )
    assert base.status_code == 201, base.text
    refused = await client.post(
        "/api/v1/places",
        json={
            "org_id": str(quntuan_tree.orgs["city"]["id"]),
            "kind": "scitech.popularization_base",
            "name": "x",
        },
        headers=quntuan_tree.headers["city"],
    )
    assert refused.status_code == 422, refused.text
