"""Every write lands in the audit log, seen by the org it happened in — generated from the app's routes.

The app is built with every bundled plugin (and the test suite's plugins that give files and referrals an
owner and a target). Every route with a write method — core and plugins alike — must be in :data:`CASES`
(called by an admin holding every permission on subtree A; a new entry must show in *that admin's*
``GET /api/v1/audit``, i.e. name an org in A), in :data:`PLATFORM_CASES` (platform-wide things a subtree
admin may not touch: called by the platform administrator; a new entry must exist), or in
:data:`NOT_AUDITED` with the reason. A write route added without a case fails this test.
"""

from __future__ import annotations

import importlib.metadata
import itertools
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar

from core.identity.tables import AuditEntry
from core.places.tables import Booking
from core.plugin_host import ENTRY_POINT_GROUP
from core.processes.tables import Notice
from core.settings import Settings
from tests.conftest import ApiClient, open_client
from tests.core.files.conftest import png
from tests.fixtures import files_plugin, process_plugin, selection_plugin
from tests.identity_helpers import bearer, make_account, make_org

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Writes that are not changes of anyone's data, and why.
NOT_AUDITED = {
    # Sessions, not data: a login, a refresh and the end of the caller's own sessions (the lock-out
    # counters and the refresh-reuse detector record what matters about them).
    ("POST", "/api/v1/auth/token"): "login and refresh",
    ("POST", "/api/v1/auth/logout"): "ends the caller's own sessions",
    # The caller's own credentials (recorded as auth.password_changed on the account, no org's data).
    ("POST", "/api/v1/me/password"): "the caller's own password",
    # The caller's own inbox state: which messages they have read, which kinds they muted.
    ("PUT", "/api/v1/me/inbox/preferences"): "the caller's own inbox preferences",
    ("POST", "/api/v1/me/inbox/read"): "the caller's own read marks",
    ("POST", "/api/v1/me/inbox/{notification_id}/read"): "the caller's own read marks",
    # A read sent as POST (the token stays out of URLs and logs): what an invitation offers.
    ("POST", "/api/v1/invitations/lookup"): "reads an invitation",
    # A real-name public vote: the vote table itself records who voted when (core/selections/votes.py);
    # votes, cast by the thousand, are not copied into the audit log one by one.
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/votes"): "the vote table is the record of votes",
}


