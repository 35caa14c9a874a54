"""The scitech plugin in an app with only the core and itself."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar

import plugins.scitech.hooks
from tests.conftest import open_client


async def test_app_with_only_scitech(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={"scitech": plugins.scitech.hooks})):
        items = (await client.get("/api/v1/plugins")).json()["items"]
        assert [p["slug"] for p in items] == ["scitech"]
        plugin = items[0]
        assert plugin["names"]["zh-Hans"] == "科协"
        assert plugin["names"]["zh-Hant"] == "科協"
        assert {k["code"] for k in plugin["org_kinds"]} == {
            "scitech.association",
            "scitech.enterprise_association",
            "scitech.popularization_base",
            "scitech.society",
            "scitech.university_association",
        }


def test_scitech_kinds_sit_only_where_declared() -> None:
    from core.kernel.plugin_host import make_plugin_manager
    from core.kernel.settings import Settings

    pm = make_plugin_manager(Settings(), plugins={"scitech": plugins.scitech.hooks})
    kinds = pm.registry.org_kinds
    for kind in kinds.values():
        for parent in kind.parents:
            assert parent in kinds, f"{kind.code} names unknown parent {parent}"
    roots = [k.code for k in kinds.values() if k.may_be_root and k.code.startswith("scitech.")]
    assert len(roots) == 1


async def test_builtin_roles_are_seeded_and_work(quntuan_client, quntuan_tree) -> None:  # type: ignore[no-untyped-def]
    from core.testkit import assert_problem

    from .conftest import make_org

    platform = quntuan_tree.headers["platform"]
    by_code: dict[str, dict[str, object]] = {}
    params: dict[str, object] = {"limit": 50}
    while True:
        page = (await quntuan_client.get("/api/v1/roles", params=params, headers=platform)).json()
        by_code.update({r["code"]: r for r in page["items"]})
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert {"scitech.staff", "scitech.think_tank", "scitech.society_secretariat", "scitech.viewer"} <= set(
        by_code
    )
    assert "scitech.consult.manage" in by_code["scitech.think_tank"]["permissions"]
    assert "scitech.expert.manage" not in by_code["scitech.viewer"]["permissions"]
    org = await make_org(
        quntuan_client, platform, quntuan_tree.orgs["city"]["id"], "scitech.association", "city", "市科协"
    )
    # a viewer granted on the association reads the library and cannot add to it
    import secrets

    person = (
        await quntuan_client.post(
            "/api/v1/persons", json={"name": "查阅员", "home_org": org}, headers=platform
        )
    ).json()
    username, password = f"v{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    account = (
        await quntuan_client.post(
            "/api/v1/accounts",
            json={"username": username, "password": password, "person": person["id"]},
            headers=platform,
        )
    ).json()
    grant = await quntuan_client.post(
        "/api/v1/grants",
        json={"role": by_code["scitech.viewer"]["id"], "org": org, "account": account["id"]},
        headers=platform,
    )
    assert grant.status_code == 201, grant.text
    token = (
        await quntuan_client.post(
            "/api/v1/auth/token", json={"grant_type": "password", "username": username, "password": password}
        )
    ).json()
    viewer = {"Authorization": f"Bearer {token['access_token']}"}
    assert (await quntuan_client.get("/api/v1/scitech/experts", headers=viewer)).status_code == 200
    refused = await quntuan_client.post(
        "/api/v1/scitech/experts", json={"org": org, "name": "x", "disciplines": ["520"]}, headers=viewer
    )
    assert_problem(refused, 403)
