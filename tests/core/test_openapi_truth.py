"""The OpenAPI document tells the truth a generated client needs: problem responses per operation in the
real shape, short unique operation ids, schema names for people, and the real media types of downloads."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar

from tests.conftest import all_test_plugins, open_client

METHODS = {"get", "post", "put", "patch", "delete"}
PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}}


@pytest.fixture
async def app(make_app: Callable[..., Litestar]) -> Litestar:
    return make_app(plugins=all_test_plugins())


@pytest.fixture
async def document(app: Litestar) -> dict[str, Any]:
    found: dict[str, Any] = {}
    async for client in open_client(app):  # ran to its end, so the app is shut down before tests start it
        found = (await client.get("/schema/openapi.json")).json()
    return found


def _public(app: Litestar) -> set[tuple[str, str]]:
    """(documented path, method) of the routes that need no token."""
    return {
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method.lower())
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if handler.opt.get("public") or handler.opt.get("policy") == "public"
        for method in handler.http_methods
    }


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(p, m, o) for p, item in document["paths"].items() for m, o in item.items() if m in METHODS]


async def test_every_operation_documents_its_problems_in_the_real_shape(
    app: Litestar, document: dict[str, Any]
) -> None:
    public_routes = _public(app)
    details = document["components"]["schemas"]["ProblemDetails"]
    assert {"type", "title", "status", "detail"} <= set(details["required"])
    assert {"request_id", "errors"} <= set(details["properties"])
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        problems = {int(s) for s in responses if s[0] in "45"}
        for status in problems:  # no problem in Litestar's default shape remains
            assert responses[str(status)]["content"] == PROBLEM, (method, path, status)
        assert 503 in problems, (method, path)
        if (path, method) not in public_routes:
            assert {401, 403} <= problems, (method, path)
        if "{" in path:
            assert 404 in problems, (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert {400, 422} <= problems, (method, path)
        if method in {"post", "put", "patch", "delete"}:
            assert 409 in problems, (method, path)
    by_id = {o["operationId"]: o for _, _, o in _operations(document)}
    assert {"412", "428"} <= set(by_id["updateEvent"]["responses"])  # If-Match required
    assert {"412", "428"} <= set(by_id["takeStep"]["responses"])
    assert {"412", "428"} <= set(by_id["updateOrg"]["responses"])
    assert {"412", "428"} <= set(by_id["updateWebhook"]["responses"])
    assert "429" in by_id["token"]["responses"] and "429" in by_id["changePassword"]["responses"]
    assert {"413", "415"} <= set(by_id["createEvent"]["responses"])


async def test_operation_ids_are_short_unique_and_plugins_are_prefixed(document: dict[str, Any]) -> None:
    ids = [o["operationId"] for _, _, o in _operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]*", i) for i in ids), ids
    assert {"listEvents", "createEvent", "getPerson", "uploadFile", "uploadImport", "publishNotice"} <= set(
        ids
    )
    demo = [o["operationId"] for p, _, o in _operations(document) if p.startswith("/api/v1/demo/")]
    assert demo and all(i.startswith("demo") for i in demo), demo


#: Operations named by one word: the platform's own nouns, which need no resource beside them.
ONE_WORD = {
    "health",
    "live",
    "ready",
    "plugins",
    "problem",
    "problems",
    "stream",
    "token",
    "me",
    "signup",
    "logout",
}


async def test_operation_ids_name_their_resource_and_a_plugin_once(
    app: Litestar, document: dict[str, Any]
) -> None:
    """A generated client's ``register()`` says nothing, ``unionUnionListMembers()`` says it twice."""
    ids = {o["operationId"] for _, _, o in _operations(document)}
    bare = {i for i in ids if re.fullmatch(r"[a-z]+", i)}
    assert bare <= ONE_WORD, sorted(bare - ONE_WORD)
    slugs = set(app.state.registry.plugins) - {"core"}
    assert slugs >= {"union", "youth", "scitech", "demo"}
    twice = sorted(i for i in ids for s in slugs if i.startswith(s + s[:1].upper() + s[1:]))
    assert not twice, twice
    assert {
        "registerForEvent",
        "cancelEvent",
        "finishEvent",
        "cancelBooking",
        "nominateForCampaign",
        "unionListMembers",
        "youthListMembers",
        "listAnnouncements",
        "getPublicAnnouncement",
    } <= ids


