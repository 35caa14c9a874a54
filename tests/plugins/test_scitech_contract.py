"""plugins/scitech tested through the testkit alone, as a third-party plugin's tests would be."""

from __future__ import annotations

import pytest

import plugins.scitech.hooks
from core.testkit import assert_plugin_contract, assert_problem


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"scitech": plugins.scitech.hooks}


async def test_scitech_keeps_the_plugin_contract(quntuan_settings) -> None:  # type: ignore[no-untyped-def]
    # A bundled plugin's routes are walked against a sibling subtree by the generated permission matrix
    # (tests/core/identity/test_permission_matrix.py), so the contract's own sibling check is left to it.
    await assert_plugin_contract("scitech", plugins.scitech.hooks, quntuan_settings, siblings=False)


async def test_roles_reach_their_subtree_only(quntuan_client, quntuan_tree) -> None:  # type: ignore[no-untyped-def]
    county_b = quntuan_tree.orgs["county_b"]["id"]
    city = quntuan_tree.orgs["city"]["id"]
    headers = quntuan_tree.headers
    assert (await quntuan_client.get(f"/api/v1/orgs/{county_b}", headers=headers["city"])).status_code == 200
    assert (
        await quntuan_client.get(f"/api/v1/orgs/{county_b}", headers=headers["platform"])
    ).status_code == 200
    # county A's cadre reaches neither its sibling nor its parent
    for org in (county_b, city):
        response = await quntuan_client.get(f"/api/v1/orgs/{org}", headers=headers["county"])
        assert response.status_code in (403, 404), response.text
        assert_problem(response, response.status_code)


async def test_no_token_is_a_problem(quntuan_client) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await quntuan_client.get("/api/v1/orgs"), 401)
