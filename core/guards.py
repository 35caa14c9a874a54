"""Guards the core attaches to routes — to every plugin router, so a plugin cannot forget them.

A route names the permission it needs in ``opt={"permission": "<code>"}``. The authenticated
principal (set on ``scope["user"]`` by the authentication middleware) decides whether it holds that
permission anywhere; which organizations it may touch is decided again, per resource, by the services.

The guards are ``async def`` although they never wait: Litestar runs a synchronous guard in its thread
pool, a thread hop per guard on every request.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.access import Principal
from core.errors import Problem


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    user = connection.scope.get("user")
    return user if user is not None else None


async def require_authenticated(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """401 (with ``WWW-Authenticate``) unless a valid token or client credential came with the request.

    Routes marked ``opt={"public": True}`` (health, token endpoint) pass without one.
    """
    if handler.opt.get("public"):
        return
    if current_principal(connection) is None:
        raise Problem("unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="quntuan"'})


async def require_permission(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """403 unless the principal holds the permission the route declares in ``opt["permission"]``."""
    if handler.opt.get("public"):
        return
    principal = current_principal(connection)
    if principal is None:
        raise Problem("unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="quntuan"'})
    needed = handler.opt.get("permission")
    if needed and not principal.has_permission(needed):
        raise Problem("forbidden")


#: What every plugin router gets.
PLUGIN_GUARDS = [require_authenticated, require_permission]
#: What every core router gets (public routes opt out with ``opt={"public": True}``).
CORE_GUARDS = PLUGIN_GUARDS
