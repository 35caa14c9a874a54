"""Apply → approve → member; invitations (limits, expiry, revocation, exact counts under concurrency);
a member-initiated transfer approved, rejected, timed out — all through HTTP as a front end calls it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from core.members.tables import Membership
from core.orgs.permissions import MEMBER_MANAGE
from core.orgs.tables import Org
from core.processes.deadlines import apply_due_deadlines
from core.processes.machine import Env, now
from core.processes.permissions import PROCESS_HANDLE, PROCESS_READ
from core.selfservice.tables import Invitation
from tests.conftest import ApiClient
from tests.core.selfservice.conftest import cadre_login, make_org, person_login
from tests.helpers import problem

STAFF = (PROCESS_HANDLE, PROCESS_READ)


async def _step(
    api: ApiClient, headers: dict[str, str], process: dict[str, Any], transition: str, **body: Any
) -> Any:
    current = await api.get(f"/api/v1/processes/{process['id']}", headers=headers)
    assert current.status_code == 200, current.text
    return await api.post(
        f"/api/v1/processes/{process['id']}/transitions",
        json={"transition": transition, **body},
        headers={**headers, "If-Match": current.headers["etag"]},
    )


async def _person_id(api: ApiClient, headers: dict[str, str]) -> str:
    return (await api.get("/api/v1/me", headers=headers)).json()["person"]["id"]  # type: ignore[no-any-return]


async def _memberships(person_id: str) -> list[tuple[Any, str]]:
    rows = (
        await Membership.select(Membership.org, Membership.status).where(Membership.person == person_id).run()
    )
    return sorted((r["org"], r["status"]) for r in rows)


async def test_apply_approve_member_with_progress(api: ApiClient) -> None:
    org = await make_org(name="某街道团工委")
    me = await person_login(api)
    cadre = await cadre_login(api, org, *STAFF)
    applied = await api.post(
        "/api/v1/processes",
        json={"type": "core.join", "org_id": str(org["id"]), "form": {"statement": "自愿申请"}},
        headers=me,
    )
    assert applied.status_code == 201, applied.text
    process = applied.json()
    assert process["available_transitions"] == ["withdraw"]
    # The applicant cannot approve their own application.
    assert (await _step(api, me, process, "approve")).status_code == 403
    approved = await _step(api, cadre, process, "approve")
    assert approved.status_code == 200, approved.text
    pid = await _person_id(api, me)
    assert await _memberships(pid) == [(org["id"], "active")]
    mine = (await api.get("/api/v1/me/processes", headers=me)).json()["items"]
    assert [(p["type"], p["state"], p["outcome"]) for p in mine] == [("core.join", "approved", "approved")]
    detail = (await api.get(f"/api/v1/processes/{process['id']}", headers=me)).json()
    assert [s["action"] for s in detail["steps"]] == ["open", "approve"]
    # Another person sees neither the process nor it in their list.
    other = await person_login(api)
    assert (await api.get(f"/api/v1/processes/{process['id']}", headers=other)).status_code == 404
    assert (await api.get("/api/v1/me/processes", headers=other)).json()["items"] == []


async def test_invitation_apply_and_join_limits_expiry_revocation(api: ApiClient) -> None:
    org = await make_org(name="某公司工会")
    outside = await make_org(name="别处")
    cadre = await cadre_login(api, org, *STAFF)
    manager = await cadre_login(api, org, *STAFF, MEMBER_MANAGE)

    made = await api.post(
        f"/api/v1/orgs/{org['id']}/invitations", json={"max_uses": 2, "note": "新员工"}, headers=cadre
    )
    assert made.status_code == 201, made.text
    invitation = made.json()
    token = invitation["token"]
    assert invitation["qr_payload"] == "quntuan:invite:" + token and invitation["uses"] == 0
    # Joining directly needs member management; outside the cadre's reach the org is not found.
    assert (
        await api.post(f"/api/v1/orgs/{org['id']}/invitations", json={"mode": "join"}, headers=cadre)
    ).status_code == 403
    assert (
        await api.post(f"/api/v1/orgs/{outside['id']}/invitations", json={}, headers=cadre)
    ).status_code == 404
    assert (
        await api.post(f"/api/v1/orgs/{org['id']}/invitations", json={"max_uses": 0}, headers=cadre)
    ).status_code == 422
    assert (
        await api.post(f"/api/v1/orgs/{org['id']}/invitations", json={"days": -1}, headers=cadre)
    ).status_code == 422
    a = await person_login(api)
    assert (await api.post(f"/api/v1/orgs/{org['id']}/invitations", json={}, headers=a)).status_code == 403

    preview = await api.post("/api/v1/invitations/lookup", json={"token": token}, headers=a)
    assert preview.status_code == 200, preview.text
    assert preview.json()["org_name"] == "某公司工会" and preview.json()["process_type"] == "core.join"
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert problem(await api.post("/api/v1/invitations/lookup", json={"token": tampered}, headers=a), 410)[
        "type"
    ].endswith("invitation-invalid")

    used = await api.post(
        "/api/v1/invitations/acceptance", json={"token": token, "statement": "经邀请"}, headers=a
    )
    assert used.status_code == 201, used.text
    assert used.json()["mode"] == "apply" and used.json()["process_id"]
    assert problem(await api.post("/api/v1/invitations/acceptance", json={"token": token}, headers=a), 409)[
        "type"
    ].endswith("invitation-used")
    mine = (await api.get("/api/v1/me/processes", headers=a)).json()["items"]
    assert [(p["type"], p["form"]) for p in mine] == [("core.join", {"statement": "经邀请"})]
    b, c = await person_login(api), await person_login(api)
    assert (
        await api.post("/api/v1/invitations/acceptance", json={"token": token}, headers=b)
    ).status_code == 201
    assert (
        await api.post("/api/v1/invitations/acceptance", json={"token": token}, headers=c)
    ).status_code == 410

    # Direct join, revoked, expired.
    joined = await api.post(f"/api/v1/orgs/{org['id']}/invitations", json={"mode": "join"}, headers=manager)
    direct = await api.post(
        "/api/v1/invitations/acceptance", json={"token": joined.json()["token"]}, headers=c
    )
    assert direct.status_code == 201 and direct.json()["membership_id"]
    assert await _memberships(await _person_id(api, c)) == [(org["id"], "active")]
    revoked = await api.post(f"/api/v1/invitations/{joined.json()['id']}/revocation", headers=manager)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    d = await person_login(api)
    assert (
        await api.post("/api/v1/invitations/acceptance", json={"token": joined.json()["token"]}, headers=d)
    ).status_code == 410
    soon = await api.post(f"/api/v1/orgs/{org['id']}/invitations", json={}, headers=cadre)
    await (
        Invitation.update({Invitation.expires_at: now() - timedelta(seconds=1)})
        .where(Invitation.id == soon.json()["id"])
        .run()
    )
    assert (
        await api.post("/api/v1/invitations/acceptance", json={"token": soon.json()["token"]}, headers=d)
    ).status_code == 410
    listed = await api.get(f"/api/v1/orgs/{org['id']}/invitations", headers=cadre)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 3
    assert all(i["token"] is None for i in listed.json()["items"])  # the token is shown once
    outsider = await cadre_login(api, outside, *STAFF)
    assert (await api.get(f"/api/v1/orgs/{org['id']}/invitations", headers=outsider)).status_code == 404
    assert (
        await api.post(f"/api/v1/invitations/{soon.json()['id']}/revocation", headers=outsider)
    ).status_code == 404


async def test_invitation_uses_are_counted_exactly_under_concurrency(api: ApiClient) -> None:
    org = await make_org()
    cadre = await cadre_login(api, org, *STAFF)
    made = await api.post(f"/api/v1/orgs/{org['id']}/invitations", json={"max_uses": 3}, headers=cadre)
    people = [await person_login(api) for _ in range(10)]
    answers = await asyncio.gather(
        *[
            api.post("/api/v1/invitations/acceptance", json={"token": made.json()["token"]}, headers=h)
            for h in people
        ]
    )
    codes = sorted(r.status_code for r in answers)
    assert codes == [201] * 3 + [410] * 7, [r.text for r in answers if r.status_code not in (201, 410)]
    row = await Invitation.select(Invitation.uses).where(Invitation.id == made.json()["id"]).first().run()
    assert row["uses"] == 3


async def _member_of(api: ApiClient, org: dict[str, Any], headers: dict[str, str]) -> str:
    manager = await cadre_login(api, org, MEMBER_MANAGE)
    joined = await api.post(
        f"/api/v1/orgs/{org['id']}/members", json={"person": await _person_id(api, headers)}, headers=manager
    )
    # The person is outside the cadre's reach: the cadre proposes, the person agrees (core/members links).
    assert joined.status_code == 202, joined.text
    agreed = await api.post(f"/api/v1/me/person-links/{joined.json()['id']}/approve", headers=headers)
    assert agreed.status_code == 200, agreed.text
    return agreed.json()["membership"]  # type: ignore[no-any-return]


async def test_member_transfer_approved_by_both_sides(api: ApiClient) -> None:
    sending = await make_org(name="甲厂工会")
    receiving = await make_org(name="乙厂工会")
    me = await person_login(api)
    membership = await _member_of(api, sending, me)
    send_cadre = await cadre_login(api, sending, *STAFF)
    recv_cadre = await cadre_login(api, receiving, *STAFF)

    started = await api.post(
        "/api/v1/me/transfers",
        json={"membership_id": membership, "to_org_id": str(receiving["id"]), "reason": "工作调动"},
        headers=me,
    )
    assert started.status_code == 201, started.text
    process = started.json()
    assert process["state"] == "sending_review" and process["handler_org_id"] == str(sending["id"])
    # The receiving side does not even see it before the sending side releases it to them.
    assert (await api.get(f"/api/v1/processes/{process['id']}", headers=recv_cadre)).status_code == 404
    released = await _step(api, send_cadre, process, "release")
    assert released.status_code == 200, released.text
    assert released.json()["handler_org_id"] == str(receiving["id"])
    assert (await _step(api, me, process, "accept")).status_code == 403
    accepted = await _step(api, recv_cadre, process, "accept")
    assert accepted.status_code == 200, accepted.text
    pid = await _person_id(api, me)
    states = await _memberships(pid)
    assert sorted(s for _, s in states) == ["active", "transferred"]
    assert (receiving["id"], "active") in states and (sending["id"], "transferred") in states
    mine = (await api.get("/api/v1/me/processes", headers=me)).json()["items"]
    assert [(p["type"], p["state"]) for p in mine] == [("core.transfer", "transferred")]


async def test_member_transfer_rejected_timed_out_and_bad_input(api: ApiClient) -> None:
    sending = await make_org(name="甲厂工会")
    receiving = await make_org(name="乙厂工会")
    me = await person_login(api)
    membership = await _member_of(api, sending, me)
    send_cadre = await cadre_login(api, sending, *STAFF)
    body = {"membership_id": membership, "to_org_id": str(receiving["id"])}

    first = (await api.post("/api/v1/me/transfers", json=body, headers=me)).json()
    rejected = await _step(api, send_cadre, first, "reject")
    assert problem(rejected, 422)["errors"][0]["pointer"] == "/comment"
    rejected = await _step(api, send_cadre, first, "reject", comment="尚有会费未结清")
    assert rejected.status_code == 200 and rejected.json()["outcome"] == "rejected"
    assert (await api.get(f"/api/v1/processes/{first['id']}", headers=me)).json()["steps"][-1][
        "comment"
    ] == "尚有会费未结清"

    second = (await api.post("/api/v1/me/transfers", json=body, headers=me)).json()
    assert (await _step(api, send_cadre, second, "expire")).status_code == 403  # only the clock times out
    state = api.app.state
    moved = await apply_due_deadlines(state.db, Env.of(state), moment=now() + timedelta(days=16))
    assert moved == 1
    timed_out = (await api.get(f"/api/v1/processes/{second['id']}", headers=me)).json()
    assert (timed_out["state"], timed_out["outcome"]) == ("expired", "expired")
    assert await _memberships(await _person_id(api, me)) == [(sending["id"], "active")]

    # Someone else's membership, the same org, nothing named, both named, an unknown org: 4xx.
    other = await person_login(api)
    theirs = await api.post("/api/v1/me/transfers", json=body, headers=other)
    assert problem(theirs, 422)["errors"][0]["pointer"] == "/membership_id"
    same = await api.post("/api/v1/me/transfers", json={**body, "to_org_id": str(sending["id"])}, headers=me)
    assert problem(same, 422)["errors"][0]["pointer"] == "/form/to_org_id"
    assert (
        await api.post("/api/v1/me/transfers", json={"membership_id": membership}, headers=me)
    ).status_code == 422
    both = {**body, "invitation": "x" * 20}
    assert (await api.post("/api/v1/me/transfers", json=both, headers=me)).status_code == 422
    bad_inv = await api.post(
        "/api/v1/me/transfers", json={"membership_id": membership, "invitation": "x" * 20}, headers=me
    )
    assert bad_inv.status_code == 410
    # Opening core.transfer through the generic route is checked the same way.
    generic = await api.post(
        "/api/v1/processes",
        json={"type": "core.transfer", "org_id": str(sending["id"]), "form": body},
        headers=other,
    )
    assert problem(generic, 422)["errors"][0]["pointer"] == "/form/membership_id"


async def test_transfer_to_the_org_of_an_invitation(api: ApiClient) -> None:
    sending = await make_org(name="甲厂工会")
    receiving = await make_org(name="乙厂工会")
    me = await person_login(api)
    membership = await _member_of(api, sending, me)
    recv_cadre = await cadre_login(api, receiving, *STAFF)
    token = (
        await api.post(f"/api/v1/orgs/{receiving['id']}/invitations", json={}, headers=recv_cadre)
    ).json()["token"]
    started = await api.post(
        "/api/v1/me/transfers", json={"membership_id": membership, "invitation": token}, headers=me
    )
    assert started.status_code == 201, started.text
    assert started.json()["form"]["to_org_id"] == str(receiving["id"])


async def test_transfer_to_the_org_named_by_its_code(api: ApiClient) -> None:
    sending = await make_org(name="甲厂工会")
    receiving = await make_org(name="乙厂工会")
    await Org.update({Org.code: "YC-GH-0001"}).where(Org.id == receiving["id"]).run()
    me = await person_login(api)
    membership = await _member_of(api, sending, me)
    send_cadre = await cadre_login(api, sending, *STAFF)
    recv_cadre = await cadre_login(api, receiving, *STAFF)

    # Any case; the process records the org the code named.
    started = await api.post(
        "/api/v1/me/transfers", json={"membership_id": membership, "to_org_code": "yc-gh-0001"}, headers=me
    )
    assert started.status_code == 201, started.text
    process = started.json()
    assert process["form"]["to_org_id"] == str(receiving["id"])
    assert (await _step(api, send_cadre, process, "release")).status_code == 200
    assert (await _step(api, recv_cadre, process, "accept")).status_code == 200
    states = await _memberships(await _person_id(api, me))
    assert (receiving["id"], "active") in states and (sending["id"], "transferred") in states

    # An unknown code, a dissolved org's code, a malformed one, a code beside an id: 422 naming the field.
    again = await _member_of(api, sending, me)
    for body, pointer in (
        ({"to_org_code": "NO-SUCH-ORG"}, "/to_org_code"),
        ({"to_org_code": "坏 代码"}, "/to_org_code"),
        ({"to_org_code": "YC-GH-0001", "to_org_id": str(sending["id"])}, "/to_org_code"),
    ):
        refused = await api.post("/api/v1/me/transfers", json={"membership_id": again, **body}, headers=me)
        assert problem(refused, 422)["errors"][0]["pointer"] == pointer, (body, refused.text)
    await Org.update({Org.status: "dissolved"}).where(Org.id == receiving["id"]).run()
    gone = await api.post(
        "/api/v1/me/transfers", json={"membership_id": again, "to_org_code": "YC-GH-0001"}, headers=me
    )
    assert problem(gone, 422)["errors"][0]["pointer"] == "/to_org_code"
