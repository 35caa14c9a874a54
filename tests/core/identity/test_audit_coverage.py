"""Every write lands in the audit log, seen by the org it happened in — generated from the app's routes.

The app is built with every bundled plugin (and the test suite's plugins that give files and referrals an
owner and a target). Every route with a write method — core and plugins alike — must be in :data:`CASES`
(called by an admin holding every permission on subtree A; a new entry must show in *that admin's*
``GET /api/v1/audit``, i.e. name an org in A), in :data:`PLATFORM_CASES` (platform-wide things a subtree
admin may not touch: called by the platform administrator; a new entry must exist), or in
:data:`NOT_AUDITED` with the reason. A write route added without a case fails this test.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import itertools
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from litestar import Litestar

from core.identity.tables import AuditEntry
from core.kernel.plugin_host import ENTRY_POINT_GROUP
from core.kernel.settings import Settings
from core.places.tables import Booking
from core.processes.tables import Notice
from core.selfservice import codes
from tests.conftest import ApiClient, open_client
from tests.core.files.conftest import png
from tests.core.signup.servers import APP_ID, APP_SECRET, WeChatServer
from tests.core.signup.support import signup_overrides
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
    # Sending a one-time code changes nobody's data: the send limits count it (per phone, address and
    # day) and the login or claim it is entered in is what is recorded.
    ("POST", "/api/v1/auth/codes"): "sends a code; what it is entered in is recorded",
    # A real-name public vote: the vote table itself records who voted when (core/selections/votes.py);
    # votes, cast by the thousand, are not copied into the audit log one by one.
    ("POST", "/api/v1/selections/campaigns/{campaign_id}/votes"): "the vote table is the record of votes",
    # --- scitech (科协) ---
    ("POST", "/api/v1/scitech/experts/match"): "a read sent as POST: who could take a consulting request",
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
    #: B's administrator: a cadre who cannot see A's persons, so naming one proposes a link request.
    b: dict[str, Any]
    b_admin: dict[str, str]
    wechat: WeChatServer

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
    started = await event(w, publish=True, starts_at=soon(-1))  # not before it starts
    return "POST", f"/api/v1/events/{started.json()['id']}/finish", {}


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


@case("POST", "/api/v1/events/{event_id}/checkins/venue")
async def _venue_check_in(w: World) -> Call:
    event_id = (await event(w, publish=True, starts_at=soon(-1))).json()["id"]
    await registration(w, event_id, str(w.admin_person))
    code = (await w.ok("GET", f"/api/v1/events/{event_id}/venue-code")).json()["code"]
    return "POST", f"/api/v1/events/{event_id}/checkins/venue", {"json": {"code": code}, "headers": w.admin}


@case("POST", "/api/v1/events/{event_id}/feedback")
async def _feedback(w: World) -> Call:
    event_id = (await event(w, publish=True, starts_at=soon(-1))).json()["id"]
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


# --- announcements ----------------------------------------------------------------------------------------


async def announcement(w: World, *, publish: bool = False, pinned: bool = False) -> Any:
    body = {"org_id": str(w.a["id"]), "title": w.name("公告"), "visibility": "members"}
    created = await w.ok("POST", "/api/v1/announcements", json=body)
    announcement_id = created.json()["id"]
    if publish:
        await w.ok("POST", f"/api/v1/announcements/{announcement_id}/publish")
    if pinned:
        await w.ok("POST", f"/api/v1/announcements/{announcement_id}/pin")
    return created


@case("POST", "/api/v1/announcements")
async def _draft_announcement(w: World) -> Call:
    return "POST", "/api/v1/announcements", {"json": {"org_id": str(w.a["id"]), "title": w.name()}}


@case("PATCH", "/api/v1/announcements/{announcement_id}")
async def _update_announcement(w: World) -> Call:
    created = await announcement(w)
    headers = {**w.admin, "If-Match": created.headers["etag"]}
    url = f"/api/v1/announcements/{created.json()['id']}"
    return "PATCH", url, {"json": {"body": "正文"}, "headers": headers}


@case("POST", "/api/v1/announcements/{announcement_id}/publish")
async def _publish_announcement(w: World) -> Call:
    return "POST", f"/api/v1/announcements/{(await announcement(w)).json()['id']}/publish", {}


@case("POST", "/api/v1/announcements/{announcement_id}/pin")
async def _pin_announcement(w: World) -> Call:
    return "POST", f"/api/v1/announcements/{(await announcement(w, publish=True)).json()['id']}/pin", {}


@case("POST", "/api/v1/announcements/{announcement_id}/unpin")
async def _unpin_announcement(w: World) -> Call:
    made = await announcement(w, publish=True, pinned=True)
    return "POST", f"/api/v1/announcements/{made.json()['id']}/unpin", {}


@case("POST", "/api/v1/announcements/{announcement_id}/withdraw")
async def _withdraw_announcement(w: World) -> Call:
    made = await announcement(w, publish=True)
    return "POST", f"/api/v1/announcements/{made.json()['id']}/withdraw", {}


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


async def login_of_a(w: World) -> tuple[str, dict[str, str], str]:
    """A person of A with a login of their own: their person id, bearer headers and password."""
    username, password = await make_account(w.client.app.state.db, home_org=w.a["path"])
    headers = await bearer(w.client, username, password)
    me = (await w.ok("GET", "/api/v1/me", headers=headers)).json()
    return str(me["person"]["id"]), headers, password


async def person_of_a(w: World) -> tuple[str, dict[str, str]]:
    """A person of A with a login of their own: their person id and their bearer headers."""
    person_id, headers, _ = await login_of_a(w)
    return person_id, headers


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


# --- joint plugin -----------------------------------------------------------------------------------------


async def _joint_council(w: World, *members: dict[str, Any]) -> dict[str, Any]:
    body = {"org_id": str(w.a["id"]), "name": w.name("联席会议")}
    council = (await w.ok("POST", "/api/v1/joint/councils", json=body)).json()
    for member in members:
        url = f"/api/v1/joint/councils/{council['id']}/members"
        council = (await w.ok("POST", url, json={"org_id": str(member["id"])})).json()
    return council


async def _joint_etag(w: World, url: str) -> dict[str, str]:
    return {**w.admin, "If-Match": (await w.ok("GET", url)).headers["etag"]}


async def _joint_decision(w: World) -> dict[str, Any]:
    council = await _joint_council(w, w.union)
    body = {
        "title": w.name("议定"),
        "tasks": [{"org_id": str(w.union["id"]), "title": "任务", "due_on": "2030-01-01"}],
    }
    return (await w.ok("POST", f"/api/v1/joint/councils/{council['id']}/decisions", json=body)).json()


async def _joint_rule(w: World) -> dict[str, Any]:
    body = {"region_id": str(w.a["id"]), "request_type": f"t{next(w.counter)}", "target": "union.*"}
    return (await w.ok("POST", "/api/v1/joint/referral-rules", json=body)).json()


@case("POST", "/api/v1/joint/councils")
async def _joint_create_council(w: World) -> Call:
    return "POST", "/api/v1/joint/councils", {"json": {"org_id": str(w.a["id"]), "name": w.name("联席会议")}}


@case("PATCH", "/api/v1/joint/councils/{council_id}")
async def _joint_update_council(w: World) -> Call:
    url = f"/api/v1/joint/councils/{(await _joint_council(w))['id']}"
    return "PATCH", url, {"json": {"description": "改"}, "headers": await _joint_etag(w, url)}


@case("POST", "/api/v1/joint/councils/{council_id}/members")
async def _joint_add_member(w: World) -> Call:
    council = await _joint_council(w)
    return "POST", f"/api/v1/joint/councils/{council['id']}/members", {"json": {"org_id": str(w.women["id"])}}


@case("DELETE", "/api/v1/joint/councils/{council_id}/members/{council_member_id}")
async def _joint_remove_member(w: World) -> Call:
    council = await _joint_council(w, w.women)
    return "DELETE", f"/api/v1/joint/councils/{council['id']}/members/{council['members'][0]['id']}", {}


@case("POST", "/api/v1/joint/councils/{council_id}/meetings")
async def _joint_meeting(w: World) -> Call:
    council = await _joint_council(w)
    body = {"title": w.name("会议"), "starts_at": soon()}
    return "POST", f"/api/v1/joint/councils/{council['id']}/meetings", {"json": body}


@case("PATCH", "/api/v1/joint/meetings/{meeting_id}")
async def _joint_update_meeting(w: World) -> Call:
    council = await _joint_council(w)
    body = {"title": w.name("会议"), "starts_at": soon()}
    meeting = (await w.ok("POST", f"/api/v1/joint/councils/{council['id']}/meetings", json=body)).json()
    url = f"/api/v1/joint/meetings/{meeting['id']}"
    return "PATCH", url, {"json": {"status": "held"}, "headers": await _joint_etag(w, url)}


@case("POST", "/api/v1/joint/councils/{council_id}/decisions")
async def _joint_decide(w: World) -> Call:
    council = await _joint_council(w, w.union)
    body = {
        "title": w.name("议定"),
        "tasks": [{"org_id": str(w.union["id"]), "title": "任务", "due_on": "2030-01-01"}],
    }
    return "POST", f"/api/v1/joint/councils/{council['id']}/decisions", {"json": body}


@case("POST", "/api/v1/joint/tasks/{task_id}/followups")
async def _joint_follow_up(w: World) -> Call:
    task = (await _joint_decision(w))["tasks"][0]
    return "POST", f"/api/v1/joint/tasks/{task['id']}/followups", {"json": {"note": "督办"}}


@case("POST", "/api/v1/joint/referral-rules")
async def _joint_create_rule(w: World) -> Call:
    body = {"region_id": str(w.a["id"]), "request_type": f"t{next(w.counter)}", "target": "women.*"}
    return "POST", "/api/v1/joint/referral-rules", {"json": body}


@case("PATCH", "/api/v1/joint/referral-rules/{rule_id}")
async def _joint_update_rule(w: World) -> Call:
    url = f"/api/v1/joint/referral-rules/{(await _joint_rule(w))['id']}"
    return "PATCH", url, {"json": {"note": "改"}, "headers": await _joint_etag(w, url)}


@case("DELETE", "/api/v1/joint/referral-rules/{rule_id}")
async def _joint_delete_rule(w: World) -> Call:
    return "DELETE", f"/api/v1/joint/referral-rules/{(await _joint_rule(w))['id']}", {}


async def _joint_service(w: World, **fields: Any) -> dict[str, Any]:
    body = {"org_id": str(w.union["id"]), "title": w.name("服务"), **fields}
    return (await w.ok("POST", "/api/v1/joint/services", json=body)).json()


async def _joint_step(w: World, process_id: str, transition: str, **body: Any) -> None:
    headers = await _joint_etag(w, f"/api/v1/processes/{process_id}")
    await w.ok(
        "POST",
        f"/api/v1/processes/{process_id}/transitions",
        headers,
        json={"transition": transition, **body},
    )


@case("POST", "/api/v1/joint/services")
async def _joint_publish(w: World) -> Call:
    body = {"org_id": str(w.union["id"]), "title": w.name("服务"), "capacity": 5, "period": "week"}
    return "POST", "/api/v1/joint/services", {"json": body}


@case("PATCH", "/api/v1/joint/services/{service_id}")
async def _joint_update_service(w: World) -> Call:
    url = f"/api/v1/joint/services/{(await _joint_service(w))['id']}"
    return "PATCH", url, {"json": {"status": "withdrawn"}, "headers": await _joint_etag(w, url)}


@case("POST", "/api/v1/joint/services/{service_id}/orders")
async def _joint_order(w: World) -> Call:
    service = await _joint_service(w, capacity=3)
    return "POST", f"/api/v1/joint/services/{service['id']}/orders", {"json": {"note": "点单"}}


@case("POST", "/api/v1/joint/partners")
async def _joint_partner(w: World) -> Call:
    return "POST", "/api/v1/joint/partners", {"json": {"org_id": str(w.women["id"]), "name": w.name("社工")}}


@case("PATCH", "/api/v1/joint/partners/{partner_id}")
async def _joint_update_partner(w: World) -> Call:
    body = {"org_id": str(w.women["id"]), "name": w.name("社工")}
    url = f"/api/v1/joint/partners/{(await w.ok('POST', '/api/v1/joint/partners', json=body)).json()['id']}"
    return "PATCH", url, {"json": {"status": "inactive"}, "headers": await _joint_etag(w, url)}


@case("POST", "/api/v1/joint/orders")
async def _joint_order_by_need(w: World) -> Call:
    # From A (the admin's home org) wage arrears go by the default rule to A's union federation.
    return "POST", "/api/v1/joint/orders", {"json": {"need_type": "wage_arrears"}}


@case("POST", "/api/v1/joint/orders/{order_id}/rating")
async def _joint_rate(w: World) -> Call:
    service = await _joint_service(w)
    url = f"/api/v1/joint/services/{service['id']}/orders"
    order = (await w.ok("POST", url, w.admin, json={})).json()
    await _joint_step(w, order["process_id"], "dispatch", form={"org_id": str(w.union["id"])})
    await _joint_step(w, order["process_id"], "accept")
    await _joint_step(w, order["process_id"], "complete")
    body = {"rating": 4, "comment": "很好"}  # the comment stays out of the audit log
    return "POST", f"/api/v1/joint/orders/{order['id']}/rating", {"json": body}


_JOINT_QUESTIONS = [
    {
        "code": "need",
        "kind": "single",
        "text": "需求",
        "options": [{"code": "a", "label": "甲"}, {"code": "b", "label": "乙"}],
    },
    {"code": "advice", "kind": "text", "text": "建议", "required": False},
]


async def _joint_survey(w: World) -> dict[str, Any]:
    body = {"org_id": str(w.a["id"]), "title": w.name("调查"), "questions": _JOINT_QUESTIONS}
    return (await w.ok("POST", "/api/v1/joint/surveys", json=body)).json()


async def _joint_run(w: World) -> dict[str, Any]:
    survey = await _joint_survey(w)
    return (await w.ok("POST", f"/api/v1/joint/surveys/{survey['id']}/runs", json={})).json()


@case("POST", "/api/v1/joint/surveys")
async def _joint_create_survey(w: World) -> Call:
    body = {"org_id": str(w.a["id"]), "title": w.name("调查"), "questions": _JOINT_QUESTIONS}
    return "POST", "/api/v1/joint/surveys", {"json": body}


@case("PATCH", "/api/v1/joint/surveys/{survey_id}")
async def _joint_update_survey(w: World) -> Call:
    url = f"/api/v1/joint/surveys/{(await _joint_survey(w))['id']}"
    return "PATCH", url, {"json": {"status": "archived"}, "headers": await _joint_etag(w, url)}


@case("POST", "/api/v1/joint/surveys/{survey_id}/runs")
async def _joint_open_run(w: World) -> Call:
    survey = await _joint_survey(w)
    return "POST", f"/api/v1/joint/surveys/{survey['id']}/runs", {"json": {"period": "2026Q1"}}


@case("POST", "/api/v1/joint/survey-runs/{run_id}/close")
async def _joint_close_run(w: World) -> Call:
    return "POST", f"/api/v1/joint/survey-runs/{(await _joint_run(w))['id']}/close", {}


@case("POST", "/api/v1/joint/survey-runs/{run_id}/responses")
async def _joint_respond(w: World) -> Call:
    # A's admin lives in A: a region survey of A asks them. The text stays out of the audit log.
    body = {"answers": [{"question": "need", "option": "a"}, {"question": "advice", "text": "很好"}]}
    return "POST", f"/api/v1/joint/survey-runs/{(await _joint_run(w))['id']}/responses", {"json": body}


# --- disabled (the example 残联 plugin, examples/quntuan-disabled, when installed) -----------------------

_ID_NUMBERS = itertools.count(300)


def _valid_id_number() -> str:
    body = f"11010119850505{next(_ID_NUMBERS):03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * n for d, n in zip(body, weights, strict=True)) % 11]


async def _certificate_body(w: World) -> dict[str, Any]:
    org_body = {
        "name": w.name("残联"),
        "kind": "disabled.federation",
        "level": "county",
        "parent": str(w.a["id"]),
    }
    federation = (await w.ok("POST", "/api/v1/orgs", json=org_body)).json()["id"]
    return {
        "person_id": await person(w),
        "org_id": federation,
        "id_number": _valid_id_number(),
        "category": "physical",
        "grade": 2,
        "issued_on": "2025-01-01",
        "valid_until": "2035-01-01",
    }


@case("POST", "/api/v1/disabled/certificates")
async def _register_certificate(w: World) -> Call:
    return "POST", "/api/v1/disabled/certificates", {"json": await _certificate_body(w)}


@case("PATCH", "/api/v1/disabled/certificates/{certificate_id}")
async def _review_certificate(w: World) -> Call:
    made = await w.ok("POST", "/api/v1/disabled/certificates", json=await _certificate_body(w))
    url = f"/api/v1/disabled/certificates/{made.json()['id']}"
    return "PATCH", url, {"json": {"grade": 1}, "headers": {**w.admin, "If-Match": made.headers["etag"]}}


# --- self-service: sign-up, claims, the caller's account, transfers, person link requests -----------------


@case("POST", "/api/v1/auth/signup", platform=True)
async def _sign_up(w: World) -> Call:
    body = {"username": f"s{next(w.counter)}x", "password": "Quntuan-Audit-2026!", "name": w.name("注册")}
    return "POST", "/api/v1/auth/signup", {"json": body, "headers": {}}


@case("POST", "/api/v1/auth/wechat/bind")
async def _bind_wechat(w: World) -> Call:
    _, headers = await person_of_a(w)
    code = f"wx{next(w.counter)}"
    w.wechat.codes[code] = (f"openid-{code}", None)
    return "POST", "/api/v1/auth/wechat/bind", {"json": {"code": code}, "headers": headers}


@case("POST", "/api/v1/accounts/{account_id}/password-reset")
async def _reset_password(w: World) -> Call:
    return "POST", f"/api/v1/accounts/{await account(w)}/password-reset", {}


@case("POST", "/api/v1/auth/password-change")
async def _password_after_reset(w: World) -> Call:
    username = f"u{next(w.counter)}r"
    body = {"username": username, "password": "Quntuan-Audit-2026!", "person": await person(w)}
    account_id = (await w.ok("POST", "/api/v1/accounts", json=body)).json()["id"]
    reset = await w.ok("POST", f"/api/v1/accounts/{account_id}/password-reset")
    change = {
        "username": username,
        "password": reset.json()["temporary_password"],
        "new_password": "Another-Audit-Pass-2027?",
    }
    return "POST", "/api/v1/auth/password-change", {"json": change, "headers": {}}


def id_number() -> str:
    """A fresh resident ID number with a valid GB 11643 check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    body = f"11010519900101{secrets.randbelow(1000):03d}"
    return body + "10X98765432"[sum(int(d) * k for d, k in zip(body, weights, strict=True)) % 11]


