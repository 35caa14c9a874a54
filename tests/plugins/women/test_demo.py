"""The women's part of the demo seed, read back through HTTP: executives with their contacts, activity
and evaluations at every federation, 妇女之家 and 儿童之家 listed as places, a skills program with its
figures and a 最美家庭 campaign at each district federation — the same for the same seed."""

from __future__ import annotations

from typing import Any

from core.orgs.demo import seed
from core.sdk import Org
from core.testkit import OrgTree
from plugins.women.demo import seed_women
from plugins.women.tables import (
    WomenEnrolment,
    WomenExecContact,
    WomenExecMember,
    WomenExecRecord,
    WomenProgram,
)


async def _all(client: Any, url: str, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = await client.get(url, params=query, headers=headers)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return items


async def test_the_demo_seed_gives_the_women_executives_homes_a_program_and_a_campaign(
    quntuan_client: Any, quntuan_tree: OrgTree
) -> None:
    client, platform = quntuan_client, quntuan_tree.headers["platform"]
    result = await seed(client.app.state.db, client.app.state.plugin_manager, "small", seed=5)
    root = str(result.root)
    federations = await _all(
        client, "/api/v1/orgs", platform, org=root, scope="subtree", kind="women.federation"
    )
    districts = [o for o in federations if o["level"] == "county"]
    assert len(districts) == 2

    executives = await _all(client, "/api/v1/women/executives", platform, org=root)
    chairs = {e["org_id"] for e in executives if e["role"] == "chair"}
    assert {f["id"] for f in federations} <= chairs  # every federation has its chair
    assert all(e["status"] == "active" and e["term_start"] == "2023-03-08" for e in executives)
    first = executives[0]
    contacts = (await client.get(f"/api/v1/women/executives/{first['id']}/contacts", headers=platform)).json()
    assert contacts and all(c["kind"] == "household" for c in contacts)
    assert all(c["person_id"] is None and c["org_id"] is None for c in contacts)
    years = (await client.get(f"/api/v1/women/executives/{first['id']}/records", headers=platform)).json()
    by_year = {y["year"]: y for y in years["years"]}
    assert by_year[2026]["activities"] >= 1 and by_year[2025]["evaluation"] is not None
    shape = (await client.get(f"/api/v1/women/orgs/{districts[0]['id']}/shape", headers=platform)).json()
    assert shape["federation"] == 1

    womens_homes = await _all(client, "/api/v1/places", platform, kind="women.womens_home")
    childrens_homes = await _all(client, "/api/v1/places", platform, kind="women.childrens_home")
    assert len(womens_homes) == 2 * 2 * 3  # one per community federation: 2 districts × 2 streets × 3
    assert len(childrens_homes) == len(womens_homes) // 2
    assert all(h["name"].endswith("儿童之家") for h in childrens_homes)

    programs = await _all(client, "/api/v1/women/programs", platform, org=root)
    assert {p["org_id"] for p in programs} == {d["id"] for d in districts}
    detail = (await client.get(f"/api/v1/women/programs/{programs[0]['id']}", headers=platform)).json()
    assert detail["figures"]["enrolled"] >= 10 and detail["criteria"] == ["low_income"]

    campaigns = await _all(client, "/api/v1/selections/campaigns", platform, org=root, scope="subtree")
    families = [c for c in campaigns if c["type"] == "women.best_family"]
    assert {c["org_id"] for c in families} == {d["id"] for d in districts}
    assert all(c["stage"] == "nominating" and c["vote_budget"] == 1 for c in families)


async def test_the_same_seed_chooses_the_same_executives(quntuan_client: Any, quntuan_tree: OrgTree) -> None:
    """The women's records of a region, written again for the same seed, are the same rows."""
    client, platform = quntuan_client, quntuan_tree.headers["platform"]
    result = await seed(client.app.state.db, client.app.state.plugin_manager, "small", seed=6)
    tables = (WomenExecMember, WomenExecContact, WomenExecRecord, WomenProgram, WomenEnrolment)

    async def rows() -> list[list[tuple[Any, ...]]]:
        return [sorted(tuple(sorted(r.items())) for r in await t.select().run()) for t in tables]

    first = await rows()
    assert all(first)
    async with client.app.state.db.transaction():
        for table in tables:
            await table.delete(force=True).run()
    root = await Org.select(Org.path).where(Org.id == result.root).first().run()
    counts = await seed_women(root["path"], 6, client.app.state.plugin_manager)
    assert counts["executives"] == len(first[0])

    def stable(table: list[list[tuple[Any, ...]]]) -> list[list[tuple[Any, ...]]]:
        return [
            [tuple(kv for kv in r if kv[0] not in ("created_at", "updated_at")) for r in t] for t in table
        ]

    assert stable(await rows()) == stable(first)
    listed = await client.get("/api/v1/women/executives", params={"org": str(result.root)}, headers=platform)
    assert listed.status_code == 200 and listed.json()["items"]
