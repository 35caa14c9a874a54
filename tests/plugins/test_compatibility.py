"""A plugin written for an incompatible core API is refused at start-up; the platform and the other
plugins start without it."""

from __future__ import annotations

import pytest

import plugins.scitech.hooks
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from core.sdk import API_VERSION, PluginInfo, Text, hookimpl
from core.testkit import open_client


class Older:
    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            slug="older", name=Text(zh_hans="旧插件", en="Older"), version="0.3", core_api="<1.0"
        )


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"scitech": plugins.scitech.hooks}


async def test_incompatible_plugin_is_refused_and_the_platform_starts(quntuan_settings: Settings) -> None:
    from core.kernel.app import create_app

    pm = make_plugin_manager(quntuan_settings, plugins={"older": Older(), "scitech": plugins.scitech.hooks})
    assert set(pm.registry.plugins) == {"scitech"}
    [failure] = pm.failures
    assert failure.name == "older"
    assert "<1.0" in failure.reason
    assert API_VERSION in failure.reason
    async for client in open_client(create_app(quntuan_settings, pm)):
        assert (await client.get("/api/v1/health")).status_code == 200
        listed = (await client.get("/api/v1/plugins")).text
        assert "scitech" in listed
        assert '"older"' not in listed
