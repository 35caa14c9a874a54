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
    from core.plugin_host import make_plugin_manager
    from core.settings import Settings

    pm = make_plugin_manager(Settings(), plugins={"scitech": plugins.scitech.hooks})
    kinds = pm.registry.org_kinds
    for kind in kinds.values():
        for parent in kind.parents:
            assert parent in kinds, f"{kind.code} names unknown parent {parent}"
    roots = [k.code for k in kinds.values() if k.may_be_root and k.code.startswith("scitech.")]
    assert len(roots) == 1
