"""Calendar feeds (iCalendar), "my events", and the runtime hooks plugins receive."""

from __future__ import annotations

import sys
import types
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from icalendar import Calendar
from litestar import Litestar

from core.kernel.hookspecs import hookimpl
from core.kernel.plugin_host import make_plugin_manager
from tests.conftest import ApiClient, open_client
from tests.core.events.conftest import World, cadre, make_persons, person, published_event, with_principals


async def test_public_calendar_of_an_org_subtree(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.root))
    await published_event(
        api,
        boss,
        world.union,
        title="工会公开活动",
        starts_at="2030-03-01T09:00:00+08:00",
        ends_at="2030-03-01T11:00:00+08:00",
    )
    await published_event(api, boss, world.youth, title="团内活动", visibility="subtree")
    await api.post(
        "/api/v1/events",
        json={
            "type": "core.activity",
            "title": "草稿",
            "org_id": str(world.women["id"]),
            "starts_at": "2030-03-02T09:00:00+08:00",
            "ends_at": "2030-03-02T10:00:00+08:00",
        },
        headers=boss,
    )
    response = await api.get("/api/v1/events/calendar.ics", params={"org": str(world.root["id"])})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["工会公开活动"]
    assert events[0]["dtstart"].dt.isoformat() == "2030-03-01T01:00:00+00:00"
    other = await api.get("/api/v1/events/calendar.ics", params={"org": str(world.other["id"])})
    assert Calendar.from_ical(other.content).walk("VEVENT") == []


async def test_my_events_and_my_calendar(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.union))
    one = await published_event(
        api,
        boss,
        world.union,
        title="一",
        starts_at="2030-04-02T09:00:00+08:00",
        ends_at="2030-04-02T10:00:00+08:00",
    )
    two = await published_event(
        api,
        boss,
        world.union,
        title="二",
        starts_at="2030-04-01T09:00:00+08:00",
        ends_at="2030-04-01T10:00:00+08:00",
    )
    await published_event(api, boss, world.union, title="三")
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    for event in (one, two):
        assert (await api.post(f"/api/v1/events/{event['id']}/registrations", headers=me)).status_code == 201
    mine = (await api.get("/api/v1/events/mine", headers=me)).json()
    assert [e["title"] for e in mine["items"]] == ["二", "一"]
    ics = await api.get("/api/v1/events/mine/calendar", headers=me)
    assert [str(e["summary"]) for e in Calendar.from_ical(ics.content).walk("VEVENT")] == ["二", "一"]
    link = (await api.get("/api/v1/events/mine/calendar-link", headers=me)).json()["url"]
    base = api.app.state.settings.base_url  # the configured public base URL, never the request's Host
    assert link.startswith(base + "/api/v1/events/feeds/")
    path = link.removeprefix(base)
    feed = await api.get(path)
    assert feed.status_code == 200 and feed.content.count(b"BEGIN:VEVENT") == 2
    forged = path[:-8] + ("A" if path[-8] != "A" else "B") + path[-7:]
    assert (await api.get(forged)).status_code == 404
    assert (await api.get("/api/v1/events/mine")).status_code == 401


CALLS: list[tuple[str, Any]] = []


def _recording_plugin() -> types.ModuleType:
    from core.sdk import PluginInfo, Text

    module = types.ModuleType("events_hook_recorder")

    @hookimpl
    def quntuan_plugin_info() -> PluginInfo:
        return PluginInfo(
            slug="recorder", name=Text(zh_hans="记录", en="Recorder"), version="1", core_api=">=1.0,<2"
        )

    @hookimpl
    async def quntuan_event_published(event: Any) -> None:
        CALLS.append(("published", event.id))

    @hookimpl
    def quntuan_event_cancelled(event: Any) -> None:
        CALLS.append(("cancelled", event.id))

    @hookimpl
    def quntuan_registration_confirmed(registration: Any) -> None:
        CALLS.append(("confirmed", registration.id))
        raise RuntimeError("a broken plugin must not break registration")

    @hookimpl
    def quntuan_registration_cancelled(registration: Any) -> None:
        CALLS.append(("reg_cancelled", registration.id))

    @hookimpl
    async def quntuan_registration_promoted(registration: Any) -> None:
        CALLS.append(("promoted", registration.id))

    @hookimpl
    def quntuan_checked_in(checkin: Any) -> None:
        CALLS.append(("checked_in", checkin.registration_id))

    @hookimpl
    def quntuan_feedback_given(feedback: Any) -> None:
        CALLS.append(("feedback", feedback.rating))

    for name, value in list(locals().items()):
        if name.startswith("quntuan_"):
            setattr(module, name, value)
    sys.modules[module.__name__] = module
    return module


@pytest.fixture
async def hooked(
    make_app: Callable[..., Litestar], settings: Any, principals: dict[str, Any]
) -> AsyncIterator[ApiClient]:
    CALLS.clear()
    from core.kernel.app import create_app

    app = create_app(settings, make_plugin_manager(settings, plugins={"recorder": _recording_plugin()}))
    async for client in open_client(with_principals(app, principals)):
        yield client


async def test_runtime_hooks_fire_after_commit(hooked: ApiClient, principals: dict[str, Any]) -> None:
    from tests.core.events.conftest import make_org

    union = await make_org("工会", None, "h00000", "party.committee")
    principals["boss"] = cadre(union)
    boss = {"x-test-principal": "boss"}
    event = await published_event(hooked, boss, union, capacity=1)
    pids = await make_persons(2, home=union)
    url = f"/api/v1/events/{event['id']}/registrations"
    first = await hooked.post(url, json={"person_id": str(pids[0])}, headers=boss)
    assert first.status_code == 201  # the raising hook did not break it
    second = (await hooked.post(url, json={"person_id": str(pids[1])}, headers=boss)).json()
    await hooked.post(f"{url}/{first.json()['id']}/cancel", headers=boss)
    code = (await hooked.get(f"{url}/{second['id']}", headers=boss)).json()["checkin_code"]
    await hooked.post(f"/api/v1/events/{event['id']}/checkins", json={"code": code}, headers=boss)
    await hooked.post(f"/api/v1/events/{event['id']}/cancel", headers=boss)
    assert [c[0] for c in CALLS] == [
        "published",
        "confirmed",
        "reg_cancelled",
        "promoted",
        "checked_in",
        "cancelled",
    ]
    assert str(CALLS[3][1]) == second["id"]
