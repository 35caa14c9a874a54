"""Built-in roles (``quntuan_roles``): declared by a plugin, written at start-up, granted, not editable."""

from __future__ import annotations

import json
import types
from collections.abc import Mapping, Sequence

import pytest

from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from core.sdk import BuiltinRole, Permission, PluginInfo, Text, hookimpl
from core.testkit import assert_problem, audit_entries

OFFICER = BuiltinRole(
    code="rolesdemo.officer",
    name=Text(zh_hans="示例干事", zh_hant="示例幹事", en="Demo officer"),
    permissions=("rolesdemo.thing.read", "core.org.read"),
)


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def _plugin(*roles: BuiltinRole, permissions: Sequence[str] = ("rolesdemo.thing.read",)) -> object:
    @hookimpl
    def quntuan_plugin_info() -> PluginInfo:
        return PluginInfo(
            slug="rolesdemo", name=Text(zh_hans="示例", en="Demo"), version="1", core_api=">=1.0,<2"
        )

    @hookimpl
    def quntuan_permissions() -> Sequence[Permission]:
        return [Permission(code=code, name=Text(zh_hans=code, en=code)) for code in permissions]

    @hookimpl
    def quntuan_roles() -> Sequence[BuiltinRole]:
        return list(roles)

    return types.SimpleNamespace(
        quntuan_plugin_info=quntuan_plugin_info,
        quntuan_permissions=quntuan_permissions,
        quntuan_roles=quntuan_roles,
    )


@pytest.fixture(scope="module")
def quntuan_plugins() -> Mapping[str, object]:
    return {"rolesdemo": _plugin(OFFICER)}


async def test_a_declared_role_is_written_at_start_and_can_be_granted(quntuan_client, quntuan_tree) -> None:
    platform = quntuan_tree.headers["platform"]
    roles = (await quntuan_client.get("/api/v1/roles?limit=100", headers=platform)).json()["items"]
    officer = next(r for r in roles if r["code"] == "rolesdemo.officer")
    assert officer["name"] == "示例干事"
    assert officer["permissions"] == ["core.org.read", "rolesdemo.thing.read"]
    assert officer["builtin_of"] == "rolesdemo"
    assert all(r["builtin_of"] is None for r in roles if r["code"] != "rolesdemo.officer")
    assert [_json(e["changes"])["codes"] for e in await audit_entries("role.builtin_synced")] == [
        ["rolesdemo.officer"]
    ]

    holder = await quntuan_tree.holder_of(quntuan_client, "rolesdemo.officer", "county_a")
    county_a, county_b = quntuan_tree.orgs["county_a"]["id"], quntuan_tree.orgs["county_b"]["id"]
    assert (await quntuan_client.get(f"/api/v1/orgs/{county_a}", headers=holder)).status_code == 200
    assert (await quntuan_client.get(f"/api/v1/orgs/{county_b}", headers=holder)).status_code in (403, 404)


async def test_a_built_in_role_cannot_be_changed_or_deleted(quntuan_client, quntuan_tree) -> None:
    platform = quntuan_tree.headers["platform"]
    roles = (await quntuan_client.get("/api/v1/roles?limit=100", headers=platform)).json()["items"]
    officer = next(r for r in roles if r["code"] == "rolesdemo.officer")
    answer = await quntuan_client.patch(
        f"/api/v1/roles/{officer['id']}", json={"permissions": ["core.org.read"]}, headers=platform
    )
    assert "rolesdemo" in assert_problem(answer, 409, "role-builtin")["detail"]
    assert_problem(await quntuan_client.delete(f"/api/v1/roles/{officer['id']}", headers=platform), 409)
    answer = await quntuan_client.post(
        "/api/v1/roles",
        json={"code": "rolesdemo.chair", "name": "冒名", "permissions": ["core.org.read"]},
        headers=platform,
    )
    assert_problem(answer, 422, "role-code-reserved")
    answer = await quntuan_client.post(
        "/api/v1/roles",
        json={"code": "local.chair", "name": "本地", "permissions": ["core.org.read"]},
        headers=platform,
    )
    assert answer.status_code == 201, answer.text


async def test_a_changed_declaration_is_written_again_at_the_next_start(quntuan_settings) -> None:
    from core.identity.tables import Role
    from core.kernel.app import create_app
    from core.testkit import open_client

    changed = BuiltinRole(code=OFFICER.code, name=OFFICER.name, permissions=("rolesdemo.thing.read",))
    for declared, expected in (
        (OFFICER, ["core.org.read", "rolesdemo.thing.read"]),
        (changed, ["rolesdemo.thing.read"]),
    ):
        pm = make_plugin_manager(quntuan_settings, plugins={"rolesdemo": _plugin(declared)})
        async for _client in open_client(create_app(quntuan_settings, pm)):
            row = await Role.select().where(Role.code == OFFICER.code).first().run()
            permissions = row["permissions"]
            assert (
                sorted(
                    permissions if isinstance(permissions, list) else __import__("json").loads(permissions)
                )
                == expected
            )


@pytest.mark.parametrize(
    ("role", "permissions", "reason"),
    [
        (
            BuiltinRole(code="other.officer", name=OFFICER.name, permissions=("core.org.read",)),
            (),
            "must start with",
        ),
        (
            BuiltinRole(code="rolesdemo.x", name=OFFICER.name, permissions=("rolesdemo.nothing",)),
            (),
            "undeclared permissions rolesdemo.nothing",
        ),
        (BuiltinRole(code="rolesdemo.x", name=OFFICER.name, permissions=()), (), "has no permissions"),
    ],
)
def test_a_bad_role_declaration_keeps_the_plugin_out(role, permissions, reason) -> None:
    pm = make_plugin_manager(Settings(), plugins={"rolesdemo": _plugin(role, permissions=permissions)})
    assert "rolesdemo" not in pm.registry.plugins
    assert reason in pm.failures[0].reason
