"""Coverage: plugins' rules, links, roll-ups over subtrees and regions, snapshots — against hand counts."""

from __future__ import annotations

from typing import Any

from core.orgs.tables import CoverageRequirement
from tests.conftest import ApiClient
from tests.core.orgs.conftest import Tree
from tests.helpers import problem

#: 91330106MA2xxx… style codes with valid check characters.
CREDIT = "91330106MA27XQ4L0T"


async def _region(tree: Tree) -> None:
    await tree.add("province", "party.committee", "province", name="浙江省委", region_code="330000")
    await tree.add("city", "party.committee", "city", "province", name="杭州市委", region_code="330100")
    await tree.add("street", "party.committee", "township", "city", name="西湖街道", region_code="330106")
    await tree.add("community", "party.committee", "village", "street", name="某社区", region_code="330106")
    await tree.add("s_union", "union.federation", "township", "street", name="街道总工会")
    await tree.add("s_youth", "youth.committee", "township", "street", name="街道团工委")
    await tree.add("s_women", "women.federation", "township", "street", name="街道妇联")
    await tree.add("g1", "union.grassroots", "unit", "s_union", name="联合工会")
    await tree.add("b1", "youth.branch", "unit", "s_youth", name="楼宇团支部")
    await tree.add("w1", "women.grassroots", "unit", "s_women", name="甲公司妇联")
    await tree.add("city2", "party.committee", "city", "province", name="宁波市委", region_code="330200")
    await tree.add("c2_union", "union.federation", "city", "city2", name="宁波市总工会")
    await tree.add("g2", "union.grassroots", "unit", "c2_union", name="丙公司工会")


