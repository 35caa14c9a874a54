"""Executive members (执委) and the org shape through HTTP: appointment with a term, contacts served,
yearly activity and evaluation, If-Match on changes, the "1+10+95+N" view, bad input and other subtrees."""

from __future__ import annotations

from typing import Any

from core.testkit import assert_problem, audit_entries, signals_emitted
from tests.plugins.women.conftest import Women, make_account, make_org, make_person

BASE = "/api/v1/women/executives"


async def _appoint(client: Any, headers: dict[str, str], org_id: Any, person: Any, **body: Any) -> Any:
    payload = {
        "org_id": str(org_id),
        "person_id": str(person),
        "role": "member",
        "duties": "联系第三村民小组",
        "term_start": "2026-01-01",
        "term_end": "2030-12-31",
        **body,
    }
    return await client.post(BASE, json=payload, headers=headers)


async def test_an_executive_serves_contacts_and_is_evaluated_each_year(
    quntuan_client: Any, women: Women
) -> None:
    client, admin = quntuan_client, women.admin_a
    county_a = women.tree.orgs["county_a"]["id"]
    village = women.orgs["county_a_village"]
    person = await make_person(client, admin, county_a, "周执委")
    appointed = await _appoint(client, admin, village["id"], person)
    assert appointed.status_code == 201, appointed.text
    member = appointed.json()
    assert member["status"] == "active" and appointed.headers["etag"] == '"1"'
    assert_problem(await _appoint(client, admin, village["id"], person), 409, "women-already-executive")

    served = await make_person(client, admin, county_a, "留守妇女甲")
    for body in (
        {"kind": "household", "label": "三组12号户"},
        {"kind": "person", "label": "留守妇女", "person_id": served},
        {"kind": "org", "label": "村妇女小组", "org_id": str(village["id"])},
    ):
        added = await client.post(f"{BASE}/{member['id']}/contacts", json=body, headers=admin)
        assert added.status_code == 201, added.text
    listed = (await client.get(f"{BASE}/{member['id']}/contacts", headers=admin)).json()
    assert sorted(c["kind"] for c in listed) == ["household", "org", "person"]

    for code in ("visit", "visit", "mediation"):
        r = await client.post(
            f"{BASE}/{member['id']}/records",
            json={"year": 2026, "kind": "activity", "code": code, "held_on": "2026-03-08"},
            headers=admin,
        )
        assert r.status_code == 201, r.text
    graded = await client.post(
        f"{BASE}/{member['id']}/records",
        json={"year": 2026, "kind": "evaluation", "code": "excellent"},
        headers=admin,
    )
    assert graded.status_code == 201, graded.text
    twice = await client.post(
        f"{BASE}/{member['id']}/records",
        json={"year": 2026, "kind": "evaluation", "code": "competent"},
        headers=admin,
    )
    assert_problem(twice, 409, "women-already-evaluated")
    summary = (await client.get(f"{BASE}/{member['id']}/records?year=2026", headers=admin)).json()
    assert summary["years"] == [
        {"year": 2026, "activities": 3, "by_kind": {"visit": 2, "mediation": 1}, "evaluation": "excellent"}
    ]

    # Changes take If-Match: none → 428, stale → 412; ending the term is audited and signalled.
    url = f"{BASE}/{member['id']}"
    assert_problem(await client.patch(url, json={"duties": "x"}, headers=admin), 428)
    assert_problem(await client.patch(url, json={"duties": "x"}, headers={**admin, "If-Match": '"9"'}), 412)
    ended = await client.patch(url, json={"status": "ended"}, headers={**admin, "If-Match": '"1"'})
    assert ended.status_code == 200, ended.text
    assert ended.json()["status"] == "ended" and ended.headers["etag"] == '"2"'
    assert [e["action"] for e in await audit_entries("women.exec_member.ended")] == [
        "women.exec_member.ended"
    ]
    changes = list(await signals_emitted("women.exec_member_changed"))
    assert len(changes) == 2
    active = (await client.get(f"{BASE}?status=active", headers=admin)).json()["items"]
    assert active == []
    # Ended, the person may be appointed again.
    assert (await _appoint(client, admin, village["id"], person)).status_code == 201