@dataclass
class World:
    client: ApiClient
    platform: dict[str, str]
    admin: dict[str, str]
    admin_person: UUID
    a: dict[str, Any]
    a2: dict[str, Any]
    union: dict[str, Any]
    grassroots: dict[str, Any]
    women: dict[str, Any]
    counter: itertools.count[int]

    def name(self, prefix: str = "审计") -> str:
        return f"{prefix}{next(self.counter)}"

    async def ok(self, method: str, url: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        response = await self.client.request(method, url, headers=headers or self.platform, **kwargs)
        assert response.status_code < 300, (method, url, response.status_code, response.text)
        return response


#: What a case returns: the request to make as the admin of A (method, url, request keyword arguments).
Call = tuple[str, str, dict[str, Any]]
Case = Callable[[World], Awaitable[Call]]
CASES: dict[tuple[str, str], Case] = {}
PLATFORM_CASES: dict[tuple[str, str], Case] = {}


def case(method: str, path: str, *, platform: bool = False) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        (PLATFORM_CASES if platform else CASES)[(method, path)] = fn
        return fn

    return register


def soon(hours: float = 24) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


# --- setup helpers (as the platform administrator unless said) -------------------------------------------


async def person(w: World, org: dict[str, Any] | None = None, **fields: Any) -> str:
    body = {"name": w.name("群众"), "home_org": str((org or w.a)["id"]), **fields}
    return str((await w.ok("POST", "/api/v1/persons", json=body)).json()["id"])


async def org(w: World) -> str:
    body = {"name": w.name("支部"), "kind": "party.committee", "level": "county", "parent": str(w.a["id"])}
    return str((await w.ok("POST", "/api/v1/orgs", json=body)).json()["id"])


async def unit(w: World) -> str:
    body = {"name": w.name("企业"), "kind": "non_public_enterprise", "area": str(w.a["id"])}
    return str((await w.ok("POST", "/api/v1/units", json=body)).json()["id"])


async def membership(w: World) -> str:
    body = {"person": await person(w)}
    return str((await w.ok("POST", f"/api/v1/orgs/{w.a['id']}/members", json=body)).json()["id"])


async def event(w: World, *, publish: bool = False, **fields: Any) -> Any:
    body = {
        "type": "core.activity",
        "title": w.name("活动"),
        "org_id": str(w.a["id"]),
        "starts_at": soon(),
        "ends_at": soon(26),
        **fields,
    }
    created = await w.ok("POST", "/api/v1/events", json=body)
    if publish:
        await w.ok("POST", f"/api/v1/events/{created.json()['id']}/publish")
    return created


async def registration(w: World, event_id: str, person_id: str | None = None) -> Any:
    body = {"person_id": person_id or await person(w)}
    return (await w.ok("POST", f"/api/v1/events/{event_id}/registrations", json=body)).json()


async def process(w: World) -> Any:
    body = {"type": "core.join", "org_id": str(w.a["id"]), "applicant_id": await person(w)}
    return (await w.ok("POST", "/api/v1/processes", json=body)).json()


async def notice(w: World) -> str:
    body = {"org_id": str(w.a["id"]), "title": w.name("公示"), "days": 5}
    return str((await w.ok("POST", "/api/v1/notices", json=body)).json()["id"])


async def webhook(w: World) -> Any:
    body = {"url": "http://127.0.0.1:9/hook", "org_id": str(w.a["id"]), "signal_types": ["org.created"]}
    return await w.ok("POST", "/api/v1/webhooks", json=body)


async def account(w: World) -> str:
    body = {"username": f"u{next(w.counter)}x", "password": "Quntuan-Audit-2026!", "person": await person(w)}
    return str((await w.ok("POST", "/api/v1/accounts", json=body)).json()["id"])


async def role(w: World) -> str:
    body = {"code": f"r{next(w.counter)}", "name": w.name("角色"), "permissions": ["core.org.read"]}
    return str((await w.ok("POST", "/api/v1/roles", json=body)).json()["id"])


async def file(w: World) -> str:
    data = {"owner_kind": "filetest.dossier", "owner_id": str(w.a["id"])}
    response = await w.ok("POST", "/api/v1/files", data=data, files={"file": ("a.png", png(), "image/png")})
    return str(response.json()["id"])


# --- orgs, coverage, members, data ------------------------------------------------------------------------


@case("POST", "/api/v1/orgs")
async def _create_org(w: World) -> Call:
    body = {"name": w.name(), "kind": "party.committee", "level": "county", "parent": str(w.a["id"])}
    return "POST", "/api/v1/orgs", {"json": body}


@case("PATCH", "/api/v1/orgs/{org_id}")
async def _update_org(w: World) -> Call:
    body = {"name": w.name(), "contact_name": "李四"}
    return "PATCH", f"/api/v1/orgs/{await org(w)}", {"json": body, "headers": {**w.admin, "If-Match": "*"}}


@case("POST", "/api/v1/orgs/{org_id}/move")
async def _move_org(w: World) -> Call:
    return "POST", f"/api/v1/orgs/{await org(w)}/move", {"json": {"parent": str(w.a2["id"])}}


@case("POST", "/api/v1/orgs/{org_id}/dissolve")
async def _dissolve_org(w: World) -> Call:
    return "POST", f"/api/v1/orgs/{await org(w)}/dissolve", {}


@case("POST", "/api/v1/units")
async def _register_unit(w: World) -> Call:
    body = {"name": w.name(), "kind": "non_public_enterprise", "area": str(w.a["id"])}
    return "POST", "/api/v1/units", {"json": body}


@case("PATCH", "/api/v1/units/{unit_id}")
async def _update_unit(w: World) -> Call:
    return "PATCH", f"/api/v1/units/{await unit(w)}", {"json": {"employees": 40}}


@case("POST", "/api/v1/units/{unit_id}/links")
async def _link(w: World) -> Call:
    return "POST", f"/api/v1/units/{await unit(w)}/links", {"json": {"org": str(w.union["id"])}}


@case("DELETE", "/api/v1/units/{unit_id}/links/{org_id}")
async def _unlink(w: World) -> Call:
    unit_id = await unit(w)
    await w.ok("POST", f"/api/v1/units/{unit_id}/links", json={"org": str(w.union["id"])})
    return "DELETE", f"/api/v1/units/{unit_id}/links/{w.union['id']}", {}


@case("POST", "/api/v1/coverage/snapshots", platform=True)
async def _snapshot(w: World) -> Call:
    return "POST", "/api/v1/coverage/snapshots", {"json": {}}


@case("POST", "/api/v1/orgs/{org_id}/members")
async def _join(w: World) -> Call:
    return "POST", f"/api/v1/orgs/{w.a['id']}/members", {"json": {"person": await person(w)}}


@case("POST", "/api/v1/members/{membership_id}/transfer")
async def _transfer(w: World) -> Call:
    return "POST", f"/api/v1/members/{await membership(w)}/transfer", {"json": {"org": str(w.a2["id"])}}


@case("POST", "/api/v1/members/{membership_id}/leave")
async def _leave(w: World) -> Call:
    return "POST", f"/api/v1/members/{await membership(w)}/leave", {"json": {}}


@case("POST", "/api/v1/imports/{what}")
async def _import(w: World) -> Call:
    content = f"org,name\n{w.a['id']},{w.name('导入')}\n".encode()
    return "POST", "/api/v1/imports/members", {"files": {"file": ("members.csv", content, "text/csv")}}


# --- events -----------------------------------------------------------------------------------------------


@case("POST", "/api/v1/events")
async def _create_event(w: World) -> Call:
    body = {"type": "core.activity", "title": w.name(), "org_id": str(w.a["id"]), "starts_at": soon()}
    return "POST", "/api/v1/events", {"json": {**body, "ends_at": soon(26)}}


@case("PATCH", "/api/v1/events/{event_id}")
async def _update_event(w: World) -> Call:
    created = await event(w)
    headers = {**w.admin, "If-Match": created.headers["etag"]}
    return "PATCH", f"/api/v1/events/{created.json()['id']}", {"json": {"place": "礼堂"}, "headers": headers}


@case("POST", "/api/v1/events/{event_id}/publish")
async def _publish(w: World) -> Call:
    return "POST", f"/api/v1/events/{(await event(w)).json()['id']}/publish", {}


@case("POST", "/api/v1/events/{event_id}/cancel")
async def _cancel_event(w: World) -> Call:
    return "POST", f"/api/v1/events/{(await event(w, publish=True)).json()['id']}/cancel", {}


@case("POST", "/api/v1/events/{event_id}/finish")
async def _finish(w: World) -> Call:
    return "POST", f"/api/v1/events/{(await event(w, publish=True)).json()['id']}/finish", {}


@case("POST", "/api/v1/events/{event_id}/registrations")
async def _register(w: World) -> Call:
    event_id = (await event(w, publish=True)).json()["id"]
    return "POST", f"/api/v1/events/{event_id}/registrations", {"json": {"person_id": await person(w)}}


@case("POST", "/api/v1/events/{event_id}/registrations/{registration_id}/cancel")
async def _cancel_registration(w: World) -> Call:
    event_id = (await event(w, publish=True)).json()["id"]
    registered = await registration(w, event_id)
    return "POST", f"/api/v1/events/{event_id}/registrations/{registered['id']}/cancel", {}


@case("POST", "/api/v1/events/{event_id}/checkins")
async def _check_in(w: World) -> Call:
    event_id = (await event(w, publish=True)).json()["id"]
    registered = await registration(w, event_id)
    return "POST", f"/api/v1/events/{event_id}/checkins", {"json": {"registration_id": registered["id"]}}


@case("POST", "/api/v1/events/{event_id}/checkins/batch")
async def _batch_check_in(w: World) -> Call:
    event_id = (await event(w, publish=True)).json()["id"]
    code = (await registration(w, event_id))["checkin_code"]
    return "POST", f"/api/v1/events/{event_id}/checkins/batch", {"json": {"items": [{"code": code}]}}


@case("POST", "/api/v1/events/{event_id}/feedback")
async def _feedback(w: World) -> Call:
    event_id = (await event(w, publish=True)).json()["id"]
    registered = await registration(w, event_id, str(w.admin_person))
    await w.ok("POST", f"/api/v1/events/{event_id}/checkins", json={"registration_id": registered["id"]})
    await w.ok("POST", f"/api/v1/events/{event_id}/finish")
    return "POST", f"/api/v1/events/{event_id}/feedback", {"json": {"rating": 5, "comment": "很好"}}


# --- files, processes, notices ------------------------------------------------------------------------------


@case("POST", "/api/v1/files")
async def _upload(w: World) -> Call:
    data = {"owner_kind": "filetest.dossier", "owner_id": str(w.a["id"])}
    return "POST", "/api/v1/files", {"data": data, "files": {"file": ("a.png", png(), "image/png")}}


@case("DELETE", "/api/v1/files/{file_id}")
async def _delete_file(w: World) -> Call:
    return "DELETE", f"/api/v1/files/{await file(w)}", {}


@case("POST", "/api/v1/processes")
async def _open_process(w: World) -> Call:
    body = {"type": "core.join", "org_id": str(w.a["id"]), "applicant_id": await person(w)}
    return "POST", "/api/v1/processes", {"json": body}


@case("POST", "/api/v1/processes/{process_id}/transitions")
async def _step(w: World) -> Call:
    opened = await process(w)
    headers = {**w.admin, "If-Match": f'"{opened["version"]}"'}
    url = f"/api/v1/processes/{opened['id']}/transitions"
    return "POST", url, {"json": {"transition": "approve"}, "headers": headers}


@case("PUT", "/api/v1/processes/{process_id}/assignee")
async def _assign(w: World) -> Call:
    opened = await process(w)
    me = (await w.ok("GET", "/api/v1/me", headers=w.admin)).json()
    headers = {**w.admin, "If-Match": f'"{opened["version"]}"'}
    url = f"/api/v1/processes/{opened['id']}/assignee"
    return "PUT", url, {"json": {"assignee_id": me["id"]}, "headers": headers}


@case("POST", "/api/v1/processes/{process_id}/referrals")
async def _refer(w: World) -> Call:
    form = {"reason": "家中遭遇火灾", "amount": "5000", "phone": "13800138000"}
    body = {
        "type": "proctest.hardship_aid",
        "org_id": str(w.grassroots["id"]),
        "applicant_id": await person(w),
        "form": form,
    }
    opened = (await w.ok("POST", "/api/v1/processes", json=body)).json()
    headers = {**w.admin, "If-Match": f'"{opened["version"]}"'}
    url = f"/api/v1/processes/{opened['id']}/referrals"
    return "POST", url, {"json": {"org_id": str(w.women["id"])}, "headers": headers}


@case("POST", "/api/v1/notices")
async def _publish_notice(w: World) -> Call:
    return "POST", "/api/v1/notices", {"json": {"org_id": str(w.a["id"]), "title": w.name(), "days": 5}}


@case("POST", "/api/v1/notices/{notice_id}/withdraw")
async def _withdraw_notice(w: World) -> Call:
    return "POST", f"/api/v1/notices/{await notice(w)}/withdraw", {"json": {}}


@case("POST", "/api/v1/notices/{notice_id}/objections")
async def _object(w: World) -> Call:
    return "POST", f"/api/v1/notices/{await notice(w)}/objections", {"json": {"reason": "有异议"}}


@case("POST", "/api/v1/notices/{notice_id}/objections/{objection_id}/resolve")
async def _resolve(w: World) -> Call:
    notice_id = await notice(w)
    filed = await w.ok("POST", f"/api/v1/notices/{notice_id}/objections", json={"reason": "有异议"})
    url = f"/api/v1/notices/{notice_id}/objections/{filed.json()['id']}/resolve"
    return "POST", url, {"json": {"decision": "dismissed"}}


# --- webhooks -------------------------------------------------------------------------------------------------


@case("POST", "/api/v1/webhooks")
async def _subscribe(w: World) -> Call:
    body = {"url": "http://127.0.0.1:9/hook", "org_id": str(w.a["id"]), "signal_types": ["org.created"]}
    return "POST", "/api/v1/webhooks", {"json": body}


@case("PATCH", "/api/v1/webhooks/{webhook_id}")
async def _change_url(w: World) -> Call:
    created = await webhook(w)
    headers = {**w.admin, "If-Match": created.headers["etag"]}
    body = {"url": "http://127.0.0.1:10/elsewhere?token=s3cret"}
    return "PATCH", f"/api/v1/webhooks/{created.json()['id']}", {"json": body, "headers": headers}


@case("DELETE", "/api/v1/webhooks/{webhook_id}")
async def _unsubscribe(w: World) -> Call:
    return "DELETE", f"/api/v1/webhooks/{(await webhook(w)).json()['id']}", {}


@case("POST", "/api/v1/webhooks/{webhook_id}/secret/rotate")
async def _rotate(w: World) -> Call:
    url = f"/api/v1/webhooks/{(await webhook(w)).json()['id']}/secret/rotate"
    return "POST", url, {"json": {"overlap_seconds": 0}}


@case("POST", "/api/v1/webhooks/{webhook_id}/ping")
async def _ping(w: World) -> Call:
    return "POST", f"/api/v1/webhooks/{(await webhook(w)).json()['id']}/ping", {}


@case("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay")
async def _replay(w: World) -> Call:
    hook = (await webhook(w)).json()["id"]
    delivery = (await w.ok("POST", f"/api/v1/webhooks/{hook}/ping")).json()["id"]
    return "POST", f"/api/v1/webhooks/{hook}/deliveries/{delivery}/replay", {}


# --- places and bookings ------------------------------------------------------------------------------------


async def place(w: World) -> dict[str, Any]:
    body = {"kind": "core.service_center", "org_id": str(w.a["id"]), "name": w.name("阵地")}
    return dict((await w.ok("POST", "/api/v1/places", json=body)).json())


async def room(w: World) -> tuple[dict[str, Any], str]:
    made = await place(w)
    url = f"/api/v1/places/{made['id']}/resources"
    return made, str((await w.ok("POST", url, json={"kind": "room", "name": w.name("会议室")})).json()["id"])


async def booking(w: World, *, begun: bool = False) -> dict[str, Any]:
    """A booking of a room of A in A's name (by A's admin); ``begun`` moves it to have started a while ago."""
    _, resource = await room(w)
    start = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    body = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    url = f"/api/v1/places/resources/{resource}/bookings"
    made = dict((await w.ok("POST", url, headers=w.admin, json={**body, "org_id": str(w.a["id"])})).json())
    if begun:
        moment = datetime.now(UTC)
        await (
            Booking.update(
                {
                    Booking.starts_at: moment - timedelta(minutes=10),
                    Booking.ends_at: moment + timedelta(minutes=50),
                }
            )
            .where(Booking.id == UUID(made["id"]))
            .run()
        )
    return made


@case("POST", "/api/v1/places")
async def _create_place(w: World) -> Call:
    body = {"kind": "core.service_center", "org_id": str(w.a["id"]), "name": w.name("阵地")}
    return "POST", "/api/v1/places", {"json": body}


@case("PATCH", "/api/v1/places/{place_id}")
async def _update_place(w: World) -> Call:
    made = await place(w)
    headers = {**w.admin, "If-Match": f'"{made["version"]}"'}
    return "PATCH", f"/api/v1/places/{made['id']}", {"json": {"address": "新地址"}, "headers": headers}


@case("PUT", "/api/v1/places/{place_id}/shares")
async def _share_place(w: World) -> Call:
    body = {"shares": [{"org_id": str(w.union["id"])}]}
    return "PUT", f"/api/v1/places/{(await place(w))['id']}/shares", {"json": body}


@case("POST", "/api/v1/places/{place_id}/resources")
async def _add_resource(w: World) -> Call:
    url = f"/api/v1/places/{(await place(w))['id']}/resources"
    return "POST", url, {"json": {"kind": "room", "name": w.name("会议室")}}


@case("PATCH", "/api/v1/places/resources/{resource_id}")
async def _update_resource(w: World) -> Call:
    _, resource = await room(w)
    return "PATCH", f"/api/v1/places/resources/{resource}", {"json": {"description": "改"}}


@case("POST", "/api/v1/places/resources/{resource_id}/bookings")
async def _book(w: World) -> Call:
    _, resource = await room(w)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    body = {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "org_id": str(w.a["id"]),
    }
    return "POST", f"/api/v1/places/resources/{resource}/bookings", {"json": body}


@case("POST", "/api/v1/bookings/{booking_id}/cancel")
async def _cancel_booking(w: World) -> Call:
    return "POST", f"/api/v1/bookings/{(await booking(w))['id']}/cancel", {}


@case("POST", "/api/v1/bookings/{booking_id}/no-show")
async def _no_show(w: World) -> Call:
    return "POST", f"/api/v1/bookings/{(await booking(w, begun=True))['id']}/no-show", {}


@case("POST", "/api/v1/places/{place_id}/check-ins")
async def _check_in(w: World) -> Call:
    made = await booking(w, begun=True)
    return "POST", f"/api/v1/places/{made['place_id']}/check-ins", {"json": {"code": made["checkin_code"]}}


# --- selections and honors ----------------------------------------------------------------------------------


async def campaign(w: World, type: str = "core.generic") -> dict[str, Any]:
    body = {
        "type": type,
        "org_id": str(w.a["id"]),
        "title": w.name("评选"),
        "honor_title": "先进个人",
        "year": 2026,
        "levels": [{"quota": 2}],
    }
    return dict((await w.ok("POST", "/api/v1/selections/campaigns", json=body)).json())


async def nomination(w: World, camp: dict[str, Any], **body: Any) -> dict[str, Any]:
    payload = {
        "source": "org",
        "nominee_kind": "person",
        "org_id": str(w.a["id"]),
        "form": {"summary": "事迹"},
    }
    if body.get("source", "org") != "self" and "nominee_person_id" not in body:
        payload["nominee_person_id"] = await person(w)
    url = f"/api/v1/selections/campaigns/{camp['id']}/nominations"
    return dict((await w.ok("POST", url, headers=w.admin, json={**payload, **body})).json())


async def to_stage(w: World, camp: dict[str, Any], stage: str) -> dict[str, Any]:
    url = f"/api/v1/selections/campaigns/{camp['id']}"
    current = (await w.ok("GET", url)).json()
    headers = {**w.platform, "If-Match": f'"{current["version"]}"'}
    return dict((await w.ok("POST", f"{url}/stage", headers=headers, json={"stage": stage})).json())


@case("POST", "/api/v1/selections/campaigns")
async def _create_campaign(w: World) -> Call:
    body = {
        "type": "core.generic",
        "org_id": str(w.a["id"]),
        "title": w.name("评选"),
        "honor_title": "先进个人",
        "year": 2026,
        "levels": [{"quota": 2}],
    }
    return "POST", "/api/v1/selections/campaigns", {"json": body}


@case("PUT", "/api/v1/selections/campaigns/{campaign_id}/quotas")
async def _set_quota(w: World) -> Call:
    url = f"/api/v1/selections/campaigns/{(await campaign(w))['id']}/quotas"
    return "PUT", url, {"json": {"org_id": str(w.a["id"]), "quota": 3}}


@case("POST", "/api/v1/selections/campaigns/{campaign_id}/stage")
async def _change_stage(w: World) -> Call:
    camp = await campaign(w)
    headers = {**w.admin, "If-Match": f'"{camp["version"]}"'}
    url = f"/api/v1/selections/campaigns/{camp['id']}/stage"
    return "POST", url, {"json": {"stage": "reviewing"}, "headers": headers}


@case("POST", "/api/v1/selections/campaigns/{campaign_id}/nominations")
async def _nominate(w: World) -> Call:
    body = {
        "source": "org",
        "nominee_kind": "person",
        "nominee_person_id": await person(w),
        "org_id": str(w.a["id"]),
        "form": {"summary": "事迹"},
    }
    return "POST", f"/api/v1/selections/campaigns/{(await campaign(w))['id']}/nominations", {"json": body}


@case("POST", "/api/v1/selections/nominations/{nomination_id}/review")
async def _review(w: World) -> Call:
    camp = await campaign(w)
    filed = await nomination(w, camp)
    await to_stage(w, camp, "reviewing")
    return "POST", f"/api/v1/selections/nominations/{filed['id']}/review", {"json": {"action": "reject"}}


@case("POST", "/api/v1/selections/nominations/{nomination_id}/withdraw")
async def _withdraw_nomination(w: World) -> Call:
    filed = await nomination(w, await campaign(w), source="self", nominee_kind="person")
    return "POST", f"/api/v1/selections/nominations/{filed['id']}/withdraw", {}


@case("POST", "/api/v1/selections/campaigns/{campaign_id}/decision")
async def _decide(w: World) -> Call:
    camp = await campaign(w)
    filed = await nomination(w, camp)
    await to_stage(w, camp, "reviewing")
    await to_stage(w, camp, "selecting")
    await w.ok("POST", f"/api/v1/selections/nominations/{filed['id']}/review", json={"action": "select"})
    noticed = await to_stage(w, camp, "notice")
    past = datetime.now(UTC) - timedelta(days=1)
    await (
        Notice.update({Notice.opens_at: past - timedelta(days=3), Notice.closes_at: past})
        .where(Notice.id == UUID(noticed["notice_id"]))
        .run()
    )
    headers = {**w.admin, "If-Match": f'"{noticed["version"]}"'}
    return "POST", f"/api/v1/selections/campaigns/{camp['id']}/decision", {"json": {}, "headers": headers}


async def honor(w: World) -> str:
    body = {
        "recipient_kind": "person",
        "person_id": await person(w),
        "issuing_org_id": str(w.a["id"]),
        "title": "优秀志愿者",
        "year": 2025,
    }
    return str((await w.ok("POST", "/api/v1/honors", json=body)).json()["id"])


@case("POST", "/api/v1/honors")
async def _award(w: World) -> Call:
    body = {
        "recipient_kind": "person",
        "person_id": await person(w),
        "issuing_org_id": str(w.a["id"]),
        "title": "优秀志愿者",
        "year": 2025,
    }
    return "POST", "/api/v1/honors", {"json": body}


@case("POST", "/api/v1/honors/{honor_id}/revoke")
async def _revoke_honor(w: World) -> Call:
    return "POST", f"/api/v1/honors/{await honor(w)}/revoke", {"json": {"reason": "撤销"}}


# --- the caller's own data (self routes), by a person of A ------------------------------------------------


async def person_of_a(w: World) -> tuple[str, dict[str, str]]:
    """A person of A with a login of their own: their person id and their bearer headers."""
    username, password = await make_account(w.client.app.state.db, home_org=w.a["path"])
    headers = await bearer(w.client, username, password)
    me = (await w.ok("GET", "/api/v1/me", headers=headers)).json()
    return str(me["person"]["id"]), headers


@case("PATCH", "/api/v1/me")
async def _edit_me(w: World) -> Call:
    _, headers = await person_of_a(w)
    return "PATCH", "/api/v1/me", {"json": {"nickname": "小甲"}, "headers": headers}


@case("POST", "/api/v1/me/consents/{consent_id}/withdrawal")
async def _withdraw_my_consent(w: World) -> Call:
    person_id, headers = await person_of_a(w)
    given = await w.ok("POST", f"/api/v1/persons/{person_id}/consents", json={"purpose": "photos"})
    return "POST", f"/api/v1/me/consents/{given.json()['id']}/withdrawal", {"headers": headers}


# Recorded on the caller's account (as auth.password_changed is): no org's data, so only the platform sees it.
@case("POST", "/api/v1/me/sessions/{session_id}/end", platform=True)
async def _end_session(w: World) -> Call:
    _, headers = await person_of_a(w)
    session = (await w.ok("GET", "/api/v1/me/sessions", headers=headers)).json()[0]["id"]
    return "POST", f"/api/v1/me/sessions/{session}/end", {"headers": headers}


async def invitation(w: World) -> dict[str, Any]:
    return dict((await w.ok("POST", f"/api/v1/orgs/{w.a['id']}/invitations", json={})).json())


@case("POST", "/api/v1/orgs/{org_id}/invitations")
async def _invite(w: World) -> Call:
    return "POST", f"/api/v1/orgs/{w.a2['id']}/invitations", {"json": {"note": "欢迎"}}


@case("POST", "/api/v1/invitations/{invitation_id}/revocation")
async def _revoke_invitation(w: World) -> Call:
    return "POST", f"/api/v1/invitations/{(await invitation(w))['id']}/revocation", {}


@case("POST", "/api/v1/invitations/acceptance")
async def _accept_invitation(w: World) -> Call:
    token = (await invitation(w))["token"]
    _, headers = await person_of_a(w)
    return "POST", "/api/v1/invitations/acceptance", {"json": {"token": token}, "headers": headers}


# --- identity -------------------------------------------------------------------------------------------------


@case("POST", "/api/v1/persons")
async def _create_person(w: World) -> Call:
    body = {"name": w.name(), "home_org": str(w.a["id"]), "phone": "13700137000"}
    return "POST", "/api/v1/persons", {"json": body}


@case("PATCH", "/api/v1/persons/{person_id}")
async def _update_person(w: World) -> Call:
    return "PATCH", f"/api/v1/persons/{await person(w)}", {"json": {"employer": "某公司"}}


@case("POST", "/api/v1/persons/lookup")
async def _lookup(w: World) -> Call:
    await person(w, phone="13900139000")
    return "POST", "/api/v1/persons/lookup", {"json": {"phone": "13900139000"}}


@case("POST", "/api/v1/persons/{person_id}/consents")
async def _consent(w: World) -> Call:
    return "POST", f"/api/v1/persons/{await person(w)}/consents", {"json": {"purpose": "registration"}}


@case("POST", "/api/v1/persons/{person_id}/consents/{consent_id}/withdrawal")
async def _withdraw_consent(w: World) -> Call:
    person_id = await person(w)
    given = await w.ok("POST", f"/api/v1/persons/{person_id}/consents", json={"purpose": "registration"})
    return "POST", f"/api/v1/persons/{person_id}/consents/{given.json()['id']}/withdrawal", {}


@case("POST", "/api/v1/accounts")
async def _create_account(w: World) -> Call:
    body = {"username": f"u{next(w.counter)}y", "password": "Quntuan-Audit-2026!", "person": await person(w)}
    return "POST", "/api/v1/accounts", {"json": body}


@case("POST", "/api/v1/accounts/{account_id}/disable")
async def _disable(w: World) -> Call:
    return "POST", f"/api/v1/accounts/{await account(w)}/disable", {}


@case("POST", "/api/v1/accounts/{account_id}/enable")
async def _enable(w: World) -> Call:
    account_id = await account(w)
    await w.ok("POST", f"/api/v1/accounts/{account_id}/disable")
    return "POST", f"/api/v1/accounts/{account_id}/enable", {}


@case("POST", "/api/v1/grants")
async def _grant(w: World) -> Call:
    body = {"role": await role(w), "org": str(w.a["id"]), "account": await account(w)}
    return "POST", "/api/v1/grants", {"json": body}


@case("DELETE", "/api/v1/grants/{grant_id}")
async def _revoke(w: World) -> Call:
    body = {"role": await role(w), "org": str(w.a["id"]), "account": await account(w)}
    return "DELETE", f"/api/v1/grants/{(await w.ok('POST', '/api/v1/grants', json=body)).json()['id']}", {}


@case("POST", "/api/v1/posts")
async def _appoint(w: World) -> Call:
    body = {"person": await person(w), "org": str(w.a["id"]), "title": "主席", "start_date": "2024-01-01"}
    return "POST", "/api/v1/posts", {"json": body}


@case("PATCH", "/api/v1/posts/{post_id}")
async def _retitle(w: World) -> Call:
    body = {"person": await person(w), "org": str(w.a["id"]), "title": "主席", "start_date": "2024-01-01"}
    post_id = (await w.ok("POST", "/api/v1/posts", json=body)).json()["id"]
    return "PATCH", f"/api/v1/posts/{post_id}", {"json": {"title": "副主席"}}


@case("DELETE", "/api/v1/persons/{person_id}")
async def _erase(w: World) -> Call:
    return "DELETE", f"/api/v1/persons/{await person(w)}", {}


@case("POST", "/api/v1/roles", platform=True)
async def _define_role(w: World) -> Call:
    body = {"code": f"r{next(w.counter)}", "name": w.name(), "permissions": ["core.org.read"]}
    return "POST", "/api/v1/roles", {"json": body}


@case("PATCH", "/api/v1/roles/{role_id}", platform=True)
async def _change_role(w: World) -> Call:
    return "PATCH", f"/api/v1/roles/{await role(w)}", {"json": {"name": w.name()}}


@case("DELETE", "/api/v1/roles/{role_id}", platform=True)
async def _delete_role(w: World) -> Call:
    return "DELETE", f"/api/v1/roles/{await role(w)}", {}


async def _client(w: World) -> str:
    body = {"name": w.name(), "scopes": ["core.org.read"]}
    return str((await w.ok("POST", "/api/v1/clients", json=body)).json()["client_id"])


@case("POST", "/api/v1/clients", platform=True)
async def _register_client(w: World) -> Call:
    return "POST", "/api/v1/clients", {"json": {"name": w.name(), "scopes": ["core.org.read"]}}


@case("POST", "/api/v1/clients/{client_id}/secrets", platform=True)
async def _client_secret(w: World) -> Call:
    return "POST", f"/api/v1/clients/{await _client(w)}/secrets", {"json": {"overlap_seconds": 0}}


@case("POST", "/api/v1/clients/{client_id}/disable", platform=True)
async def _disable_client(w: World) -> Call:
    return "POST", f"/api/v1/clients/{await _client(w)}/disable", {}


@case("POST", "/api/v1/audit/checkpoints", platform=True)
async def _checkpoint(w: World) -> Call:
    return "POST", "/api/v1/audit/checkpoints", {}


# --- youth (共青团) ------------------------------------------------------------------------------------


async def _youth_org(w: World, kind: str, level: str, parent: str) -> str:
    body = {"name": w.name("团组织"), "kind": kind, "level": level, "parent": parent}
    return str((await w.ok("POST", "/api/v1/orgs", json=body)).json()["id"])


async def _youth_branch(w: World) -> tuple[str, str]:
    committee = await _youth_org(w, "youth.committee", "county", str(w.a["id"]))
    return committee, await _youth_org(w, "youth.branch", "unit", committee)


async def _youth_member(w: World, branch: str | None = None, person_id: str | None = None) -> str:
    branch = branch or (await _youth_branch(w))[1]
    birth = (datetime.now(UTC).date() - timedelta(days=365 * 20)).isoformat()
    body = {
        "person": person_id or await person(w, birth_date=birth),
        "org": branch,
        "joined_on": "2023-05-04",
    }
    return str((await w.ok("POST", "/api/v1/youth/members", json=body)).json()["id"])


@case("POST", "/api/v1/youth/members")
async def _youth_enter(w: World) -> Call:
    birth = (datetime.now(UTC).date() - timedelta(days=365 * 20)).isoformat()
    body = {
        "person": await person(w, birth_date=birth),
        "org": (await _youth_branch(w))[1],
        "joined_on": "2024-05-04",
    }
    return "POST", "/api/v1/youth/members", {"json": body}


@case("PATCH", "/api/v1/youth/members/{member_id}")
async def _youth_update(w: World) -> Call:
    member = await _youth_member(w)
    tag = (await w.ok("GET", f"/api/v1/youth/members/{member}")).headers["ETag"]
    return (
        "PATCH",
        f"/api/v1/youth/members/{member}",
        {"json": {"league_post": True}, "headers": {**w.admin, "If-Match": tag}},
    )


@case("POST", "/api/v1/youth/me/report-in")
async def _youth_report_in(w: World) -> Call:
    from core.identity.tables import Person

    birth = datetime.now(UTC).date() - timedelta(days=365 * 20)
    await Person.update({Person.birth_date: birth}).where(Person.id == w.admin_person).run()
    member = await _youth_member(w, person_id=str(w.admin_person))
    return "POST", "/api/v1/youth/me/report-in", {"json": {"member": member}}


@case("POST", "/api/v1/youth/branches/{org_id}/graduation")
async def _youth_graduation(w: World) -> Call:
    _, branch = await _youth_branch(w)
    await _youth_member(w, branch)
    return "POST", f"/api/v1/youth/branches/{branch}/graduation", {"json": {}}


@case("PUT", "/api/v1/youth/plans/{org_id}")
async def _youth_plan(w: World) -> Call:
    committee, _ = await _youth_branch(w)
    return "PUT", f"/api/v1/youth/plans/{committee}", {"json": {"year": 2026, "quota": 10}}


def _youth_window() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=9)).isoformat(),
    }


