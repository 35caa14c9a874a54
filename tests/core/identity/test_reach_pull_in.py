"""Issue 14, critical: no cadre pulls a person into their reach, and so never above themselves.

The world: two sibling subtrees A and B under a root R. In A an admin (every permission), a read-only
cadre, an API client scoped to A and a plain member; in B an admin and B's chairman — a post holder whose
post carries an admin grant on B and who has no login; and the platform administrator. Everything goes
through HTTP with real accounts, grants and tokens.

Each way a person used to be pulled in has a test: adding them as a member by id, importing a row with
their ID number, registering a person with their ID number (and the existence oracle of that answer),
then approval by the person or by B (visibility, never custody), the budget of link requests, the
superset rule for account actions, and the whole chain of the audit: harvest B's chairman's id from a
joint public event, pull him into A, give him a login with a chosen password, log in, administer B.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar

from core.identity.tables import Account, AuditEntry, Person
from core.members.links import expire_due
from core.members.tables import Membership, PersonLink
from core.orgs.validators import id_number_check
from tests.conftest import ApiClient, open_client
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org

READ_ONLY = ["core.person.read", "core.member.read", "core.org.read"]
#: Fields of a link request that differ from one request to the next whatever they name.
OWN_FIELDS = {"id", "person", "created_at", "expires_at"}
PASSWORD = "Chosen-Passw0rd-of-the-Chain"


def id_number(n: int) -> str:
    body = f"11010119800101{n:03d}"
    return body + id_number_check(body)


ID_CHAIR, ID_B_ADMIN, ID_A_PERSON = id_number(1), id_number(2), id_number(3)


@dataclass
class World:
    orgs: dict[str, dict[str, Any]]
    headers: dict[str, dict[str, str]]
    #: Person ids and account ids by role.
    persons: dict[str, str]
    accounts: dict[str, str]
    roles: dict[str, str]
    client_id: str


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app()):
        yield c


async def _me(client: ApiClient, headers: dict[str, str]) -> dict[str, Any]:
    body = (await client.get("/api/v1/me", headers=headers)).json()
    return {"account": body["id"], "person": body["person"]["id"] if body["person"] else None}


async def build(client: ApiClient) -> World:
    db = client.app.state.db
    every = sorted(client.app.state.registry.permissions)
    root = await make_org(name="市委")
    a, b = await make_org(root, name="甲区"), await make_org(root, name="乙区")
    a1 = await make_org(a, name="甲区某工会")
    orgs = {"root": root, "a": a, "a1": a1, "b": b}
    headers = {
        "platform": await bearer(client, *await make_account(db, grants=[(None, every, True)])),
        "a_admin": await bearer(
            client, *await make_account(db, grants=[(a["path"], every, True)], home_org=a["path"])
        ),
        "a_reader": await bearer(
            client, *await make_account(db, grants=[(a["path"], READ_ONLY, True)], home_org=a["path"])
        ),
        "member": await bearer(client, *await make_account(db, home_org=a["path"])),
        "b_admin": await bearer(
            client, *await make_account(db, grants=[(b["path"], every, True)], home_org=b["path"])
        ),
    }
    persons: dict[str, str] = {}
    accounts: dict[str, str] = {}
    for name in ("platform", "a_admin", "member", "b_admin"):
        me = await _me(client, headers[name])
        persons[name], accounts[name] = me["person"], me["account"]
    platform = headers["platform"]

    async def created(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(path, json=body, headers=platform)
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]

    # The plain member joins an org of A (visible to A: their file is kept in A).
    await created(f"/api/v1/orgs/{a1['id']}/members", {"person": persons["member"]})
    await client.patch(
        f"/api/v1/persons/{persons['b_admin']}", json={"id_number": ID_B_ADMIN}, headers=platform
    )
    roles = {
        "admin": (await created("/api/v1/roles", {"code": "admin", "name": "管理员", "permissions": every}))[
            "id"
        ],
        "reader": (
            await created("/api/v1/roles", {"code": "reader", "name": "查阅", "permissions": READ_ONLY})
        )["id"],
    }
    chair = await created(
        "/api/v1/persons",
        {"name": "乙区主席", "home_org": str(b["id"]), "id_number": ID_CHAIR, "phone": "13900139000"},
    )
    persons["chair"] = chair["id"]
    post = await created(
        "/api/v1/posts",
        {"person": chair["id"], "org": str(b["id"]), "title": "主席", "start_date": "2024-01-01"},
    )
    await created("/api/v1/grants", {"role": roles["admin"], "org": str(b["id"]), "post": post["id"]})
    a_person = await created(
        "/api/v1/persons", {"name": "甲区群众", "home_org": str(a1["id"]), "id_number": ID_A_PERSON}
    )
    persons["a_person"] = a_person["id"]
    api_client = await created("/api/v1/clients", {"name": "甲区门户", "scopes": every})
    await created(
        "/api/v1/grants", {"role": roles["admin"], "org": str(a["id"]), "client": api_client["client_id"]}
    )
    token = await client.post(
        "/api/v1/auth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": api_client["client_id"],
            "client_secret": api_client["client_secret"],
        },
    )
    headers["client"] = {"Authorization": f"Bearer {token.json()['access_token']}"}
    return World(orgs, headers, persons, accounts, roles, api_client["client_id"])


def _same_answer(one: Any, other: Any, status: int) -> None:
    """Two answers a caller cannot tell apart: same status, same body apart from what is per request."""
    assert one.status_code == other.status_code == status, (one.text, other.text)
    first, second = one.json(), other.json()
    if "request_id" in first:  # problem details
        first.pop("request_id"), second.pop("request_id")
        assert first == second
        return
    assert set(first) == set(second)
    assert {k: v for k, v in first.items() if k not in OWN_FIELDS} == {
        k: v for k, v in second.items() if k not in OWN_FIELDS
    }


async def _memberships(person: str) -> list[dict[str, Any]]:
    return await (  # type: ignore[no-any-return]
        Membership.select(Membership.org, Membership.status).where(Membership.person == person).run()
    )


async def _no_reach(client: ApiClient, w: World, headers: dict[str, str], person: str) -> None:
    """Nothing of the person is within the caller's reach: every read and write answers 404."""
    problem(await client.get(f"/api/v1/persons/{person}", headers=headers), 404)
    problem(
        await client.patch(f"/api/v1/persons/{person}", json={"phone": "13700137000"}, headers=headers), 404
    )
    problem(await client.get(f"/api/v1/persons/{person}/export", headers=headers), 404)
    problem(await client.delete(f"/api/v1/persons/{person}", headers=headers), 404)
    login = {"username": f"u{uuid.uuid4().hex[:8]}", "password": PASSWORD, "person": person}
    problem(await client.post("/api/v1/accounts", json=login, headers=headers), 404)


