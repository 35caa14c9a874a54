"""Health, plugins, OpenAPI and the offline docs UI, through HTTP as a front end sees them."""

from __future__ import annotations

import importlib.metadata
import re
import warnings
from collections.abc import Callable

import pytest
from litestar import Litestar
from openapi_spec_validator import validate

import plugins.union.hooks
from tests.conftest import BACKEND, all_test_plugins, open_client
from tests.fixtures import demo_plugin


async def test_health_reports_database_and_redis(client) -> None:
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok", "kind": BACKEND, "latency_ms": body["database"]["latency_ms"]}
    assert body["redis"]["status"] == "ok"
    assert body["redis"]["kind"] in {"redis", "in-process"}


async def test_plugins_lists_the_bundled_plugins(client) -> None:
    response = await client.get("/api/v1/plugins")
    assert response.status_code == 200
    body = response.json()
    assert body["next_cursor"] is None
    by_slug = {p["slug"]: p for p in body["items"]}
    installed = {e.name for e in importlib.metadata.entry_points(group="quntuan.plugins")}
    assert set(by_slug) == installed >= {"union", "youth", "women", "scitech", "joint"}
    union = by_slug["union"]
    assert union["name"] == "工会"
    assert union["names"] == {"zh-Hans": "工会", "zh-Hant": "工會", "en": "Trade union"}
    assert union["api_prefix"] == "/api/v1/union"
    assert {k["code"] for k in union["org_kinds"]} >= {"union.federation", "union.grassroots", "union.group"}
    assert {k["code"] for k in by_slug["youth"]["org_kinds"]} >= {"youth.committee", "youth.branch"}
    assert {k["code"] for k in by_slug["women"]["org_kinds"]} >= {"women.federation", "women.grassroots"}
    assert {k["code"] for k in by_slug["scitech"]["org_kinds"]} >= {"scitech.association", "scitech.society"}


async def test_plugins_lists_the_cores_own_declarations_beside_the_plugins(client) -> None:
    """A front end building an org or event form finds the Party kinds and core event types in one call."""
    body = (await client.get("/api/v1/plugins", headers={"Accept-Language": "en"})).json()
    core = body["core"]
    assert "core" not in {p["slug"] for p in body["items"]}
    assert core["slug"] == "core"
    assert core["api_prefix"] == "/api/v1"
    assert core["names"]["zh-Hans"] == "群团平台核心"
    kinds = {k["code"]: k for k in core["org_kinds"]}
    assert set(kinds) == {"party.committee", "party.general_branch", "party.branch"}
    assert kinds["party.committee"]["may_be_root"] is True
    assert kinds["party.branch"]["name"] == "Party branch"
    assert kinds["party.branch"]["parents"] == ["party.committee", "party.general_branch"]
    assert {t["code"]: t["name"] for t in core["event_types"]} == {
        "core.activity": "Activity",
        "core.meeting": "Meeting",
    }
    assert "core.plugins.manage" in {p["code"] for p in core["permissions"]}
    document = (await client.get("/schema/openapi.json")).json()
    assert "core" in document["components"]["schemas"]["PluginList"]["required"]


async def test_the_core_is_listed_in_an_app_with_no_plugins(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={})):
        body = (await client.get("/api/v1/plugins")).json()
    assert body["items"] == []
    assert {k["code"] for k in body["core"]["org_kinds"]} == {
        "party.committee",
        "party.general_branch",
        "party.branch",
    }


async def test_plugin_names_follow_accept_language(client) -> None:
    body = (await client.get("/api/v1/plugins", headers={"Accept-Language": "zh-TW"})).json()
    assert {p["slug"]: p["name"] for p in body["items"]}["youth"] == "共青團"
    body = (await client.get("/api/v1/plugins", headers={"Accept-Language": "en"})).json()
    assert {p["slug"]: p["name"] for p in body["items"]}["women"] == "Women's Federation"


async def test_an_app_with_no_plugins(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={})):
        assert (await client.get("/api/v1/plugins")).json()["items"] == []
        assert (await client.get("/api/v1/health")).status_code == 200


async def test_an_app_with_one_plugin_mounts_only_its_routes(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={"union": plugins.union.hooks, "demo": demo_plugin})):
        slugs = [p["slug"] for p in (await client.get("/api/v1/plugins")).json()["items"]]
        assert slugs == ["demo", "union"]
        paths = (await client.get("/schema/openapi.json")).json()["paths"]
        assert "/api/v1/demo/greetings" in paths


async def test_openapi_document_is_valid_3_1_and_lists_every_route(make_app: Callable[..., Litestar]) -> None:
    app = make_app(plugins={"union": plugins.union.hooks, "demo": demo_plugin})
    async for client in open_client(app):
        response = await client.get("/schema/openapi.json")
        assert response.status_code == 200
        document = response.json()
    assert document["openapi"].startswith("3.1")
    validate(document)
    documented = {
        (path, method.upper())
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    served = {
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method)
        for route in app.routes
        if route.path.startswith("/api/")
        for handler in getattr(route, "route_handlers", [])
        if handler.include_in_schema
        for method in handler.http_methods
        if method not in {"HEAD", "OPTIONS"}
    }
    assert served and served <= documented


async def test_routes_use_no_deprecated_litestar_declarations(make_app: Callable[..., Litestar]) -> None:
    """Inferred parameters, ``Parameter(query=…)`` and the like stop working in Litestar 3.0; 2.x warns about
    each one every time an app is built, which buried the suite's other warnings under thousands of them."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        make_app(plugins=all_test_plugins())
    assert [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)] == []


async def test_docs_ui_is_served_without_any_external_host(client) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    html = page.text
    assert "SwaggerUIBundle" in html
    external = re.findall(r"""(?:src|href)\s*=\s*["']?(https?:)?//""", html)
    assert external == []
    assert "cdn." not in html and "unpkg" not in html and "googleapis" not in html
    for asset in re.findall(r"""(?:src|href)=["'](/[^"']+)["']""", html):
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 1000


@pytest.mark.parametrize("path", ["/api/v1/problems", "/api/v1/problems/not-found"])
async def test_problem_types_are_documented_at_their_type_uri(client, path: str) -> None:
    response = await client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    body = response.json()
    items = body if isinstance(body, list) else [body]
    assert all(item["type"] == f"/api/v1/problems/{item['code']}" for item in items)
    assert any(item["title"] == "Not found" for item in items)