# A claim attempt is recorded without an org: naming the record it matched would tell its org nothing the
# claimant may learn, and a miss names no record at all. The platform sees every attempt.
@case("POST", "/api/v1/me/claims", platform=True)
async def _start_claim(w: World) -> Call:
    _, headers = await person_of_a(w)
    body = {"name": w.name("认领"), "id_number": id_number()}
    return "POST", "/api/v1/me/claims", {"json": body, "headers": headers}


@case("POST", "/api/v1/me/claims/{claim_id}/confirmation")
async def _confirm_claim(w: World) -> Call:
    name, number, phone = w.name("档案"), id_number(), "13600136000"
    await person(w, id_number=number, phone=phone, name=name)
    _, headers = await person_of_a(w)
    outbox: list[str] = []

    async def capture(to: str, code: str, purpose: str) -> None:
        outbox.append(code)

    previous = codes.set_code_sender(capture)
    try:
        started = await w.ok(
            "POST", "/api/v1/me/claims", json={"name": name, "id_number": number}, headers=headers
        )
        for _ in range(100):  # the code goes out in the background
            if outbox:
                break
            await asyncio.sleep(0.01)
    finally:
        codes.set_code_sender(previous)
    url = f"/api/v1/me/claims/{started.json()['claim_id']}/confirmation"
    return "POST", url, {"json": {"code": outbox[0]}, "headers": headers}


