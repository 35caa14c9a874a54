"""The plugin host: discovery, isolation of broken plugins, strict mode, deny-list, versions, hooks."""

from __future__ import annotations

import importlib.metadata
import types
from typing import Any

import pytest

from core.kernel.declarations import OrgKind, PluginInfo
from core.kernel.errors import Problem
from core.kernel.hookspecs import hookimpl
from core.kernel.i18n import Text
from core.kernel.plugin_host import (
    PluginLoadError,
    call_runtime_hook,
    call_validation_hook,
    make_plugin_manager,
)
from core.kernel.settings import Settings
from tests.fixtures import demo_plugin

BUNDLED = {"union", "youth", "women", "scitech"}


def ep(name: str, value: str) -> importlib.metadata.EntryPoint:
    return importlib.metadata.EntryPoint(name=name, value=value, group="quntuan.plugins")


def _plugin(slug: str, core_api: str = ">=1.0,<2", **hooks: Any) -> types.SimpleNamespace:
    @hookimpl
    def quntuan_plugin_info() -> PluginInfo:
        return PluginInfo(slug=slug, name=Text(zh_hans=slug, en=slug), version="1", core_api=core_api)

    return types.SimpleNamespace(quntuan_plugin_info=quntuan_plugin_info, **hooks)


def test_bundled_plugins_are_discovered_through_entry_points() -> None:
    pm = make_plugin_manager(Settings())
    installed = {e.name for e in importlib.metadata.entry_points(group="quntuan.plugins")}
    # The bundled four, and whatever else is installed beside them (CI installs the example 残联 plugin).
    assert BUNDLED <= set(pm.registry.plugins) == installed
    assert pm.failures == []
    assert "party.committee" in pm.registry.org_kinds
    assert pm.registry.org_kinds["youth.branch"].name.zh_hans == "团支部"


def test_no_plugins() -> None:
    pm = make_plugin_manager(Settings(), plugins={})
    assert pm.registry.plugins == {}
    assert set(pm.registry.org_kinds) == {"party.committee", "party.general_branch", "party.branch"}


def test_a_plugin_that_raises_on_import_is_skipped_and_the_others_load() -> None:
    eps = [
        ep("union", "plugins.union.hooks"),
        ep("broken", "tests.fixtures.broken_plugin"),
        ep("youth", "plugins.youth.hooks"),
    ]
    pm = make_plugin_manager(Settings(), entry_points=eps)
    assert set(pm.registry.plugins) == {"union", "youth"}
    assert [f.name for f in pm.failures] == ["broken"]
    assert "ImportError" in pm.failures[0].reason


def test_strict_mode_fails_start_up_on_a_broken_plugin() -> None:
    eps = [ep("union", "plugins.union.hooks"), ep("broken", "tests.fixtures.broken_plugin")]
    with pytest.raises(PluginLoadError, match="broken"):
        make_plugin_manager(Settings(strict_plugins=True), entry_points=eps)


def test_disabled_plugins_are_not_loaded() -> None:
    pm = make_plugin_manager(Settings(disabled_plugins=("women", "scitech")))
    installed = {e.name for e in importlib.metadata.entry_points(group="quntuan.plugins")}
    assert set(pm.registry.plugins) == installed - {"women", "scitech"} >= {"union", "youth"}
    assert sorted(pm.disabled) == ["scitech", "women"]
    assert "women.federation" not in pm.registry.org_kinds


def test_duplicate_entry_point_names_are_reported_not_silently_skipped() -> None:
    eps = [ep("union", "plugins.union.hooks"), ep("union", "plugins.union.hooks")]
    pm = make_plugin_manager(Settings(), entry_points=eps)
    assert set(pm.registry.plugins) == {"union"}
    assert [f.name for f in pm.failures] == ["union"]
    assert "already installed" in pm.failures[0].reason


