"""The org tree through HTTP: placement rules, rename, move a subtree, dissolve, reach, search."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

from litestar import Litestar

import plugins.youth.hooks
from core.integration.tables import OutboxSignal
from core.kernel.access import Reach
from core.orgs.tables import Org
from core.sdk import OrgPathColumn, PluginInfo, Text, hookimpl
from tests.conftest import ApiClient, open_client
from tests.core.orgs.conftest import Tree
from tests.helpers import GrantedPrincipal, problem, with_principal


async def _province(tree: Tree) -> None:
    await tree.add("province", "party.committee", "province", name="浙江省委", region_code="330000")
    await tree.add("city", "party.committee", "city", "province", name="杭州市委", region_code="330100")
    await tree.add("city_union", "union.federation", "city", "city", name="杭州市总工会")
    await tree.add("city_women", "women.federation", "city", "city", name="杭州市妇联")
    await tree.add("city_youth", "youth.committee", "city", "city", name="共青团杭州市委")


async def test_create_read_and_placement_rules(api: ApiClient, tree: Tree) -> None:
    await _province(tree)
    got = await api.get(f"/api/v1/orgs/{tree.ids['city_union']}")
    assert got.status_code == 200
    body = got.json()
    assert body["kind"] == "union.federation" and body["parent"] == tree.ids["city"]
    assert body["depth"] == 3 and body["status"] == "active" and got.headers["etag"]

    # A 团支部 may not be placed under a 妇联.
    bad = await api.post(
        "/api/v1/orgs",
        json={"name": "某团支部", "kind": "youth.branch", "level": "unit", "parent": tree.ids["city_women"]},
    )
    errors = problem(bad, 422)["errors"]
    assert [(e["pointer"], e["code"]) for e in errors] == [("/parent", "parent_kind_not_allowed")]

    # A level the kind does not have, and a level above the parent's.
    bad = await api.post(
        "/api/v1/orgs",
        json={"name": "x", "kind": "union.group", "level": "city", "parent": tree.ids["city_union"]},
    )
    codes = {e["code"] for e in problem(bad, 422)["errors"]}
    assert "level_not_allowed" in codes and "parent_kind_not_allowed" in codes
    bad = await api.post(
        "/api/v1/orgs",
        json={"name": "x", "kind": "union.federation", "level": "province", "parent": tree.ids["city_union"]},
    )
    assert {e["code"] for e in problem(bad, 422)["errors"]} == {"level_above_parent"}

    # Kinds that need a parent cannot be roots; unknown kinds and parents are named.
    bad = await api.post("/api/v1/orgs", json={"name": "x", "kind": "union.grassroots", "level": "unit"})
    assert problem(bad, 422)["errors"][0]["code"] == "root_not_allowed"
    bad = await api.post("/api/v1/orgs", json={"name": "x", "kind": "nope.kind", "level": "unit"})
    assert problem(bad, 422)["errors"][0]["code"] == "unknown_kind"
    bad = await api.post(
        "/api/v1/orgs",
        json={
            "name": "x",
            "kind": "union.grassroots",
            "level": "unit",
            "parent": "00000000-0000-4000-8000-000000000000",
        },
        headers={"Accept-Language": "en"},
    )
    error = problem(bad, 422)["errors"][0]
    assert error["code"] == "unknown_parent" and error["message"] == "The parent does not exist"

    # Unknown body fields and malformed region codes are rejected.
    bad = await api.post(
        "/api/v1/orgs", json={"name": "x", "kind": "party.committee", "level": "province", "colour": "red"}
    )
    problem(bad, 422)
    bad = await api.post(
        "/api/v1/orgs",
        json={"name": "x", "kind": "party.committee", "level": "province", "region_code": "33"},
    )
    problem(bad, 422)

    created = await OutboxSignal.select(OutboxSignal.name).where(OutboxSignal.name == "org.created").run()
    assert len(created) == 5


async def test_rename_with_etag_and_signal(api: ApiClient, tree: Tree) -> None:
    await _province(tree)
    org_id = tree.ids["city_union"]
    etag = (await api.get(f"/api/v1/orgs/{org_id}")).headers["etag"]
    renamed = await api.patch(
        f"/api/v1/orgs/{org_id}",
        json={"name": "杭州市總工會", "address": "体育场路"},
        headers={"If-Match": etag},
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "杭州市總工會" and renamed.headers["etag"] != etag
    stale = await api.patch(f"/api/v1/orgs/{org_id}", json={"name": "again"}, headers={"If-Match": etag})
    problem(stale, 412)
    signals = (
        await OutboxSignal.select(OutboxSignal.name, OutboxSignal.payload)
        .where(OutboxSignal.resource_id == org_id)
        .order_by(OutboxSignal.seq)
        .run()
    )
    assert [s["name"] for s in signals] == ["org.created", "org.renamed"]
    assert "体育场路" not in signals[1]["payload"] and '"address"' in signals[1]["payload"]


async def _check_paths() -> None:
    """Every org's path extends its parent's by one segment, and depth matches."""
    rows = await Org.select(Org.id, Org.parent, Org.path, Org.depth).run()
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        assert r["depth"] == len(r["path"]) // 6
        if r["parent"] is None:
            assert r["depth"] == 1
        else:
            parent = by_id[r["parent"]]
            assert r["path"][:-6] == parent["path"], r


async def test_move_subtree(api: ApiClient, tree: Tree) -> None:
    await _province(tree)
    await tree.add("street", "party.committee", "township", "city", name="西湖街道党工委")
    await tree.add("street_union", "union.federation", "township", "street", name="西湖街道总工会")
    await tree.add("grassroots", "union.grassroots", "unit", "street_union", name="某科技公司工会")
    await tree.add("group", "union.group", "unit", "grassroots", name="研发部工会小组")
    await tree.add("city2", "party.committee", "city", "province", name="宁波市委")

    moved = await api.post(f"/api/v1/orgs/{tree.ids['street']}/move", json={"parent": tree.ids["city2"]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent"] == tree.ids["city2"]
    await _check_paths()
    sub = await api.get("/api/v1/orgs", params={"org": tree.ids["city2"], "scope": "subtree"})
    names = [o["name"] for o in sub.json()["items"]]
    assert names == ["宁波市委", "西湖街道党工委", "西湖街道总工会", "某科技公司工会", "研发部工会小组"]
    old = await api.get("/api/v1/orgs", params={"org": tree.ids["city"], "scope": "subtree"})
    assert "研发部工会小组" not in [o["name"] for o in old.json()["items"]]

    # Not under itself, and not where its kind may not sit.
    bad = await api.post(f"/api/v1/orgs/{tree.ids['street']}/move", json={"parent": tree.ids["grassroots"]})
    assert problem(bad, 422)["errors"][0]["code"] == "into_own_subtree"
    bad = await api.post(
        f"/api/v1/orgs/{tree.ids['grassroots']}/move", json={"parent": tree.ids["city_women"]}
    )
    assert problem(bad, 422)["errors"][0]["code"] == "parent_kind_not_allowed"
    moves = await OutboxSignal.select(OutboxSignal.payload).where(OutboxSignal.name == "org.moved").run()
    assert len(moves) == 1 and '"subtree_size":4' in moves[0]["payload"]


async def test_moves_under_concurrent_writes(api: ApiClient, tree: Tree) -> None:
    """Children added while subtrees move back and forth always end up with their parent's path."""
    await _province(tree)
    await tree.add("city2", "party.committee", "city", "province", name="宁波市委")
    await tree.add("street", "party.committee", "township", "city", name="街道")
    await tree.add("street_union", "union.federation", "township", "street", name="街道总工会")

    async def add_children(n: int) -> list[int]:
        statuses = []
        for i in range(n):
            r = await api.post(
                "/api/v1/orgs",
                json={
                    "name": f"工会{i}",
                    "kind": "union.grassroots",
                    "level": "unit",
                    "parent": tree.ids["street_union"],
                },
            )
            statuses.append(r.status_code)
        return statuses

    async def move_back_and_forth(n: int) -> list[int]:
        statuses = []
        for i in range(n):
            target = tree.ids["city2"] if i % 2 == 0 else tree.ids["city"]
            r = await api.post(f"/api/v1/orgs/{tree.ids['street']}/move", json={"parent": target})
            statuses.append(r.status_code)
        return statuses

    results = await asyncio.gather(add_children(12), add_children(12), move_back_and_forth(9))
    assert all(s == 201 for s in results[0] + results[1])
    assert all(s == 200 for s in results[2])
    await _check_paths()
    sub = await api.get("/api/v1/orgs", params={"org": tree.ids["city2"], "scope": "subtree", "limit": 100})
    assert len([o for o in sub.json()["items"] if o["kind"] == "union.grassroots"]) == 24


