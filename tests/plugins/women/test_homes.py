"""Women's and children's homes (妇女之家, 儿童之家) as the core's places, and their star rating
(最美儿童之家) as a selection, through HTTP."""

from __future__ import annotations

import uuid
from typing import Any

from core.testkit import assert_problem
from tests.plugins.women.conftest import Women

HOURS = [
    {"days": [1, 2, 3, 4, 5], "opens": "16:00", "closes": "19:00"},
    {"days": [6], "opens": "09:00", "closes": "17:00"},
]


async def _home(client: Any, headers: dict[str, str], org_id: Any, kind: str, **body: Any) -> Any:
    payload = {"kind": kind, "org_id": str(org_id), "name": "东村儿童之家", "opening_hours": HOURS, **body}
    return await client.post("/api/v1/places", json=payload, headers=headers)


async def test_homes_are_places_with_hours_and_services_and_a_star_rating(
    quntuan_client: Any, women: Women
) -> None:
    client, admin = quntuan_client, women.admin_a
    village = women.orgs["county_a_village"]
    home = await _home(
        client, admin, village["id"], "women.childrens_home", services=["after_school", "left_behind_care"]
    )
    assert home.status_code == 201, home.text
    place = home.json()
    women_home = await _home(
        client,
        admin,
        village["id"],
        "women.womens_home",
        name="东村妇女之家",
        services=["rights_reception", "parents_school"],
    )
    assert women_home.status_code == 201, women_home.text

    # Listed publicly by kind and service, with its hours.
    found = await client.get(
        "/api/v1/places", params={"kind": "women.childrens_home", "service": "left_behind_care"}
    )
    assert found.status_code == 200, found.text
    assert [p["id"] for p in found.json()["items"]] == [place["id"]]
    kinds = {k["code"]: k for k in (await client.get("/api/v1/places/kinds")).json()}
    assert {"after_school", "summer_care", "left_behind_care"} <= {
        s["code"] for s in kinds["women.childrens_home"]["services"]
    }

    # A party committee keeps no children's home; an unknown service is refused.
    assert_problem(await _home(client, admin, women.tree.orgs["county_a"]["id"], "women.childrens_home"), 422)
    assert_problem(
        await _home(client, admin, village["id"], "women.childrens_home", services=["Bad Code"]), 422
    )

    # The star rating: a county campaign of 最美儿童之家, the home put forward by its village federation.
    camp = await client.post(
        "/api/v1/selections/campaigns",
        json={
            "type": "women.best_childrens_home",
            "org_id": str(women.orgs["county_a_fed"]["id"]),
            "title": "2026年度最美儿童之家",
            "honor_title": "最美儿童之家",
            "year": 2026,
            "levels": [{"quota": 2}, {"quota": 1}],
        },
        headers=admin,
    )
    assert camp.status_code == 201, camp.text
    url = f"/api/v1/selections/campaigns/{camp.json()['id']}/nominations"
    body = {
        "source": "org",
        "nominee_kind": "team",
        "org_id": str(village["id"]),
        "nominee_name": "东村儿童之家",
        "form": {
            "summary": "常年开放，留守儿童全覆盖",
            "place_id": place["id"],
            "stars_sought": 5,
            "children_served": 120,
        },
    }
    nominated = await client.post(url, json=body, headers=admin)
    assert nominated.status_code == 201, nominated.text
    assert nominated.json()["form"]["stars_sought"] == 5
    bad = await client.post(url, json={**body, "form": {**body["form"], "stars_sought": 6}}, headers=admin)
    assert assert_problem(bad, 422)["errors"][0]["pointer"] == "/form/stars_sought"
    self_nominated = await client.post(url, json={**body, "source": "self"}, headers=admin)
    assert_problem(self_nominated, 422)

    # The place named must be a children's home the nominating unit keeps (or one below it), in reach:
    # not the women's home, not a place that does not exist, not county B's home.
    home_b = await _home(
        client, women.headers["platform"], women.orgs["county_b_village"]["id"], "women.childrens_home"
    )
    assert home_b.status_code == 201, home_b.text
    for other in (women_home.json()["id"], str(uuid.uuid4()), home_b.json()["id"]):
        refused = await client.post(
            url,
            json={**body, "nominee_name": "另一儿童之家", "form": {**body["form"], "place_id": other}},
            headers=admin,
        )
        error = assert_problem(refused, 422, "validation-failed")["errors"][0]
        assert (error["pointer"], error["code"]) == ("/form/place_id", "women_not_a_childrens_home")
    # A county cadre files the village's home at the county itself: the home is not the county's own
    # unit's, but it lies below it, so it is accepted; filed at county B's village it is outside reach.
    at_county = await client.post(
        url,
        json={
            **body,
            "nominee_name": "东村儿童之家（县推荐）",
            "org_id": str(women.orgs["county_a_fed"]["id"]),
        },
        headers=admin,
    )
    assert at_county.status_code == 201, at_county.text
    county_b_fed = women.orgs["county_b_fed"]
    outside = await client.post(
        url, json={**body, "nominee_name": "乙村", "org_id": str(county_b_fed["id"])}, headers=admin
    )
    assert assert_problem(outside, 422)["errors"][0]["pointer"] == "/org_id"