# --- pulling in by id --------------------------------------------------------------------------------------


async def test_adding_a_person_outside_reach_proposes_a_link_and_reaches_nothing(client: ApiClient) -> None:
    w = await build(client)
    url = f"/api/v1/orgs/{w.orgs['a1']['id']}/members"
    a_admin = w.headers["a_admin"]
    nobody = await client.post(url, json={"person": str(uuid.uuid4())}, headers=a_admin)
    for target in ("chair", "b_admin", "platform"):
        proposed = await client.post(url, json={"person": w.persons[target]}, headers=a_admin)
        _same_answer(proposed, nobody, 202)  # an id of B's, the platform's or nobody's: no difference
        body = proposed.json()
        assert body["status"] == "pending" and body["org"] == str(w.orgs["a1"]["id"])
        assert body["source"] == "member" and body["person"] == w.persons[target]
        assert await _memberships(w.persons[target]) == []
    # The API client scoped to A is answered alike; the read-only cadre and the member may not add.
    by_client = await client.post(url, json={"person": w.persons["chair"]}, headers=w.headers["client"])
    _same_answer(by_client, nobody, 202)
    problem(await client.post(url, json={"person": w.persons["chair"]}, headers=w.headers["a_reader"]), 403)
    problem(await client.post(url, json={"person": w.persons["chair"]}, headers=w.headers["member"]), 403)
    # A person already visible joins directly, as before.
    joined = await client.post(url, json={"person": w.persons["a_person"]}, headers=a_admin)
    assert joined.status_code == 201 and joined.json()["status"] == "active"

    for caller in ("a_admin", "client"):
        for target in ("chair", "b_admin", "platform"):
            await _no_reach(client, w, w.headers[caller], w.persons[target])
        found = await client.post(
            "/api/v1/persons/lookup", json={"id_number": ID_CHAIR}, headers=w.headers[caller]
        )
        assert found.json()["items"] == []
        for target in ("b_admin", "platform"):
            problem(
                await client.post(
                    f"/api/v1/accounts/{w.accounts[target]}/disable", headers=w.headers[caller]
                ),
                404,
            )
    # B sees in its audit view that A asked for its person; A's own entry does not name him.
    asked = (
        await client.get(
            "/api/v1/audit", params={"action": "person_link.requested"}, headers=w.headers["b_admin"]
        )
    ).json()["items"]
    assert {e["changes"]["person"] for e in asked} == {w.persons["chair"], w.persons["b_admin"]}
    assert {e["org_path"] for e in asked} == {w.orgs["b"]["path"]}
    mine = (
        await client.get("/api/v1/audit", params={"action": "person_link.requested"}, headers=a_admin)
    ).json()["items"]
    assert mine and all("person" not in e["changes"] for e in mine)
    assert {e["org_path"] for e in mine} == {w.orgs["a1"]["path"]}