@case("POST", "/api/v1/me/claims/reviews")
async def _review_claim(w: World) -> Call:
    _, headers = await person_of_a(w)
    body = {"org_id": str(w.a["id"]), "name": w.name("认领"), "id_number": id_number(), "statement": "本人"}
    return "POST", "/api/v1/me/claims/reviews", {"json": body, "headers": headers}


@case("POST", "/api/v1/me/closure")
async def _close_my_account(w: World) -> Call:
    _, headers, password = await login_of_a(w)
    return "POST", "/api/v1/me/closure", {"json": {"password": password}, "headers": headers}


@case("POST", "/api/v1/me/data/corrections")
async def _ask_correction(w: World) -> Call:
    _, headers = await person_of_a(w)
    body = {"employer": "新单位", "statement": "已换工作"}
    return "POST", "/api/v1/me/data/corrections", {"json": body, "headers": headers}


@case("POST", "/api/v1/me/data/erasure")
async def _ask_erasure(w: World) -> Call:
    _, headers = await person_of_a(w)
    return "POST", "/api/v1/me/data/erasure", {"json": {"statement": "请删除"}, "headers": headers}


@case("POST", "/api/v1/me/transfers")
async def _ask_transfer(w: World) -> Call:
    person_id, headers = await person_of_a(w)
    joined = await w.ok("POST", f"/api/v1/orgs/{w.a['id']}/members", json={"person": person_id})
    body = {"membership_id": joined.json()["id"], "to_org_id": str(w.a2["id"]), "reason": "工作调动"}
    return "POST", "/api/v1/me/transfers", {"json": body, "headers": headers}


