"""Security headers on every answer, the ``Host`` check, and absolute URLs from the public base URL."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from litestar import Litestar

from core.kernel.security import API_CSP, DOCS_CSP, docs_policy
from tests.helpers import problem
from tests.identity_helpers import make_org

BASE = "https://qt.example.org"


@asynccontextmanager
async def client_for(app: Litestar, base_url: str = "http://testserver") -> AsyncIterator[httpx.AsyncClient]:
    async with (
        LifespanManager(app, startup_timeout=60),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as client,
    ):
        yield client


def assert_secured(response: httpx.Response, csp: bytes = API_CSP) -> None:
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["content-security-policy"] == csp.decode()


async def test_every_answer_carries_the_security_headers(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Any]
) -> None:
    async with client_for(make_app(plugins={})) as client:
        for path in ("/api/v1/health/live", "/api/v1/no-such-thing", "/api/v1/me", "/metrics"):
            response = await client.get(path)
            assert_secured(response)
            assert "strict-transport-security" not in response.headers
        docs = await client.get("/schema")
        assert docs.status_code == 200
        # Swagger UI's inline start-up script is allowed by its hash, no other inline script is.
        assert_secured(docs, docs_policy(docs.content))
        script_src = docs.headers["content-security-policy"].split("; ")[1]
        inline = docs.text.split("<script type='text/javascript'>", 1)[1].split("</script>", 1)[0]
        digest = base64.b64encode(hashlib.sha256(inline.encode()).digest()).decode()
        assert script_src == f"script-src 'self' 'sha256-{digest}'"
        asset = await client.get("/static/docs/swagger-ui-bundle.js")
        assert asset.status_code == 200
        assert_secured(asset, DOCS_CSP)


async def test_hsts_only_when_configured_and_over_tls(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Any]
) -> None:
    app = make_app(plugins={}, settings_=make_settings(hsts_seconds=31536000))
    async with client_for(app, "https://testserver") as tls, client_for(app) as plain:
        assert (await tls.get("/api/v1/health/live")).headers[
            "strict-transport-security"
        ] == "max-age=31536000"
        assert "strict-transport-security" not in (await plain.get("/api/v1/health/live")).headers


async def test_feeds_and_calendar_links_use_the_public_base_url_not_the_host(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Any]
) -> None:
    """A forged ``Host`` never reaches a (publicly cacheable) feed, which varies by language only."""
    app = make_app(plugins={}, settings_=make_settings(public_base_url=BASE + "/", allowed_hosts=("*",)))
    async with client_for(app) as client:
        org = await make_org(name="市总工会")
        forged = {"Host": "evil.example"}
        for suffix in ("feed.json", "feed.atom"):
            response = await client.get(f"/api/v1/feeds/orgs/{org['id']}/{suffix}", headers=forged)
            assert response.status_code == 200
            assert "evil.example" not in response.text
            assert f"{BASE}/api/v1/feeds/orgs/{org['id']}/{suffix}" in response.text
            assert response.headers["cache-control"].startswith("public")
            assert response.headers["vary"] == "Accept-Language"
        assert app.state.settings.base_url == BASE


async def test_unknown_hosts_are_refused_once_a_public_base_url_is_set(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Any]
) -> None:
    app = make_app(plugins={}, settings_=make_settings(public_base_url=BASE))
    async with client_for(app) as client:
        for host in ("qt.example.org", "qt.example.org:443", "localhost:8000", "127.0.0.1"):
            assert (await client.get("/api/v1/health/live", headers={"Host": host})).status_code == 200
        refused = await client.get(
            "/api/v1/health/live", headers={"Host": "evil.example", "Accept-Language": "en"}
        )
        body = problem(refused, 400)
        assert body["title"] == "Bad request"
        assert_secured(refused)
    listed = make_app(plugins={}, settings_=make_settings(allowed_hosts=("*.example.org",)))
    async with client_for(listed) as client:
        assert (await client.get("/api/v1/health/live", headers={"Host": "a.example.org"})).status_code == 200
        assert (
            await client.get("/api/v1/health/live", headers={"Host": "example.org.evil"})
        ).status_code == 400