async def test_import_row_with_an_id_number_outside_reach_proposes_a_link(client: ApiClient) -> None:
    w = await build(client)
    a1 = w.orgs["a1"]["id"]
    content = f"组织,姓名,身份证号\n{a1},乙区主席,{ID_CHAIR}\n{a1},新会员,{id_number(40)}\n".encode()
    response = await client.post(
        "/api/v1/imports/members", files={"file": ("m.csv", content)}, headers=w.headers["a_admin"]
    )
    assert response.status_code in (200, 201), response.text
    report = response.json()
    assert report["committed"] and report["imported"] == 1 and report["issues"] == []
    (proposed,) = report["proposed"]
    assert proposed["row"] == 2 and proposed["code"] == "link_proposed" and proposed["column"] == "id_number"
    assert await _memberships(w.persons["chair"]) == []
    await _no_reach(client, w, w.headers["a_admin"], w.persons["chair"])
    # The proposal waits for B, where the chairman's file is kept.
    waiting = (await client.get("/api/v1/person-links", headers=w.headers["b_admin"])).json()["items"]
    assert [(x["id"], x["source"], x["person"]) for x in waiting] == [
        (proposed["link"], "import", w.persons["chair"])
    ]
    # The new member was registered in A as before.
    new = await client.post(
        "/api/v1/persons/lookup", json={"id_number": id_number(40)}, headers=w.headers["a_admin"]
    )
    assert len(new.json()["items"]) == 1


async def test_registering_an_id_number_held_elsewhere_answers_a_link_never_the_person(
    client: ApiClient,
) -> None:
    w = await build(client)
    a_admin = w.headers["a_admin"]
    body = {"name": "某某", "home_org": str(w.orgs["a1"]["id"]), "id_number": ID_CHAIR}
    held = await client.post("/api/v1/persons", json=body, headers=a_admin)
    assert held.status_code == 202, held.text
    link = held.json()
    assert link["person"] == w.persons["chair"] and link["source"] == "person" and link["status"] == "pending"
    nobody = await client.post(
        f"/api/v1/orgs/{w.orgs['a1']['id']}/members", json={"person": str(uuid.uuid4())}, headers=a_admin
    )
    assert set(link) == set(nobody.json())  # the same shape as any proposal
    assert await Person.count().where(Person.name == "某某").run() == 0
    await _no_reach(client, w, a_admin, w.persons["chair"])
    # A holder the caller can see is named: 409 with the existing id.
    visible = problem(
        await client.post("/api/v1/persons", json={**body, "id_number": ID_A_PERSON}, headers=a_admin), 409
    )
    assert visible["context"] == {"existing_id": w.persons["a_person"]}
    # Changing an ID number to one held outside reach: 409, naming nobody.
    taken = problem(
        await client.patch(
            f"/api/v1/persons/{w.persons['a_person']}", json={"id_number": ID_CHAIR}, headers=a_admin
        ),
        409,
    )
    assert "context" not in taken