async def link_request(w: World, person_id: str) -> str:
    """B's administrator names A's person for B: not in their reach, so a link request is proposed."""
    proposed = await w.ok(
        "POST", f"/api/v1/orgs/{w.b['id']}/members", json={"person": person_id}, headers=w.b_admin
    )
    assert proposed.status_code == 202, proposed.text
    return str(proposed.json()["id"])


@case("POST", "/api/v1/me/person-links/{link_id}/approve")
async def _agree_to_link(w: World) -> Call:
    person_id, headers = await person_of_a(w)
    return "POST", f"/api/v1/me/person-links/{await link_request(w, person_id)}/approve", {"headers": headers}


@case("POST", "/api/v1/me/person-links/{link_id}/reject")
async def _decline_link(w: World) -> Call:
    person_id, headers = await person_of_a(w)
    return "POST", f"/api/v1/me/person-links/{await link_request(w, person_id)}/reject", {"headers": headers}


@case("POST", "/api/v1/person-links/{link_id}/approve")
async def _approve_link(w: World) -> Call:
    return "POST", f"/api/v1/person-links/{await link_request(w, await person(w))}/approve", {}


@case("POST", "/api/v1/person-links/{link_id}/reject")
async def _reject_link(w: World) -> Call:
    return "POST", f"/api/v1/person-links/{await link_request(w, await person(w))}/reject", {}


# Withdrawn by B's administrator, who proposed it; A's administrator sees it as the custodian of the person.
@case("POST", "/api/v1/person-links/{link_id}/withdraw")
async def _withdraw_link(w: World) -> Call:
    link_id = await link_request(w, await person(w))
    return "POST", f"/api/v1/person-links/{link_id}/withdraw", {"headers": w.b_admin}


# --- women plugin -----------------------------------------------------------------------------------------


async def _women_executive(w: World) -> str:
    body = {
        "org_id": str(w.women["id"]),
        "person_id": await person(w),
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
    }
    return str((await w.ok("POST", "/api/v1/women/executives", json=body)).json()["id"])


@case("POST", "/api/v1/women/executives")
async def _women_appoint(w: World) -> Call:
    body = {
        "org_id": str(w.women["id"]),
        "person_id": await person(w),
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
    }
    return "POST", "/api/v1/women/executives", {"json": body}


