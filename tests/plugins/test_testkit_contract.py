"""The testkit's contract suite passes a plugin with tables, routes and migrations (the demo fixture
plugin) and fails one that breaks the contract."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from core.kernel.settings import Settings
from core.sdk import Permission, PluginInfo, Text, hookimpl
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


# --- the checks added for third-party plugins: sibling subtrees, personal-data columns, texts --------------


class Careless:
    """A plugin with a table holding a phone it never declared, an English 'Chinese' name, and a route that
    reads any org's row whatever the caller's reach."""

    def __init__(self, *, texts: bool = True, personal: bool = True, reach: bool = True) -> None:
        self.texts, self.personal, self.reach = texts, personal, reach

    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        zh = "Careless" if not self.texts else "粗心"
        return PluginInfo(
            slug="careless", name=Text(zh_hans=zh, en="Careless"), version="0.1", core_api=">=1.0,<2"
        )

    @hookimpl
    def quntuan_permissions(self) -> Sequence[Permission]:
        return [Permission(code="careless.org.read", name=Text(zh_hans="读", en="Read"))]

    @hookimpl
    def quntuan_piccolo_app(self) -> object:
        if self.personal:
            return None
        from piccolo.conf.apps import AppConfig

        return AppConfig(app_name="careless", migrations_folder_path="", table_classes=[CarelessContact])

    @hookimpl
    def quntuan_routes(self) -> Sequence[object]:
        return [careless_org] if not self.reach else []


from litestar import get  # noqa: E402
from piccolo.columns import Varchar  # noqa: E402
from piccolo.table import Table  # noqa: E402


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
async def careless_org(org_id: object) -> dict[str, str]:
    from core.sdk import Org, Problem

    row = await Org.select(Org.name).where(Org.id == org_id).first().run()
    if row is None:
        raise Problem("not-found")
    return {"name": row["name"]}


async def _county_b(client: object, tree: object) -> str:
    return str(tree.orgs["county_b"]["id"])  # type: ignore[attr-defined]


async def test_a_declared_text_without_chinese_breaks_the_contract(quntuan_settings: Settings) -> None:
    with pytest.raises(AssertionError, match=r"info\.name\.zh_hans 'Careless' is not Chinese"):
        await assert_plugin_contract("careless", Careless(texts=False), quntuan_settings)


def test_an_undeclared_phone_column_breaks_the_contract() -> None:
    from core.kernel.plugin_host import make_plugin_manager
    from core.testkit import personal_column_problems

    decl = make_plugin_manager(Settings(), plugins={"careless": Careless(personal=False)}).registry.plugins[
        "careless"
    ]
    (problem,) = personal_column_problems("careless", decl)
    assert "careless_contact has contact_phone" in problem and "quntuan_personal_data" in problem


async def test_a_route_reaching_a_sibling_subtree_breaks_the_contract(quntuan_settings: Settings) -> None:
    plugin = Careless(reach=False)
    with pytest.raises(
        AssertionError, match=r"pass resources=\{'<parameter>': factory\}.*org_id|org_id.*pass resources"
    ):
        await assert_plugin_contract("careless", plugin, quntuan_settings)
    with pytest.raises(AssertionError, match=r"a cadre of county A reached a resource of county B \(200\)"):
        await assert_plugin_contract("careless", plugin, quntuan_settings, resources={"org_id": _county_b})