@pytest.mark.parametrize(
    ("plugin", "reason"),
    [
        (_plugin("newer", core_api=">=2.0"), "needs core API >=2.0"),
        (_plugin("bad", core_api="one point oh"), "not a version specifier"),
        (_plugin("other"), "differs from the entry-point name"),
        (_plugin("xx", quntuan_no_such_hook=hookimpl(lambda: None)), "unknown hook"),
        (
            _plugin(
                "xx",
                quntuan_org_kinds=hookimpl(
                    lambda: [OrgKind(code="union.stolen", name=Text(zh_hans="x", en="x"), levels=())]
                ),
            ),
            "must start with xx.",
        ),
    ],
)
def test_plugins_that_break_the_rules_are_rejected(plugin: Any, reason: str) -> None:
    name = "other-name" if reason.startswith("differs") else plugin.quntuan_plugin_info().slug
    pm = make_plugin_manager(
        Settings(), plugins={name: plugin, "union": __import__("plugins.union.hooks").union.hooks}
    )
    assert set(pm.registry.plugins) == {"union"}
    assert len(pm.failures) == 1 and pm.failures[0].name == name
    assert reason in pm.failures[0].reason
    # The rejected plugin's hooks are not called later.
    assert all(impl.plugin_name != name for impl in pm.hook.quntuan_plugin_info.get_hookimpls())


def test_reserved_slugs_are_refused() -> None:
    pm = make_plugin_manager(Settings(), plugins={"events": _plugin("events")})
    assert pm.failures and "not allowed" in pm.failures[0].reason


async def test_runtime_hooks_are_awaited_and_a_failing_one_does_not_stop_the_others() -> None:
    seen: list[str] = []

    @hookimpl
    async def quntuan_startup(app: Any) -> str:
        seen.append("async")
        return "a"

    @hookimpl
    def quntuan_startup_sync(app: Any) -> str:
        seen.append("sync")
        return "s"

    @hookimpl
    def quntuan_startup_fails(app: Any) -> None:
        raise RuntimeError("boom")

    plugins = {
        "first": _plugin("first", quntuan_startup=quntuan_startup),
        "second": _plugin("second", quntuan_startup=quntuan_startup_fails),
        "third": _plugin("third", quntuan_startup=quntuan_startup_sync),
    }
    pm = make_plugin_manager(Settings(), plugins=plugins)
    assert not pm.failures
    results = await call_runtime_hook(pm, "quntuan_startup", app=None)
    assert sorted(results) == ["a", "s"]
    assert sorted(seen) == ["async", "sync"]


async def test_validation_hooks_propagate_the_veto() -> None:
    @hookimpl
    async def quntuan_startup(app: Any) -> None:
        raise ValueError("vetoed")

    pm = make_plugin_manager(
        Settings(), plugins={"vetoer": _plugin("vetoer", quntuan_startup=quntuan_startup)}
    )
    with pytest.raises(ValueError, match="vetoed"):
        await call_validation_hook(pm, "quntuan_startup", vetoes=(ValueError,), app=None)
    # Anything but a veto is the plugin's bug: a problem naming it, never the exception (nor a 500).
    with pytest.raises(Problem) as failed:
        await call_validation_hook(pm, "quntuan_startup", app=None)
    assert failed.value.problem.code == "plugin-failed" and failed.value.params == {"plugin": "vetoer"}
    # Dispatched to one owner, the others are not asked.
    assert await call_validation_hook(pm, "quntuan_startup", owner="union", app=None) == []


def test_the_demo_plugin_declares_everything() -> None:
    pm = make_plugin_manager(Settings(), plugins={"demo": demo_plugin})
    decl = pm.registry.plugins["demo"]
    assert decl.info.version == "1.2.3"
    assert [k.code for k in decl.org_kinds] == ["demo.club"]
    assert [t.code for t in decl.event_types] == ["demo.meetup"]
    assert {p.code for p in decl.permissions} == {"demo.greeting.read", "demo.greeting.create"}
    assert decl.routes
