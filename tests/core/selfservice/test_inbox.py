"""The inbox through HTTP: notifications from process steps and events, read/unread, pages, preferences,
delivery through ``quntuan_notify``, event reminders as a job, and nobody reading another's inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.events.permissions import EVENT_MANAGE, EVENT_READ, REGISTRATION_MANAGE
from core.integration.jobs import periodic_jobs, registered_jobs
from core.kernel.hookspecs import hookimpl
from core.processes.permissions import PROCESS_HANDLE, PROCESS_READ
from core.selfservice.inbox import REMINDER_JOB, send_reminders
from core.selfservice.tables import Notification
from tests.conftest import ApiClient
from tests.core.selfservice.conftest import cadre_login, make_org, person_login
from tests.helpers import problem

STAFF = (PROCESS_HANDLE, PROCESS_READ)
EVENTS = (EVENT_READ, EVENT_MANAGE, REGISTRATION_MANAGE)


async def _apply(
    api: ApiClient, headers: dict[str, str], org: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    body = {"type": "core.join", "org_id": str(org["id"]), "form": {}, **extra}
    response = await api.post("/api/v1/processes", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def _step(
    api: ApiClient, headers: dict[str, str], process: dict[str, Any], transition: str, **body: Any
) -> Any:
    current = await api.get(f"/api/v1/processes/{process['id']}", headers=headers)
    return await api.post(
        f"/api/v1/processes/{process['id']}/transitions",
        json={"transition": transition, **body},
        headers={**headers, "If-Match": current.headers["etag"]},
    )


async def _inbox(api: ApiClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    response = await api.get("/api/v1/me/inbox", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def _person_id(api: ApiClient, headers: dict[str, str]) -> str:
    return (await api.get("/api/v1/me", headers=headers)).json()["person"]["id"]  # type: ignore[no-any-return]


async def test_process_steps_reach_the_applicants_inbox_read_unread_and_pages(api: ApiClient) -> None:
    org = await make_org(name="某公司工会")
    # Persons whose file the org keeps: its cadre may file on their behalf (within reach).
    a, b = await person_login(api, home_org=org["path"]), await person_login(api, home_org=org["path"])
    cadre = await cadre_login(api, org, *STAFF)
    mine = await _apply(api, a, org)
    assert (await _inbox(api, a))["items"] == []  # one's own application needs no message
    assert (await _step(api, cadre, mine, "reject", comment="材料不全")).status_code == 200
    # A cadre filing on someone's behalf tells them; then the approval.
    behalf = await _apply(api, cadre, org, applicant_id=await _person_id(api, a))
    assert (await _step(api, cadre, behalf, "approve")).status_code == 200

    items = (await _inbox(api, a))["items"]
    assert [(n["kind"], n["data"]["state"]) for n in items] == [
        ("process.stepped", "approved"),
        ("process.opened", "submitted"),
        ("process.stepped", "rejected"),
    ]
    assert items[0]["title"] == "入会申请：已批准" and not items[0]["read"]
    english = await api.get("/api/v1/me/inbox", headers={**a, "Accept-Language": "en"})
    assert english.json()["items"][0]["title"] == "Application to join: Approved"
    first = await _inbox(api, a, limit=2)
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = await _inbox(api, a, limit=2, cursor=first["next_cursor"])
    assert [n["id"] for n in rest["items"]] == [items[2]["id"]] and rest["next_cursor"] is None

    assert (await api.get("/api/v1/me/inbox/unread", headers=a)).json() == {"unread": 3}
    read = await api.post(f"/api/v1/me/inbox/{items[0]['id']}/read", headers=a)
    assert read.status_code == 200 and read.json()["read"] is True
    assert [n["id"] for n in (await _inbox(api, a, unread="true"))["items"]] == [
        items[1]["id"],
        items[2]["id"],
    ]
    assert [n["id"] for n in (await _inbox(api, a, unread="false"))["items"]] == [items[0]["id"]]

    # B sees none of it and cannot touch A's notification (404, as if it did not exist).
    assert (await _inbox(api, b))["items"] == []
    problem(await api.post(f"/api/v1/me/inbox/{items[1]['id']}/read", headers=b), 404)
    assert (await api.get("/api/v1/me/inbox/unread", headers=a)).json() == {"unread": 2}
    assert (await api.post("/api/v1/me/inbox/read", headers=a)).json() == {"unread": 0}
    # Bad input and no credentials.
    assert (await api.get("/api/v1/me/inbox", params={"limit": 0}, headers=a)).status_code in (400, 422)
    assert (await api.get("/api/v1/me/inbox", params={"cursor": "!!"}, headers=a)).status_code in (400, 422)
    assert (await api.post("/api/v1/me/inbox/not-a-uuid/read", headers=a)).status_code in (400, 404)
    assert (await api.get("/api/v1/me/inbox")).status_code == 401


class Collector:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, Any, list[str]]] = []

    @hookimpl
    def quntuan_notify(self, person_id: Any, notification: Any, channels: Any) -> None:
        self.calls.append((person_id, notification, list(channels)))


async def test_preferences_mute_kinds_and_channels_go_through_quntuan_notify(api: ApiClient) -> None:
    collector = Collector()
    api.app.state.plugin_manager.register(collector, name="notify-collector")
    org = await make_org()
    a = await person_login(api)
    cadre = await cadre_login(api, org, *STAFF)
    assert (await api.get("/api/v1/me/inbox/preferences", headers=a)).json() == {"muted": [], "channels": []}
    bad = await api.put("/api/v1/me/inbox/preferences", json={"muted": ["nonsense"]}, headers=a)
    assert bad.status_code == 422
    assert (await api.put("/api/v1/me/inbox/preferences", json={"fax": True}, headers=a)).status_code in (
        400,
        422,
    )

    saved = await api.put("/api/v1/me/inbox/preferences", json={"channels": ["sms"]}, headers=a)
    assert saved.status_code == 200 and saved.json() == {"muted": [], "channels": ["sms"]}
    first = await _apply(api, a, org)
    assert (await _step(api, cadre, first, "approve")).status_code == 200
    assert len(collector.calls) == 1
    person_id, note, channels = collector.calls[0]
    assert str(person_id) == await _person_id(api, a) and channels == ["sms"]
    assert note.kind == "process.stepped" and note.data["state"] == "approved"

    muted = await api.put("/api/v1/me/inbox/preferences", json={"muted": ["process.stepped"]}, headers=a)
    assert muted.status_code == 200
    other = await make_org()
    cadre2 = await cadre_login(api, other, *STAFF)
    second = await _apply(api, a, other)
    assert (await _step(api, cadre2, second, "approve")).status_code == 200
    assert len((await _inbox(api, a))["items"]) == 1  # the muted step left no message
    assert len(collector.calls) == 1


async def test_event_changes_promotion_and_reminders(api: ApiClient) -> None:
    org = await make_org(name="区总工会")
    boss = await cadre_login(api, org, *EVENTS)
    # Persons whose file the org keeps: its cadre may register them (within reach).
    a, b = await person_login(api, home_org=org["path"]), await person_login(api, home_org=org["path"])
    starts = datetime.now(UTC) + timedelta(hours=10)
    body = {
        "type": "core.activity",
        "title": "学雷锋志愿服务活动",
        "org_id": str(org["id"]),
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "place": "职工之家",
        "capacity": 1,
    }
    created = await api.post("/api/v1/events", json=body, headers=boss)
    assert created.status_code == 201, created.text
    event = (await api.post(f"/api/v1/events/{created.json()['id']}/publish", headers=boss)).json()
    url = f"/api/v1/events/{event['id']}/registrations"
    reg_a = await api.post(url, json={"person_id": await _person_id(api, a)}, headers=boss)
    reg_b = await api.post(url, json={"person_id": await _person_id(api, b)}, headers=boss)
    assert reg_a.json()["status"] == "confirmed" and reg_b.json()["status"] == "waitlisted"
    assert (await api.post(f"{url}/{reg_a.json()['id']}/cancel", headers=boss)).status_code == 200
    promoted = (await _inbox(api, b))["items"]
    assert [n["kind"] for n in promoted] == ["registration.promoted"]
    assert "学雷锋志愿服务活动" in promoted[0]["title"]

    current = await api.get(f"/api/v1/events/{event['id']}", headers=boss)
    changed = await api.patch(
        f"/api/v1/events/{event['id']}",
        json={"place": "区文化馆"},
        headers={**boss, "If-Match": current.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert [n["kind"] for n in (await _inbox(api, b))["items"]] == ["event.updated", "registration.promoted"]
    assert (await _inbox(api, a))["items"] == []  # A cancelled: not told

    # Reminders: the job is registered and periodic; a pass writes one per registrant, once.
    assert REMINDER_JOB in registered_jobs() and REMINDER_JOB in periodic_jobs()
    assert await send_reminders(api.app.state.db, 24) == 1
    assert await send_reminders(api.app.state.db, 24) == 0
    assert await send_reminders(api.app.state.db, 1) == 0  # not yet within an hour
    kinds = [n["kind"] for n in (await _inbox(api, b))["items"]]
    assert kinds[0] == "event.reminder"
    assert await Notification.count().where(Notification.kind == "event.reminder").run() == 1