@case("POST", "/api/v1/youth/campaigns")
async def _youth_campaign(w: World) -> Call:
    committee, _ = await _youth_branch(w)
    return "POST", "/api/v1/youth/campaigns", {"json": {"org": committee, "year": 2026, **_youth_window()}}


@case("POST", "/api/v1/youth/campaigns/{campaign_id}/registrations")
async def _youth_register(w: World) -> Call:
    committee, branch = await _youth_branch(w)
    member = await _youth_member(w, branch)
    body = {"org": committee, "year": datetime.now(UTC).year, **_youth_window()}
    campaign = (await w.ok("POST", "/api/v1/youth/campaigns", json=body)).json()["id"]
    return "POST", f"/api/v1/youth/campaigns/{campaign}/registrations", {"json": {"members": [member]}}


async def _youth_age_out_of(w: World) -> tuple[str, str]:
    from plugins.youth.tables import YouthAgeOut, YouthMember

    committee, branch = await _youth_branch(w)
    member = await _youth_member(w, branch)
    await (
        YouthMember.update({YouthMember.age_out_on: datetime.now(UTC).date()})
        .where(YouthMember.id == UUID(member))
        .run()
    )
    await w.ok("POST", "/api/v1/youth/age-outs/scan", json={"org": committee})
    row = await YouthAgeOut.select(YouthAgeOut.id).where(YouthAgeOut.member == UUID(member)).first().run()
    return committee, str(row["id"])  # type: ignore[index]


