"""Isolation between plugins: a plugin's bug stays its own, a plugin cannot reach into another plugin's
tables, and a broken plugin is turned off by a setting without uninstalling it."""

from __future__ import annotations

import logging
import types
from typing import Any

import pytest
from piccolo.columns import UUID, ForeignKey, Varchar
from piccolo.conf.apps import AppConfig
from piccolo.table import Table

import plugins.union.hooks as union
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings, load_settings
from core.sdk import OrgPathColumn, PersonalDataTable, PluginInfo, Text, hookimpl
from core.testkit import assert_problem
from tests.fixtures import buggy_plugin


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"union": union, "buggy": buggy_plugin}


class OtherRecord(Table, tablename="other_record"):
    name = Varchar(length=20)


class ThiefLink(Table, tablename="thief_link"):
    record = ForeignKey(references=OtherRecord)


class ThiefOwn(Table, tablename="thief_own"):
    person = UUID()
    org_path = Varchar(length=255)


def _plugin(slug: str, **hooks: Any) -> types.SimpleNamespace:
    info = PluginInfo(slug=slug, name=Text(zh_hans="测试", en="Test"), version="1", core_api=">=1.0,<2")
    return types.SimpleNamespace(quntuan_plugin_info=hookimpl(lambda: info), **hooks)


def _app(slug: str, *tables: type[Table]) -> Any:
    return hookimpl(lambda: AppConfig(app_name=slug, migrations_folder_path="", table_classes=list(tables)))


OTHER = _plugin("other", quntuan_piccolo_app=_app("other", OtherRecord))


@pytest.mark.parametrize(
    ("thief", "reason"),
    [
        (_plugin("thief", quntuan_piccolo_app=_app("thief", ThiefLink)), "references 'other_record'"),
        (
            _plugin(
                "thief",
                quntuan_piccolo_app=_app("thief", ThiefOwn),
                quntuan_personal_data=hookimpl(
                    lambda: [PersonalDataTable(table=OtherRecord, person_column="name", on_erasure="delete")]
                ),
            ),
            "'other_record', which is not one of the plugin's tables",
        ),
        (
            _plugin(
                "thief",
                quntuan_piccolo_app=_app("thief", ThiefOwn),
                quntuan_org_path_columns=hookimpl(
                    lambda: [OrgPathColumn(table="other_record", column="name")]
                ),
            ),
            "'other_record' is not one of the plugin's tables",
        ),
        (
            _plugin(
                "thief",
                quntuan_piccolo_app=_app("thief", ThiefOwn),
                quntuan_org_path_columns=hookimpl(lambda: [OrgPathColumn(table="thief_own", column="nope")]),
            ),
            "thief_own.nope does not exist",
        ),
        (
            _plugin("thief", quntuan_coverage_rules=hookimpl(lambda: 1 / 0)),
            "ZeroDivisionError",
        ),
    ],
)
def test_a_plugin_reaching_into_another_plugins_tables_is_refused_at_start_up(
    thief: Any, reason: str
) -> None:
    pm = make_plugin_manager(Settings(), plugins={"other": OTHER, "thief": thief})
    assert set(pm.registry.plugins) == {"other"}
    (failure,) = pm.failures
    assert failure.name == "thief"
    assert reason in failure.reason, failure.reason


def test_own_tables_and_the_cores_may_be_referenced() -> None:
    from core.orgs.tables import Org

    class OwnLink(Table, tablename="fine_link"):
        org = ForeignKey(references=Org)
        path = Varchar(length=255)

    fine = _plugin(
        "fine",
        quntuan_piccolo_app=_app("fine", OwnLink),
        quntuan_org_path_columns=hookimpl(lambda: [OrgPathColumn(table="fine_link", column="path")]),
    )
    pm = make_plugin_manager(Settings(), plugins={"fine": fine})
    assert pm.failures == []
    assert pm.registry.plugins["fine"].org_path_columns == [OrgPathColumn(table="fine_link", column="path")]


