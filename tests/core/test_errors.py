"""Problem details (RFC 9457) for every bad input a client can send, in zh-Hans (default), zh-Hant and en."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import pytest
from litestar import Litestar, get

from core.kernel.body import too_deep
from tests.conftest import ApiClient, open_client
from tests.fixtures import demo_plugin
from tests.helpers import AllowAll, AllowNone, problem, with_principal

URL = "/api/v1/demo/greetings"
EN = {"Accept-Language": "en"}
TW = {"Accept-Language": "zh-Hant"}
JSON = {"Content-Type": "application/json"}


@pytest.fixture
async def demo(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for client in open_client(with_principal(make_app(plugins={"demo": demo_plugin}), AllowAll())):
        yield client


async def test_valid_request_passes(demo: ApiClient) -> None:
    response = await demo.post(URL, json={"name": "张三", "times": 2})
    assert response.status_code == 201
    assert response.json() == {"text": "你好，张三张三"}


async def test_malformed_json(demo: ApiClient) -> None:
    body = problem(await demo.post(URL, content=b'{"name": "x",', headers=JSON), 400)
    assert body["type"] == "/api/v1/problems/malformed-body"
    assert body["title"] == "请求体格式错误"
    body = problem(await demo.post(URL, content=b"{nope", headers={**JSON, **EN}), 400)
    assert body["title"] == "Malformed request body"


@pytest.mark.parametrize(
    ("payload", "pointer", "code"),
    [
        ({"name": "x", "colour": "red"}, "/colour", "unknown_field"),
        ({"name": "x", "times": "2"}, "/times", "type"),
        ({"name": 5}, "/name", "type"),
        ({}, "/name", "required"),
        ({"name": ""}, "/name", "too_short"),
        ({"name": "x" * 21}, "/name", "too_long"),
        ({"name": "x", "times": 0}, "/times", "too_small"),
        ({"name": "x", "times": 9}, "/times", "too_large"),
        ([1, 2], "/", "type"),
    ],
)
async def test_invalid_fields_are_rejected_with_a_pointer(
    demo: ApiClient, payload: object, pointer: str, code: str
) -> None:
    body = problem(await demo.post(URL, json=payload), 422)
    assert body["type"] == "/api/v1/problems/validation-failed"
    assert body["errors"] == [{"pointer": pointer, "code": code, "message": body["errors"][0]["message"]}]
    assert body["errors"][0]["message"]


async def test_validation_messages_in_three_languages(demo: ApiClient) -> None:
    payload = {"name": "x", "colour": "red"}
    zh = problem(await demo.post(URL, json=payload), 422)
    hant = problem(await demo.post(URL, json=payload, headers={"Accept-Language": "zh-TW"}), 422)
    en = problem(await demo.post(URL, json=payload, headers=EN), 422)
    assert (zh["title"], zh["errors"][0]["message"]) == ("输入未通过校验", "不接受此字段")
    assert (hant["title"], hant["errors"][0]["message"]) == ("輸入未通過校驗", "不接受此欄位")
    assert (en["title"], en["errors"][0]["message"]) == ("Validation failed", "This field is not accepted")
    assert zh["detail"] == "请求中有 1 处错误，详见 errors。"


async def test_wrongly_typed_query_parameter(client: ApiClient) -> None:
    # Any list endpoint takes limit; the plugins list is fixed so use the problem catalogue routing.
    body = problem(await client.get("/api/v1/problems/not-found/extra"), 404)
    assert body["type"] == "/api/v1/problems/not-found"


async def test_missing_resource_and_wrong_method(demo: ApiClient) -> None:
    body = problem(await demo.get("/api/v1/no/such/thing", headers=EN), 404)
    assert body["title"] == "Not found"
    body = problem(await demo.delete(URL), 405)
    assert body["type"] == "/api/v1/problems/method-not-allowed"
    assert "DELETE" in body["detail"]


async def test_oversized_body(
    make_app: Callable[..., Litestar], make_settings: Callable[..., object]
) -> None:
    app = with_principal(
        make_app(plugins={"demo": demo_plugin}, settings_=make_settings(max_body_size=64)), AllowAll()
    )
    async for client in open_client(app):
        body = problem(await client.post(URL, json={"name": "x" * 200}), 413)
        assert body["type"] == "/api/v1/problems/payload-too-large"


async def test_unauthenticated_and_forbidden(make_app: Callable[..., Litestar]) -> None:
    async for client in open_client(make_app(plugins={"demo": demo_plugin})):
        response = await client.get(URL)
        body = problem(response, 401)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert body["type"] == "/api/v1/problems/unauthenticated"
    async for client in open_client(with_principal(make_app(plugins={"demo": demo_plugin}), AllowNone())):
        problem(await client.get(URL), 403)


async def test_unexpected_errors_reveal_nothing_but_a_request_id(
    make_app: Callable[..., Litestar], caplog: pytest.LogCaptureFixture
) -> None:
    secret = "110101199003077777"

    @get("/api/v1/explode")
    async def explode() -> None:
        raise RuntimeError(f"SELECT * FROM person WHERE id_number = '{secret}'")

    app = make_app(plugins={})
    app.register(explode)
    caplog.set_level(logging.ERROR)
    async for client in open_client(app):
        response = await client.get("/api/v1/explode", headers={"X-Request-ID": "req-0123456789"})
        body = problem(response, 500)
    assert body["request_id"] == "req-0123456789"
    assert "req-0123456789" in body["detail"]
    assert secret not in response.text and "SELECT" not in response.text and "Traceback" not in response.text
    assert "req-0123456789" in caplog.text
    assert secret not in caplog.text


async def test_request_id_is_generated_when_absent_or_malformed(client: ApiClient) -> None:
    generated = (await client.get("/api/v1/health")).headers["x-request-id"]
    assert len(generated) == 32
    bad = (await client.get("/api/v1/health", headers={"X-Request-ID": "<script>"})).headers["x-request-id"]
    assert bad != "<script>"


async def test_list_parameters_are_validated(demo: ApiClient) -> None:
    first = (await demo.get(URL)).json()
    assert len(first["items"]) == 20 and first["next_cursor"]
    second = (await demo.get(URL, params={"cursor": first["next_cursor"], "limit": 100})).json()
    assert len(second["items"]) == 25 and second["next_cursor"] is None
    for bad, code in (("0", "too_small"), ("101", "too_large"), ("ten", "type")):
        body = problem(await demo.get(URL, params={"limit": bad}), 422)
        assert body["errors"][0]["pointer"] == "query:/limit"
        assert body["errors"][0]["code"] == code
    body = problem(await demo.get(URL, params={"cursor": "not-a-cursor"}), 400)
    assert body["type"] == "/api/v1/problems/invalid-cursor"


async def test_nul_characters_are_refused_before_they_reach_the_database(demo: ApiClient) -> None:
    """PostgreSQL cannot store U+0000 in text: every route refuses it in query parameters and bodies."""
    body = problem(await demo.get(URL, params={"cursor": "a\x00b"}), 422)
    assert body["errors"][0] == {
        "pointer": "query:/cursor",
        "code": "invalid_character",
        "message": "不能包含空字符（U+0000）",
    }
    body = problem(await demo.post(URL, content=b'{"name": "a\\u0000b"}', headers=JSON), 422)
    assert body["errors"][0]["pointer"] == "/name"
    assert body["errors"][0]["code"] == "invalid_character"
    for path in ("/api/v1/orgs", "/api/v1/events", "/api/v1/units", "/api/v1/persons"):
        problem(await demo.get(path, params={"q": "工\x00会"}), 422)


async def test_json_only_as_json(demo: ApiClient) -> None:
    """A JSON-body route refuses any other content type (415) instead of parsing it as JSON anyway."""
    payload = b'{"name": "x"}'
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        body = problem(await demo.post(URL, content=payload, headers={"Content-Type": content_type}), 415)
        assert body["type"] == "/api/v1/problems/unsupported-media-type"
    assert (await demo.post(URL, content=payload)).status_code == 415  # no Content-Type at all
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        assert (
            await demo.post(URL, content=payload, headers={"Content-Type": content_type})
        ).status_code == 201


async def test_nesting_is_bounded_before_any_parser_recurses(demo: ApiClient) -> None:
    body = problem(await demo.post(URL, content=b"[" * 5000 + b"]" * 5000, headers={**JSON, **EN}), 400)
    assert body["type"] == "/api/v1/problems/body-too-deep"
    assert "32" in body["detail"]
    tw = problem(await demo.post(URL, content=b'{"a":' * 33 + b"1" + b"}" * 33, headers=JSON | TW), 400)
    assert tw["title"] == "請求體巢狀過深"
    # Brackets inside strings are text, not nesting: this one is merely a long name.
    body = problem(await demo.post(URL, json={"name": "[" * 100 + '"{' * 50}), 422)
    assert body["errors"][0] == {
        "pointer": "/name",
        "code": "too_long",
        "message": body["errors"][0]["message"],
    }


def test_depth_scan() -> None:
    assert not too_deep(b'{"a": [[1]]}', limit=3)
    assert too_deep(b'{"a": [[[1]]]}', limit=3)
    assert not too_deep(b'["[[[[", "\\"[[[["]', limit=1)
    assert not too_deep(b"[]" * 1000, limit=1)


async def test_a_key_named_twice_is_refused_with_its_pointer(demo: ApiClient) -> None:
    content = b'{"name": "x", "times": 1, "name": "y"}'
    body = problem(await demo.post(URL, content=content, headers={**JSON, **EN}), 422)
    assert body["errors"] == [
        {
            "pointer": "/name",
            "code": "duplicate_key",
            "message": "This key appears more than once in its object",
        }
    ]
    body = problem(await demo.post(URL, content=content, headers=JSON | TW), 422)
    assert body["errors"][0]["message"] == "同一物件中重複出現的欄位"