async def test_the_link_budget_bounds_what_id_numbers_tell(
    make_app: Callable[..., Litestar], make_settings: Any
) -> None:
    async for client in open_client(make_app(settings_=make_settings(person_link_max_per_day=2))):
        w = await build(client)
        a_admin = w.headers["a_admin"]
        url = f"/api/v1/orgs/{w.orgs['a1']['id']}/members"
        for _ in range(2):
            assert (
                await client.post(url, json={"person": str(uuid.uuid4())}, headers=a_admin)
            ).status_code == 202
        unknown = await client.post(url, json={"person": str(uuid.uuid4())}, headers=a_admin)
        known = await client.post(url, json={"person": w.persons["chair"]}, headers=a_admin)
        _same_answer(unknown, known, 429)
        assert int(unknown.headers["retry-after"]) > 0
        # Spent: registering with any ID number — free or held elsewhere — answers alike.
        person = {"name": "某某", "home_org": str(w.orgs["a1"]["id"])}
        free = await client.post(
            "/api/v1/persons", json={**person, "id_number": id_number(50)}, headers=a_admin
        )
        held = await client.post("/api/v1/persons", json={**person, "id_number": ID_CHAIR}, headers=a_admin)
        _same_answer(free, held, 429)
        assert (await client.post("/api/v1/persons", json=person, headers=a_admin)).status_code == 201
        # An import refuses every row whose ID number no visible person holds.
        a1 = w.orgs["a1"]["id"]
        content = f"组织,姓名,身份证号\n{a1},甲,{id_number(51)}\n{a1},乙,{ID_CHAIR}\n{a1},丙,{ID_A_PERSON}\n".encode()
        response = await client.post(
            "/api/v1/imports/members",
            params={"mode": "valid"},
            files={"file": ("m.csv", content)},
            headers=a_admin,
        )
        report = response.json()
        assert [(i["row"], i["code"]) for i in report["issues"]] == [(2, "link_limit"), (3, "link_limit")]
        assert report["imported"] == 1 and report["proposed"] == []  # the visible person joined
        # Another account's budget is its own.
        b_url = f"/api/v1/orgs/{w.orgs['b']['id']}/members"
        other = await client.post(b_url, json={"person": w.persons["a_person"]}, headers=w.headers["b_admin"])
        assert other.status_code == 202


# --- answers: visibility, never custody ------------------------------------------------------------------


