"""Persons: validation, encryption at rest, masking by permission, reach in SQL, exact lookup."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
from litestar import Litestar

from core.identity.tables import Person
from core.kernel.vault import mask_id_number, mask_phone, normalise_id_number, normalise_phone
from tests.conftest import ApiClient, open_client
from tests.helpers import problem
from tests.identity_helpers import bearer, make_account, make_org

ID = "11010119900307125X"  # valid GB 11643 check digit
PHONE = "13800138000"
READ, WRITE, PD = "core.person.read", "core.person.write", "core.person.personal_data"


@pytest.fixture
async def client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app(plugins={})):
        yield c


def test_id_number_rules() -> None:
    assert normalise_id_number(ID) == ID
    assert normalise_id_number("11010119900307125x") == ID
    assert normalise_id_number("１１０１０１１９９００３０７１２５Ｘ") == ID
    assert normalise_id_number("110101199003071230") is None  # wrong check digit
    assert normalise_id_number("1101011990030712") is None
    assert normalise_id_number("110101199013071237") is None  # month 13, whatever the check digit
    assert normalise_phone("+86 138-0013-8000") == PHONE
    assert normalise_phone("1234") is None
    assert mask_id_number(ID) == "110101********125X"
    assert mask_phone(PHONE) == "138****8000"


async def _tree(client: ApiClient) -> dict[str, dict[str, object]]:
    root = await make_org(name="市委")
    left = await make_org(root, name="甲区")
    right = await make_org(root, name="乙区")
    return {"root": root, "left": left, "right": right}


async def test_create_masks_and_encrypts(client: ApiClient) -> None:
    orgs = await _tree(client)
    db = client.app.state.db
    writer = await bearer(
        client, *await make_account(db, grants=[(orgs["left"]["path"], [READ, WRITE], True)])
    )
    seer = await bearer(client, *await make_account(db, grants=[(orgs["left"]["path"], [READ, PD], True)]))
    body = {
        "name": "阿依古丽·买买提",
        "home_org": str(orgs["left"]["id"]),
        "gender": "female",
        "birth_date": "1990-03-07",
        "political_status": "cpc_member",
        "ethnicity": "维吾尔族",
        "phone": "138 0013 8000",
        "id_number": "11010119900307125x",
        "employer": "某某公司",
        "address": "某市某区某路 1 号",
    }
    created = await client.post("/api/v1/persons", json=body, headers=writer)
    assert created.status_code == 201, created.text
    person = created.json()
    assert person["name"] == "阿依古丽·买买提"
    assert person["id_number"] == "110101********125X" and person["phone"] == "138****8000"
    full = (await client.get(f"/api/v1/persons/{person['id']}", headers=seer)).json()
    assert full["id_number"] == ID and full["phone"] == PHONE
    row = await Person.select().where(Person.id == person["id"]).first().run()
    stored = repr(row)
    assert ID not in stored and PHONE not in stored and "125X" not in stored
    assert row["id_number_enc"].startswith("v1.")
    # Duplicate ID number → 409; invalid ones → 422 with a pointer.
    again = await client.post("/api/v1/persons", json={**body, "phone": None}, headers=writer)
    assert problem(again, 409)["type"] == "/api/v1/problems/duplicate"
    bad = problem(
        await client.post(
            "/api/v1/persons",
            json={**body, "id_number": "110101199003071230", "phone": "12345"},
            headers=writer,
        ),
        422,
    )
    assert {e["pointer"] for e in bad["errors"]} == {"/id_number", "/phone"}
    assert ID not in bad["detail"] and "110101199003071230" not in str(bad)


async def test_reach_lists_gets_updates_and_lookups_stay_inside(client: ApiClient) -> None:
    orgs = await _tree(client)
    db = client.app.state.db
    admin = await bearer(
        client, *await make_account(db, grants=[(orgs["root"]["path"], [READ, WRITE, PD], True)])
    )
    left = await bearer(client, *await make_account(db, grants=[(orgs["left"]["path"], [READ, WRITE], True)]))
    root_only = await bearer(client, *await make_account(db, grants=[(orgs["root"]["path"], [READ], False)]))
    ids = {}
    for key in ("left", "right", "root"):
        response = await client.post(
            "/api/v1/persons",
            json={"name": f"人员{key}", "home_org": str(orgs[key]["id"]), "id_number": None},
            headers=admin,
        )
        assert response.status_code == 201, response.text
        ids[key] = response.json()["id"]
    listed = (await client.get("/api/v1/persons", headers=left)).json()["items"]
    assert [p["id"] for p in listed] == [ids["left"]]
    listed = (await client.get("/api/v1/persons", headers=root_only)).json()["items"]
    assert [p["id"] for p in listed] == [ids["root"]]
    assert len((await client.get("/api/v1/persons", headers=admin)).json()["items"]) == 3
    sub = await client.get(
        "/api/v1/persons", params={"org": str(orgs["left"]["id"]), "scope": "subtree"}, headers=admin
    )
    assert [p["id"] for p in sub.json()["items"]] == [ids["left"]]
    # Outside reach: 404, never 403, for reads, writes, exports and erasure.
    problem(await client.get(f"/api/v1/persons/{ids['right']}", headers=left), 404)
    problem(await client.patch(f"/api/v1/persons/{ids['right']}", json={"name": "x"}, headers=left), 404)
    problem(
        await client.post(
            "/api/v1/persons", json={"name": "x", "home_org": str(orgs["right"]["id"])}, headers=left
        ),
        404,
    )
    problem(await client.get("/api/v1/persons", params={"org": str(orgs["right"]["id"])}, headers=left), 404)
    # Pagination is keyset and complete.
    first = (await client.get("/api/v1/persons", params={"limit": 2}, headers=admin)).json()
    second = (
        await client.get(
            "/api/v1/persons", params={"limit": 2, "cursor": first["next_cursor"]}, headers=admin
        )
    ).json()
    assert len(first["items"]) == 2 and len(second["items"]) == 1 and second["next_cursor"] is None


async def test_lookup_by_id_number_and_phone(client: ApiClient) -> None:
    orgs = await _tree(client)
    db = client.app.state.db
    admin = await bearer(
        client, *await make_account(db, grants=[(orgs["root"]["path"], [READ, WRITE], True)])
    )
    left = await bearer(client, *await make_account(db, grants=[(orgs["left"]["path"], [READ], True)]))
    created = await client.post(
        "/api/v1/persons",
        json={"name": "王五", "home_org": str(orgs["right"]["id"]), "id_number": ID, "phone": PHONE},
        headers=admin,
    )
    found = (
        await client.post("/api/v1/persons/lookup", json={"id_number": ID.lower()}, headers=admin)
    ).json()
    assert [p["id"] for p in found["items"]] == [created.json()["id"]]
    found = (
        await client.post("/api/v1/persons/lookup", json={"phone": "+8613800138000"}, headers=admin)
    ).json()
    assert len(found["items"]) == 1
    assert (await client.post("/api/v1/persons/lookup", json={"id_number": ID}, headers=left)).json()[
        "items"
    ] == []


async def test_privileged_fields_in_bodies_are_rejected(client: ApiClient) -> None:
    orgs = await _tree(client)
    db = client.app.state.db
    admin = await bearer(
        client, *await make_account(db, grants=[(orgs["root"]["path"], [READ, WRITE], True)])
    )
    created = (
        await client.post(
            "/api/v1/persons", json={"name": "赵六", "home_org": str(orgs["left"]["id"])}, headers=admin
        )
    ).json()
    for field, value in (
        ("home_org", str(orgs["right"]["id"])),
        ("id", "00000000-0000-0000-0000-000000000001"),
        ("erased_at", "2020-01-01T00:00:00+08:00"),
        ("role", "admin"),
        ("status", "active"),
        ("created_at", "2020-01-01T00:00:00+08:00"),
    ):
        body = problem(
            await client.patch(f"/api/v1/persons/{created['id']}", json={field: value}, headers=admin), 422
        )
        assert body["errors"][0] == {
            "pointer": f"/{field}",
            "code": "unknown_field",
            "message": body["errors"][0]["message"],
        }
    row = (
        await Person.select(Person.home_org, Person.erased_at).where(Person.id == created["id"]).first().run()
    )
    assert str(row["home_org"]) == str(orgs["left"]["id"]) and row["erased_at"] is None
    updated = await client.patch(
        f"/api/v1/persons/{created['id']}", json={"name": "赵 六", "phone": PHONE}, headers=admin
    )
    assert updated.status_code == 200 and updated.json()["phone"] == "138****8000"
    for body in ({"name": "x", "home_org": str(orgs["left"]["id"]), "id": created["id"]},):
        problem(await client.post("/api/v1/persons", json=body, headers=admin), 422)


async def test_members_and_post_holders_are_visible_through_their_orgs(client: ApiClient) -> None:
    from core.members.tables import Membership

    orgs = await _tree(client)
    db = client.app.state.db
    admin = await bearer(
        client,
        *await make_account(db, grants=[(orgs["root"]["path"], [READ, WRITE, "core.post.manage"], True)]),
    )
    right = await bearer(client, *await make_account(db, grants=[(orgs["right"]["path"], [READ], True)]))
    member = (
        await client.post(
            "/api/v1/persons", json={"name": "会员", "home_org": str(orgs["left"]["id"])}, headers=admin
        )
    ).json()
    holder = (
        await client.post(
            "/api/v1/persons", json={"name": "主席", "home_org": str(orgs["left"]["id"])}, headers=admin
        )
    ).json()
    assert (await client.get("/api/v1/persons", headers=right)).json()["items"] == []
    async with db.transaction():
        await Membership.insert(Membership(org=orgs["right"]["id"], person=member["id"])).run()
    post = await client.post(
        "/api/v1/posts",
        json={
            "person": holder["id"],
            "org": str(orgs["right"]["id"]),
            "title": "工会主席",
            "start_date": "2024-01-01",
        },
        headers=admin,
    )
    assert post.status_code == 201, post.text
    seen = {p["id"] for p in (await client.get("/api/v1/persons", headers=right)).json()["items"]}
    assert seen == {member["id"], holder["id"]}
    async with db.transaction():
        await Membership.update({Membership.status: "left"}).where(Membership.person == member["id"]).run()
    await client.patch(f"/api/v1/posts/{post.json()['id']}", json={"end_date": "2024-06-30"}, headers=admin)
    assert (await client.get("/api/v1/persons", headers=right)).json()["items"] == []
