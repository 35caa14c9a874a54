"""Events through HTTP: creation, validation of type details, visibility and reach, lists, ETags."""

from __future__ import annotations

from typing import Any

from core.events.permissions import EVENT_READ
from core.kernel.access import Reach
from tests.conftest import ApiClient
from tests.core.events.conftest import World, cadre, event_body, make_persons, person, published_event, soon
from tests.helpers import GrantedPrincipal, problem


async def test_create_read_and_publish(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union, sees=world.root))  # names orgs it can see as co-organizers
    body = event_body(
        world.union,
        co_organizer_ids=[str(world.youth["id"]), str(world.women["id"])],
        starts_at="2030-05-01T09:00:00+08:00",
        ends_at="2030-05-01T12:00:00+08:00",
        capacity=30,
        tags=["志愿", "雷锋"],
    )
    created = await api.post("/api/v1/events", json=body, headers=boss)
    assert created.status_code == 201, created.text
    event = created.json()
    assert event["status"] == "draft"
    assert event["organizer_ids"] == [str(world.union["id"]), str(world.youth["id"]), str(world.women["id"])]
    assert event["starts_at"] == "2030-05-01T09:00:00+08:00"
    assert event["timezone"] == "Asia/Shanghai"
    assert event["places_left"] == 30
    assert created.headers["etag"] == '"1"'

    published = await api.post(f"/api/v1/events/{event['id']}/publish", headers=boss)
    assert published.json()["status"] == "published"
    again = problem(await api.post(f"/api/v1/events/{event['id']}/publish", headers=boss), 409)
    assert again["type"].endswith("/event-state-conflict")