async def test_approval_makes_the_person_visible_but_never_in_custody(client: ApiClient) -> None:
    w = await build(client)
    a_admin, b_admin = w.headers["a_admin"], w.headers["b_admin"]
    url = f"/api/v1/orgs/{w.orgs['a1']['id']}/members"
    # By the person: B's admin is asked and agrees.
    asked = (await client.post(url, json={"person": w.persons["b_admin"]}, headers=a_admin)).json()
    assert (await client.get("/api/v1/me/person-links", headers=a_admin)).json()["items"] == []
    mine = (await client.get("/api/v1/me/person-links", headers=b_admin)).json()["items"]
    assert [x["id"] for x in mine] == [asked["id"]]
    problem(await client.post(f"/api/v1/me/person-links/{asked['id']}/approve", headers=a_admin), 404)
    agreed = await client.post(f"/api/v1/me/person-links/{asked['id']}/approve", headers=b_admin)
    assert agreed.status_code == 200 and agreed.json()["status"] == "approved"
    assert agreed.json()["membership"]
    # By the org keeping his file: the chairman has no login; B's admin approves for him.
    chair_link = (await client.post(url, json={"person": w.persons["chair"]}, headers=a_admin)).json()
    problem(await client.post(f"/api/v1/person-links/{chair_link['id']}/approve", headers=a_admin), 404)
    waiting = (await client.get("/api/v1/person-links", headers=b_admin)).json()["items"]
    assert chair_link["id"] in {x["id"] for x in waiting}
    approved = await client.post(f"/api/v1/person-links/{chair_link['id']}/approve", headers=b_admin)
    assert approved.status_code == 200, approved.text
    assert {(m["org"], m["status"]) for m in await _memberships(w.persons["chair"])} == {
        (w.orgs["a1"]["id"], "active")
    }
    sent = (await client.get("/api/v1/person-links/sent", headers=a_admin)).json()["items"]
    assert {x["status"] for x in sent} == {"approved"}

    # Now visible to A (with A's personal-data permission, unmasked) …
    seen = (await client.get(f"/api/v1/persons/{w.persons['chair']}", headers=a_admin)).json()
    assert seen["id_number"] == ID_CHAIR
    # … but never in A's custody: no login, no disabling, no export, no erasure.
    login = {"username": "chairman", "password": PASSWORD, "person": w.persons["chair"]}
    problem(await client.post("/api/v1/accounts", json=login, headers=a_admin), 403)
    problem(await client.post(f"/api/v1/accounts/{w.accounts['b_admin']}/disable", headers=a_admin), 403)
    problem(await client.post(f"/api/v1/accounts/{w.accounts['b_admin']}/enable", headers=a_admin), 403)
    problem(await client.get(f"/api/v1/persons/{w.persons['chair']}/export", headers=a_admin), 403)
    # DELETE ends only A's membership; the chairman stays B's, untouched.
    ended = await client.delete(f"/api/v1/persons/{w.persons['chair']}", headers=a_admin)
    assert ended.status_code == 200, ended.text
    outcome = ended.json()
    assert outcome["erased"] is False and outcome["person"] == w.persons["chair"]
    assert [(m["org"], m["status"]) for m in outcome["ended"]] == [(str(w.orgs["a1"]["id"]), "left")]
    row = (
        await Person.select(Person.name, Person.erased_at)
        .where(Person.id == w.persons["chair"])
        .first()
        .run()
    )
    assert row == {"name": "乙区主席", "erased_at": None}
    problem(await client.get(f"/api/v1/persons/{w.persons['chair']}", headers=a_admin), 404)
    left = await AuditEntry.select().where(AuditEntry.action == "membership.left").run()
    assert [(e["org_path"], _changes(e)["reason"]) for e in left] == [
        (w.orgs["a1"]["path"], "erasure_without_custody")
    ]
    approvals = await AuditEntry.select().where(AuditEntry.action == "person_link.approved").run()
    assert {e["org_path"] for e in approvals} == {w.orgs["a1"]["path"], w.orgs["b"]["path"]}


def _changes(entry: dict[str, Any]) -> dict[str, Any]:
    import json

    value = entry["changes"]
    return json.loads(value) if isinstance(value, str) else value  # type: ignore[no-any-return]


async def test_requests_are_rejected_withdrawn_and_expire(client: ApiClient) -> None:
    w = await build(client)
    a_admin, b_admin = w.headers["a_admin"], w.headers["b_admin"]
    url = f"/api/v1/orgs/{w.orgs['a1']['id']}/members"

    async def ask(person: str) -> str:
        return str((await client.post(url, json={"person": person}, headers=a_admin)).json()["id"])

    declined = await ask(w.persons["b_admin"])
    rejected = await client.post(f"/api/v1/me/person-links/{declined}/reject", headers=b_admin)
    assert rejected.json()["status"] == "rejected"
    problem(await client.post(f"/api/v1/me/person-links/{declined}/approve", headers=b_admin), 409)

    taken_back = await ask(w.persons["chair"])
    problem(await client.post(f"/api/v1/person-links/{taken_back}/withdraw", headers=b_admin), 404)
    assert (await client.post(f"/api/v1/person-links/{taken_back}/withdraw", headers=a_admin)).json()[
        "status"
    ] == "withdrawn"
    problem(await client.post(f"/api/v1/person-links/{taken_back}/approve", headers=b_admin), 409)

    # Past its time: the periodic job marks it, and an answer comes too late.
    late = await ask(w.persons["chair"])
    assert await expire_due(client.app.state.db, moment=datetime.now(UTC) + timedelta(days=31)) == 1
    body = problem(await client.post(f"/api/v1/person-links/{late}/approve", headers=b_admin), 409)
    assert body["type"].endswith("/person-link-closed")
    # Expired but not yet marked: refused, and marked then.
    stale = await ask(w.persons["chair"])
    await (
        PersonLink.update({PersonLink.expires_at: datetime.now(UTC) - timedelta(seconds=1)})
        .where(PersonLink.id == stale)
        .run()
    )
    body = problem(await client.post(f"/api/v1/person-links/{stale}/approve", headers=b_admin), 409)
    assert body["type"].endswith("/person-link-expired")
    row = await PersonLink.select(PersonLink.status).where(PersonLink.id == stale).first().run()
    assert row == {"status": "expired"}
    assert await _memberships(w.persons["chair"]) == []
    for action in ("rejected", "withdrawn", "expired"):
        entries = await AuditEntry.select().where(AuditEntry.action == f"person_link.{action}").run()
        assert w.orgs["b"]["path"] in {e["org_path"] for e in entries}, action


