"""The testkit's contract suite passes a plugin with tables, routes and migrations (the demo fixture
plugin) and fails one that breaks the contract."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from core.sdk import Permission, PluginInfo, Text, hookimpl
from core.settings import Settings
from core.testkit import assert_plugin_contract, assert_problem, audit_entries, signals_emitted
from tests.fixtures import demo_plugin


class Misnamed:
    """A plugin whose permission is not named after it."""

    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            slug="misnamed", name=Text(zh_hans="错名", en="Misnamed"), version="0.1", core_api=">=1.0,<2"
        )

    @hookimpl
    def quntuan_permissions(self) -> Sequence[Permission]:
        return [Permission(code="other.thing.read", name=Text(zh_hans="读", en="Read"))]


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"demo": demo_plugin}


async def test_demo_plugin_keeps_the_contract(quntuan_settings: Settings) -> None:
    await assert_plugin_contract("demo", demo_plugin, quntuan_settings)


async def test_a_misnamed_permission_breaks_the_contract(quntuan_settings: Settings) -> None:
    with pytest.raises(AssertionError, match=r"other\.thing\.read"):
        await assert_plugin_contract("misnamed", Misnamed(), quntuan_settings)


async def test_tree_roles_and_writes_leave_traces(quntuan_client, quntuan_tree) -> None:  # type: ignore[no-untyped-def]
    headers = quntuan_tree.headers
    city = quntuan_tree.orgs["city"]
    before = len(await audit_entries())
    response = await quntuan_client.post(
        "/api/v1/orgs",
        json={"parent": str(city["id"]), "kind": "party.committee", "level": "county", "name": "新县"},
        headers=headers["county"],
    )
    # county A's cadre cannot see the city, so it cannot create below it
    assert response.status_code in (403, 404, 422), response.text
    assert_problem(response, response.status_code)
    response = await quntuan_client.post(
        "/api/v1/orgs",
        json={"parent": str(city["id"]), "kind": "party.committee", "level": "county", "name": "新县"},
        headers=headers["city"],
    )
    assert response.status_code == 201, response.text
    assert len(await audit_entries()) > before
    assert isinstance(await signals_emitted(), list)
