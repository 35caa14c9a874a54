"""最美家庭 through HTTP: nominations by the family itself, a neighbour and an org; village review; the
public vote keeping one vote per person (not one per family) under concurrency; the county's selection; a notice of at least
three days before any decision; bad input and attempts from another subtree."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from core.testkit import assert_problem
from tests.plugins.women.conftest import Women, make_account, make_person, move_stage, review

TYPE = "women.best_family"


async def _campaign(client: Any, headers: dict[str, str], org_id: Any, quotas: list[int]) -> dict[str, Any]:
    body = {
        "type": TYPE,
        "org_id": str(org_id),
        "title": "2026年度甲县最美家庭评选",
        "honor_title": "2026年度甲县最美家庭",
        "year": 2026,
        "levels": [{"quota": q} for q in quotas],
    }
    response = await client.post("/api/v1/selections/campaigns", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def _nominate(client: Any, headers: dict[str, str], camp: dict[str, Any], **body: Any) -> Any:
    body.setdefault("nominee_kind", "family")
    body.setdefault("form", {"summary": "孝老爱亲，邻里和睦", "members": 4, "theme": "filial_piety"})
    return client.post(f"/api/v1/selections/campaigns/{camp['id']}/nominations", json=body, headers=headers)


async def test_a_best_family_selection_from_nomination_to_notice(quntuan_client: Any, women: Women) -> None:
    client, admin, platform = quntuan_client, women.admin_a, women.headers["platform"]
    county_a = women.tree.orgs["county_a"]["id"]
    village = women.orgs["county_a_village"]["id"]
    camp = await _campaign(client, admin, women.orgs["county_a_fed"]["id"], [2, 3])

    family, _ = await make_account(client, platform, county_a)
    neighbour, _ = await make_account(client, platform, county_a)
    other = await make_person(client, admin, county_a, "李大姐")
    third = await make_person(client, admin, county_a, "王阿姨")
    own = await _nominate(client, family, camp, source="self", org_id=str(village), nominee_name="张家")
    assert own.status_code == 201, own.text
    by_neighbour = await _nominate(
        client,
        neighbour,
        camp,
        source="person",
        org_id=str(village),
        nominee_person_id=other,
        nominee_name="李家",
    )
    assert by_neighbour.status_code == 201, by_neighbour.text
    by_org = await _nominate(
        client, admin, camp, source="org", org_id=str(village), nominee_person_id=third, nominee_name="王家"
    )
    assert by_org.status_code == 201, by_org.text
    ids = [own.json()["id"], by_neighbour.json()["id"], by_org.json()["id"]]
    assert {n["level"] for n in (own.json(), by_neighbour.json(), by_org.json())} == {1}

    # The same family twice is refused; the village reviews and forwards the three to the county.
    again = await _nominate(client, family, camp, source="self", org_id=str(village), nominee_name="张家")
    assert_problem(again, 409)
    assert (await move_stage(client, admin, camp, "reviewing")).status_code == 200
    for nomination in ids:
        forwarded = await review(client, admin, nomination, "forward")
        assert forwarded.status_code == 200, forwarded.text
        assert forwarded.json()["level"] == 0

    # The public vote, one per person (一人一票): 15 persons each vote for all three families at once, and
    # twice for the first; exactly one vote of each person counts, whichever arrived first.
    assert (await move_stage(client, admin, camp, "voting")).status_code == 200
    voters = [(await make_account(client, platform, county_a))[0] for _ in range(15)]
    url = f"/api/v1/selections/campaigns/{camp['id']}/votes"
    responses = await asyncio.gather(
        *[
            client.post(url, json={"nomination_id": nomination}, headers=v)
            for v in voters
            for nomination in (*ids, ids[0])
        ]
    )
    assert Counter(r.status_code for r in responses) == {201: 15, 409: 45}
    assert {assert_problem(r, 409)["type"].rsplit("/", 1)[-1] for r in responses if r.status_code == 409} == {
        "vote-budget-used"
    }
    assert all(r.json()["votes_left"] == 0 for r in responses if r.status_code == 201)
    chosen = []
    for voter in voters:
        mine = (await client.get(f"{url}/mine", headers=voter)).json()
        assert len(mine["nomination_ids"]) == 1 and mine["votes_left"] == 0
        chosen.append(mine["nomination_ids"][0])
    late = await client.post(url, json={"nomination_id": ids[2]}, headers=voters[0])
    assert assert_problem(late, 409)["type"].endswith("/vote-budget-used")

    # The county selects two; the notice runs at least three days and the decision waits for it.
    assert (await move_stage(client, admin, camp, "selecting")).status_code == 200
    results = (await client.get(f"/api/v1/selections/campaigns/{camp['id']}/results", headers=admin)).json()
    assert {c["nomination_id"]: c["votes"] for c in results["candidates"]} == {
        i: chosen.count(i) for i in ids
    }
    for nomination in ids[:2]:
        assert (await review(client, admin, nomination, "select")).status_code == 200
    assert_problem(await review(client, admin, ids[2], "select"), 409)
    noticed = await move_stage(client, admin, camp, "notice")
    assert noticed.status_code == 200, noticed.text
    notice_id = noticed.json()["notice_id"]
    notice = (await client.get(f"/api/v1/notices/{notice_id}", headers=admin)).json()
    opens, closes = (datetime.fromisoformat(notice[k]) for k in ("opens_at", "closes_at"))
    assert (closes - opens).days >= 3
    current = (await client.get(f"/api/v1/selections/campaigns/{camp['id']}", headers=admin)).json()
    early = await client.post(
        f"/api/v1/selections/campaigns/{camp['id']}/decision",
        json={},
        headers={**admin, "If-Match": f'"{current["version"]}"'},
    )
    assert_problem(early, 409)


async def test_bad_nominations_and_other_subtrees_are_refused(quntuan_client: Any, women: Women) -> None:
    client, admin, platform = quntuan_client, women.admin_a, women.headers["platform"]
    village = str(women.orgs["county_a_village"]["id"])
    camp = await _campaign(client, admin, women.orgs["county_a_fed"]["id"], [2, 3])
    family, _ = await make_account(client, platform, women.tree.orgs["county_a"]["id"])

    missing = await _nominate(
        client, family, camp, source="self", org_id=village, nominee_name="张家", form={}
    )
    assert assert_problem(missing, 422)["errors"][0]["pointer"] == "/form/summary"
    wrong_kind = await _nominate(client, family, camp, source="self", org_id=village, nominee_kind="person")
    assert assert_problem(wrong_kind, 422)["errors"][0]["pointer"] == "/nominee_kind"
    unnamed = await _nominate(client, family, camp, source="self", org_id=village)
    assert assert_problem(unnamed, 422)["errors"][0]["pointer"] == "/nominee_name"
    bad_theme = await _nominate(
        client,
        family,
        camp,
        source="self",
        org_id=village,
        nominee_name="张家",
        form={"summary": "好", "theme": "x"},
    )
    assert assert_problem(bad_theme, 422)["errors"][0]["pointer"] == "/form/theme"

    # County B's cadre can neither nominate in A's name nor run A's campaign; the county B federation
    # is outside the campaign's subtree.
    admin_b, _ = await make_account(
        client, platform, women.tree.orgs["county_b"]["id"], sorted(client.app.state.registry.permissions)
    )
    person_b = await make_person(client, admin_b, women.tree.orgs["county_b"]["id"])
    in_a = await _nominate(
        client, admin_b, camp, source="org", org_id=village, nominee_person_id=person_b, nominee_name="赵家"
    )
    assert in_a.status_code in (403, 404, 422), in_a.text
    assert_problem(in_a, in_a.status_code)
    outside = await _nominate(
        client,
        admin,
        camp,
        source="org",
        org_id=str(women.orgs["county_b_village"]["id"]),
        nominee_name="钱家",
        nominee_person_id=person_b,
    )
    assert assert_problem(outside, 422)["errors"][0]["pointer"] == "/org_id"
    moved = await move_stage(client, admin_b, camp, "reviewing")
    assert moved.status_code in (403, 404), moved.text
    # A campaign cannot run at a village: the honors of the type are county-level and up.
    low = await client.post(
        "/api/v1/selections/campaigns",
        json={
            "type": TYPE,
            "org_id": village,
            "title": "村评",
            "honor_title": "村最美家庭",
            "levels": [{"quota": 1}],
        },
        headers=admin,
    )
    assert_problem(low, 422)