async def test_dissolve_keeps_history(api: ApiClient, tree: Tree) -> None:
    await _province(tree)
    bad = await api.post(f"/api/v1/orgs/{tree.ids['city']}/dissolve")
    problem(bad, 409)
    done = await api.post(f"/api/v1/orgs/{tree.ids['city_women']}/dissolve")
    assert done.status_code == 200 and done.json()["status"] == "dissolved" and done.json()["dissolved_at"]
    again = await api.post(f"/api/v1/orgs/{tree.ids['city_women']}/dissolve")
    problem(again, 409)
    listed = await api.get(
        "/api/v1/orgs", params={"org": tree.ids["city"], "scope": "children", "status": "dissolved"}
    )
    assert [o["id"] for o in listed.json()["items"]] == [tree.ids["city_women"]]
    bad = await api.post(
        "/api/v1/orgs",
        json={"name": "x", "kind": "women.grassroots", "level": "village", "parent": tree.ids["city_women"]},
    )
    assert problem(bad, 422)["errors"][0]["code"] == "parent_dissolved"


async def test_search_across_scripts_and_partial_names(api: ApiClient, tree: Tree) -> None:
    await _province(tree)
    await tree.add("street", "party.committee", "township", "city", name="西湖街道党工委")
    await tree.add("trad", "union.federation", "township", "street", name="西湖街道總工會")

    async def names(q: str) -> set[str]:
        r = await api.get("/api/v1/orgs", params={"q": q})
        assert r.status_code == 200, r.text
        return {o["name"] for o in r.json()["items"]}

    assert await names("工会") == {"杭州市总工会", "西湖街道總工會"}
    assert await names("總工會") == {"杭州市总工会", "西湖街道總工會"}
    assert await names("西湖") == {"西湖街道党工委", "西湖街道總工會"}
    assert await names("妇聯") == {"杭州市妇联"}
    assert await names("hzszgh") == {"杭州市总工会"}
    assert len(await names("%_")) == 7  # LIKE wildcards are dropped, not interpreted
    filtered = await api.get(
        "/api/v1/orgs", params={"q": "工会", "org": tree.ids["street"], "scope": "subtree"}
    )
    assert [o["name"] for o in filtered.json()["items"]] == ["西湖街道總工會"]