# --- nobody acts on someone above them -------------------------------------------------------------------


async def test_account_actions_need_every_permission_the_target_holds(client: ApiClient) -> None:
    w = await build(client)
    db = client.app.state.db
    root = w.orgs["root"]["path"]
    # Custody of all of R, but only a few permissions: B's admin and B's chairman hold more.
    keeper = await bearer(
        client,
        *await make_account(
            db, grants=[(root, ["core.account.manage", "core.person.read", "core.person.erase"], True)]
        ),
    )
    problem(await client.post(f"/api/v1/accounts/{w.accounts['b_admin']}/disable", headers=keeper), 403)
    problem(await client.delete(f"/api/v1/persons/{w.persons['b_admin']}", headers=keeper), 403)
    login = {"username": "chairman", "password": PASSWORD, "person": w.persons["chair"]}
    problem(await client.post("/api/v1/accounts", json=login, headers=keeper), 403)
    # Someone holding nothing is within its power.
    done = await client.post(f"/api/v1/accounts/{w.accounts['member']}/disable", headers=keeper)
    assert done.status_code == 200 and done.json()["status"] == "disabled"
    # Platform-wide account management is not the platform administrator.
    manager = await bearer(client, *await make_account(db, grants=[(None, ["core.account.manage"], True)]))
    problem(await client.post(f"/api/v1/accounts/{w.accounts['platform']}/disable", headers=manager), 403)
    problem(await client.post(f"/api/v1/accounts/{w.accounts['b_admin']}/disable", headers=manager), 403)
    platform = w.headers["platform"]
    # A role goes only to a client in the granter's custody: A's client for A, nobody's for B.
    grant = {"role": w.roles["reader"], "org": str(w.orgs["a"]["id"]), "client": w.client_id}
    assert (await client.post("/api/v1/grants", json=grant, headers=w.headers["a_admin"])).status_code == 201
    lesser = await bearer(
        client,
        *await make_account(db, grants=[(w.orgs["a"]["path"], ["core.grant.manage", *READ_ONLY], True)]),
    )
    problem(await client.post("/api/v1/grants", json=grant, headers=lesser), 403)  # the client holds more
    in_b = {**grant, "org": str(w.orgs["b"]["id"])}
    _same_answer(
        await client.post("/api/v1/grants", json=in_b, headers=w.headers["b_admin"]),
        await client.post(
            "/api/v1/grants", json={**in_b, "client": str(uuid.uuid4())}, headers=w.headers["b_admin"]
        ),
        404,
    )
    # API clients: only who holds everything the client holds rotates its secret or disables it.
    clients_only = await bearer(
        client, *await make_account(db, grants=[(None, ["core.client.manage"], True)])
    )
    rotate = {"overlap_seconds": 0}
    problem(
        await client.post(f"/api/v1/clients/{w.client_id}/secrets", json=rotate, headers=clients_only), 403
    )
    problem(await client.post(f"/api/v1/clients/{w.client_id}/disable", headers=clients_only), 403)
    assert (
        await client.post(f"/api/v1/clients/{w.client_id}/secrets", json=rotate, headers=platform)
    ).status_code == 201
    # B's admin cannot touch the platform administrator (not even see him); the platform admin can act.
    problem(
        await client.post(f"/api/v1/accounts/{w.accounts['platform']}/disable", headers=w.headers["b_admin"]),
        404,
    )
    assert (
        await client.post(f"/api/v1/accounts/{w.accounts['b_admin']}/disable", headers=platform)
    ).status_code == 200
    assert (
        await client.post(f"/api/v1/accounts/{w.accounts['b_admin']}/enable", headers=platform)
    ).status_code == 200


# --- every place a person or org is named ----------------------------------------------------------------


