"""Membership through HTTP: join, transfer (atomic, with history), leave, and plugins' hooks."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from litestar import Litestar

import plugins.union.hooks
import plugins.youth.hooks
from core.identity.tables import Person
from core.integration.tables import OutboxSignal
from core.members.tables import Membership
from core.sdk import MembershipInfo, PluginInfo, Text, hookimpl
from tests.conftest import ApiClient, open_client
from tests.core.orgs.conftest import Tree
from tests.helpers import AllowAll, problem, with_principal


async def person(name: str = "张三") -> str:
    pid = uuid.uuid4()
    await Person.insert(Person(id=pid, name=name)).run()
    return str(pid)


async def _unions(tree: Tree) -> None:
    await tree.add("city", "party.committee", "city", name="杭州市委")
    await tree.add("fed", "union.federation", "city", "city", name="杭州市总工会")
    await tree.add("a", "union.grassroots", "unit", "fed", name="甲公司工会")
    await tree.add("b", "union.grassroots", "unit", "fed", name="乙公司工会")
    await tree.add("league", "youth.committee", "city", "city", name="共青团杭州市委")


async def test_join_transfer_leave_with_history(api: ApiClient, tree: Tree) -> None:
    await _unions(tree)
    pid = await person()
    joined = await api.post(
        f"/api/v1/orgs/{tree.ids['a']}/members", json={"person": pid, "extra": {"card_number": "12345678"}}
    )
    assert joined.status_code == 201, joined.text
    m1 = joined.json()
    assert (
        m1["status"] == "active"
        and m1["person_name"] == "张三"
        and m1["extra"] == {"card_number": "12345678"}
    )
    problem(await api.post(f"/api/v1/orgs/{tree.ids['a']}/members", json={"person": pid}), 409)

    moved = await api.post(f"/api/v1/members/{m1['id']}/transfer", json={"org": tree.ids["b"]})
    assert moved.status_code == 200, moved.text
    m2 = moved.json()
    assert m2["org"] == tree.ids["b"] and m2["previous"] == m1["id"] and m2["extra"] == m1["extra"]
    old = (await api.get(f"/api/v1/members/{m1['id']}")).json()
    assert old["status"] == "transferred" and old["left_at"]
    problem(await api.post(f"/api/v1/members/{m1['id']}/transfer", json={"org": tree.ids["a"]}), 409)

    # Transfers stay inside one mass organization.
    across = await api.post(f"/api/v1/members/{m2['id']}/transfer", json={"org": tree.ids["league"]})
    assert problem(across, 422)["errors"][0]["code"] == "transfer_across_organizations"

    subtree = await api.get(f"/api/v1/orgs/{tree.ids['fed']}/members", params={"scope": "subtree"})
    assert [m["id"] for m in subtree.json()["items"]] == [m2["id"]]
    history = await api.get(
        f"/api/v1/orgs/{tree.ids['fed']}/members", params={"scope": "subtree", "status": "transferred"}
    )
    assert [m["id"] for m in history.json()["items"]] == [m1["id"]]

    left = await api.post(f"/api/v1/members/{m2['id']}/leave")
    assert left.json()["status"] == "left"
    problem(await api.post(f"/api/v1/members/{m2['id']}/leave"), 409)
    rows = (
        await Membership.select(Membership.status)
        .where(Membership.person == pid)
        .order_by(Membership.joined_at)
        .run()
    )
    assert [r["status"] for r in rows] == ["transferred", "left"]
    names = [s["name"] for s in await OutboxSignal.select(OutboxSignal.name).order_by(OutboxSignal.seq).run()]
    assert [n for n in names if n.startswith("member.")] == [
        "member.joined",
        "member.transferred",
        "member.left",
    ]


async def test_plugins_veto_memberships(api: ApiClient, tree: Tree) -> None:
    await _unions(tree)
    await tree.add("branch", "youth.branch", "unit", "league", name="某团支部")
    pid = await person("李四")
    bad_card = await api.post(
        f"/api/v1/orgs/{tree.ids['a']}/members", json={"person": pid, "extra": {"card_number": "12"}}
    )
    error = problem(bad_card, 422)["errors"][0]
    assert (error["pointer"], error["code"]) == ("/extra/card_number", "union_card_number")

    # The age rule reads the person's record, not a birth date the caller chooses in extra.
    too_old = date(date.today().year - 40, 1, 1)
    await Person.update({Person.birth_date: too_old}).where(Person.id == uuid.UUID(pid)).run()
    young = date(date.today().year - 20, 1, 1).isoformat()
    vetoed = await api.post(
        f"/api/v1/orgs/{tree.ids['branch']}/members",
        json={"person": pid, "extra": {"birth_date": young}},
        headers={"Accept-Language": "en"},
    )
    error = problem(vetoed, 422)["errors"][0]
    assert error["code"] == "youth_age" and error["message"] == "League members are 14 to 28 years old"
    assert error["pointer"] == "/person"
    # Every role, not only "member".
    cadre = await api.post(
        f"/api/v1/orgs/{tree.ids['branch']}/members", json={"person": pid, "role": "secretary"}
    )
    assert problem(cadre, 422)["errors"][0]["code"] == "youth_age"
    unknown = await person("王五")
    missing = await api.post(
        f"/api/v1/orgs/{tree.ids['branch']}/members", json={"person": unknown, "extra": {"birth_date": young}}
    )
    assert problem(missing, 422)["errors"][0]["code"] == "youth_birth_date"
    await (
        Person.update({Person.birth_date: date.fromisoformat(young)}).where(Person.id == uuid.UUID(pid)).run()
    )
    ok = await api.post(f"/api/v1/orgs/{tree.ids['branch']}/members", json={"person": pid})
    assert ok.status_code == 201
    assert await Membership.count().where(Membership.person == pid).run() == 1


class Recorder:
    """A plugin that records the member-joined hook (and one that fails, which must not matter)."""

    def __init__(self) -> None:
        self.seen: list[MembershipInfo] = []

    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            slug="recorder", name=Text(zh_hans="记录", en="Recorder"), version="1", core_api=">=1.0,<2"
        )

    @hookimpl
    async def quntuan_member_joined(self, membership: MembershipInfo) -> Any:
        self.seen.append(membership)
        raise RuntimeError("a failing runtime hook does not break the request")


async def test_member_joined_hook(make_app: Callable[..., Litestar]) -> None:
    recorder = Recorder()
    app = make_app(plugins={"union": plugins.union.hooks, "youth": plugins.youth.hooks, "recorder": recorder})
    async for client in open_client(with_principal(app, AllowAll())):
        tree = Tree(client)
        await _unions(tree)
        pid = await person()
        joined = await client.post(
            f"/api/v1/orgs/{tree.ids['a']}/members", json={"person": pid, "role": "chair"}
        )
        assert joined.status_code == 201, joined.text
        assert [(str(m.org_id), m.org_kind, m.role) for m in recorder.seen] == [
            (tree.ids["a"], "union.grassroots", "chair")
        ]


async def test_dissolving_ends_memberships(api: ApiClient, tree: Tree) -> None:
    await _unions(tree)
    pid = await person()
    m = (await api.post(f"/api/v1/orgs/{tree.ids['a']}/members", json={"person": pid})).json()
    assert (await api.post(f"/api/v1/orgs/{tree.ids['a']}/dissolve")).status_code == 200
    assert (await api.get(f"/api/v1/members/{m['id']}")).json()["status"] == "left"
    problem(await api.post(f"/api/v1/orgs/{tree.ids['a']}/members", json={"person": pid}), 409)