@case("POST", "/api/v1/youth/age-outs/scan")
async def _youth_scan(w: World) -> Call:
    from plugins.youth.tables import YouthMember

    committee, branch = await _youth_branch(w)
    member = await _youth_member(w, branch)
    await (
        YouthMember.update({YouthMember.age_out_on: datetime.now(UTC).date()})
        .where(YouthMember.id == UUID(member))
        .run()
    )
    return "POST", "/api/v1/youth/age-outs/scan", {"json": {"org": committee}}


@case("POST", "/api/v1/youth/age-outs/{age_out_id}/decision")
async def _youth_decide(w: World) -> Call:
    _, age_out = await _youth_age_out_of(w)
    return "POST", f"/api/v1/youth/age-outs/{age_out}/decision", {"json": {"decision": "confirm"}}


_YOUTH_SCHEME = {
    "wage_bands": [{"up_to": "3000", "rate": "0.005"}, {"up_to": None, "rate": "0.01"}],
    "student_amount": "0.20",
    "no_income_amount": "0.20",
    "kept_share": "0.5",
}


@case("PUT", "/api/v1/youth/dues/schemes/{org_id}")
async def _youth_scheme(w: World) -> Call:
    committee, _ = await _youth_branch(w)
    return "PUT", f"/api/v1/youth/dues/schemes/{committee}", {"json": _YOUTH_SCHEME}


