"""The contract checks for third-party plugins fail where they should, with a message saying what to fix:
routes reaching a sibling subtree, ID-number/phone columns not declared as personal data, declared texts
without Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from litestar import get
from piccolo.columns import Varchar
from piccolo.conf.apps import AppConfig
from piccolo.table import Table

from core.kernel.settings import Settings
from core.sdk import Org, Permission, PluginInfo, Problem, Text, hookimpl
from core.testkit import assert_plugin_contract, personal_column_problems
from tests.fixtures import demo_plugin


class CarelessContact(Table, tablename="careless_contact"):
    contact_phone = Varchar(length=20)


@get(
    "/orgs/{org_id:uuid}",
    opt={"permission": "careless.org.read"},
    summary="组织名称",
    description="任何组织的名称（没有检查调用者的权限范围）。",
    summary_en="An org's name",
    description_en="Any org's name (reach is not checked).",
)
async def careless_org(org_id: Any) -> dict[str, str]:
    row = await Org.select(Org.name).where(Org.id == org_id).first().run()
    if row is None:
        raise Problem("not-found")
    return {"name": row["name"]}


class Careless:
    """A plugin that may hold an undeclared phone column, name itself in English where Chinese belongs, or
    read any org whatever the caller's reach."""

    def __init__(self, *, texts: bool = True, personal: bool = True, reach: bool = True) -> None:
        self.texts, self.personal, self.reach = texts, personal, reach

    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        name = Text(zh_hans="粗心" if self.texts else "Careless", en="Careless")
        return PluginInfo(slug="careless", name=name, version="0.1", core_api=">=1.0,<2")

    @hookimpl
    def quntuan_permissions(self) -> Sequence[Permission]:
        return [Permission(code="careless.org.read", name=Text(zh_hans="读取组织", en="Read orgs"))]

    @hookimpl
    def quntuan_piccolo_app(self) -> AppConfig | None:
        if self.personal:
            return None
        return AppConfig(app_name="careless", migrations_folder_path="", table_classes=[CarelessContact])

    @hookimpl
    def quntuan_routes(self) -> Sequence[object]:
        return [] if self.reach else [careless_org]


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"demo": demo_plugin}


async def _county_b(client: Any, tree: Any) -> str:
    return str(tree.orgs["county_b"]["id"])


async def test_a_declared_text_without_chinese_breaks_the_contract(quntuan_settings: Settings) -> None:
    with pytest.raises(AssertionError, match=r"info\.name\.zh_hans 'Careless' is not Chinese"):
        await assert_plugin_contract("careless", Careless(texts=False), quntuan_settings)


def test_an_undeclared_phone_column_breaks_the_contract() -> None:
    from core.kernel.plugin_host import make_plugin_manager

    pm = make_plugin_manager(Settings(), plugins={"careless": Careless(personal=False)})
    (problem,) = personal_column_problems("careless", pm.registry.plugins["careless"])
    assert "careless_contact has contact_phone" in problem
    assert "quntuan_personal_data" in problem


async def test_a_route_reaching_a_sibling_subtree_breaks_the_contract(quntuan_settings: Settings) -> None:
    plugin = Careless(reach=False)
    with pytest.raises(AssertionError, match=r"routes name resources by org_id: pass resources="):
        await assert_plugin_contract("careless", plugin, quntuan_settings)
    with pytest.raises(AssertionError, match=r"a cadre of county A reached a resource of county B \(200\)"):
        await assert_plugin_contract("careless", plugin, quntuan_settings, resources={"org_id": _county_b})