async def test_reach_limits_lists_and_single_orgs(
    api: ApiClient, tree: Tree, make_app: Callable[..., Litestar]
) -> None:
    await _province(tree)
    await tree.add("city2", "party.committee", "city", "province", name="宁波市委")
    city = await Org.select(Org.path).where(Org.id == tree.ids["city"]).first().run()
    principal = GrantedPrincipal(
        {"core.org.read": [Reach(path=city["path"])], "core.org.create": [Reach(path=city["path"])]}
    )
    async for limited in open_client(with_principal(make_app(), principal)):
        listed = await limited.get("/api/v1/orgs", params={"limit": 100})
        assert {o["name"] for o in listed.json()["items"]} == {
            "杭州市委",
            "杭州市总工会",
            "杭州市妇联",
            "共青团杭州市委",
        }
        problem(await limited.get(f"/api/v1/orgs/{tree.ids['city2']}"), 404)
        outside = await limited.post(
            "/api/v1/orgs",
            json={"name": "x", "kind": "party.committee", "level": "county", "parent": tree.ids["city2"]},
        )
        assert problem(outside, 422)["errors"][0]["code"] == "unknown_parent"
        problem(await limited.post(f"/api/v1/orgs/{tree.ids['city']}/dissolve"), 403)
    async for nobody in open_client(with_principal(make_app(), GrantedPrincipal({}))):
        problem(await nobody.get("/api/v1/orgs"), 403)


