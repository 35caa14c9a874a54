"""Around every response: the ``Host`` check and the usual security headers, fast routes included.

Absolute URLs are built from ``QUNTUAN_PUBLIC_BASE_URL`` (:attr:`Settings.base_url`), never from the
request's ``Host``; on top of that, a request for a host not in :attr:`Settings.hosts_allowed` is
answered 400 before any route sees it. The headers go on every answer — Litestar's and the fast
routes' (:mod:`core.kernel.fastpath`) alike, since this wraps both — unless the answer set its own:

* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY``;
* a ``Content-Security-Policy`` that allows nothing (``default-src 'none'; frame-ancestors 'none'``)
  for the API, and one for the docs UI at ``/schema`` that allows its own, locally served assets, the
  inline script of its page by hash (:func:`docs_policy`) and inline styles;
* ``Strict-Transport-Security`` when ``QUNTUAN_HSTS_SECONDS`` is set and the request came over TLS
  (directly, or as a trusted proxy's ``X-Forwarded-Proto`` says).
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import msgspec
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.kernel.errors import BAD_REQUEST, PROBLEM_MEDIA_TYPE, ProblemDetails
from core.kernel.i18n import negotiate
from core.kernel.settings import Settings

API_CSP = b"default-src 'none'; frame-ancestors 'none'"
DOCS_CSP = (
    b"default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    b"base-uri 'none'; form-action 'none'"
)
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
#: Paths of the docs UI and its assets (``core.kernel.docs``).
DOCS_PREFIXES = ("/schema", "/static/docs")
_COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


def docs_policy(html: bytes) -> bytes:
    """The docs CSP for one page: its inline scripts (Swagger UI's start-up, with the spec) by hash."""
    hashes = b" ".join(
        b"'sha256-" + base64.b64encode(hashlib.sha256(body).digest()) + b"'"
        for body in _INLINE_SCRIPT.findall(html)
    )
    return DOCS_CSP.replace(b"script-src 'self'", b"script-src 'self' " + hashes) if hashes else DOCS_CSP


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Whether ``host`` (the ``Host`` header, port stripped) matches an entry: exact, or ``*.domain``."""
    if not allowed or "*" in allowed:
        return True
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.lower().rstrip(".")
    for entry in allowed:
        if entry.startswith("*.") and name.endswith(entry[1:]):
            return True
        if name == entry:
            return True
    return False


def secure_responses(app: ASGIApp, settings: Settings) -> ASGIApp:
    """Wrap ``app``: refuse unknown hosts, add the security headers to every HTTP answer."""
    allowed = settings.hosts_allowed
    hsts = f"max-age={settings.hsts_seconds}".encode() if settings.hsts_seconds else None
    encoder = msgspec.json.Encoder()

    async def refuse(scope: Scope, send: Send) -> None:
        headers = dict(scope.get("headers", ()))
        locale = negotiate(headers.get(b"accept-language", b"").decode("latin-1"), settings.default_locale)
        body = encoder.encode(
            ProblemDetails(
                type=f"/api/v1/problems/{BAD_REQUEST.code}",
                title=BAD_REQUEST.title.get(locale),
                status=400,
                detail=BAD_REQUEST.detail.get(locale),
                request_id=scope.get("state", {}).get("request_id"),
            )
        )
        start = {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"content-language", locale.encode()),
                *_COMMON,
                (b"content-security-policy", API_CSP),
            ],
        }
        await send(start)  # type: ignore[arg-type]
        await send({"type": "http.response.body", "body": body})

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        host = next((value for name, value in scope["headers"] if name == b"host"), b"")
        if not host_allowed(host.decode("latin-1"), allowed):
            await refuse(scope, send)
            return
        docs = scope["path"].startswith(DOCS_PREFIXES)
        tls = scope.get("scheme") == "https"
        #: A docs HTML page: its start is held until its body is known (the CSP names its scripts' hashes).
        held: dict[str, Any] = {}

        def secured(message: Message, csp: bytes) -> Message:
            headers = list(message.get("headers", ()))
            present = {name.lower() for name, _ in headers}
            extra = [*_COMMON, (b"content-security-policy", csp)]
            if hsts is not None and tls:
                extra.append((b"strict-transport-security", hsts))
            headers.extend(item for item in extra if item[0] not in present)
            return {**message, "headers": headers}  # type: ignore[return-value]

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", ())).get(b"content-type", b"")
                if docs and content_type.startswith(b"text/html"):
                    held["start"], held["body"] = message, b""
                    return
                message = secured(message, DOCS_CSP if docs else API_CSP)
            elif message["type"] == "http.response.body" and "start" in held:
                held["body"] += message.get("body", b"")
                if message.get("more_body"):
                    return
                await send(secured(held.pop("start"), docs_policy(held["body"])))
                message = {"type": "http.response.body", "body": held.pop("body")}
            await send(message)

        await app(scope, receive, send_secured)

    return middleware
