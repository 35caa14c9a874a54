"""The youth plugin in an app with only the core and itself."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar

import plugins.youth.hooks
from tests.conftest import open_client


async def test_app_with_only_youth(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={"youth": plugins.youth.hooks})):
        items = (await client.get("/api/v1/plugins")).json()["items"]
        assert [p["slug"] for p in items] == ["youth"]
        plugin = items[0]
        assert plugin["names"]["zh-Hans"] == "共青团"
        assert plugin["names"]["zh-Hant"] == "共青團"
        assert {k["code"] for k in plugin["org_kinds"]} == {
            "youth.branch",
            "youth.committee",
            "youth.general_branch",
        }


def test_youth_kinds_sit_only_where_declared() -> None:
    from core.kernel.plugin_host import make_plugin_manager
    from core.kernel.settings import Settings

    pm = make_plugin_manager(Settings(), plugins={"youth": plugins.youth.hooks})
    kinds = pm.registry.org_kinds
    for kind in kinds.values():
        for parent in kind.parents:
            assert parent in kinds, f"{kind.code} names unknown parent {parent}"
    roots = [k.code for k in kinds.values() if k.may_be_root and k.code.startswith("youth.")]
    assert len(roots) == 1