@case("PATCH", "/api/v1/women/executives/{member_id}")
async def _women_update(w: World) -> Call:
    url = f"/api/v1/women/executives/{await _women_executive(w)}"
    return "PATCH", url, {"json": {"status": "ended"}, "headers": {**w.admin, "If-Match": '"1"'}}


@case("POST", "/api/v1/women/executives/{member_id}/contacts")
async def _women_contact(w: World) -> Call:
    url = f"/api/v1/women/executives/{await _women_executive(w)}/contacts"
    return "POST", url, {"json": {"kind": "household", "label": "三组12号户"}}


@case("POST", "/api/v1/women/executives/{member_id}/records")
async def _women_record(w: World) -> Call:
    url = f"/api/v1/women/executives/{await _women_executive(w)}/records"
    return "POST", url, {"json": {"year": 2026, "kind": "evaluation", "code": "excellent"}}


async def _women_program(w: World) -> str:
    body = {"org_id": str(w.women["id"]), "kind": "digital", "name": w.name("培训"), "sessions": 4}
    body.update(starts_on="2026-03-01", ends_on="2026-06-30")
    return str((await w.ok("POST", "/api/v1/women/programs", json=body)).json()["id"])


async def _women_enrolment(w: World) -> str:
    url = f"/api/v1/women/programs/{await _women_program(w)}/enrolments"
    return str((await w.ok("POST", url, json={"person_id": await person(w)})).json()["id"])


@case("POST", "/api/v1/women/programs")
async def _women_create_program(w: World) -> Call:
    body = {"org_id": str(w.women["id"]), "kind": "skills", "name": w.name("培训")}
    body.update(starts_on="2026-03-01", ends_on="2026-06-30")
    return "POST", "/api/v1/women/programs", {"json": body}


@case("POST", "/api/v1/women/programs/{program_id}/enrolments")
async def _women_enrol(w: World) -> Call:
    url = f"/api/v1/women/programs/{await _women_program(w)}/enrolments"
    return "POST", url, {"json": {"person_id": await person(w)}}


@case("POST", "/api/v1/women/enrolments/{enrolment_id}/attendance")
async def _women_attend(w: World) -> Call:
    url = f"/api/v1/women/enrolments/{await _women_enrolment(w)}/attendance"
    return "POST", url, {"json": {"attended_on": "2026-04-01"}}


@case("PATCH", "/api/v1/women/enrolments/{enrolment_id}")
async def _women_outcome(w: World) -> Call:
    url = f"/api/v1/women/enrolments/{await _women_enrolment(w)}"
    return "PATCH", url, {"json": {"employment": "employed"}, "headers": {**w.admin, "If-Match": '"1"'}}


@case("POST", "/api/v1/women/orgs/{org_id}/executive-imports")
async def _women_executive_import(w: World) -> Call:
    sheet = "姓名,身份证号,职务,任期开始,任期结束\n".encode()
    url = f"/api/v1/women/orgs/{w.women['id']}/executive-imports"
    return "POST", url, {"files": {"file": ("执委.csv", sheet)}}


# --- scitech (科协) ------------------------------------------------------------------------------------


async def scitech_org(w: World, kind: str = "scitech.association", parent: str | None = None) -> str:
    body = {"name": w.name("科协"), "kind": kind, "level": "county", "parent": parent or str(w.a["id"])}
    return str((await w.ok("POST", "/api/v1/orgs", json=body)).json()["id"])


async def scitech_post(w: World, path: str, body: dict[str, Any]) -> Any:
    return (await w.ok("POST", "/api/v1/scitech" + path, json=body)).json()


async def scitech_expert(w: World, org_id: str) -> Any:
    return await scitech_post(w, "/experts", {"org": org_id, "name": w.name("专家"), "disciplines": ["520"]})


@case("POST", "/api/v1/scitech/experts")
async def _scitech_add_expert(w: World) -> Call:
    body = {"org": await scitech_org(w), "name": w.name("专家"), "disciplines": ["520"]}
    return "POST", "/api/v1/scitech/experts", {"json": body}


@case("PATCH", "/api/v1/scitech/experts/{expert_id}")
async def _scitech_change_expert(w: World) -> Call:
    expert = await scitech_expert(w, await scitech_org(w))
    return (
        "PATCH",
        f"/api/v1/scitech/experts/{expert['id']}",
        {"json": {"willing": False}, "headers": {**w.admin, "If-Match": '"1"'}},
    )


@case("POST", "/api/v1/scitech/experts/import")
async def _scitech_import(w: World) -> Call:
    files = {"file": ("e.csv", "姓名,学科\n导入专家,520\n".encode(), "text/csv")}
    return "POST", "/api/v1/scitech/experts/import", {"params": {"org": await scitech_org(w)}, "files": files}


@case("POST", "/api/v1/scitech/popularization/activities")
async def _scitech_activity(w: World) -> Call:
    body = {
        "org": await scitech_org(w),
        "kind": "caravan",
        "title": w.name("大篷车"),
        "held_on": "2026-01-03",
    }
    return "POST", "/api/v1/scitech/popularization/activities", {"json": body}


@case("PUT", "/api/v1/scitech/popularization/activities/{activity_id}/reach")
async def _scitech_reach(w: World) -> Call:
    body = {"org": await scitech_org(w), "kind": "visit", "title": w.name("参观"), "held_on": "2026-01-03"}
    made = await scitech_post(w, "/popularization/activities", body)
    url = f"/api/v1/scitech/popularization/activities/{made['id']}/reach"
    return "PUT", url, {"json": {"offline": 3}, "headers": {**w.admin, "If-Match": '"1"'}}


@case("POST", "/api/v1/scitech/popularization/resources")
async def _scitech_resource(w: World) -> Call:
    body = {"org": await scitech_org(w), "kind": "article", "title": w.name("文章")}
    return "POST", "/api/v1/scitech/popularization/resources", {"json": body}


