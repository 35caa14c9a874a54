"""``quntuan demo seed`` with the League: the seeded branches' members are on the register, registered and
evaluated, their branches categorised and their committees given a development plan."""

from __future__ import annotations

from typing import Any

from plugins.youth.demo import YEAR
from plugins.youth.tables import YouthEvaluation, YouthMember, YouthPlan


async def test_demo_seed_gives_the_league_its_register(quntuan_client: Any, quntuan_tree: Any) -> None:
    from core.orgs.demo import seed
    from core.sdk import Membership

    client, h = quntuan_client, quntuan_tree.headers["platform"]
    result = await seed(client.app.state.db, client.app.state.plugin_manager, "small", seed=5)
    root = str(result.root)
    branch_members = (
        await Membership.count()
        .where(
            (Membership.org.kind == "youth.branch")
            & (Membership.status == "active")
            & (Membership.role == "member")
        )
        .run()
    )
    assert branch_members > 0
    # every member of a League branch is on the register, with a number of the year they joined
    assert await YouthMember.count().run() == branch_members
    page = (await client.get("/api/v1/youth/members", params={"org": root, "limit": 100}, headers=h)).json()
    assert page["items"] and all(m["status"] == "active" for m in page["items"])
    assert all(m["number"] == f"Y{m['joined_on'][:4]}{m['number'][5:]}" for m in page["items"])
    numbers = [r["number"] for r in await YouthMember.select(YouthMember.number).run()]
    assert len(set(numbers)) == len(numbers)

    # the year's registration recorded for about nine in ten
    registered = await YouthMember.count().where(YouthMember.registered_year == YEAR).run()
    assert 0.7 < registered / branch_members < 1

    # last year's democratic evaluation, counted per branch, every grade a known one
    graded = await YouthEvaluation.count().where(YouthEvaluation.year == YEAR - 1).run()
    summary = (
        await client.get(
            "/api/v1/youth/evaluations/summary", params={"org": root, "year": YEAR - 1}, headers=h
        )
    ).json()
    assert summary["evaluated"] == graded > 0
    assert (
        summary["excellent"] + summary["qualified"] + summary["basically_qualified"] + summary["unqualified"]
        == graded
    )
    branch = summary["items"][0]["org"]
    shown = (await client.get(f"/api/v1/youth/branches/{branch}", headers=h)).json()
    assert shown["category"] in ("community", "two_new", "other")

    assert await YouthPlan.count().where(YouthPlan.year == YEAR).run() > 0

    # the same seed writes nothing twice when the hook runs again
    from plugins.youth.demo import seed_youth

    assert await seed_youth(next(iter([r["path"] for r in await _root_path(result.root)])), 5) == 0
    assert await YouthMember.count().run() == branch_members


async def _root_path(root: Any) -> list[dict[str, Any]]:
    from core.sdk import Org

    return await Org.select(Org.path).where(Org.id == root).run()