async def test_pagination_walks_the_subtree(api: ApiClient, tree: Tree) -> None:
    await _province(tree)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/api/v1/orgs", params=params)).json()
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(tree.ids.values()) and len(seen) == 5


async def test_scope_self_and_children(api: ApiClient, tree: Tree) -> None:
    await _province(tree)
    only = await api.get("/api/v1/orgs", params={"org": tree.ids["city"], "scope": "self"})
    assert [o["id"] for o in only.json()["items"]] == [tree.ids["city"]]
    children = await api.get("/api/v1/orgs", params={"org": tree.ids["province"], "scope": "children"})
    assert [o["id"] for o in children.json()["items"]] == [tree.ids["city"]]


class PathCopier:
    """A plugin declaring a copy of org paths in a table not its own (the core's snapshot table)."""

    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            slug="copier", name=Text(zh_hans="复制", en="Copier"), version="1", core_api=">=1.0,<2"
        )

    @hookimpl
    def quntuan_org_path_columns(self) -> list[OrgPathColumn]:
        return [OrgPathColumn(table="core_coverage_snapshot", column="area_path")]


def test_a_plugin_cannot_declare_path_copies_in_tables_not_its_own() -> None:
    """Moves rewrite the path copies a plugin declares in its own tables (the scitech and joint plugins'
    tests move orgs under theirs); a copy declared in the core's table — here the coverage snapshots,
    which keep the path a month had as history — keeps the plugin out at start-up."""
    from core.kernel.plugin_host import make_plugin_manager
    from core.kernel.settings import Settings

    pm = make_plugin_manager(Settings(), plugins={"copier": PathCopier(), "youth": plugins.youth.hooks})
    assert "copier" not in pm.registry.plugins and "youth" in pm.registry.plugins
    assert "core_coverage_snapshot" in pm.failures[0].reason


async def test_moves_carry_events_along(
    api: ApiClient, tree: Tree, make_app: Callable[..., Litestar]
) -> None:
    """Events keep their organizers' paths for subtree lists; a move rewrites them with the orgs'."""
    from core.events.tables import Event, EventOrganizer

    await _province(tree)
    await tree.add("city2", "party.committee", "city", "province", name="宁波市委")
    await tree.add("street", "party.committee", "township", "city", name="街道")
    created = await api.post(
        "/api/v1/events",
        json={
            "type": "core.activity",
            "title": "邻里节",
            "org_id": tree.ids["street"],
            "starts_at": "2026-12-01T09:00:00+08:00",
            "ends_at": "2026-12-01T11:00:00+08:00",
        },
    )
    assert created.status_code == 201, created.text
    moved = await api.post(f"/api/v1/orgs/{tree.ids['street']}/move", json={"parent": tree.ids["city2"]})
    assert moved.status_code == 200, moved.text
    street = await Org.select(Org.path).where(Org.id == tree.ids["street"]).first().run()
    event = await Event.select(Event.org_path).first().run()
    organizers = await EventOrganizer.select(EventOrganizer.org_path).run()
    assert event["org_path"] == street["path"] and [o["org_path"] for o in organizers] == [street["path"]]
    paths = (await Event.select(Event.organizer_paths).first().run())["organizer_paths"]
    assert (json.loads(paths) if isinstance(paths, str) else paths) == [street["path"]]
    # A manager of the new place sees the event; one of the old place no longer does.
    city2 = await Org.select(Org.path).where(Org.id == tree.ids["city2"]).first().run()
    city = await Org.select(Org.path).where(Org.id == tree.ids["city"]).first().run()
    event_id = created.json()["id"]
    for path, status in ((city2["path"], 200), (city["path"], 404)):
        manager = GrantedPrincipal(
            {"core.event.manage": [Reach(path=path)], "core.event.read": [Reach(path=path)]}
        )
        async for client in open_client(with_principal(make_app(), manager)):
            assert (await client.get(f"/api/v1/events/{event_id}")).status_code == status
    listed = await api.get("/api/v1/events", params={"org": tree.ids["city2"], "scope": "subtree"})
    assert [e["title"] for e in listed.json()["items"]] == ["邻里节"]