@case("PATCH", "/api/v1/scitech/popularization/resources/{popsci_resource_id}")
async def _scitech_change_resource(w: World) -> Call:
    made = await scitech_post(
        w, "/popularization/resources", {"org": await scitech_org(w), "kind": "video", "title": "v"}
    )
    url = f"/api/v1/scitech/popularization/resources/{made['id']}"
    return "PATCH", url, {"json": {"status": "withdrawn"}, "headers": {**w.admin, "If-Match": '"1"'}}


def _society_member_body(w: World) -> dict[str, Any]:
    return {
        "kind": "individual",
        "name": w.name("会员"),
        "member_no": f"M{next(w.counter)}",
        "grade": "member",
        "joined_on": "2025-01-01",
        "term_start": "2025-01-01",
        "term_end": "2029-12-31",
    }


async def scitech_society_member(w: World) -> tuple[str, Any]:
    society = await scitech_org(w, "scitech.society", await scitech_org(w))
    return society, await scitech_post(w, f"/societies/{society}/members", _society_member_body(w))


@case("POST", "/api/v1/scitech/societies/{society_id}/members")
async def _scitech_enrol(w: World) -> Call:
    society = await scitech_org(w, "scitech.society", await scitech_org(w))
    return "POST", f"/api/v1/scitech/societies/{society}/members", {"json": _society_member_body(w)}


@case("PATCH", "/api/v1/scitech/society-members/{society_member_id}")
async def _scitech_renew(w: World) -> Call:
    _, member = await scitech_society_member(w)
    url = f"/api/v1/scitech/society-members/{member['id']}"
    return "PATCH", url, {"json": {"term_end": "2030-12-31"}, "headers": {**w.admin, "If-Match": '"1"'}}


@case("POST", "/api/v1/scitech/society-members/{society_member_id}/dues")
async def _scitech_dues(w: World) -> Call:
    _, member = await scitech_society_member(w)
    body = {"year": 2026, "amount": "50", "paid_on": "2026-01-02"}
    return "POST", f"/api/v1/scitech/society-members/{member['id']}/dues", {"json": body}


def _station_body(org_id: str, w: World) -> dict[str, Any]:
    return {
        "org": org_id,
        "kind": "service",
        "name": w.name("服务站"),
        "host": "某企业",
        "established_on": "2025-01-01",
    }


@case("POST", "/api/v1/scitech/stations")
async def _scitech_station(w: World) -> Call:
    return "POST", "/api/v1/scitech/stations", {"json": _station_body(await scitech_org(w), w)}


@case("PATCH", "/api/v1/scitech/stations/{station_id}")
async def _scitech_change_station(w: World) -> Call:
    station = await scitech_post(w, "/stations", _station_body(await scitech_org(w), w))
    url = f"/api/v1/scitech/stations/{station['id']}"
    return "PATCH", url, {"json": {"status": "closed"}, "headers": {**w.admin, "If-Match": '"1"'}}


@case("POST", "/api/v1/scitech/stations/{station_id}/experts")
async def _scitech_station_expert(w: World) -> Call:
    org_id = await scitech_org(w)
    station = await scitech_post(w, "/stations", _station_body(org_id, w))
    expert = await scitech_expert(w, org_id)
    body = {"expert": expert["id"], "joined_on": "2025-02-01"}
    return "POST", f"/api/v1/scitech/stations/{station['id']}/experts", {"json": body}


@case("POST", "/api/v1/scitech/stations/{station_id}/projects")
async def _scitech_project(w: World) -> Call:
    station = await scitech_post(w, "/stations", _station_body(await scitech_org(w), w))
    body = {"title": w.name("项目"), "started_on": "2025-02-01"}
    return "POST", f"/api/v1/scitech/stations/{station['id']}/projects", {"json": body}


@case("POST", "/api/v1/scitech/station-projects/{station_project_id}/results")
async def _scitech_result(w: World) -> Call:
    station = await scitech_post(w, "/stations", _station_body(await scitech_org(w), w))
    project = await scitech_post(
        w, f"/stations/{station['id']}/projects", {"title": "p", "started_on": "2025-02-01"}
    )
    body = {"kind": "standard", "title": w.name("标准"), "achieved_on": "2025-03-01"}
    return "POST", f"/api/v1/scitech/station-projects/{project['id']}/results", {"json": body}


@case("PUT", "/api/v1/scitech/contests/{contest_id}/results")
async def _scitech_contest(w: World) -> Call:
    org_id = await scitech_org(w)
    made = await event(w, publish=True, type="scitech.tech_contest", org_id=org_id, details={"field": "焊工"})
    contests = (await w.ok("GET", "/api/v1/scitech/contests", params={"org": org_id})).json()["items"]
    assert [c["event"] for c in contests] == [made.json()["id"]]
    body = {"results": [{"entrant": "焊工班组", "rank": 1, "award": "first"}]}
    url = f"/api/v1/scitech/contests/{contests[0]['id']}/results"
    return "PUT", url, {"json": body, "headers": {**w.admin, "If-Match": '"1"'}}


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


@case("PATCH", "/api/v1/youth/members/{league_member_id}")
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


@case("PUT", "/api/v1/youth/branches/{org_id}/category")
async def _youth_branch_category(w: World) -> Call:
    _, branch = await _youth_branch(w)
    return "PUT", f"/api/v1/youth/branches/{branch}/category", {"json": {"category": "graduating"}}


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


@case("PUT", "/api/v1/youth/meetings/{event_id}/minutes")
async def _youth_minutes(w: World) -> Call:
    _, branch = await _youth_branch(w)
    began = datetime.now(UTC) - timedelta(hours=1)
    created = await w.ok(
        "POST",
        "/api/v1/events",
        json={
            "type": "youth.committee_meeting",
            "title": w.name("支委会"),
            "org_id": branch,
            "starts_at": began.isoformat(),
            "ends_at": (began + timedelta(hours=2)).isoformat(),
            "details": {"topic": "研究发展团员"},
        },
    )
    event_id = created.json()["id"]
    await w.ok("POST", f"/api/v1/events/{event_id}/publish")
    return (
        "PUT",
        f"/api/v1/youth/meetings/{event_id}/minutes",
        {"json": {"minutes": "支委三人到会。"}, "headers": {**w.admin, "If-Match": '"1"'}},
    )


