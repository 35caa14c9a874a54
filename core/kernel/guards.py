"""Guards the core attaches to routes — to every plugin router, so a plugin cannot forget them.

Every route declares who may call it, in its ``opt``:

- ``{"permission": "<code>"}`` — the principal must hold that permission somewhere; which
  organizations it may touch is decided again, per resource, by the services;
- ``{"policy": "self"}`` — any signed-in principal, acting on its own records only (``/me``, logout);
- ``{"policy": "public"}`` — anyone, without a token (health, the token endpoint, sign-up);
- ``{"policy": "<name>"}`` — another policy the handler enforces itself and names: ``visible`` (signed
  in; the handler shows only what the caller may see: public items, its own, its reach), ``process-roles``
  (the process type's transitions name who may take each step), ``file-owner`` (the owner kind's
  callback decides), ``signed-in`` (any signed-in principal: aggregate figures), ``directory`` (any
  signed-in principal: what names active orgs, to choose one to apply or transfer to), ``signed-link`` and
  ``metrics-token`` (no bearer token: a signed link or the metrics token is checked instead).

A route that declares none of these is refused at start-up (:func:`check_route_policies`), and the
permission guard answers 403 for one that slipped through anyway: nothing is open to "any
authenticated account" by omission. A self-signed-up account holds no grant, so it reaches only the
``self``, ``public`` and owner-checked routes.

The guards are ``async def`` although they never wait: Litestar runs a synchronous guard in its thread
pool, a thread hop per guard on every request.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from core.kernel.access import Principal
from core.kernel.errors import Problem

#: The policies routes name most; any other non-empty name is a policy its handler enforces itself.
SELF = "self"
PUBLIC = "public"
#: Policies of routes reached without a bearer token, whose handler checks something else: a signed link
#: (calendar feeds), the metrics token. Every other declaration needs the permission guard on its route.
TOKENLESS = frozenset({PUBLIC, "signed-link", "metrics-token"})


class RoutePolicyError(TypeError):
    """A route declares no permission and no policy (or a public one behind no guard): start-up stops."""


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    user = connection.scope.get("user")
    return user if user is not None else None


def is_public(handler: BaseRouteHandler) -> bool:
    """``policy: public`` (or the older ``public: True``)."""
    return handler.opt.get("policy") == PUBLIC or bool(handler.opt.get("public"))


def declared_policy(handler: BaseRouteHandler) -> str | None:
    """What the route declares: ``permission:<code>``, its policy name, or None when it declares nothing."""
    permission = handler.opt.get("permission")
    if permission:
        return f"permission:{permission}"
    if is_public(handler):
        return PUBLIC
    policy = handler.opt.get("policy")
    return policy if isinstance(policy, str) and policy else None


async def require_authenticated(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """401 (with ``WWW-Authenticate``) unless a valid token or client credential came with the request.

    Public routes (``policy: public``) pass without one.
    """
    if is_public(handler):
        return
    if current_principal(connection) is None:
        raise Problem("unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="quntuan"'})


async def require_permission(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    """403 unless the principal holds the permission the route declares in ``opt["permission"]``; a route
    with a policy instead passes to its handler, one that declares nothing is refused."""
    if is_public(handler):
        return
    principal = current_principal(connection)
    if principal is None:
        raise Problem("unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="quntuan"'})
    needed = handler.opt.get("permission")
    if needed:
        if not principal.has_permission(needed):
            raise Problem("forbidden")
        return
    if declared_policy(handler) is None:
        raise Problem("forbidden")


def undeclared_routes(app: Litestar) -> list[str]:
    """Routes of ``app`` that declare no permission or policy, or whose declaration no guard enforces.

    Litestar's own handlers (the OpenAPI schema routes it adds) are left out: they serve documentation.
    """
    found: list[str] = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            fn = getattr(handler, "fn", None)
            if (getattr(fn, "__module__", "") or "").startswith("litestar."):
                continue
            methods = ",".join(sorted(getattr(handler, "http_methods", ()) or ("WS",)))
            where = f"{methods} {route.path}"
            policy = declared_policy(handler)
            if policy is None:
                found.append(f"{where}: declares no permission or policy")
            elif policy not in TOKENLESS and require_permission not in handler.resolve_guards():
                found.append(f"{where}: declares {policy} but no guard checks it")
    return sorted(set(found))


def check_route_policies(app: Litestar) -> None:
    """Refuse to start an app with a route that does not say who may call it."""
    problems = undeclared_routes(app)
    if problems:
        raise RoutePolicyError("every route must declare a permission or a policy: " + "; ".join(problems))


#: What every plugin router gets.
PLUGIN_GUARDS = [require_authenticated, require_permission]
#: What every core router gets (public routes declare ``opt={"policy": "public"}``).
CORE_GUARDS = PLUGIN_GUARDS