async def test_the_org_shape_counts_a_subtree_as_1_10_95_n(quntuan_client: Any, women: Women) -> None:
    client, admin, platform = quntuan_client, women.admin_a, women.headers["platform"]
    fed = women.orgs["county_a_fed"]
    street = await make_org(client, platform, fed["id"], "women.federation", "township", "城关街道妇联")
    for name in ("东社区妇联", "西社区妇联"):
        await make_org(client, platform, street["id"], "women.grassroots", "village", name)
    response = await client.post(
        "/api/v1/orgs",
        json={
            "name": "金融大厦妇联",
            "kind": "women.grassroots",
            "level": "unit",
            "parent": street["id"],
            "place": "building",
        },
        headers=platform,
    )
    assert response.status_code == 201, response.text
    await make_org(
        client, platform, women.orgs["county_a_village"]["id"], "women.group", "village", "一组妇女小组"
    )
    person = await make_person(client, admin, women.tree.orgs["county_a"]["id"])
    assert (await _appoint(client, admin, fed["id"], person, role="chair")).status_code == 201

    shape = await client.get(f"/api/v1/women/orgs/{fed['id']}/shape", headers=admin)
    assert shape.status_code == 200, shape.text
    body = shape.json()
    assert (body["federation"], body["federations_below"], body["communities"], body["others"]) == (
        1,
        1,
        3,
        2,
    )
    assert body["formula"] == "1+1+3+2" and body["executives"] == 1
    assert {"kind": "women.grassroots", "level": "unit", "place": "building", "count": 1} in body["breakdown"]
    # County B's federation is outside county A's admin's reach; a grant on one org alone is not enough.
    assert_problem(
        await client.get(f"/api/v1/women/orgs/{women.orgs['county_b_fed']['id']}/shape", headers=admin), 404
    )
    narrow, _ = await make_account(client, platform, fed["id"], ["women.exec.read"], subtree=False)
    assert_problem(await client.get(f"/api/v1/women/orgs/{fed['id']}/shape", headers=narrow), 404)


async def test_bad_input_and_other_subtrees_are_refused(quntuan_client: Any, women: Women) -> None:
    client, admin = quntuan_client, women.admin_a
    county_a, county_b = women.tree.orgs["county_a"]["id"], women.tree.orgs["county_b"]["id"]
    person = await make_person(client, admin, county_a)
    fed = women.orgs["county_a_fed"]["id"]

    backwards = await _appoint(client, admin, fed, person, term_start="2027-01-01", term_end="2026-01-01")
    assert assert_problem(backwards, 422)["errors"][0]["pointer"] == "/term_end"
    assert (
        assert_problem(await _appoint(client, admin, fed, person, role="boss"), 422)["errors"][0]["pointer"]
        == "/role"
    )
    assert_problem(await _appoint(client, admin, county_a, person), 422, "women-not-a-federation")
    stranger = await make_person(client, women.headers["platform"], county_b)
    assert (
        assert_problem(await _appoint(client, admin, fed, stranger), 422)["errors"][0]["pointer"]
        == "/person_id"
    )
    assert_problem(await _appoint(client, admin, women.orgs["county_b_fed"]["id"], person), 404)

    member = (await _appoint(client, admin, fed, person)).json()
    wrong = await client.post(
        f"{BASE}/{member['id']}/records",
        json={"year": 2026, "kind": "evaluation", "code": "visit"},
        headers=admin,
    )
    assert assert_problem(wrong, 422)["errors"][0]["pointer"] == "/code"
    no_target = await client.post(
        f"{BASE}/{member['id']}/contacts", json={"kind": "person", "label": "x"}, headers=admin
    )
    assert assert_problem(no_target, 422)["errors"][0]["pointer"] == "/person_id"
    outside = await client.post(
        f"{BASE}/{member['id']}/contacts",
        json={"kind": "person", "label": "x", "person_id": stranger},
        headers=admin,
    )
    assert assert_problem(outside, 422)["errors"][0]["pointer"] == "/person_id"

    # County B's admin sees none of A's executives and cannot change them.
    admin_b, _ = await make_account(
        client, women.headers["platform"], county_b, sorted(client.app.state.registry.permissions)
    )
    assert_problem(await client.get(f"{BASE}/{member['id']}", headers=admin_b), 404)
    assert (await client.get(BASE, headers=admin_b)).json()["items"] == []
    assert_problem(
        await client.patch(
            f"{BASE}/{member['id']}", json={"duties": "x"}, headers={**admin_b, "If-Match": '"1"'}
        ),
        404,
    )
    assert_problem(await client.get(f"{BASE}/{member['id']}/records", headers=admin_b), 404)
    # A person with no grant is refused outright.
    assert_problem(await client.get(BASE, headers=women.headers["member"]), 403)


async def test_the_chair_and_executive_roles_are_built_in(quntuan_client: Any, women: Women) -> None:
    roles: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = (
            await quntuan_client.get(f"/api/v1/roles?cursor={cursor}", headers=women.headers["platform"])
        ).json()
        roles += page["items"]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    ours = {r["code"]: r for r in roles if r.get("builtin_of") == "women"}
    assert set(ours) == {"women.chair", "women.executive"}
    assert "women.rights.read" in ours["women.chair"]["permissions"]
    assert "women.rights.read" not in ours["women.executive"]["permissions"]
