"""The OpenAPI document as front ends generate clients from it: real errors, real names, real media types.

Applied once to every route of the app (the core's and every plugin's), so no route has to remember:

* **problem responses** — each operation documents the RFC 9457 problems it can answer, in the real
  ``application/problem+json`` shape (:class:`core.kernel.errors.ProblemDetails`), chosen from what the route
  declares: 401 and 403 unless public, 404 with path parameters,
  400/422 with input, 409 on writes, 412/428 where ``If-Match`` is required (``opt={"if_match": "required"}``)
  or 412 where it is honoured (``"optional"``), 429 where the route is throttled
  (``opt={"throttled": True}``) and 503 everywhere (a lost database or Redis). Litestar's default 400 in
  its own shape is replaced.
* **operation ids** — ``listEvents``, ``registerForEvent``: the handler's name in lower camel case, a
  plugin's prefixed with its slug once (``unionListMembers``, whether the handler is ``list_members`` or
  ``union_list_members``), unique across the document (checked by the tests). A handler named by a bare
  verb (``register``, ``cancel``) names its resource instead (``register_for_event``, ``cancel_booking``):
  a generated client's ``register()`` says nothing.
* **schema names** — ``EventPage`` for ``Page[Event]`` (an OpenAPI schema plugin), not
  ``Page_core.events.schemas.Event_``.
* **file responses** — :func:`file_responses` declares the media types a download really has.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cache
from typing import Any, get_args

import msgspec
from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, Operation, Schema
from litestar.openapi.spec.enums import OpenAPIType
from litestar.plugins import OpenAPISchemaPlugin
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition

from core.kernel.errors import PROBLEM_MEDIA_TYPE, ProblemDetails
from core.kernel.pagination import Page

_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_DESCRIPTIONS = {
    400: "请求无法解析（problem details）· Malformed request",
    401: "缺少或无效的访问令牌 · Authentication required",
    403: "授权不允许此操作 · Not allowed",
    404: "资源不存在或不在权限范围内 · Not found or outside reach",
    409: "与资源当前状态冲突 · Conflict with the current state",
    412: "资源已被他人修改（If-Match 不符）· Changed since read",
    413: "请求体过大 · Request body too large",
    415: "不支持的内容类型 · Unsupported media type",
    422: "输入未通过校验（见 errors）· Validation failed",
    428: "须带 If-Match · If-Match required",
    429: "请求过于频繁（见 Retry-After）· Too many requests",
    503: "依赖的服务暂不可用（见 Retry-After）· A dependency is unavailable",
}


def _has_input(handler: Any) -> bool:
    """Whether the handler takes anything a client sends (parameters or a body)."""
    return bool(handler.parsed_fn_signature.parameters) or handler.opt.get("body") is not None


def problem_statuses(handler: Any, method: str, path_parameters: bool) -> list[int]:
    """The problem statuses one operation can answer with, from what its route declares."""
    opt = handler.opt
    statuses = {503}
    public = bool(opt.get("public")) or opt.get("policy") == "public"
    if not public:
        statuses.update((401, 403))
    if path_parameters:
        statuses.add(404)
    has_body = "data" in handler.parsed_fn_signature.parameters or bool(opt.get("body"))
    if _has_input(handler):
        statuses.update((400, 422))
    if method in _WRITES:
        statuses.add(409)
    if has_body:
        statuses.update((413, 415))
    if_match = opt.get("if_match")
    if if_match == "required":
        statuses.update((412, 428))
    elif if_match == "optional":
        statuses.add(412)
    if opt.get("throttled"):
        statuses.add(429)
    return sorted(statuses)


def document_problems(app: Litestar) -> None:
    """Give every operation of ``app`` its problem responses (before the document is first built)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        has_parameters = bool(route.path_parameters)
        for handler in route.route_handlers:
            for method in handler.http_methods:
                statuses = problem_statuses(handler, method, has_parameters)
                # A route's own problem responses are problem+json whatever media type it forgot to name.
                declared = {
                    status: dataclasses.replace(spec, media_type=PROBLEM_MEDIA_TYPE)
                    if status >= 400 and spec.data_container is ProblemDetails
                    else spec
                    for status, spec in (handler.responses or {}).items()
                }
                handler.responses = {
                    **{
                        status: ResponseSpec(
                            data_container=ProblemDetails,
                            media_type=PROBLEM_MEDIA_TYPE,
                            description=_DESCRIPTIONS[status],
                            generate_examples=False,
                        )
                        for status in statuses
                    },
                    **declared,
                }


def _camel(name: str) -> str:
    head, *rest = [p for p in name.strip("_").split("_") if p]
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _names_slug(name: str, slug: str) -> bool:
    """Whether a camel-case ``name`` begins with the word ``slug`` (``unionListMembers`` for ``union``)."""
    return name == slug or (name.startswith(slug) and name[len(slug) : len(slug) + 1].isupper())


def operation_id_creator(plugin_slugs: frozenset[str]) -> Any:
    """``operation_id_creator`` for :class:`~litestar.openapi.OpenAPIConfig`: the handler's name in lower
    camel case, prefixed with the plugin's slug for a plugin's route (``/api/v1/<slug>/…``) — once: a
    handler named ``union_list_members`` is ``unionListMembers``, not ``unionUnionListMembers``."""

    def create(handler: Any, method: str, path_components: list[Any]) -> str:
        name = _camel(handler.handler_name)
        texts = [c for c in path_components if isinstance(c, str)]
        slug = texts[2] if len(texts) > 2 and texts[:2] == ["api", "v1"] else None
        if slug in plugin_slugs and not _names_slug(name, slug):
            name = slug + name[:1].upper() + name[1:]
        if len(handler.http_methods) > 1:
            name += method.capitalize()
        return name

    return create


@cache
def _page_of(item: type) -> type:
    """A concrete struct named ``<Item>Page`` with the same fields as ``Page[Item]``."""
    name = {"str": "String", "int": "Integer", "dict": "Object"}.get(item.__name__, item.__name__)
    return msgspec.defstruct(
        f"{name[:1].upper()}{name[1:]}Page",
        [("items", list[item]), ("next_cursor", str | None, None)],  # type: ignore[valid-type]
        kw_only=True,
        module=item.__module__,
    )


class PageSchemaPlugin(OpenAPISchemaPlugin):
    """``Page[Event]`` appears in the document as ``EventPage``."""

    @staticmethod
    def is_plugin_supported_type(value: Any) -> bool:
        return getattr(value, "__origin__", None) is Page

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return field_definition.origin is Page or self.is_plugin_supported_type(field_definition.annotation)

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        (item,) = get_args(field_definition.annotation)
        return schema_creator.for_field_definition(FieldDefinition.from_annotation(_page_of(item)))  # type: ignore[no-any-return]


def file_responses(*media_types: str, description: str = "文件 · File") -> type[Operation]:
    """An ``operation_class`` whose success response is a file in each of ``media_types`` (binary)."""

    @dataclass
    class FileOperation(Operation):
        def __post_init__(self) -> None:
            content = {
                m: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, format="binary"))  # type: ignore[arg-type]
                for m in media_types
            }
            for status, response in list((self.responses or {}).items()):
                if status.startswith("2") and isinstance(response, OpenAPIResponse):
                    self.responses[status] = OpenAPIResponse(description=description, content=content)  # type: ignore[index]

    return FileOperation