@case("POST", "/api/v1/youth/dues")
async def _youth_dues(w: World) -> Call:
    committee, branch = await _youth_branch(w)
    await w.ok("PUT", f"/api/v1/youth/dues/schemes/{committee}", json=_YOUTH_SCHEME)
    member = await _youth_member(w, branch)
    body = {"member": member, "month": "2025-01", "category": "student", "channel": "cash"}
    return "POST", "/api/v1/youth/dues", {"json": body}


@case("POST", "/api/v1/youth/volunteers/me")
async def _youth_volunteer(w: World) -> Call:
    committee, _ = await _youth_branch(w)
    return "POST", "/api/v1/youth/volunteers/me", {"json": {"org": committee}}


@case("POST", "/api/v1/youth/volunteers/events/{event_id}/hours/decision")
async def _youth_hours(w: World) -> Call:
    committee, _ = await _youth_branch(w)
    created = await w.ok(
        "POST",
        "/api/v1/events",
        json={
            "type": "youth.volunteer_service",
            "title": w.name("志愿服务"),
            "org_id": committee,
            "starts_at": soon(),
            "ends_at": soon(26),
            "details": {"hours": 2},
        },
    )
    event_id = created.json()["id"]
    await w.ok("POST", f"/api/v1/events/{event_id}/publish")
    return (
        "POST",
        f"/api/v1/youth/volunteers/events/{event_id}/hours/decision",
        {"json": {"decision": "confirm"}},
    )


