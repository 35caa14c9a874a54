"""The women plugin in an app with only the core and itself."""

from __future__ import annotations

from collections.abc import Callable

from litestar import Litestar

import plugins.women.hooks
from tests.conftest import open_client


async def test_app_with_only_women(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={"women": plugins.women.hooks})):
        items = (await client.get("/api/v1/plugins")).json()["items"]
        assert [p["slug"] for p in items] == ["women"]
        plugin = items[0]
        assert plugin["names"]["zh-Hans"] == "妇联"
        assert plugin["names"]["zh-Hant"] == "婦聯"
        assert {k["code"] for k in plugin["org_kinds"]} == {
            "women.federation",
            "women.grassroots",
            "women.group",
        }


def test_women_kinds_sit_only_where_declared() -> None:
    from core.kernel.plugin_host import make_plugin_manager
    from core.kernel.settings import Settings

    pm = make_plugin_manager(Settings(), plugins={"women": plugins.women.hooks})
    kinds = pm.registry.org_kinds
    for kind in kinds.values():
        for parent in kind.parents:
            assert parent in kinds, f"{kind.code} names unknown parent {parent}"
    roots = [k.code for k in kinds.values() if k.may_be_root and k.code.startswith("women.")]
    assert len(roots) == 1
