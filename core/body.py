"""Request input hygiene, before any handler runs.

* Strict bodies: a JSON body must match its Struct exactly — no coercion, no unknown fields. Litestar
  converts bodies in msgspec's lax mode (``"1"`` becomes ``1``); this hook decodes the body strictly
  against the handler's ``data`` annotation first, so a wrongly typed field is a 422 with a JSON
  pointer to it. msgspec's decoder is fast enough that the second decode is noise.
* No NUL characters: U+0000 has no place in any field and PostgreSQL cannot store it in text, so a query
  parameter or body string containing one is a 422 here instead of a database error later.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.exceptions import ClientException, ValidationException

from core.errors import Problem

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NUL = "\x00"


def _nul_pointer(value: Any, pointer: str = "") -> str | None:
    """JSON pointer of the first string (or key) holding U+0000 in a decoded JSON value."""
    if isinstance(value, str):
        return (pointer or "/") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            escaped = str(key).replace("~", "~0").replace("/", "~1")
            if NUL in str(key):
                return f"{pointer}/{escaped}"
            found = _nul_pointer(item, f"{pointer}/{escaped}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_pointer(item, f"{pointer}/{index}")
            if found:
                return found
    return None


async def strict_body(request: Request[Any, Any, Any]) -> None:
    for key, values in request.query_params.dict().items():
        if NUL in key or any(NUL in value for value in values):
            raise Problem.invalid((f"query:/{key.replace(NUL, '')}", "invalid_character"))
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
    if b"\\u0000" in body:
        pointer = _nul_pointer(msgspec.json.decode(body))
        if pointer is not None:
            raise Problem.invalid((pointer, "invalid_character"))
