"""Request input hygiene, before any handler runs.

* Strict bodies: a JSON body must match its Struct exactly — no coercion, no unknown fields. Litestar
  converts bodies in msgspec's lax mode (``"1"`` becomes ``1``); this hook decodes the body strictly
  against the handler's ``data`` annotation first, so a wrongly typed field is a 422 with a JSON
  pointer to it. msgspec's decoder is fast enough that the second decode is noise.
* JSON only as JSON: a route taking a JSON body refuses any other ``Content-Type`` (``text/plain``, a form,
  none at all) with 415, instead of parsing it as JSON anyway.
* Bounded nesting: a body nesting objects and arrays deeper than :data:`MAX_DEPTH` is a 400 before any
  parser sees it — every JSON parser and serializer on the way to the database recurses.
* Unique keys: an object naming a key twice is ambiguous (parsers keep the first or the last); a 422
  with the pointer of the repeated key.
* Representable values: an integer beyond 64 bits, or a date-time whose UTC instant falls outside what
  Python and the databases can hold (``0001-01-01T00:00:00+10:00``), is a 422 with its pointer — in a
  body at any depth, and in query and header parameters typed as date-times. :func:`representable` is
  the same rule for values that come by other ways (cursors).
* No NUL characters: U+0000 has no place in any field and PostgreSQL cannot store it in text, so a query
  parameter or body string containing one is a 422 here instead of a database error later.
"""

from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Final

import msgspec
from litestar import Request
from litestar.enums import ParamType, RequestEncodingType
from litestar.exceptions import ClientException, ValidationException
from litestar.handlers import BaseRouteHandler
from litestar.params import ParameterKwarg
from litestar.typing import FieldDefinition

from core.kernel.errors import JSON_MEDIA, TOO_DEEP, UNSUPPORTED_MEDIA, Problem

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NUL = "\x00"

#: The deepest nesting of objects and arrays a JSON body may have.
MAX_DEPTH: Final = 32
INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1
#: Every date-time, once in UTC, lies within these: a day inside Python's own range, so that showing it
#: in any time zone (±14 h) still works.
EARLIEST: Final = datetime.min.replace(tzinfo=UTC) + timedelta(days=1)
LATEST: Final = datetime.max.replace(tzinfo=UTC) - timedelta(days=1)