# --- the test ---------------------------------------------------------------------------------------------


def write_routes(app: Litestar) -> set[tuple[str, str]]:
    found = set()
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            for method in handler.http_methods & WRITE_METHODS:
                found.add((method, re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)))
    return found


def plugins() -> dict[str, object]:
    installed = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    return {
        **{ep.name: ep.load() for ep in installed},
        "filetest": files_plugin,
        "proctest": process_plugin,
        "seltest": selection_plugin,
    }


@pytest.fixture
async def client(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Settings], tmp_path: Any
) -> AsyncIterator[ApiClient]:
    settings = make_settings(
        files_dir=str(tmp_path / "files"),
        webhook_allow_http_loopback=True,
        webhook_allowed_networks=("127.0.0.1/32",),
    )
    async for c in open_client(make_app(plugins=plugins(), settings_=settings)):
        yield c


async def _world(client: ApiClient) -> World:
    db = client.app.state.db
    every = sorted(client.app.state.registry.permissions)
    root = await make_org(name="R")
    a, b = await make_org(root, name="A"), await make_org(root, name="B")
    a2 = await make_org(a, name="A2")
    union = await make_org(a, kind="union.federation", name="A 总工会")
    grassroots = await make_org(union, kind="union.grassroots", name="A 某公司工会", level="unit")
    women = await make_org(a, kind="women.federation", name="A 妇联")
    await make_org(b, name="B2")
    platform = await bearer(client, *await make_account(db, grants=[(None, every, True)]))
    username, password = await make_account(db, grants=[(a["path"], every, True)], home_org=a["path"])
    admin = await bearer(client, username, password)
    me = (await client.get("/api/v1/me", headers=admin)).json()
    return World(
        client=client,
        platform=platform,
        admin=admin,
        admin_person=UUID(me["person"]["id"]),
        a=a,
        a2=a2,
        union=union,
        grassroots=grassroots,
        women=women,
        counter=itertools.count(1),
    )