async def test_schema_names_are_for_people_and_unique(document: dict[str, Any]) -> None:
    names = set(document["components"]["schemas"])
    assert not [n for n in names if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", n)], sorted(names)
    assert {"EventPage", "PersonOutPage", "ClientSecretRotation", "WebhookSecretRotation"} <= names
    # Client generators name a model by its title: two schemas of one title drop operations from them.
    titles = Counter(s["title"] for s in document["components"]["schemas"].values() if "title" in s)
    assert [t for t, n in titles.items() if n > 1] == []
    listed = document["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]["application/json"]
    assert listed["schema"] == {"$ref": "#/components/schemas/EventPage"}


async def test_downloads_declare_their_real_media_types(document: dict[str, Any]) -> None:
    def media(path: str) -> set[str]:
        return set(document["paths"][path]["get"]["responses"]["200"]["content"])

    assert media("/api/v1/exports/{what}") == {
        "text/csv; charset=utf-8",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    assert media("/api/v1/files/{file_id}/content") == {"application/octet-stream"}
    assert media("/api/v1/orgs/{org_id}/statistics.xlsx") == {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    }
    assert media("/api/v1/events/calendar.ics") == {"text/calendar; charset=utf-8"}
    assert media("/api/v1/feeds/orgs/{org_id}/feed.atom") == {"application/atom+xml"}
    imports = document["paths"]["/api/v1/imports/{what}"]["post"]["responses"]
    assert imports["202"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImportJobOut"
    }


CJK = re.compile(r"[\u4e00-\u9fff]")


async def test_every_operation_has_a_summary_and_description_in_zh_hans(document: dict[str, Any]) -> None:
    missing = [
        (method, path)
        for path, method, operation in _operations(document)
        if not CJK.search(operation.get("summary") or "")
        or not CJK.search(operation.get("description") or "")
    ]
    assert not missing, missing
    assert CJK.search(document["info"]["description"])


async def test_the_document_in_english_and_traditional_characters(
    app: Litestar, document: dict[str, Any]
) -> None:
    async for client in open_client(app):
        answer = await client.get("/schema/openapi.json", params={"lang": "en"})
        assert answer.status_code == 200
        assert "Accept-Language" in answer.headers["vary"]
        english = answer.json()
        by_accept = (
            await client.get("/schema/openapi.json", headers={"Accept-Language": "en-GB,en;q=0.8"})
        ).json()
        hant = (await client.get("/schema/openapi.json", headers={"Accept-Language": "zh-TW"})).json()
        ui = await client.get("/schema", params={"lang": "en"})
    assert by_accept == english
    zh = {o["operationId"]: o for _, _, o in _operations(document)}
    for path, method, operation in _operations(english):  # every operation, the demo plugin's too
        original = zh[operation["operationId"]]
        for key in ("summary", "description"):
            assert operation[key] and operation[key] != original[key], (method, path, key)
            assert re.search(r"[A-Za-z]{3}", operation[key]), (method, path, key)
        assert operation["responses"]["503"]["description"] == "A dependency is unavailable"
    assert not CJK.search(english["paths"]["/api/v1/events"]["get"]["summary"])
    assert english["info"]["description"].startswith("quntuan (群团) is a headless API")
    events = {o["operationId"]: o for _, _, o in _operations(hant)}
    assert events["listEvents"]["summary"] == "活動列表"
    assert events["listEvents"]["parameters"] == zh["listEvents"]["parameters"]
    assert ui.status_code == 200 and "List events" in ui.text and "活动列表" not in ui.text


async def test_plugin_typed_details_are_a_discriminated_union_on_the_type(
    app: Litestar, document: dict[str, Any]
) -> None:
    """Each event type's ``details`` Struct is published: ``Event`` is a union on ``type`` whose variants
    type ``details``; the same schema is listed in /api/v1/plugins."""
    from openapi_spec_validator import validate

    validate(document)
    schemas = document["components"]["schemas"]
    types = app.state.registry.event_types
    typed = {code for code, t in types.items() if t.details is not None}
    assert typed, "the installed plugins declare typed details"
    for carrier in ("Event", "MyEvent", "EventCreate"):
        union = schemas[carrier]
        assert union["discriminator"]["propertyName"] == "type"
        mapping = union["discriminator"]["mapping"]
        assert set(mapping) == set(types)  # every type code, typed or not, has its variant
        assert {r["$ref"] for r in union["oneOf"]} == set(mapping.values())
        for code in typed:
            variant = schemas[mapping[code].rsplit("/", 1)[-1]]
            assert variant["properties"]["type"]["enum"] == [code]
            details = schemas[variant["properties"]["details"]["$ref"].rsplit("/", 1)[-1]]
            fields = set(types[code].details.__struct_fields__)
            assert set(details["properties"]) == fields
    async for client in open_client(app):
        listed = (await client.get("/api/v1/plugins")).json()
        by_code = {t["code"]: t for p in [*listed["items"], listed["core"]] for t in p["event_types"]}
        for code in typed:
            assert set(
                by_code[code]["details_schema"]["$defs"][types[code].details.__name__]["properties"]
            ) == set(types[code].details.__struct_fields__)
        assert all(by_code[c]["details_schema"] is None for c in set(types) - typed)
