"""Every route declares who may call it; one that does not stops the app at start-up."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from litestar import Litestar, get

from core.kernel.declarations import PluginInfo
from core.kernel.guards import RoutePolicyError, declared_policy, undeclared_routes
from core.kernel.hookspecs import hookimpl
from core.kernel.i18n import Text
from tests.conftest import all_test_plugins


def test_every_route_of_the_app_with_every_bundled_plugin_declares_a_policy(
    make_app: Callable[..., Litestar],
) -> None:
    app = make_app(all_test_plugins())
    assert undeclared_routes(app) == []
    handlers = [h for r in app.routes for h in getattr(r, "route_handlers", ())]
    policies = {declared_policy(h) for h in handlers if not h.fn.__module__.startswith("litestar.")}
    assert {"public", "self", "visible"} <= policies
    # The routes persons reach through sign-up are declared, not open by omission.
    by_path = {
        (r.path, m): h
        for r in app.routes
        for h in getattr(r, "route_handlers", ())
        for m in getattr(h, "http_methods", ())
    }
    assert declared_policy(by_path[("/api/v1/auth/codes", "POST")]) == "public"
    assert declared_policy(by_path[("/api/v1/auth/token", "POST")]) == "public"
    assert declared_policy(by_path[("/api/v1/me", "GET")]) == "self"
    assert declared_policy(by_path[("/api/v1/auth/logout", "POST")]) == "self"


class _Forgetful:
    """A plugin whose route names neither a permission nor a policy."""

    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            slug="forgetful", name=Text(zh_hans="健忘", en="Forgetful"), version="1", core_api=">=0"
        )

    @hookimpl
    def quntuan_routes(self) -> Sequence[Any]:
        @get("/open")
        async def wide_open() -> dict[str, str]:
            return {"secret": "anyone signed in would read this"}

        return [wide_open]


def test_a_route_without_a_declaration_stops_start_up(make_app: Callable[..., Litestar]) -> None:
    with pytest.raises(
        RoutePolicyError, match=r"GET /api/v1/forgetful/open: declares no permission or policy"
    ):
        make_app({"forgetful": _Forgetful()})


def test_a_declared_permission_needs_its_guard() -> None:
    from litestar import Router

    from core.kernel.guards import check_route_policies

    @get("/x", opt={"permission": "core.org.read"})
    async def handler() -> None:
        return None

    app = Litestar(route_handlers=[Router(path="/api", route_handlers=[handler])])
    with pytest.raises(RoutePolicyError, match="no guard checks it"):
        check_route_policies(app)


async def test_the_guard_refuses_an_undeclared_route_that_slipped_through(
    make_app: Callable[..., Litestar],
) -> None:
    """Defence in depth: even if the start-up check were bypassed, the guard answers 403, not the handler."""
    import httpx
    from asgi_lifespan import LifespanManager

    from core.kernel import app as app_module
    from tests.identity_helpers import bearer, make_account

    original = app_module.check_route_policies
    app_module.check_route_policies = lambda app: None  # type: ignore[assignment]
    try:
        app = make_app({"forgetful": _Forgetful()})
    finally:
        app_module.check_route_policies = original
    transport = httpx.ASGITransport(app=app)
    async with LifespanManager(app), httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        username, password = await make_account(app.state.db)
        headers = await bearer(client, username, password)
        response = await client.get("/api/v1/forgetful/open", headers=headers)
        assert response.status_code == 403
        assert "secret" not in response.text