async def _last_seq() -> int:
    row = await AuditEntry.select(AuditEntry.seq).order_by(AuditEntry.seq, ascending=False).first().run()
    return int(row["seq"]) if row else 0


async def _new_entries(w: World, headers: dict[str, str], after: int) -> list[dict[str, Any]]:
    listed = await w.client.get("/api/v1/audit", params={"limit": 100}, headers=headers)
    assert listed.status_code == 200, listed.text
    return [e for e in listed.json()["items"] if e["seq"] > after]


#: Write routes of this wave's domains merged after this test was written (places and bookings, selections
#: and honors, sign-up, self-service, person link requests): each audits in its own code (see their domain
#: tests), but has no case here yet. The set may only shrink: a write route added from now on fails this
#: test until it has a case, and an entry for a route that is gone fails it too.
NOT_YET_COVERED: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/api/v1/accounts/{account_id}/password-reset"),
        ("POST", "/api/v1/auth/codes"),
        ("POST", "/api/v1/auth/password-change"),
        ("POST", "/api/v1/auth/signup"),
        ("POST", "/api/v1/auth/wechat/bind"),
        ("POST", "/api/v1/me/claims"),
        ("POST", "/api/v1/me/claims/reviews"),
        ("POST", "/api/v1/me/claims/{claim_id}/confirmation"),
        ("POST", "/api/v1/me/closure"),
        ("POST", "/api/v1/me/data/corrections"),
        ("POST", "/api/v1/me/data/erasure"),
        ("POST", "/api/v1/me/person-links/{link_id}/approve"),
        ("POST", "/api/v1/me/person-links/{link_id}/reject"),
        ("POST", "/api/v1/me/transfers"),
        ("POST", "/api/v1/person-links/{link_id}/approve"),
        ("POST", "/api/v1/person-links/{link_id}/reject"),
        ("POST", "/api/v1/person-links/{link_id}/withdraw"),
    }
)


