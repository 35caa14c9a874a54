"""The union plugin in an app with only the core and itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Litestar

import plugins.union.hooks
from tests.conftest import open_client


async def test_app_with_only_union(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={"union": plugins.union.hooks})):
        items = (await client.get("/api/v1/plugins")).json()["items"]
        assert [p["slug"] for p in items] == ["union"]
        plugin = items[0]
        assert plugin["names"]["zh-Hans"] == "工会"
        assert plugin["names"]["zh-Hant"] == "工會"
        assert {k["code"] for k in plugin["org_kinds"]} == {
            "union.federation",
            "union.grassroots",
            "union.group",
        }


def test_union_kinds_sit_only_where_declared() -> None:
    from core.kernel.plugin_host import make_plugin_manager
    from core.kernel.settings import Settings

    pm = make_plugin_manager(Settings(), plugins={"union": plugins.union.hooks})
    kinds = pm.registry.org_kinds
    for kind in kinds.values():
        for parent in kind.parents:
            assert parent in kinds, f"{kind.code} names unknown parent {parent}"
    roots = [k.code for k in kinds.values() if k.may_be_root and k.code.startswith("union.")]
    assert len(roots) == 1


def test_a_bad_coverage_threshold_is_refused_before_start_up(monkeypatch: Any) -> None:
    from core.kernel.plugin_host import make_plugin_manager
    from core.kernel.settings import Settings
    from plugins.union.coverage import MIN_EMPLOYEES_VARIABLE, min_employees_setting, settings_refusals

    assert min_employees_setting({}) == 25 and settings_refusals({}) == []
    assert min_employees_setting({MIN_EMPLOYEES_VARIABLE: " 10 "}) == 10
    for bad in ("ten", "0", "-5", "2.5", "100001"):
        (message,) = settings_refusals({MIN_EMPLOYEES_VARIABLE: bad})
        assert MIN_EMPLOYEES_VARIABLE in message and "整数" in message
    # Through the hook, as `quntuan config check` and `serve` call it.
    monkeypatch.setenv(MIN_EMPLOYEES_VARIABLE, "many")
    settings = Settings()
    pm = make_plugin_manager(settings, plugins={"union": plugins.union.hooks})
    refusals = [
        m for found in pm.hook.quntuan_settings_refusals(settings=settings, plugin_manager=pm) for m in found
    ]
    assert any(MIN_EMPLOYEES_VARIABLE in m for m in refusals)
    monkeypatch.setenv(MIN_EMPLOYEES_VARIABLE, "30")
    refusals = [
        m for found in pm.hook.quntuan_settings_refusals(settings=settings, plugin_manager=pm) for m in found
    ]
    assert not any(MIN_EMPLOYEES_VARIABLE in m for m in refusals)
