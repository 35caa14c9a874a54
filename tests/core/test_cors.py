"""CORS: off by default; with allowed origins, preflights answered before authentication and every answer
to an allowed origin (fast routes, handlers, problems) marked, the headers front ends read exposed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import msgspec
import pytest
from litestar import Litestar

from core.kernel.settings import Settings, SettingsError, load_settings
from tests.conftest import ApiClient, open_client
from tests.identity_helpers import bearer, make_account, make_org

H5 = "https://h5.tuanwei.example.cn"


@pytest.fixture
async def cors_client(make_app: Callable[..., Litestar], settings: Settings) -> AsyncIterator[ApiClient]:
    configured = msgspec.structs.replace(
        settings, cors_allowed_origins=(H5, "https://*.portal.example.cn"), cors_max_age=1200
    )
    async for c in open_client(make_app(plugins={}, settings_=configured)):
        yield c


@pytest.fixture
async def plain_client(make_app: Callable[..., Litestar]) -> AsyncIterator[ApiClient]:
    async for c in open_client(make_app(plugins={})):
        yield c


def _preflight(
    origin: str, method: str = "PATCH", headers: str = "authorization, content-type, if-match"
) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


async def test_preflight_answered_before_authentication(cors_client: ApiClient) -> None:
    org = await make_org()
    answer = await cors_client.options(f"/api/v1/orgs/{org['id']}", headers=_preflight(H5))
    assert answer.status_code == 204, answer.text
    assert answer.headers["access-control-allow-origin"] == H5
    assert "PATCH" in answer.headers["access-control-allow-methods"]
    assert {"authorization", "content-type", "if-match"} <= {
        h.strip() for h in answer.headers["access-control-allow-headers"].lower().split(",")
    }
    assert answer.headers["access-control-max-age"] == "1200"
    assert "origin" in answer.headers["vary"].lower()
    patterned = await cors_client.options(
        "/api/v1/me", headers=_preflight("https://a.portal.example.cn", "GET", "")
    )
    assert patterned.status_code == 204
    assert patterned.headers["access-control-allow-origin"] == "https://a.portal.example.cn"


@pytest.mark.parametrize(
    "request_headers",
    [
        _preflight("https://evil.example.com"),
        _preflight(H5, method="TRACE"),
        _preflight(H5, headers="authorization, x-secret-thing"),
    ],
)
async def test_refused_preflight_has_no_cors_headers(
    cors_client: ApiClient, request_headers: dict[str, str]
) -> None:
    answer = await cors_client.options("/api/v1/me", headers=request_headers)
    assert answer.status_code < 500
    assert "access-control-allow-origin" not in answer.headers


async def test_answers_to_allowed_origins_are_marked(cors_client: ApiClient) -> None:
    org = await make_org()
    headers = await bearer(
        cors_client,
        *await make_account(cors_client.app.state.db, grants=[(org["path"], ["core.org.read"], True)]),
    )
    # A fast route (GET one org), a handler, a problem: all marked, the same exposed headers.
    for path, expected in ((f"/api/v1/orgs/{org['id']}", 200), ("/api/v1/me", 200)):
        answer = await cors_client.get(path, headers={**headers, "Origin": H5})
        assert answer.status_code == expected, answer.text
        assert answer.headers["access-control-allow-origin"] == H5
        exposed = {h.strip() for h in answer.headers["access-control-expose-headers"].split(",")}
        assert {"ETag", "Retry-After", "Location"} <= exposed
        assert "origin" in answer.headers["vary"].lower()
    unauthenticated = await cors_client.get("/api/v1/me", headers={"Origin": H5})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["access-control-allow-origin"] == H5
    assert "access-control-allow-credentials" not in unauthenticated.headers
    other = await cors_client.get("/api/v1/me", headers={**headers, "Origin": "https://evil.example.com"})
    assert other.status_code == 200 and "access-control-allow-origin" not in other.headers


async def test_off_by_default(plain_client: ApiClient) -> None:
    answer = await plain_client.options("/api/v1/me", headers=_preflight(H5))
    assert "access-control-allow-origin" not in answer.headers
    got = await plain_client.get("/api/v1/health", headers={"Origin": H5})
    assert "access-control-allow-origin" not in got.headers


def test_settings_refuse_what_cannot_work() -> None:
    for environ in (
        {"QUNTUAN_CORS_ALLOWED_ORIGINS": "*", "QUNTUAN_CORS_ALLOW_CREDENTIALS": "true"},
        {"QUNTUAN_CORS_ALLOWED_ORIGINS": "h5.example.cn"},
        {"QUNTUAN_CORS_ALLOWED_METHODS": "GET,FETCH"},
        {"QUNTUAN_CORS_MAX_AGE": "-1"},
    ):
        with pytest.raises(SettingsError) as refused:
            load_settings(environ, env_file=None)
        assert all("QUNTUAN_CORS_" in p for p in refused.value.problems)
    loaded = load_settings({"QUNTUAN_CORS_ALLOWED_ORIGINS": f"{H5},https://b.example.cn"}, env_file=None)
    assert loaded.cors_allowed_origins == (H5, "https://b.example.cn")
