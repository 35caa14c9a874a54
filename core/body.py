"""Strict request bodies: a JSON body must match its Struct exactly — no coercion, no unknown fields.

Litestar converts bodies in msgspec's lax mode (``"1"`` becomes ``1``). This ``before_request`` hook
decodes the body strictly against the handler's ``data`` annotation first, so a wrongly typed field is
a 422 with a JSON pointer to it. msgspec's decoder is fast enough that the second decode is noise.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, ValidationException

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def strict_body(request: Request[Any, Any, Any]) -> None:
    if request.method not in _BODY_METHODS:
        return
    field = request.route_handler.parsed_data_field
    if field is None or not request.content_type[0].endswith("json"):
        return
    body = await request.body()
    if not body:
        return
    try:
        msgspec.json.decode(body, type=field.annotation, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(extra=[{"message": str(exc), "source": "body"}]) from None
    except msgspec.DecodeError:
        raise ClientException("Malformed JSON body") from None