async def _youth_evaluation(w: World) -> tuple[str, str]:
    _, branch = await _youth_branch(w)
    member = await _youth_member(w, branch)
    return branch, member


@case("POST", "/api/v1/youth/evaluations")
async def _youth_evaluate(w: World) -> Call:
    branch, member = await _youth_evaluation(w)
    body = {"org": branch, "year": 2025, "grades": [{"member": member, "grade": "excellent"}]}
    return "POST", "/api/v1/youth/evaluations", {"json": body}


@case("PATCH", "/api/v1/youth/evaluations/{evaluation_id}")
async def _youth_correct_evaluation(w: World) -> Call:
    branch, member = await _youth_evaluation(w)
    body = {"org": branch, "year": 2025, "grades": [{"member": member, "grade": "excellent"}]}
    created = await w.ok("POST", "/api/v1/youth/evaluations", json=body)
    evaluation = created.json()["items"][0]["id"]
    return (
        "PATCH",
        f"/api/v1/youth/evaluations/{evaluation}",
        {"json": {"grade": "qualified"}, "headers": {**w.admin, "If-Match": '"1"'}},
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
def wechat() -> Iterator[WeChatServer]:
    server = WeChatServer()
    yield server
    server.close()


@pytest.fixture
async def client(
    make_app: Callable[..., Litestar],
    make_settings: Callable[..., Settings],
    tmp_path: Any,
    wechat: WeChatServer,
) -> AsyncIterator[ApiClient]:
    settings = make_settings(
        files_dir=str(tmp_path / "files"),
        webhook_allow_http_loopback=True,
        webhook_allowed_networks=("127.0.0.1/32",),
        # Sign-up open in every way, codes logged, WeChat answered by the local code2session server.
        **signup_overrides(
            signup_password_enabled=True,
            wechat_app_id=APP_ID,
            wechat_app_secret=APP_SECRET,
            wechat_api_base=wechat.url,
        ),
    )
    async for c in open_client(make_app(plugins=plugins(), settings_=settings)):
        yield c


async def _world(client: ApiClient, wechat: WeChatServer) -> World:
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
    username, password = await make_account(db, grants=[(b["path"], every, True)], home_org=b["path"])
    b_admin = await bearer(client, username, password)
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
        b=b,
        b_admin=b_admin,
        wechat=wechat,
    )


async def _last_seq() -> int:
    row = await AuditEntry.select(AuditEntry.seq).order_by(AuditEntry.seq, ascending=False).first().run()
    return int(row["seq"]) if row else 0


async def _new_entries(w: World, headers: dict[str, str], after: int) -> list[dict[str, Any]]:
    listed = await w.client.get("/api/v1/audit", params={"limit": 100}, headers=headers)
    assert listed.status_code == 200, listed.text
    return [e for e in listed.json()["items"] if e["seq"] > after]


# --- union plugin (工会): member files, rules, dues, funds, help on hardship files ------------------------


async def union_member(w: World, **fields: Any) -> str:
    person_id = await person(w, w.grassroots)
    body = {"org_id": str(w.grassroots["id"]), "person_id": person_id, **fields}
    await w.ok("POST", "/api/v1/union/members", json=body)
    return person_id


async def union_step(w: World, process_id: str, transition: str, **body: Any) -> None:
    current = await w.ok("GET", f"/api/v1/processes/{process_id}")
    url = f"/api/v1/processes/{process_id}/transitions"
    headers = {**w.platform, "If-Match": current.headers["etag"]}
    await w.ok("POST", url, json={"transition": transition, **body}, headers=headers)


@case("POST", "/api/v1/union/members")
async def _union_register(w: World) -> Call:
    body = {"org_id": str(w.grassroots["id"]), "person_id": await person(w, w.grassroots)}
    return "POST", "/api/v1/union/members", {"json": body}


@case("PATCH", "/api/v1/union/members/{person_id}")
async def _union_update_member(w: World) -> Call:
    url = f"/api/v1/union/members/{await union_member(w)}"
    return "PATCH", url, {"json": {"monthly_wage": 500000}, "headers": {**w.admin, "If-Match": '"1"'}}


@case("POST", "/api/v1/union/members/{person_id}/leave")
async def _union_leave(w: World) -> Call:
    return "POST", f"/api/v1/union/members/{await union_member(w)}/leave", {"json": {"reason": "retired"}}


@case("PUT", "/api/v1/union/orgs/{org_id}/rules")
async def _union_rules(w: World) -> Call:
    return "PUT", f"/api/v1/union/orgs/{w.union['id']}/rules", {"json": {"dues_rounding_unit": "jiao"}}


@case("PUT", "/api/v1/union/orgs/{org_id}/profile")
async def _union_profile(w: World) -> Call:
    return "PUT", f"/api/v1/union/orgs/{w.grassroots['id']}/profile", {"json": {"form": "building"}}


@case("POST", "/api/v1/union/orgs/{org_id}/dues-assessments")
async def _union_assess(w: World) -> Call:
    await union_member(w, monthly_wage=400000)
    return "POST", f"/api/v1/union/orgs/{w.grassroots['id']}/dues-assessments", {"json": {"month": "2026-09"}}


@case("POST", "/api/v1/union/orgs/{org_id}/dues-payments")
async def _union_pay(w: World) -> Call:
    member = await union_member(w, monthly_wage=400000)
    await w.ok("POST", f"/api/v1/union/orgs/{w.grassroots['id']}/dues-assessments", json={"month": "2026-08"})
    body = {"person_id": member, "months": ["2026-08"], "channel": "payroll"}
    return "POST", f"/api/v1/union/orgs/{w.grassroots['id']}/dues-payments", {"json": body}


@case("POST", "/api/v1/union/orgs/{org_id}/funds")
async def _union_funds(w: World) -> Call:
    body = {"month": "2026-08", "payroll": 10000000, "employer_name": w.name("企业")}
    return "POST", f"/api/v1/union/orgs/{w.grassroots['id']}/funds", {"json": body}


