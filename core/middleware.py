"""ASGI middleware of the core: a request id on every request and response."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-request-id"
_ACCEPTABLE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Give each request an id (a well-formed incoming ``X-Request-ID`` from a proxy is kept).

    The id is in ``scope["state"]["request_id"]``, in the response header and in problem details, so a
    user's report can be matched with the server's log line.
    """

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = incoming if incoming and _ACCEPTABLE.match(incoming) else uuid.uuid4().hex
        state: dict[str, Any] = scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableScopeHeaders.from_message(message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware
