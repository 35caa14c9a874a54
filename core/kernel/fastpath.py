"""Fast routes: the hottest reads answered straight from ASGI, by the same services as their handlers.

Some GETs are asked thousands of times a second — by member-facing front ends, big screens during a
campaign, integrators polling: one org, an org's children, one person. Each costs one or two indexed
queries, and what a Litestar handler adds around them — the signature model, dependency injection, the
guards, the response pipeline — costs more than the queries (``python -m bench.profile org``: about a
third of the request's CPU). Such a handler names a *fast twin* in its ``opt``::

    @get("/{org_id:uuid}", opt={"permission": perm.ORG_READ, "fast": fast_get_org})

and :func:`fast_routes` answers a matching request before Litestar's router does, with

* Litestar's own routing (its cached route lookup: the same paths, the same parsed path parameters, the
  same route template as the metrics label), its host check and its query-string parser;
* the same authentication (``app.state.authn``, identity's :class:`~core.kernel.access.Authenticates`) and the same permission the
  handler's guards check (its ``opt["permission"]``);
* a twin that calls the same service functions as the handler; its content is encoded with msgspec, as
  Litestar encodes it, and sent with the handler's status and headers.

A twin only ever answers the plain success case. Whenever anything is unusual — no principal or a
missing permission, a query parameter it does not know, a repeated or empty one, a value not in its
canonical form, U+0000 anywhere in the query, any exception from the service (a :class:`Problem`: not
found, out of reach, a bad cursor) — it **declines**, and the request goes on to Litestar unchanged,
which answers exactly as it always has (problem details in the caller's language, the 500 log line).
So a twin must have no side effects: after it declines, the handler runs. At start-up a twin is refused
unless its handler is a GET whose only guards are the core's two, with no other middleware, hooks,
response headers or cookies, so the handler's answer is always one the twin can give.
``tests/core/test_fastpath.py`` sends the same requests with and without fast routes and compares
status, headers and body.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID

import msgspec
from litestar import Litestar
from litestar.datastructures import State
from litestar.enums import MediaType
from litestar.handlers import HTTPRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send
from litestar.utils import normalize_path

from core.kernel.access import Authenticates, Principal, bearer_token
from core.kernel.guards import is_public, require_authenticated, require_permission
from core.kernel.observability import FAST_ROUTES
from core.kernel.pagination import DEFAULT_LIMIT, MAX_LIMIT, PageRequest, provide_page

log = logging.getLogger("quntuan.fastpath")

#: Content (anything msgspec encodes) and the response headers beyond Content-Type and Content-Length.
FastAnswer = tuple[Any, dict[str, str]]
FastTwin = Callable[["FastRequest"], Awaitable[FastAnswer]]
_GUARDS = {require_authenticated, require_permission}
_NUL = "\x00"
#: The characters of a Host header (RFC 3986 reg-name or IP literal, and a port). Any other is left to
#: Litestar's own handling, which refuses it: the fast path never answers what Litestar would not.
_HOST = re.compile(rb"\A[0-9A-Za-z!$&'()*+,;=\-._~:\[\]@%]*\Z")


class Decline(Exception):
    """Raised by a twin (or its request's readers): leave this request to the handler."""


@dataclass(slots=True)
class FastRequest:
    """What a twin gets: the caller, the parsed path parameters, the query, the app's state."""

    principal: Principal
    path_params: dict[str, Any]
    query: dict[str, str]
    state: State

    def only(self, *names: str) -> None:
        """Decline unless every query parameter is one of ``names``."""
        if not self.query.keys() <= set(names):
            raise Decline

    def uuid(self, name: str) -> UUID | None:
        """A UUID parameter in its canonical form (36 characters), or None when absent."""
        value = self.query.get(name)
        if value is None:
            return None
        if len(value) != 36:
            raise Decline
        return UUID(value)

    def choice(self, name: str, options: Iterable[str], default: str) -> str:
        value = self.query.get(name, default)
        if value not in options:
            raise Decline
        return value

    def page(self) -> PageRequest:
        """``limit`` (plain digits within 1–100) and ``cursor``, as the ``page`` dependency reads them."""
        limit = self.query.get("limit")
        if limit is not None and not (limit.isascii() and limit.isdigit() and limit[0] != "0"):
            raise Decline
        number = int(limit) if limit is not None else DEFAULT_LIMIT
        if not 1 <= number <= MAX_LIMIT:
            raise Decline
        cursor = self.query.get("cursor")
        if cursor is not None and len(cursor) > 512:
            raise Decline
        return provide_page(limit=number, cursor=cursor)


def _query(raw: bytes) -> dict[str, str]:
    """Each parameter once and non-empty, without U+0000; otherwise decline."""
    query: dict[str, str] = {}
    for key, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True, separator="&"):
        if key in query or not value or _NUL in key or _NUL in value:
            raise Decline
        query[key] = value
    return query