async def test_times_without_offset_and_unknown_types_are_refused(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    body = problem(
        await api.post(
            "/api/v1/events", json=event_body(world.union, starts_at="2030-05-01T09:00:00"), headers=boss
        ),
        422,
    )
    assert body["errors"][0]["pointer"] == "/starts_at"
    body = problem(
        await api.post("/api/v1/events", json=event_body(world.union, type="union.nope"), headers=boss), 422
    )
    assert body["type"].endswith("/unknown-event-type")
    body = problem(
        await api.post("/api/v1/events", json=event_body(world.union, ends_at=soon(6)), headers=boss), 422
    )
    assert body["errors"][0]["pointer"] == "/ends_at"


async def test_type_details_are_validated(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    good = event_body(
        world.union, type="union.labour_competition", details={"trade": "焊工", "level": "county"}
    )
    created = await api.post("/api/v1/events", json=good, headers=boss)
    assert created.status_code == 201, created.text
    assert created.json()["details"]["trade"] == "焊工"
    bad = event_body(world.union, type="union.labour_competition", details={"trade": 5})
    body = problem(await api.post("/api/v1/events", json=bad, headers=boss), 422)
    assert body["errors"][0]["pointer"] == "/details/trade"
    extra = event_body(world.union, type="core.activity", details={"x": 1})
    body = problem(await api.post("/api/v1/events", json=extra, headers=boss), 422)
    assert body["errors"][0]["pointer"] == "/details/x"


async def test_creating_outside_reach_is_forbidden(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    problem(await api.post("/api/v1/events", json=event_body(world.youth), headers=boss), 403)
    problem(await api.post("/api/v1/events", json=event_body(world.youth)), 401)


async def test_visibility_and_reach(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.root))
    public = await published_event(api, boss, world.union, title="公开活动")
    internal = await published_event(api, boss, world.youth, title="团内活动", visibility="subtree")
    draft = (
        await api.post("/api/v1/events", json=event_body(world.women, title="草稿"), headers=boss)
    ).json()

    (pid,) = await make_persons(1)
    someone = world.add("someone", person(pid))
    titles = [e["title"] for e in (await api.get("/api/v1/events", headers=someone)).json()["items"]]
    assert titles == ["公开活动"]
    problem(await api.get(f"/api/v1/events/{internal['id']}", headers=someone), 404)
    problem(await api.get(f"/api/v1/events/{draft['id']}", headers=someone), 404)
    assert (await api.get(f"/api/v1/events/{public['id']}", headers=someone)).status_code == 200

    reader = world.add("reader", GrantedPrincipal({EVENT_READ: [Reach(world.youth["path"])]}))
    titles = sorted(e["title"] for e in (await api.get("/api/v1/events", headers=reader)).json()["items"])
    assert titles == ["公开活动", "团内活动"]
    titles = sorted(e["title"] for e in (await api.get("/api/v1/events", headers=boss)).json()["items"])
    assert titles == ["公开活动", "团内活动", "草稿"]


async def test_list_filters_and_pagination(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.root))
    for day in range(1, 8):
        org = world.union if day % 2 else world.youth
        await published_event(
            api,
            boss,
            org,
            title=f"第{day}期工會讲座",
            starts_at=f"2030-06-0{day}T09:00:00+08:00",
            ends_at=f"2030-06-0{day}T11:00:00+08:00",
        )
    await published_event(
        api,
        boss,
        world.women,
        title="巾帼联合活动",
        co_organizer_ids=[str(world.union["id"])],
        starts_at="2030-06-09T09:00:00+08:00",
        ends_at="2030-06-09T11:00:00+08:00",
    )
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = (await api.get("/api/v1/events", params=params, headers=boss)).json()
        seen += [e["title"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"第{d}期工會讲座" for d in range(1, 8)] + ["巾帼联合活动"]

    union_events = (
        await api.get("/api/v1/events", params={"org": str(world.union["id"])}, headers=boss)
    ).json()
    assert [e["title"] for e in union_events["items"]] == [
        "第1期工會讲座",
        "第3期工會讲座",
        "第5期工會讲座",
        "第7期工會讲座",
        "巾帼联合活动",
    ]
    subtree = (
        await api.get("/api/v1/events", params={"org": str(world.root["id"]), "limit": 100}, headers=boss)
    ).json()
    assert len(subtree["items"]) == 8
    only_root = (
        await api.get("/api/v1/events", params={"org": str(world.root["id"]), "scope": "org"}, headers=boss)
    ).json()
    assert only_root["items"] == []
    ranged = (
        await api.get(
            "/api/v1/events",
            params={"starts_from": "2030-06-03T09:00:00+08:00", "starts_before": "2030-06-05T00:00:00+08:00"},
            headers=boss,
        )
    ).json()
    assert [e["title"] for e in ranged["items"]] == ["第3期工會讲座", "第4期工會讲座"]
    # Text search folds scripts: 工会 finds 工會.
    found = (await api.get("/api/v1/events", params={"q": "工会讲座"}, headers=boss)).json()
    assert len(found["items"]) == 7
    typed = (await api.get("/api/v1/events", params={"type": "core.meeting"}, headers=boss)).json()
    assert typed["items"] == []
    drafts = (await api.get("/api/v1/events", params={"status": "draft"}, headers=boss)).json()
    assert drafts["items"] == []


async def test_update_needs_if_match(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    created = await api.post("/api/v1/events", json=event_body(world.union), headers=boss)
    url = f"/api/v1/events/{created.json()['id']}"
    problem(await api.patch(url, json={"title": "新标题"}, headers=boss), 428)
    problem(await api.patch(url, json={"title": "新标题"}, headers={**boss, "If-Match": '"7"'}), 412)
    changed = await api.patch(
        url, json={"title": "新标题", "capacity": 5}, headers={**boss, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "新标题"
    assert changed.headers["etag"] == '"2"'
    problem(await api.patch(url, json={"title": "再改"}, headers={**boss, "If-Match": '"1"'}), 412)
    body = problem(await api.patch(url, json={"colour": "red"}, headers={**boss, "If-Match": '"2"'}), 422)
    assert body["errors"][0]["code"] == "unknown_field"
    cancelled = await api.post(f"{url}/cancel", headers=boss)
    assert cancelled.json()["status"] == "cancelled"
    body = problem(await api.patch(url, json={"title": "x"}, headers={**boss, "If-Match": '"3"'}), 409)
    assert body["type"].endswith("/event-not-editable")


async def test_public_events_have_a_public_page_the_feeds_link_to(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    event = await published_event(api, boss, world.union, title="职工运动会")
    members = await published_event(api, boss, world.union, title="会员座谈", visibility="members")
    draft = (await api.post("/api/v1/events", json=event_body(world.union), headers=boss)).json()

    page = await api.get(f"/api/v1/events/{event['id']}/public")  # no token
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["title"] == "职工运动会" and body["org_name"] == "区总工会"
    assert body["starts_at"].endswith("+08:00") and body["timezone"] == "Asia/Shanghai"
    assert "confirmed_count" not in body and "organizer_ids" not in body
    for hidden in (members, draft):
        problem(await api.get(f"/api/v1/events/{hidden['id']}/public"), 404)

    feed = (await api.get(f"/api/v1/feeds/orgs/{world.union['id']}/feed.json")).json()
    item = next(i for i in feed["items"] if i["title"] == "职工运动会")
    assert item["url"].endswith(f"/api/v1/events/{event['id']}/public")
    assert "+08:00" in item["content_text"]
    assert not any(i["title"] == "会员座谈" for i in feed["items"])