async def test_every_write_route_leaves_an_audit_entry_its_org_sees(client: ApiClient) -> None:
    routes = write_routes(client.app)
    unmapped = routes - CASES.keys() - PLATFORM_CASES.keys() - NOT_AUDITED.keys() - NOT_YET_COVERED
    assert not unmapped, f"write routes without an audit case (add one to this file): {sorted(unmapped)}"
    stale = (CASES.keys() | PLATFORM_CASES.keys() | NOT_AUDITED.keys() | NOT_YET_COVERED) - routes
    assert not stale, f"cases of routes that no longer exist: {sorted(stale)}"
    w = await _world(client)
    missing: list[Any] = []
    for (method, path), fn in [*CASES.items(), *PLATFORM_CASES.items()]:
        platform = (method, path) in PLATFORM_CASES
        caller = w.platform if platform else w.admin
        verb, url, kwargs = await fn(w)
        kwargs.setdefault("headers", caller)
        before = await _last_seq()
        response = await client.request(verb, url, **kwargs)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        # Seen through the caller's own audit view: for A's admin, filtered by reach over A's orgs.
        entries = await _new_entries(w, caller, before)
        if not entries:
            missing.append((method, path))
            continue
        if not platform:
            assert any(p.startswith(w.a["path"]) for e in entries for p in e["org_paths"]), (method, path)
    assert not missing, f"writes that left no audit entry the org sees: {missing}"
    # And nothing personal went in: no name, phone or ID number typed above.
    dump = str([r["changes"] for r in await AuditEntry.select(AuditEntry.changes).run()])
    for value in ("13700137000", "13900139000", "李四", "群众1", "很好", "s3cret"):
        assert value not in dump, value
    assert (await client.get("/api/v1/audit/verify", headers=w.platform)).json()["status"] == "intact"