def test_a_plugin_disabled_by_setting_is_not_loaded_and_the_platform_starts() -> None:
    import importlib.metadata

    eps = [
        importlib.metadata.EntryPoint(name=n, value=v, group="quntuan.plugins")
        for n, v in (("union", "plugins.union.hooks"), ("broken", "tests.fixtures.broken_plugin"))
    ]
    # Strict: any failure would stop start-up — there is none, the broken plugin is not even imported.
    environ = {"QUNTUAN_DISABLED_PLUGINS": "broken,women", "QUNTUAN_STRICT_PLUGINS": "1"}
    settings = load_settings(environ, env_file=None)
    assert settings.disabled_plugins == ("broken", "women")
    pm = make_plugin_manager(settings, entry_points=eps)
    assert set(pm.registry.plugins) == {"union"}
    assert pm.disabled == ["broken"]
    assert pm.failures == []


async def test_a_buggy_plugin_leaves_the_request_and_the_other_plugins_working(
    quntuan_client: Any, quntuan_tree: Any, caplog: pytest.LogCaptureFixture
) -> None:
    h = quntuan_tree.headers["platform"]
    county = str(quntuan_tree.orgs["county_a"]["id"])

    async def org(kind: str) -> str:
        response = await quntuan_client.post(
            "/api/v1/orgs", json={"name": kind, "kind": kind, "level": "county", "parent": county}, headers=h
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    async def person() -> str:
        response = await quntuan_client.post(
            "/api/v1/persons", json={"name": "王五", "home_org": county}, headers=h
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    union_org, buggy_org = await org("union.federation"), await org("buggy.branch")
    caplog.set_level(logging.ERROR, logger="quntuan.plugins")

    # The buggy plugin's validator and its member-joined hook raise: joining a union org is not its
    # business, and the union's own rules still run.
    joined = await quntuan_client.post(
        f"/api/v1/orgs/{union_org}/members", json={"person": await person()}, headers=h
    )
    assert joined.status_code == 201, joined.text
    vetoed = await quntuan_client.post(
        f"/api/v1/orgs/{union_org}/members",
        json={"person": await person(), "extra": {"card_number": "12"}},
        headers=h,
    )
    assert assert_problem(vetoed, 422)["errors"][0]["pointer"] == "/extra/card_number"
    # Its own org: its bug refuses the change with a problem naming it, not a 500, and nothing is written.
    failed = await quntuan_client.post(
        f"/api/v1/orgs/{buggy_org}/members", json={"person": await person()}, headers=h
    )
    assert "buggy" in assert_problem(failed, 422, "plugin-failed")["detail"]
    members = await quntuan_client.get(f"/api/v1/orgs/{buggy_org}/members", headers=h)
    assert members.json()["items"] == []

    # Statistics and coverage go on without its figures and its rule's verdicts.
    stats = await quntuan_client.get(f"/api/v1/orgs/{county}/statistics", headers=h)
    assert stats.status_code == 200, stats.text
    unit = await quntuan_client.post(
        "/api/v1/units",
        json={"name": "某公司", "kind": "non_public_enterprise", "area": county, "employees": 30},
        headers=h,
    )
    assert unit.status_code == 201, unit.text
    coverage = await quntuan_client.get(f"/api/v1/orgs/{county}/coverage", headers=h)
    assert coverage.status_code == 200, coverage.text
    rates = {r["rule"]: r["required"] for r in coverage.json()["rules"]}
    assert rates["union.formation"] == 1 and rates["buggy.everything"] == 0

    logged = [r.getMessage() for r in caplog.records]
    assert any("buggy" in m and "quntuan_validate_membership" in m for m in logged), logged
    assert any("buggy" in m and "quntuan_member_joined" in m for m in logged), logged
    assert any("buggy" in m and "buggy.everything" in m for m in logged), logged
    assert all(buggy_plugin.SECRET not in m for m in logged)  # nothing personal in the log