def _twins(app: Litestar) -> dict[int, tuple[FastTwin, str]]:
    """Handler id → (its twin, the permission its guard checks); refuses twins that could differ."""
    app_middleware = list(app.middleware)
    found: dict[int, tuple[FastTwin, str]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            twin = handler.opt.get("fast")
            if twin is None:
                continue
            if not isinstance(handler, HTTPRouteHandler):
                raise TypeError(f"{handler}: only an HTTP handler can have a fast twin")
            permission = handler.opt.get("permission")
            layers = handler.ownership_layers
            problems = [
                what
                for what, bad in (
                    ("it is not a GET answering 200 in JSON", set(handler.http_methods) != {"GET"} or handler.status_code != 200 or handler.media_type not in (MediaType.JSON, "")),
                    ("it is public or names no permission", is_public(handler) or not permission),
                    ("it has other guards", set(handler.resolve_guards()) != _GUARDS),
                    ("it has its own middleware", list(handler.resolve_middleware()) != app_middleware),
                    ("it has its own hooks", any(layer.before_request not in (None, app.before_request) or layer.after_request or layer.after_response for layer in layers)),
                    ("it sets headers or cookies", handler.resolve_response_headers() or handler.resolve_response_cookies()),
                    ("it has type encoders", handler.resolve_type_encoders() != (app.type_encoders or {})),
                )
                if bad
            ]  # fmt: skip
            if problems:
                raise TypeError(f"{handler} cannot have a fast twin: {', '.join(problems)}")
            found[id(handler)] = (twin, permission)
    return found


def fast_routes(app: Litestar, inner: ASGIApp) -> ASGIApp:
    """Wrap ``inner`` (the app's ASGI handler) so the fast twins of ``app``'s handlers answer first."""
    twins = _twins(app)
    if not twins:
        return inner
    router = app.asgi_router
    encoder = msgspec.json.Encoder()
    outcomes: dict[tuple[str, bool], Any] = {}

    def count(template: str, answered: bool) -> None:
        counter = outcomes.get((template, answered))
        if counter is None:
            counter = FAST_ROUTES.labels(template, "answered" if answered else "declined")
            outcomes[(template, answered)] = counter
        counter.inc()

    async def answer(scope: Scope, send: Send) -> bool:
        for name, value in scope["headers"]:
            if name == b"host" and _HOST.match(value) is None:
                return False
        try:
            _, handler, _, path_params, template = router.handle_routing(
                path=normalize_path(scope["path"]), method="GET"
            )
        except Exception:  # no such route (or no GET): the router answers 404/405
            return False
        found = twins.get(id(handler))
        if found is None:
            return False
        twin, permission = found
        state: State = scope["app"].state
        try:
            authn: Authenticates = state.authn
            principal = await authn.principal(bearer_token(scope))
            if principal is None or not principal.has_permission(permission):
                raise Decline
            request = FastRequest(principal, path_params, _query(scope["query_string"]), state)
            content, headers = await twin(request)
            body = encoder.encode(content)
        except Exception as exc:  # Decline, a Problem, anything: the handler answers (and logs what it must)
            log.debug("fast route declined: %s %s", template, type(exc).__name__)
            count(template, False)
            return False
        count(template, True)
        scope["path_template"] = template
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *(
                        (key.lower().encode("latin-1"), value.encode("latin-1"))
                        for key, value in headers.items()
                    ),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
        return True

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope.get("root_path")
            and await answer(scope, send)
        ):
            return
        await inner(scope, receive, send)

    return middleware