@case("POST", "/api/v1/union/hardship/{process_id}/help")
async def _union_help(w: World) -> Call:
    from plugins.union.tables import UnionHardshipFile

    member = await union_member(w)
    form = {"category": "relative", "household_size": 2, "household_income": 100000, "causes": ["illness"]}
    body = {"type": "union.hardship", "org_id": str(w.grassroots["id"]), "applicant_id": member, "form": form}
    opened = (await w.ok("POST", "/api/v1/processes", json=body)).json()
    await union_step(w, opened["id"], "verify")
    await union_step(w, opened["id"], "approve", form={"amount": 100000})
    past = datetime.now(UTC) - timedelta(minutes=1)
    await (
        UnionHardshipFile.update({UnionHardshipFile.notice_closes_at: past})
        .where(UnionHardshipFile.process == opened["id"])
        .run()
    )
    await union_step(w, opened["id"], "file")
    body = {"kind": "goods", "programme": "warmth", "note": "米面油"}
    return "POST", f"/api/v1/union/hardship/{opened['id']}/help", {"json": body}


async def union_representative(w: World) -> str:
    person_id = await union_member(w)
    body = {
        "person_id": person_id,
        "constituency": w.name("选区"),
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
    }
    await w.ok("POST", f"/api/v1/union/orgs/{w.grassroots['id']}/representatives", json=body)
    return person_id


@case("POST", "/api/v1/union/orgs/{org_id}/representatives")
async def _union_representative(w: World) -> Call:
    body = {
        "person_id": await union_member(w),
        "constituency": "一车间",
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
    }
    return "POST", f"/api/v1/union/orgs/{w.grassroots['id']}/representatives", {"json": body}


@case("POST", "/api/v1/union/orgs/{org_id}/representatives/{person_id}/reports")
async def _union_duty_report(w: World) -> Call:
    url = f"/api/v1/union/orgs/{w.grassroots['id']}/representatives/{await union_representative(w)}/reports"
    return "POST", url, {"json": {"year": 2026, "summary": "履职述职"}}


@case("POST", "/api/v1/union/orgs/{org_id}/representatives/{person_id}/evaluations")
async def _union_evaluation(w: World) -> Call:
    rep = await union_representative(w)
    body = {"org_id": str(w.grassroots["id"]), "person_id": str(w.admin_person)}
    await w.ok("POST", "/api/v1/union/members", json=body)
    url = f"/api/v1/union/orgs/{w.grassroots['id']}/representatives/{rep}/evaluations"
    return "POST", url, {"json": {"year": 2026, "rating": "basic"}}


async def union_benefit(w: World) -> str:
    body = {"year": 2026, "name": w.name("疗休养"), "category": "rest_trip", "quota": 1}
    return str((await w.ok("POST", f"/api/v1/union/orgs/{w.union['id']}/benefits", json=body)).json()["id"])


@case("POST", "/api/v1/union/orgs/{org_id}/benefits")
async def _union_declare_benefit(w: World) -> Call:
    body = {"year": 2026, "name": "节日慰问", "category": "festival", "measure": "amount", "quota": 50000}
    return "POST", f"/api/v1/union/orgs/{w.union['id']}/benefits", {"json": body}


@case("PATCH", "/api/v1/union/benefits/{benefit_id}")
async def _union_change_benefit(w: World) -> Call:
    url = f"/api/v1/union/benefits/{await union_benefit(w)}"
    return "PATCH", url, {"json": {"status": "closed"}, "headers": {**w.admin, "If-Match": '"1"'}}


async def union_competition(w: World, *, recorded: bool = False) -> str:
    began = datetime.now(UTC) - timedelta(hours=3)
    body = {
        "type": "union.labour_competition",
        "title": w.name("技能比武"),
        "org_id": str(w.union["id"]),
        "starts_at": began.isoformat(),
        "ends_at": (began + timedelta(hours=2)).isoformat(),
        "details": {"trade": "电工"},
    }
    event_id = str((await w.ok("POST", "/api/v1/events", json=body)).json()["id"])
    await w.ok("POST", f"/api/v1/events/{event_id}/publish")
    if recorded:
        results = {"results": [{"team_name": "", "person_id": str(w.admin_person), "rank": 1}]}
        headers = {**w.platform, "If-Match": '"1"'}
        await w.ok("PUT", f"/api/v1/union/competitions/{event_id}/results", json=results, headers=headers)
    return event_id


@case("PUT", "/api/v1/union/competitions/{event_id}/results")
async def _union_competition_results(w: World) -> Call:
    url = f"/api/v1/union/competitions/{await union_competition(w)}/results"
    body = {"results": [{"person_id": str(w.admin_person), "rank": 1, "award": "first"}]}
    return "PUT", url, {"json": body, "headers": {**w.admin, "If-Match": '"1"'}}


@case("POST", "/api/v1/union/competitions/{event_id}/publish")
async def _union_competition_publish(w: World) -> Call:
    url = f"/api/v1/union/competitions/{await union_competition(w, recorded=True)}/publish"
    return "POST", url, {"headers": {**w.admin, "If-Match": '"2"'}}


@case("POST", "/api/v1/union/orgs/{org_id}/dues-imports")
async def _union_dues_import(w: World) -> Call:
    member = await union_member(w, monthly_wage=600000)
    card = (await w.ok("GET", f"/api/v1/union/members/{member}")).json()["card_number"]
    sheet = f"会员证号,月份,实缴（元）\n{card},2026-07,30\n".encode()
    return (
        "POST",
        f"/api/v1/union/orgs/{w.grassroots['id']}/dues-imports",
        {"files": {"file": ("dues.csv", sheet)}},
    )


async def test_every_write_route_leaves_an_audit_entry_its_org_sees(
    client: ApiClient, wechat: WeChatServer
) -> None:
    routes = write_routes(client.app)
    unmapped = routes - CASES.keys() - PLATFORM_CASES.keys() - NOT_AUDITED.keys()
    assert not unmapped, f"write routes without an audit case (add one to this file): {sorted(unmapped)}"
    stale = (CASES.keys() | PLATFORM_CASES.keys() | NOT_AUDITED.keys()) - routes
    assert not stale, f"cases of routes that no longer exist: {sorted(stale)}"
    w = await _world(client, wechat)
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
