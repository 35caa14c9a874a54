"""The fuzz corpus (tests/fixtures/fuzz_corpus.json), replayed: inputs that once answered 500 or dropped the
connection must each be a 4xx problem — on the route they were found on, and sent to every route they fit.

The corpus grows with what audits and fuzzers find; the routes come from the OpenAPI document, so a new
JSON-body or list route meets every body and cursor of the corpus without anyone listing it.
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from litestar import Litestar

from core.kernel.app import create_app
from core.kernel.plugin_host import make_plugin_manager
from core.kernel.settings import Settings
from tests.conftest import ApiClient, all_test_plugins, open_client
from tests.identity_helpers import bearer, make_account, make_org

CORPUS: dict[str, Any] = json.loads((Path(__file__).parent / "fixtures" / "fuzz_corpus.json").read_text())
#: The live stream never ends once it starts; the corpus only sends it requests it refuses at once.
STREAM = "/api/v1/stream"


def _fill(value: Any, world: dict[str, str]) -> Any:
    """``{name}`` placeholders of the corpus replaced by the world's values, in strings at any depth."""
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: world.get(m[1], m[0]), value)
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    return value


def _pieces(pieces: list[list[Any]], world: dict[str, str]) -> bytes:
    text = "".join(_fill(str(part), world) * int(times) for part, times in pieces)
    return text.encode("utf-8", "surrogateescape")


def _cursor(values: list[Any], world: dict[str, str]) -> str:
    raw = json.dumps(_fill(values, world)).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _request(entry: dict[str, Any], world: dict[str, str]) -> dict[str, Any]:
    """httpx keyword arguments for one corpus entry."""
    headers = dict(_fill(entry.get("headers", {}), world))
    headers.setdefault("Authorization", world["authorization"])
    params = dict(_fill(entry.get("query", {}), world))
    if "cursor" in entry:
        params["cursor"] = _cursor(entry["cursor"], world)
    kwargs: dict[str, Any] = {"headers": headers, "params": params}
    if "json" in entry:
        kwargs["json"] = _fill(entry["json"], world)
    elif "raw" in entry:
        kwargs["content"] = _pieces(entry["raw"], world)
        content_type = entry.get("content_type", "application/json")
        if content_type:
            headers["Content-Type"] = content_type
    elif "files" in entry:
        kwargs["files"] = {
            field: (spec["filename"], _pieces(spec["content"], world))
            for field, spec in entry["files"].items()
        }
    return kwargs


def _check(response: httpx.Response, expect: dict[str, Any], what: Any) -> None:
    status = expect["status"]
    if status == "4xx":
        assert 400 <= response.status_code < 500, (what, response.status_code, response.text[:300])
    elif status == "below 500":
        assert response.status_code < 500, (what, response.status_code, response.text[:300])
    else:
        assert response.status_code == status, (what, response.status_code, response.text[:300])
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), what
        body = response.json()
        if "type" in expect:
            assert body["type"] == f"/api/v1/problems/{expect['type']}", (what, body)
        if "pointer" in expect:
            assert body["errors"][0]["pointer"] == expect["pointer"], (what, body)


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def client(module_settings: Settings) -> AsyncIterator[ApiClient]:
    """One app for the module (every corpus entry is refused, so none changes what the next one meets),
    with every installed plugin and the test suite's own: the routes the OpenAPI document lists."""
    app = create_app(module_settings, make_plugin_manager(module_settings, plugins=all_test_plugins()))
    async for c in open_client(app):
        yield c


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(client: ApiClient) -> dict[str, str]:
    """A platform administrator (so guards let every request through to the input checks), an org and
    a draft event in it."""
    every = sorted(client.app.state.registry.permissions)
    admin = await bearer(client, *await make_account(client.app.state.db, grants=[(None, every, True)]))
    org = await make_org(name="区委")
    # A type without declared details: the corpus sends free-form ones.
    event_type = min(c for c, t in client.app.state.registry.event_types.items() if t.details is None)
    start = datetime.now(UTC) + timedelta(days=7)
    created = await client.post(
        "/api/v1/events",
        json={
            "type": event_type,
            "title": "活动",
            "org_id": str(org["id"]),
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return {
        "authorization": admin["Authorization"],
        "org_id": str(org["id"]),
        "event_id": created.json()["id"],
        "event_type": event_type,
        "uuid": str(uuid.uuid4()),
    }


def _operations(app: Litestar) -> list[tuple[str, str, dict[str, Any]]]:
    document = app.openapi_schema.to_schema()
    return [
        (method.upper(), path, operation)
        for path, item in sorted(document["paths"].items())
        for method, operation in sorted(item.items())
        if method in ("get", "post", "put", "patch", "delete")
    ]


def _concrete(path: str) -> str:
    return re.sub(r"\{\w+\}", lambda _: str(uuid.uuid4()), path)


@pytest.mark.parametrize("case", CORPUS["cases"], ids=[c["name"] for c in CORPUS["cases"]])
async def test_corpus_case(client: ApiClient, world: dict[str, str], case: dict[str, Any]) -> None:
    path = _fill(case["path"], world)
    response = await client.request(case["method"], path, **_request(case, world))
    _check(response, case["expect"], case["name"])


async def test_every_corpus_body_on_every_json_route(client: ApiClient, world: dict[str, str]) -> None:
    """Each body of the corpus, to each route whose OpenAPI operation takes a JSON body: the same 4xx."""
    routes = [
        (method, path, set(op["requestBody"]["content"]))
        for method, path, op in _operations(client.app)
        if "application/json" in op.get("requestBody", {}).get("content", {})
    ]
    assert len(routes) > 30
    for method, path, media_types in routes:
        for body in CORPUS["bodies"]:
            expect = body["expect"]
            if body.get("content_type") in media_types:
                # The route also takes this media type (the token endpoint's RFC 6749 form): the body is
                # read as one, and what it holds is refused as such.
                expect = {"status": "4xx"}
            response = await client.request(method, _concrete(path), **_request(body, world))
            _check(response, expect, (method, path, body["name"]))


async def test_every_corpus_cursor_on_every_list_route(client: ApiClient, world: dict[str, str]) -> None:
    """Each cursor of the corpus, to each route documenting ``?cursor=`` (required parameters filled)."""
    required = {
        "org": world["org_id"],
        "owner_kind": "org",
        "owner_id": world["org_id"],
        "region": "330100",
        "year": "2025",
    }
    checked = 0
    for method, path, op in _operations(client.app):
        names = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        if "cursor" not in names or path == STREAM:
            continue
        query = {}
        for name, parameter in names.items():
            if parameter.get("required"):
                assert name in required, f"{method} {path}: fill the required query parameter {name!r}"
                query[name] = required[name]
        target = path.replace("{event_id}", world["event_id"])
        for entry in CORPUS["cursors"]:
            response = await client.request(
                method, _concrete(target), **_request({**entry, "query": query}, world)
            )
            _check(response, entry["expect"], (method, path, entry["name"]))
        checked += 1
    assert checked > 15


async def test_the_corpus_is_well_formed() -> None:
    names = [e["name"] for e in CORPUS["cases"]]
    assert len(names) == len(set(names))
    for entry in CORPUS["cases"] + CORPUS["bodies"] + CORPUS["cursors"]:
        assert "expect" in entry, entry["name"]
