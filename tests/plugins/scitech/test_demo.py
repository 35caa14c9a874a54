"""``quntuan demo seed`` with scitech: expert libraries, the past year's popularization and resources."""

from __future__ import annotations

from typing import Any

from core.sdk import Org, search_initials
from core.testkit import audit_entries, signals_emitted
from plugins.scitech.demo import LIBRARY_SIZE, seed_scitech


async def test_demo_seed_fills_the_associations(quntuan_client: Any, quntuan_tree: Any) -> None:
    from core.orgs.demo import seed

    client, h = quntuan_client, quntuan_tree.headers["platform"]
    result = await seed(client.app.state.db, client.app.state.plugin_manager, "small", seed=5)
    root = str(result.root)
    orgs = (
        await client.get("/api/v1/orgs", params={"kind": "scitech.association", "limit": 100}, headers=h)
    ).json()["items"]
    associations = [o for o in orgs if o["level"] in LIBRARY_SIZE]
    assert {o["level"] for o in associations} >= {"province", "city", "county", "township"}

    experts: list[dict[str, Any]] = []
    params: dict[str, Any] = {"org": root, "limit": 100}
    while True:
        page = (await client.get("/api/v1/scitech/experts", params=params, headers=h)).json()
        experts += page["items"]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(experts) == sum(LIBRARY_SIZE[o["level"]] for o in associations)
    province = next(o for o in associations if o["level"] == "province")
    assert sum(e["org"] == province["id"] for e in experts) == LIBRARY_SIZE["province"]
    assert all(e["disciplines"] and e["tags"] and e["name"] for e in experts)
    # the seeded library is searchable like one built through the API: by pinyin initials of a name
    sample = experts[0]
    found = await client.get(
        "/api/v1/scitech/experts",
        params={"org": root, "q": search_initials(sample["name"]), "limit": 100},
        headers=h,
    )
    assert sample["id"] in {e["id"] for e in found.json()["items"]}

    reach = (await client.get("/api/v1/scitech/popularization/reach", params={"org": root}, headers=h)).json()
    assert reach["activities"] >= 6 and reach["offline"] > 0 and reach["total"] >= reach["offline"]
    resources = (
        await client.get("/api/v1/scitech/popularization/resources", params={"limit": 100}, headers=h)
    ).json()["items"]
    assert resources and all(r["status"] == "published" and r["tags"] for r in resources)
    stats = (await client.get(f"/api/v1/orgs/{root}/statistics", headers=h)).text
    assert "scitech.experts" in stats
    # a load, not a sequence of events; and a second call for the region adds nothing
    assert not [e for e in await audit_entries() if e["action"].startswith("scitech.")]
    assert not [s for s in await signals_emitted() if s["name"].startswith("scitech.")]
    path = (await Org.select(Org.path).where(Org.id == result.root).first().run())["path"]
    again = await seed_scitech(path, 5)
    assert (again.experts, again.activities, again.resources) == (0, 0, 0)