async def test_naming_persons_and_orgs_outside_reach_answers_as_for_missing_ones(client: ApiClient) -> None:
    w = await build(client)
    a_admin = w.headers["a_admin"]
    start = datetime.now(UTC) + timedelta(days=7)
    event = {
        "type": "core.activity",
        "title": "甲区活动",
        "org_id": str(w.orgs["a"]["id"]),
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
    }
    missing = str(uuid.uuid4())
    for field, outside in (
        ("co_organizer_ids", [str(w.orgs["b"]["id"])]),
        ("invitee_ids", [w.persons["chair"]]),
    ):
        _same_answer(
            await client.post("/api/v1/events", json={**event, field: outside}, headers=a_admin),
            await client.post("/api/v1/events", json={**event, field: [missing]}, headers=a_admin),
            422,
        )
    members_of = {**event, "eligibility": "members"}
    _same_answer(
        await client.post(
            "/api/v1/events",
            json={**members_of, "eligibility_org_id": str(w.orgs["b"]["id"])},
            headers=a_admin,
        ),
        await client.post(
            "/api/v1/events", json={**members_of, "eligibility_org_id": missing}, headers=a_admin
        ),
        422,
    )
    mine = await client.post("/api/v1/events", json=event, headers=a_admin)
    await client.post(f"/api/v1/events/{mine.json()['id']}/publish", headers=a_admin)
    registrations = f"/api/v1/events/{mine.json()['id']}/registrations"
    _same_answer(
        await client.post(registrations, json={"person_id": w.persons["chair"]}, headers=a_admin),
        await client.post(registrations, json={"person_id": missing}, headers=a_admin),
        404,
    )
    post = {"org": str(w.orgs["a"]["id"]), "title": "委员", "start_date": "2024-01-01"}
    _same_answer(
        await client.post("/api/v1/posts", json={**post, "person": w.persons["chair"]}, headers=a_admin),
        await client.post("/api/v1/posts", json={**post, "person": missing}, headers=a_admin),
        404,
    )
    grant = {"role": w.roles["reader"], "org": str(w.orgs["a"]["id"])}
    _same_answer(
        await client.post(
            "/api/v1/grants", json={**grant, "account": w.accounts["b_admin"]}, headers=a_admin
        ),
        await client.post("/api/v1/grants", json={**grant, "account": missing}, headers=a_admin),
        404,
    )
    apply = {"type": "core.join", "org_id": str(w.orgs["a1"]["id"])}
    _same_answer(
        await client.post(
            "/api/v1/processes", json={**apply, "applicant_id": w.persons["chair"]}, headers=a_admin
        ),
        await client.post("/api/v1/processes", json={**apply, "applicant_id": missing}, headers=a_admin),
        422,
    )


# --- the whole chain -------------------------------------------------------------------------------------


