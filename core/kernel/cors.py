"""CORS for browser front ends on other origins (an H5 admin page, a portal on its own domain).

Off unless ``QUNTUAN_CORS_ALLOWED_ORIGINS`` names origins. Litestar's :class:`CORSConfig` holds the rules
(origin patterns, the preflight headers), but not its middleware: that one sits inside the app, so the
fast routes (:mod:`core.kernel.fastpath`) would answer without CORS headers, and it answers a refused preflight
with a plain-text 400. This ASGI wrapper sits outside both, so that

* a preflight (``OPTIONS`` with ``Origin`` and ``Access-Control-Request-Method``) from an allowed origin,
  for an allowed method and allowed headers, is answered 204 at once — before authentication, routing or
  any guard (a browser never sends a token with a preflight);
* a preflight that is not allowed goes on to the app like any ``OPTIONS`` (its 204 with ``Allow``), with
  no CORS headers, which is how a browser learns the answer is no;
* every answer to an allowed origin — fast route, handler, problem details, 404 — carries
  ``Access-Control-Allow-Origin`` and exposes the headers front ends read (:data:`EXPOSED_HEADERS`);
  every answer says ``Vary: Origin`` so caches keep origins apart.
"""

from __future__ import annotations

from typing import Final

from litestar.config.cors import CORSConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.kernel.settings import Settings

#: Response headers a cross-origin script may read: versions for If-Match, when to retry, where a
#: created resource is, the request id to quote, the name of a downloaded file.
EXPOSED_HEADERS: Final = (
    "ETag",
    "Retry-After",
    "Location",
    "X-Request-ID",
    "Content-Disposition",
    "Content-Language",
)


def cors_config(settings: Settings) -> CORSConfig | None:
    """The CORS rules of ``settings``; None when no origin is allowed."""
    if not settings.cors_allowed_origins:
        return None
    return CORSConfig(
        allow_origins=list(settings.cors_allowed_origins),
        allow_methods=list(settings.cors_allowed_methods),  # type: ignore[arg-type]
        allow_headers=list(settings.cors_allowed_headers),
        allow_credentials=settings.cors_allow_credentials,
        expose_headers=list(EXPOSED_HEADERS),
        max_age=settings.cors_max_age,
    )


def _allowed_preflight(config: CORSConfig, headers: Headers) -> bool:
    method = headers.get("access-control-request-method", "").strip().upper()
    if not config.is_allow_all_methods and method not in config.allow_methods and method != "OPTIONS":
        return False
    requested = [
        h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",") if h.strip()
    ]
    return config.is_allow_all_headers or all(h in config.allow_headers for h in requested)


def cross_origin(app: ASGIApp, settings: Settings) -> ASGIApp:
    """Wrap ``app`` in the CORS rules of ``settings`` (``app`` itself when CORS is off)."""
    config = cors_config(settings)
    if config is None:
        return app
    wildcard = config.is_allow_all_origins
    exposed = ", ".join(EXPOSED_HEADERS)

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        headers = Headers.from_scope(scope)
        origin = headers.get("origin")
        allowed = origin is not None and config.is_origin_allowed(origin)
        preflight = allowed and scope["method"] == "OPTIONS" and "access-control-request-method" in headers
        if preflight and _allowed_preflight(config, headers):
            answer = dict(config.preflight_headers)
            answer["Access-Control-Allow-Origin"] = "*" if wildcard else str(origin)
            answer["Vary"] = "Origin"
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [(k.lower().encode(), v.encode()) for k, v in answer.items()],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if preflight:  # refused: the app answers it as any OPTIONS, unmarked
            allowed = False

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableScopeHeaders.from_message(message)
                vary = out.get("vary")
                if vary is None:
                    out["Vary"] = "Origin"
                elif "origin" not in vary.lower():
                    out["Vary"] = vary + ", Origin"
                if allowed:
                    out["Access-Control-Allow-Origin"] = "*" if wildcard else str(origin)
                    out["Access-Control-Expose-Headers"] = exposed
                    if config.allow_credentials:
                        out["Access-Control-Allow-Credentials"] = "true"
            await send(message)

        await app(scope, receive, send_with_cors)

    return middleware
