"""The demo seed gives the region a joint council, a service menu and a needs survey answered this quarter."""

from __future__ import annotations

from core.orgs.demo import seed
from plugins.joint.demo import seed_joint
from plugins.joint.tables import TABLES, JointCouncil, JointService, JointSurveyRespondent
from tests.plugins.joint.helpers import API


async def test_demo_seed_gives_a_council_a_menu_and_a_survey(quntuan_client, quntuan_tree):
    c, h = quntuan_client, quntuan_tree.headers["platform"]
    result = await seed(c.app.state.db, c.app.state.plugin_manager, "small", seed=5)
    root = str(result.root)

    councils = (await c.get(f"{API}/councils", params={"org_id": root}, headers=h)).json()["items"]
    assert len(councils) == 1
    detail = (await c.get(f"{API}/councils/{councils[0]['id']}", headers=h)).json()
    assert {m["plugin"] for m in detail["members"]} == {"union", "women"}  # the installed plugins only
    assert [m["role"] for m in detail["members"]].count("convenor") == 1
    meetings = (await c.get(f"{API}/councils/{councils[0]['id']}/meetings", headers=h)).json()["items"]
    assert len(meetings) == 1 and meetings[0]["status"] == "scheduled"

    services = (await c.get(f"{API}/services", params={"org_id": root, "limit": 100}, headers=h)).json()[
        "items"
    ]
    assert services and all(s["status"] == "published" for s in services)
    assert {s["need_type"] for s in services} >= {"wage_arrears", "family_dispute"}
    assert any(s["answers"] for s in services)
    assert (await c.get(f"{API}/partners", params={"org_id": root}, headers=h)).json()["items"]

    surveys = (await c.get(f"{API}/surveys", params={"org_id": root}, headers=h)).json()["items"]
    assert len(surveys) == 1
    runs = (await c.get(f"{API}/surveys/{surveys[0]['id']}/runs", headers=h)).json()["items"]
    assert len(runs) == 1 and runs[0]["status"] == "open" and runs[0]["responses"] > 0
    results = (await c.get(f"{API}/survey-runs/{runs[0]['id']}/results", headers=h)).json()
    assert results["responses"] == runs[0]["responses"] == await JointSurveyRespondent.count().run()
    need = next(q for q in results["questions"] if q["code"] == "need")
    assert sum(o["count"] for o in need["options"]) == results["responses"]
    assert any(o["services"] for o in need["options"])

    # the same seed again adds nothing; written afresh, the same records for the same seed
    path = await _root_path(root)
    before = {r["id"] for r in await JointService.select(JointService.id).run()}
    assert await seed_joint(path, 5) == {}
    async with c.app.state.db.transaction():
        for table in TABLES:
            await table.delete(force=True).run()
    written = await seed_joint(path, 5)
    assert written["councils"] == 1 and written["services"] == len(before)
    assert {r["id"] for r in await JointService.select(JointService.id).run()} == before
    assert await JointCouncil.count().run() == 1


async def _root_path(root: str) -> str:
    from core.sdk import Org

    row = await Org.select(Org.path).where(Org.id == root).first().run()
    return str(row["path"])