def representable(value: Any) -> bool:
    """Whether a decoded scalar can be stored, compared and shown: integers within 64 bits, finite floats,
    date-times whose UTC instant lies between :data:`EARLIEST` and :data:`LATEST` (a naive one read as
    UTC). Anything else is representable."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return INT64_MIN <= value <= INT64_MAX
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, datetime):
        try:
            instant = value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
        except OverflowError:
            return False
        return EARLIEST <= instant <= LATEST
    return True


def _escape(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _nul_pointer(value: Any, pointer: str = "") -> str | None:
    """JSON pointer of the first string (or key) holding U+0000 in a decoded JSON value."""
    if isinstance(value, str):
        return (pointer or "/") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                return f"{pointer}/{_escape(key)}"
            found = _nul_pointer(item, f"{pointer}/{_escape(key)}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_pointer(item, f"{pointer}/{index}")
            if found:
                return found
    return None


def _unrepresentable(value: Any, pointer: str = "") -> str | None:
    """JSON pointer of the first value :func:`representable` refuses in a decoded body (Structs by their
    encoded field names)."""
    if isinstance(value, msgspec.Struct):
        for name, key in zip(value.__struct_fields__, value.__struct_encode_fields__, strict=True):
            found = _unrepresentable(getattr(value, name), f"{pointer}/{_escape(key)}")
            if found:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{pointer}/{_escape(key)}"
            found = None if representable(key) else here
            found = found or _unrepresentable(item, here)
            if found:
                return found
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            found = _unrepresentable(item, f"{pointer}/{index}")
            if found:
                return found
    elif not representable(value):
        return pointer or "/"
    return None


# --- nesting and repeated keys -----------------------------------------------------------------------

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.S)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")


def too_deep(body: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether the JSON text nests objects and arrays deeper than ``limit`` (brackets in strings aside).

    Scans bytes, never recursing: it must be safe on exactly the bodies a parser is not.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    depth = 0
    for byte in _STRING.sub(b"", body).translate(None, _NOT_BRACKET):
        depth += 1 if byte in _OPENING else -1
        if depth > limit:
            return True
    return False


class _Repeated(dict[str, Any]):
    """A decoded object that named ``key`` more than once."""

    key: str


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    decoded = dict(pairs)
    if len(decoded) == len(pairs):
        return decoded
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            break
        seen.add(key)
    repeated = _Repeated(decoded)
    repeated.key = key
    return repeated


def _repeated_pointer(value: Any, pointer: str = "") -> str | None:
    if isinstance(value, _Repeated):
        return f"{pointer}/{_escape(value.key)}"
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _repeated_pointer(item, f"{pointer}/{_escape(key)}")
        if found:
            return found
    return None


def repeated_key(body: bytes) -> str | None:
    """JSON pointer of the first key an object of ``body`` (valid JSON) names twice, or None."""
    return _repeated_pointer(json.loads(body, object_pairs_hook=_object))


# --- date-time parameters ------------------------------------------------------------------------------

#: Where an app keeps, per handler (by id: the app owns its handlers), its date-time parameters.
_DATETIME_PARAMETERS = "datetime_parameters"


def _mentions_datetime(field: FieldDefinition) -> bool:
    return field.annotation is datetime or any(_mentions_datetime(inner) for inner in field.inner_types)


def datetime_parameters(handler: BaseRouteHandler) -> tuple[tuple[ParamType, str], ...]:
    """(query or header, name) of the handler's parameters typed as date-times, its dependencies' too."""
    fields = dict(handler.parsed_fn_signature.parameters)
    for provider in handler.resolve_dependencies().values():
        signature = getattr(provider, "parsed_fn_signature", None)
        if signature is not None:
            fields.update(signature.parameters)
    params = []
    for name, field in fields.items():
        if name == "data" or not _mentions_datetime(field):
            continue
        if field.is_di_field:  # a dependency's value, not the request's
            continue
        # Where Litestar reads it from: a plain parameter is a query parameter of its own name; one
        # annotated with Parameter/QueryParameter/HeaderParameter names its source (and its alias).
        kwarg = field.kwarg_definition if isinstance(field.kwarg_definition, ParameterKwarg) else None
        source = kwarg.param_type if kwarg is not None else ParamType.QUERY
        if source in (ParamType.QUERY, ParamType.HEADER):
            params.append((source, (kwarg.name if kwarg is not None else None) or name))
    return tuple(params)


def _check_datetime_parameters(request: Request[Any, Any, Any]) -> None:
    known: dict[int, tuple[tuple[ParamType, str], ...]] = request.app.state.setdefault(
        _DATETIME_PARAMETERS, {}
    )
    handler = request.route_handler
    found = known.get(id(handler))
    if found is None:
        known[id(handler)] = found = datetime_parameters(handler)
    for source, name in found:
        if source is ParamType.QUERY:
            values = request.query_params.getall(name, [])
        else:
            header = request.headers.get(name)
            values = [header] if header is not None else []
        for value in values:
            try:  # as Litestar reads it (lax: a number of seconds is a time too); what fails, it refuses
                parsed = msgspec.convert(value, datetime, strict=False)
            except (msgspec.ValidationError, TypeError):
                continue
            if not representable(parsed):
                where = "query" if source is ParamType.QUERY else "header"
                raise Problem.invalid((f"{where}:/{name}", "out_of_range"))


# --- the hook ------------------------------------------------------------------------------------------


def _takes_json(field: FieldDefinition) -> bool:
    media_type = getattr(field.kwarg_definition, "media_type", RequestEncodingType.JSON)
    return media_type == RequestEncodingType.JSON


async def strict_body(request: Request[Any, Any, Any]) -> None:
    for key, values in request.query_params.dict().items():
        if NUL in key or any(NUL in value for value in values):
            raise Problem.invalid((f"query:/{key.replace(NUL, '')}", "invalid_character"))
    _check_datetime_parameters(request)
    if request.method not in _BODY_METHODS:
        return
    field = request.route_handler.parsed_data_field
    if field is None or not _takes_json(field):
        return
    body = await request.body()
    if not body:
        return
    media_type = request.content_type[0]
    if not media_type.endswith(("/json", "+json")):
        raise Problem(UNSUPPORTED_MEDIA, accepted=JSON_MEDIA)
    decode_json_strict(body, field.annotation)


def decode_json_strict(body: bytes, annotation: Any) -> Any:
    """A JSON body decoded by the rules above (depth, strict types, unique keys, representable values, no
    NUL): for handlers that read their body themselves (the token endpoint takes forms too)."""
    if too_deep(body):
        raise Problem(TOO_DEEP, limit=MAX_DEPTH)
    try:
        decoded = msgspec.json.decode(body, type=annotation, strict=True)
    except msgspec.ValidationError as exc:
        raise ValidationException(extra=[{"message": str(exc), "source": "body"}]) from None
    except msgspec.DecodeError:
        raise ClientException("Malformed JSON body") from None
    pointer = repeated_key(body)
    if pointer is not None:
        raise Problem.invalid((pointer, "duplicate_key"))
    pointer = _unrepresentable(decoded)
    if pointer is not None:
        raise Problem.invalid((pointer, "out_of_range"))
    if b"\\u0000" in body:
        pointer = _nul_pointer(msgspec.json.decode(body))
        if pointer is not None:
            raise Problem.invalid((pointer, "invalid_character"))
    return decoded