async def _unit(api: ApiClient, tree: Tree, area: str, name: str, kind: str, **counts: Any) -> str:
    r = await api.post("/api/v1/units", json={"name": name, "kind": kind, "area": tree.ids[area], **counts})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _figures(body: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {r["rule"]: (r["required"], r["covered"]) for r in body["rules"]}


async def test_rates_against_hand_counts(api: ApiClient, tree: Tree) -> None:
    await _region(tree)
    u1 = await _unit(
        api,
        tree,
        "community",
        "甲公司",
        "non_public_enterprise",
        employees=30,
        female_employees=12,
        youth_employees=5,
    )
    u2 = await _unit(
        api,
        tree,
        "community",
        "乙公司",
        "non_public_enterprise",
        employees=150,
        female_employees=5,
        youth_employees=2,
    )
    await _unit(
        api,
        tree,
        "community",
        "某协会",
        "social_organization",
        employees=10,
        female_employees=10,
        youth_employees=3,
    )
    u4 = await _unit(api, tree, "community", "某大厦", "building")
    await _unit(api, tree, "community", "国企", "public_enterprise", employees=500)
    u6 = await _unit(api, tree, "community", "丁公司", "non_public_enterprise", employees=25)
    u7 = await _unit(
        api, tree, "city2", "丙公司", "non_public_enterprise", employees=40, region_code="330201"
    )

    got = (await api.get(f"/api/v1/units/{u1}")).json()
    assert (
        got["required"] == ["union.formation", "women.formation", "youth.formation"] and got["covered"] == []
    )

    for unit, org in ((u1, "g1"), (u2, "g1"), (u4, "b1"), (u1, "w1"), (u7, "g2")):
        r = await api.post(f"/api/v1/units/{unit}/links", json={"org": tree.ids[org]})
        assert r.status_code == 201, r.text
    problem(await api.post(f"/api/v1/units/{u1}/links", json={"org": tree.ids["g1"]}), 409)

    # Hand counts. union: U1 U2 U6 required (≥25), U1 U2 covered; youth: U1 U3 U4, U4 covered;
    # women: U1 U3 U4, U1 covered; scitech: U2 (≥100), none covered.
    street = _figures((await api.get(f"/api/v1/orgs/{tree.ids['street']}/coverage")).json())
    assert street == {
        "union.formation": (3, 2),
        "youth.formation": (3, 1),
        "women.formation": (3, 1),
        "scitech.formation": (1, 0),
    }
    root = (await api.get(f"/api/v1/orgs/{tree.ids['province']}/coverage")).json()
    assert _figures(root)["union.formation"] == (4, 3)
    union = next(r for r in root["rules"] if r["rule"] == "union.formation")
    assert union["rate"] == 0.75 and union["plugin"] == "union" and union["name"]["zh-Hant"] == "建會率"
    region = _figures((await api.get("/api/v1/coverage", params={"region": "3301"})).json())
    assert region["union.formation"] == (3, 2) and region["scitech.formation"] == (1, 0)
    assert _figures((await api.get("/api/v1/coverage", params={"region": "330201"})).json())[
        "union.formation"
    ] == (1, 1)

    # A unit shrinking below the threshold no longer counts; unlinking and dissolving uncover.
    assert (await api.patch(f"/api/v1/units/{u6}", json={"employees": 10})).status_code == 200
    assert (await api.delete(f"/api/v1/units/{u2}/links/{tree.ids['g1']}")).status_code == 200
    assert _figures((await api.get(f"/api/v1/orgs/{tree.ids['street']}/coverage")).json())[
        "union.formation"
    ] == (2, 1)
    assert (await api.post(f"/api/v1/orgs/{tree.ids['g1']}/dissolve")).status_code == 200
    assert _figures((await api.get(f"/api/v1/orgs/{tree.ids['street']}/coverage")).json())[
        "union.formation"
    ] == (2, 0)

    # Moving the street under the other city carries its units' figures along.
    moved = await api.post(f"/api/v1/orgs/{tree.ids['street']}/move", json={"parent": tree.ids["city2"]})
    assert moved.status_code == 200, moved.text
    city2 = _figures((await api.get(f"/api/v1/orgs/{tree.ids['city2']}/coverage")).json())
    assert city2["union.formation"] == (3, 1) and city2["youth.formation"] == (3, 1)
    assert _figures((await api.get(f"/api/v1/orgs/{tree.ids['city']}/coverage")).json())[
        "union.formation"
    ] == (0, 0)
    assert await CoverageRequirement.count().run() == 3 + 3 + 3 + 1  # union U1 U2 U7, youth, women, scitech


async def test_monthly_snapshots_make_a_series(api: ApiClient, tree: Tree) -> None:
    await _region(tree)
    u1 = await _unit(api, tree, "community", "甲公司", "non_public_enterprise", employees=30)
    await _unit(api, tree, "community", "乙公司", "non_public_enterprise", employees=60)
    taken = await api.post("/api/v1/coverage/snapshots", json={"month": "2026-10"})
    assert taken.status_code == 201 and taken.json()["month"] == "2026-10"
    await api.post(f"/api/v1/units/{u1}/links", json={"org": tree.ids["g1"]})
    await api.post("/api/v1/coverage/snapshots", json={"month": "2026-11"})
    await api.post("/api/v1/coverage/snapshots", json={"month": "2026-11"})  # retaking replaces
    series = (await api.get(f"/api/v1/orgs/{tree.ids['city']}/coverage/series")).json()
    union = [
        (p["month"], p["required"], p["covered"]) for p in series["points"] if p["rule"] == "union.formation"
    ]
    assert union == [("2026-10", 2, 0), ("2026-11", 2, 1)]
    only = (
        await api.get(f"/api/v1/orgs/{tree.ids['city']}/coverage/series", params={"from": "2026-11"})
    ).json()
    assert {p["month"] for p in only["points"]} == {"2026-11"}
    assert (await api.get(f"/api/v1/orgs/{tree.ids['city2']}/coverage/series")).json()["points"] == []


async def test_unit_registry_validation(api: ApiClient, tree: Tree) -> None:
    await _region(tree)
    bad = await api.post(
        "/api/v1/units",
        json={
            "name": "x",
            "kind": "non_public_enterprise",
            "area": tree.ids["community"],
            "credit_code": "91330106MA27XQ4L0X",
        },
    )
    assert problem(bad, 422)["errors"][0]["code"] == "checksum"
    ok = await api.post(
        "/api/v1/units",
        json={
            "name": "x",
            "kind": "non_public_enterprise",
            "area": tree.ids["community"],
            "credit_code": CREDIT,
        },
    )
    assert ok.status_code == 201, ok.text
    again = await api.post(
        "/api/v1/units",
        json={
            "name": "y",
            "kind": "non_public_enterprise",
            "area": tree.ids["community"],
            "credit_code": CREDIT,
        },
    )
    problem(again, 409)
    listed = await api.get("/api/v1/units", params={"org": tree.ids["city"], "q": "X"})
    assert [u["credit_code"] for u in listed.json()["items"]] == [CREDIT]


async def test_units_without_a_region_take_their_areas_and_follow_it(api: ApiClient, tree: Tree) -> None:
    """A unit registered under a county org without a region of its own counts in that region's coverage
    (and its prefixes'), and moves with the org when the org's region code changes; one with its own stays."""
    await tree.add("county", "party.committee", "county", name="上城区委", region_code="330102")
    await tree.add("c_union", "union.federation", "county", "county", name="上城区总工会")
    inherits = await _unit(api, tree, "county", "丁公司", "non_public_enterprise", employees=40)
    own = await _unit(
        api, tree, "county", "戊公司", "non_public_enterprise", employees=40, region_code="330105"
    )
    assert (await api.get(f"/api/v1/units/{inherits}")).json()["region_code"] == "330102"
    for region in ("330102", "3301", "33"):
        figures = _figures((await api.get("/api/v1/coverage", params={"region": region})).json())
        assert figures["union.formation"] == ((1, 0) if region == "330102" else (2, 0)), region
    assert _figures((await api.get(f"/api/v1/orgs/{tree.ids['county']}/coverage")).json())[
        "union.formation"
    ] == (2, 0)

    r = await api.patch(
        f"/api/v1/orgs/{tree.ids['county']}", json={"region_code": "330103"}, headers={"If-Match": "*"}
    )
    assert r.status_code == 200, r.text
    assert (await api.get(f"/api/v1/units/{inherits}")).json()["region_code"] == "330103"
    assert (await api.get(f"/api/v1/units/{own}")).json()["region_code"] == "330105"
    assert _figures((await api.get("/api/v1/coverage", params={"region": "330103"})).json())[
        "union.formation"
    ] == (1, 0)
    assert _figures((await api.get("/api/v1/coverage", params={"region": "330102"})).json())[
        "union.formation"
    ] == (0, 0)
