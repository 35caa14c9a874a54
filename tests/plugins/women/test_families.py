"""最美家庭 through HTTP: nominations by the family itself, a neighbour and an org; village review; the
public vote keeping one vote per person (not one per family) under concurrency; the county's selection;
a notice of at least three days before the county's decision and the honors it writes; the county's
family put forward to the city's campaign (逐级推荐) within the county's quota; bad input and attempts
from another subtree."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime
from typing import Any

from core.testkit import assert_problem, end_notice, signals_emitted
from tests.plugins.women.conftest import (
    Women,
    campaign,
    decide,
    make_account,
    make_org,
    make_person,
    move_stage,
    review,
)

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
    assert_problem(await decide(client, admin, camp), 409, "selection-notice-running")

    # The notice ran its days with no objection: the county decides, the two families are awarded and
    # in the honors register as county-level 最美家庭; the third is not selected.
    await end_notice(notice_id)
    decided = await decide(client, admin, camp, comment="经公示无异议，予以表彰")
    assert decided.status_code == 200, decided.text
    assert decided.json()["stage"] == "decided"
    final = (await client.get(f"/api/v1/selections/campaigns/{camp['id']}/results", headers=admin)).json()
    assert {c["nomination_id"]: c["status"] for c in final["candidates"]} == {
        ids[0]: "awarded",
        ids[1]: "awarded",
        ids[2]: "not_selected",
    }
    honors = await client.get(
        "/api/v1/honors",
        params={"org": str(women.orgs["county_a_fed"]["id"]), "by": "issuer", "kind": "family"},
        headers=admin,
    )
    assert honors.status_code == 200, honors.text
    assert {(h["person_id"], h["level"], h["title"]) for h in honors.json()["items"]} == {
        (own.json()["nominee_person_id"], "county", "2026年度甲县最美家庭"),
        (other, "county", "2026年度甲县最美家庭"),
    }
    mine = (await client.get("/api/v1/me/honors", headers=family)).json()["items"]
    assert [(h["recipient_kind"], h["recipient_name"]) for h in mine] == [("family", "张家")]
    assert len(await signals_emitted("honor.awarded")) == 2


async def test_a_county_best_family_goes_on_to_the_citys_selection(quntuan_client: Any, women: Women) -> None:
    """逐级推荐: the county's awarded family is put forward by the county federation to the city's
    campaign, which runs two levels down (the city, its counties) with one place per county."""
    client, platform = quntuan_client, women.headers["platform"]
    every = sorted(client.app.state.registry.permissions)
    city_fed = await make_org(
        client, platform, women.tree.orgs["city"]["id"], "women.federation", "city", "测试市妇联"
    )
    county_fed = await make_org(client, platform, city_fed["id"], "women.federation", "county", "丙县妇联")
    village = await make_org(
        client, platform, county_fed["id"], "women.grassroots", "village", "丙县东村妇联"
    )
    city, _ = await make_account(client, platform, city_fed["id"], every)
    county, _ = await make_account(client, platform, county_fed["id"], every)
    family, family_person = await make_account(client, platform, village["id"])
    voters = [(await make_account(client, platform, village["id"]))[0] for _ in range(3)]

    async def run_vote_and_select(headers: dict[str, str], camp: dict[str, Any], nomination: str) -> str:
        """Vote, select the one candidate and publish the notice; returns the notice id."""
        assert (await move_stage(client, headers, camp, "voting")).status_code == 200
        url = f"/api/v1/selections/campaigns/{camp['id']}/votes"
        for voter in voters:
            assert (
                await client.post(url, json={"nomination_id": nomination}, headers=voter)
            ).status_code == 201
        assert (await move_stage(client, headers, camp, "selecting")).status_code == 200
        assert (await review(client, headers, nomination, "select")).status_code == 200
        noticed = await move_stage(client, headers, camp, "notice")
        assert noticed.status_code == 200, noticed.text
        return str(noticed.json()["notice_id"])

    # The county's own selection: the family nominates itself, the village forwards it, the county decides.
    county_camp = await campaign(
        client, county, county_fed["id"], TYPE, [1, 2], honor_title="2026年度丙县最美家庭"
    )
    own = await _nominate(
        client, family, county_camp, source="self", org_id=str(village["id"]), nominee_name="张家"
    )
    assert own.status_code == 201, own.text
    assert (await review(client, county, own.json()["id"], "forward")).status_code == 200
    assert (await move_stage(client, county, county_camp, "reviewing")).status_code == 200
    await end_notice(await run_vote_and_select(county, county_camp, own.json()["id"]))
    assert (await decide(client, county, county_camp)).status_code == 200

    # The city's selection, one level above: each county passes up one family.
    city_camp = await campaign(client, city, city_fed["id"], TYPE, [1, 1], honor_title="2026年度市最美家庭")
    forms = {"summary": "县级最美家庭，孝老爱亲", "members": 4, "theme": "filial_piety"}
    put_forward = await _nominate(
        client,
        county,
        city_camp,
        source="org",
        org_id=str(county_fed["id"]),
        nominee_person_id=family_person,
        nominee_name="张家",
        form=forms,
    )
    assert put_forward.status_code == 201, put_forward.text
    assert (put_forward.json()["level"], put_forward.json()["org_id"]) == (1, county_fed["id"])
    another = await make_person(client, county, village["id"], "李大姐")
    second = await _nominate(
        client,
        county,
        city_camp,
        source="org",
        org_id=str(village["id"]),
        nominee_person_id=another,
        nominee_name="李家",
        form=forms,
    )
    assert second.status_code == 201, second.text
    assert second.json()["org_id"] == county_fed["id"]  # filed below, it starts at the county's level
    assert (await review(client, county, put_forward.json()["id"], "forward")).status_code == 200
    assert_problem(await review(client, county, second.json()["id"], "forward"), 409, "selection-quota-full")
    # The county cadre cannot run the city's campaign; the city's cadre can.
    assert (await move_stage(client, county, city_camp, "reviewing")).status_code in (403, 404)
    assert (await move_stage(client, city, city_camp, "reviewing")).status_code == 200
    city_notice = await run_vote_and_select(city, city_camp, put_forward.json()["id"])
    assert_problem(await decide(client, city, city_camp), 409, "selection-notice-running")
    await end_notice(city_notice)
    assert (await decide(client, county, city_camp)).status_code in (403, 404)
    assert (await decide(client, city, city_camp)).status_code == 200

    # The family holds both honors: the county's and the city's.
    mine = (await client.get("/api/v1/me/honors", headers=family)).json()["items"]
    assert sorted((h["level"], h["title"]) for h in mine) == [
        ("city", "2026年度市最美家庭"),
        ("county", "2026年度丙县最美家庭"),
    ]
    register = await client.get(
        "/api/v1/honors", params={"org": str(city_fed["id"]), "by": "issuer"}, headers=city
    )
    assert {(h["issuing_org_id"], h["level"]) for h in register.json()["items"]} == {
        (county_fed["id"], "county"),
        (city_fed["id"], "city"),
    }
    # County A's cadre reaches neither.
    theirs = await client.get("/api/v1/honors", params={"by": "issuer"}, headers=women.admin_a)
    assert not {h["id"] for h in theirs.json()["items"]} & {h["id"] for h in mine}


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