async def test_the_chain_from_a_public_registration_to_administering_b_fails_at_every_step(
    client: ApiClient,
) -> None:
    w = await build(client)
    a_admin, b_admin, platform = w.headers["a_admin"], w.headers["b_admin"], w.headers["platform"]
    start = datetime.now(UTC) + timedelta(days=7)
    joint = await client.post(
        "/api/v1/events",
        json={
            "type": "core.activity",
            "title": "联合公开活动",
            "org_id": str(w.orgs["a"]["id"]),
            "co_organizer_ids": [str(w.orgs["b"]["id"])],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
        },
        headers=platform,
    )
    assert joint.status_code == 201, joint.text
    await client.post(f"/api/v1/events/{joint.json()['id']}/publish", headers=platform)
    registrations = f"/api/v1/events/{joint.json()['id']}/registrations"
    assert (
        await client.post(registrations, json={"person_id": w.persons["chair"]}, headers=b_admin)
    ).status_code == 201
    # 1. A harvests B's chairman's id from the registrations of the joint public event.
    harvested = [r["person_id"] for r in (await client.get(registrations, headers=a_admin)).json()["items"]]
    assert harvested == [w.persons["chair"]]
    chair = harvested[0]
    # 2. Pulling him into A only asks B.
    pulled = await client.post(
        f"/api/v1/orgs/{w.orgs['a1']['id']}/members", json={"person": chair}, headers=a_admin
    )
    assert pulled.status_code == 202 and await _memberships(chair) == []
    # 3. A login with a chosen password for him: refused as for nobody.
    login = {"username": "chairman", "password": PASSWORD, "person": chair}
    _same_answer(
        await client.post("/api/v1/accounts", json=login, headers=a_admin),
        await client.post("/api/v1/accounts", json={**login, "person": str(uuid.uuid4())}, headers=a_admin),
        404,
    )
    # 4. So no one logs in as him.
    token = await client.post(
        "/api/v1/auth/token", json={"grant_type": "password", "username": "chairman", "password": PASSWORD}
    )
    assert token.status_code == 401
    assert not await Account.exists().where(Account.person == chair).run()
    # 5. Nor does A administer B: B's admin's data, disabling him, B's member export, B's persons.
    await _no_reach(client, w, a_admin, w.persons["b_admin"])
    await _no_reach(client, w, a_admin, chair)
    problem(await client.post(f"/api/v1/accounts/{w.accounts['b_admin']}/disable", headers=a_admin), 404)
    problem(
        await client.get("/api/v1/exports/members", params={"org": str(w.orgs["b"]["id"])}, headers=a_admin),
        404,
    )
    everything = await client.get("/api/v1/exports/members", headers=a_admin)
    assert "乙区主席" not in everything.text
    # B's chairman and admin are untouched.
    assert (await client.get("/api/v1/me", headers=b_admin)).status_code == 200
    row = await Account.select(Account.status).where(Account.id == w.accounts["b_admin"]).first().run()
    assert row == {"status": "active"}
    chairman = await Person.select(Person.erased_at, Person.home_org).where(Person.id == chair).first().run()
    assert chairman == {"erased_at": None, "home_org": w.orgs["b"]["id"]}


async def test_a_background_import_proposes_links_in_its_requesters_name(
    make_app: Callable[..., Litestar], make_settings: Any
) -> None:
    """The job runs without the request: reach and requester come from the stored job."""
    import asyncio

    from core.kernel.access import Reach
    from tests.helpers import GrantedPrincipal, with_principal

    settings = make_settings(embedded_worker=True)
    principal = GrantedPrincipal({}, id=uuid.uuid4())
    async for client in open_client(with_principal(make_app(settings_=settings), principal)):
        root = await make_org(name="市委")
        a, b = await make_org(root, name="甲区"), await make_org(root, name="乙区")
        await make_account(client.app.state.db, home_org=a["path"], username="importer")
        row = await Account.select(Account.id).where(Account.username == "importer").first().run()
        assert row is not None
        principal.id = row["id"]
        principal.reaches = {"core.data.import": [Reach(path=a["path"])]}
        outside = uuid.uuid4()
        async with client.app.state.db.transaction():
            await Person.insert(Person(id=outside, name="乙区人员", home_org=b["id"])).run()
            await (
                Person.update(
                    {
                        Person.id_number_index: client.app.state.identity.vault.blind_index(
                            "id_number", ID_CHAIR
                        )
                    }
                )
                .where(Person.id == outside)
                .run()
            )
        content = f"组织,姓名,身份证号\n{a['id']},乙区人员,{ID_CHAIR}\n".encode()
        queued = await client.post(
            "/api/v1/imports/members", params={"background": "true"}, files={"file": ("m.csv", content)}
        )
        assert queued.status_code == 202, queued.text
        for _ in range(400):
            job = (await client.get(f"/api/v1/imports/{queued.json()['id']}")).json()
            if job["status"] in ("done", "failed"):
                break
            await asyncio.sleep(0.05)
        assert job["status"] == "done", job
        (proposed,) = job["report"]["proposed"]
        link = await PersonLink.select().where(PersonLink.id == proposed["link"]).first().run()
        assert link is not None
        assert (link["person"], link["requested_by_kind"], link["requested_by"]) == (
            outside,
            "account",
            row["id"],
        )
        assert await _memberships(str(outside)) == []
        entries = await AuditEntry.select().where(AuditEntry.action == "person_link.requested").run()
        assert {(e["actor_kind"], e["actor_id"], e["org_path"]) for e in entries} == {
            ("account", str(row["id"]), a["path"]),
            ("account", str(row["id"]), b["path"]),
        }
