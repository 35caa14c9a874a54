"""The token endpoint as OAuth2 clients expect it (RFC 6749).

* Bodies: ``application/x-www-form-urlencoded`` (RFC 6749 §3.2) or JSON, the same fields either way. A
  form parameter given twice is a 400 (§3.1: parameters MUST NOT repeat); parameters the endpoint does not
  know are ignored (§3.1); a body that is not UTF-8 or not a form is a 400, never a 500.
* Client credentials: in the body (``client_id`` + ``client_secret``) or by HTTP Basic (§2.3.1, both parts
  form-encoded). Both at once, differing, is a 400.
* Errors: the problem details every route answers with, plus the RFC 6749 ``error`` and
  ``error_description`` (§5.2) OAuth2 client libraries read; a failed client authentication is
  ``invalid_client``, and when the client used Basic the 401 challenges ``Basic``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl, unquote_plus

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.spec import OpenAPIMediaType, Operation, RequestBody, Schema

from core.identity.schemas import TokenRequest
from core.kernel.body import decode_json_strict
from core.kernel.errors import (
    BAD_REQUEST,
    FIELD_MESSAGES,
    JSON_MEDIA,
    MALFORMED_BODY,
    UNSUPPORTED_MEDIA,
    FieldError,
    Problem,
    ProblemDetails,
    exception_handlers,
)

FORM: Final = "application/x-www-form-urlencoded"
_FIELDS: Final = frozenset(TokenRequest.__struct_fields__)
#: More parameters than any grant uses, a bound on what a form may hold.
_MAX_FIELDS: Final = 64
_STATE_GRANT: Final = "oauth_grant"
_STATE_BASIC: Final = "oauth_basic"


def _form(body: bytes) -> dict[str, str]:
    try:
        text = body.decode("utf-8", errors="strict")
        pairs = parse_qsl(
            text, keep_blank_values=True, strict_parsing=True, errors="strict", max_num_fields=_MAX_FIELDS
        )
    except (UnicodeDecodeError, ValueError):
        raise Problem(MALFORMED_BODY) from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key not in _FIELDS:
            continue
        if key in form:
            message = FIELD_MESSAGES["duplicate_key"].get("zh-Hans")
            raise Problem(
                BAD_REQUEST, errors=[FieldError(pointer=f"/{key}", code="duplicate_key", message=message)]
            )
        if "\x00" in value:
            raise Problem.invalid((f"/{key}", "invalid_character"))
        form[key] = value
    return form


def _basic(request: Request[Any, Any, Any]) -> tuple[str, str] | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise Problem(BAD_REQUEST) from None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise Problem(BAD_REQUEST)
    return unquote_plus(client_id), unquote_plus(secret)


async def token_request(request: Request[Any, Any, Any]) -> TokenRequest:
    """The token request of a form or JSON body, with HTTP Basic client credentials merged in."""
    body = await request.body()
    media_type = request.content_type[0]
    if media_type == FORM:
        try:
            data = msgspec.convert(_form(body), TokenRequest, strict=True)
        except msgspec.ValidationError as exc:
            raise ValidationException(extra=[{"message": str(exc), "source": "body"}]) from None
    elif media_type.endswith(("/json", "+json")):
        data = decode_json_strict(body, TokenRequest)
    elif not body:
        raise Problem.invalid(("/grant_type", "required"))
    else:
        raise Problem(UNSUPPORTED_MEDIA, accepted=f"{FORM}, {JSON_MEDIA}")
    request.state[_STATE_GRANT] = data.grant_type
    basic = _basic(request)
    if basic is not None:
        request.state[_STATE_BASIC] = True
        client_id, secret = basic
        if (data.client_id not in (None, client_id)) or (data.client_secret not in (None, secret)):
            raise Problem(BAD_REQUEST)
        data = msgspec.structs.replace(data, client_id=client_id, client_secret=secret)
    return data


def _oauth_error(request: Request[Any, Any, Any], body: ProblemDetails) -> str | None:
    code = body.type.rsplit("/", 1)[-1]
    grant = request.state.get(_STATE_GRANT)
    if code == "invalid-credentials":
        return "invalid_client" if grant == "client_credentials" else "invalid_grant"
    if code == "invalid-grant":
        return "invalid_grant"
    if grant is None and any(e.pointer == "/grant_type" and e.code == "enum" for e in body.errors or ()):
        return "unsupported_grant_type"
    if body.status in (400, 413, 415, 422):
        return "invalid_request"
    return None


def _with_oauth(handler: Any) -> Any:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        response: Response[Any] = handler(request, exc)
        body = response.content
        if isinstance(body, ProblemDetails):
            body.error = _oauth_error(request, body)
            if body.error is not None:
                body.error_description = body.detail
            if body.error == "invalid_client" and request.state.get(_STATE_BASIC):
                response.headers["WWW-Authenticate"] = 'Basic realm="quntuan"'
        return response

    return handle


def token_exception_handlers() -> dict[type[Exception] | int, Any]:
    """The app's handlers, each adding the RFC 6749 fields (route-level handlers win over the app's)."""
    handlers = exception_handlers()
    return {
        kind: _with_oauth(handlers[kind]) for kind in (Problem, ValidationException, HTTPException, Exception)
    }


def _token_request_schema() -> Schema:
    (_, components) = msgspec.json.schema_components(
        [TokenRequest], ref_template="#/components/schemas/{name}"
    )
    spec = dict(components["TokenRequest"])
    properties = {name: Schema(**_schema_kwargs(value)) for name, value in spec["properties"].items()}
    return Schema(
        type="object",  # type: ignore[arg-type]
        title="TokenRequest",
        description=spec.get("description"),
        properties=properties,
        required=spec.get("required"),
    )


def _schema_kwargs(value: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in value:
        return {
            "one_of": [Schema(**_schema_kwargs(v)) for v in value["anyOf"]],
            "default": value.get("default"),
        }
    return {
        "type": value.get("type"),
        "enum": value.get("enum"),
        "min_length": value.get("minLength"),
        "max_length": value.get("maxLength"),
        "default": value.get("default"),
    }


@dataclass
class TokenOperation(Operation):
    """The token operation's request body: the same fields as a form or as JSON."""

    def __post_init__(self) -> None:
        schema = _token_request_schema()
        self.request_body = RequestBody(
            required=True,
            description="表单（RFC 6749）或 JSON · A form (RFC 6749) or JSON",
            content={
                FORM: OpenAPIMediaType(schema=schema),
                "application/json": OpenAPIMediaType(schema=schema),
            },
        )
        self.security = [{}, {"clientBasic": []}]
