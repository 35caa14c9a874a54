"""OpenAPI 3.1 at ``/schema/openapi.json`` and a docs UI at ``/schema`` that needs no internet.

Swagger UI's JavaScript and CSS come from the ``litestar-offline-docs`` package and are served by the
app itself under ``/static/docs``: government intranets have no CDN.

**The document speaks the reader's language.** Every operation carries its summary and description in
zh-Hans where it is declared (``summary=`` / ``description=`` on the route decorator) with the English
beside them (``summary_en=`` / ``description_en=``, which Litestar keeps in the handler's ``opt``).
``/schema/openapi.json`` answers in zh-Hans; ``?lang=en`` or ``?lang=zh-Hant`` — or, without ``lang``,
the ``Accept-Language`` header, as for every other answer — selects English or Traditional characters
(derived with OpenCC). The docs UI at ``/schema?lang=en`` loads the English document. The
same route-level translation is what drf-spectacular's ``?lang=`` does for Django projects.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import litestar_offline_docs
from litestar import Litestar, Request, Router
from litestar.datastructures import ResponseHeader
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.routes import HTTPRoute
from litestar.serialization import encode_json
from litestar.static_files import create_static_files_router

from core import __version__
from core.kernel.i18n import LOCALES, negotiate, to_traditional
from core.kernel.openapi_truth import operation_id_creator
from core.kernel.settings import Locale
from core.kernel.typed_data import add_typed_details

DOCS_ASSETS_PATH = "/static/docs"
_ASSETS_DIR = Path(litestar_offline_docs.__file__).parent / "static"

DESCRIPTION = """\
群团（quntuan）是为党领导的群团组织提供的无界面 API 平台：工会、共青团、妇联以及其他群团组织
（科协、残联、侨联、文联等）。核心提供身份、组织与活动；每个群团组织是挂载在 `/api/v1/<slug>` 的插件。

错误按 RFC 9457 以 `application/problem+json` 返回，语言随 `Accept-Language`（默认简体中文，另有繁体中文
与英文）。列表接受 `limit` 与 `cursor`，返回 `{"items": [...], "next_cursor": ...}`。本文档的英文版见
`?lang=en`。
"""

DESCRIPTION_EN = """\
quntuan (群团) is a headless API platform for the Party-led mass organizations: the trade union (工会),
the Communist Youth League (共青团), the Women's Federation (妇联) and every other mass organization
(科协, 残联, 侨联, 文联, …). The core serves identity, organizations and events; each mass organization is
a plugin mounted at `/api/v1/<slug>`.

Errors are RFC 9457 problem details (`application/problem+json`) in the language of `Accept-Language`
(zh-Hans by default, zh-Hant, en). Lists take `limit` and `cursor` and answer
`{"items": [...], "next_cursor": ...}`. This document in Chinese: `?lang=zh-Hans`.
"""

_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_VARY = [ResponseHeader(name="Vary", value="Accept-Language")]


def document_locale(request: Request[Any, Any, Any]) -> Locale:
    """The language a request for the document asks for: ``?lang=``, else ``Accept-Language``."""
    asked = request.query_params.get("lang")
    if asked:
        for locale in LOCALES:
            if asked.lower() == locale.lower():
                return locale
        return negotiate(asked)
    return negotiate(request.headers.get("accept-language"))


def _english(text: str) -> str:
    """A bilingual ``中文 · English`` text's English half (the problem responses are written so)."""
    return text.rpartition("·")[2].strip() if "·" in text else text


def _operation_texts(app: Litestar) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    """(documented path, method) → the English summary and description declared on the route."""
    texts: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for method in handler.http_methods:
                texts[(route.path_format, method.lower())] = (
                    handler.opt.get("summary_en"),
                    handler.opt.get("description_en"),
                )
    return texts


def localize_document(app: Litestar, document: dict[str, Any], locale: Locale) -> dict[str, Any]:
    """``document`` (written in zh-Hans) in ``locale``: operations, tags and response descriptions; the
    plugin-typed ``details`` shown as discriminated unions (:mod:`core.kernel.typed_data`)."""
    registry = getattr(app.state, "registry", None)
    if registry is not None:
        document = add_typed_details(document, registry.event_types)
    if locale == "zh-Hans":
        return document
    localized = copy.deepcopy(document)
    texts = _operation_texts(app)
    info = localized.setdefault("info", {})
    if locale == "en":
        info["description"] = DESCRIPTION_EN
    for path, item in localized.get("paths", {}).items():
        for method, operation in item.items():
            if method not in _METHODS or not isinstance(operation, dict):
                continue
            if locale == "en":
                summary, description = texts.get((path, method), (None, None))
                if summary:
                    operation["summary"] = summary
                if description:
                    operation["description"] = description
                for response in operation.get("responses", {}).values():
                    if isinstance(response, dict) and "description" in response:
                        response["description"] = _english(response["description"])
            else:
                for key in ("summary", "description"):
                    if operation.get(key):
                        operation[key] = to_traditional(operation[key])
                for response in operation.get("responses", {}).values():
                    if isinstance(response, dict) and "description" in response:
                        response["description"] = to_traditional(response["description"])
    if locale == "zh-Hant":
        info["description"] = to_traditional(info.get("description", ""))
    for tag in localized.get("tags", []):
        if tag.get("description"):
            tag["description"] = (
                _english(tag["description"]) if locale == "en" else to_traditional(tag["description"])
            )
    return localized


class LocalizedJsonRenderPlugin(JsonRenderPlugin):
    """``/schema/openapi.json`` in the language asked for, each language built once per app."""

    def __init__(self) -> None:
        super().__init__(path="/openapi.json")
        self._rendered: dict[Locale, bytes] = {}

    def receive_router(self, router: Router) -> None:
        router.response_headers = [*(router.response_headers or ()), *_VARY]

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        locale = document_locale(request)
        if locale not in self._rendered:
            document = localize_document(request.app, openapi_schema, locale)
            self._rendered[locale] = encode_json(document)
        return self._rendered[locale]


class LocalizedSwaggerRenderPlugin(SwaggerRenderPlugin):
    """The docs UI, whose page embeds the document, in the language asked for (``/schema?lang=en``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._localized: dict[Locale, dict[str, Any]] = {}

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        locale = document_locale(request)
        if locale not in self._localized:
            self._localized[locale] = localize_document(request.app, openapi_schema, locale)
        return super().render(request, self._localized[locale])


def docs_assets_router() -> Router:
    return create_static_files_router(
        path=DOCS_ASSETS_PATH, directories=[_ASSETS_DIR], include_in_schema=False, name="docs-assets"
    )


def openapi_config(plugin_tags: list[Tag], plugin_slugs: frozenset[str] = frozenset()) -> OpenAPIConfig:
    return OpenAPIConfig(
        operation_id_creator=operation_id_creator(plugin_slugs),
        title="quntuan 群团 API",
        version=__version__,
        description=DESCRIPTION,
        path="/schema",
        tags=[
            Tag(
                name="system",
                description="健康检查、插件与错误类型目录 · Health, plugins and the problem catalogue",
            ),
            *plugin_tags,
        ],
        components=Components(
            security_schemes={
                "bearer": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="JWT",
                    description="Access token from POST /api/v1/auth/token",
                ),
                "clientBasic": SecurityScheme(
                    type="http",
                    scheme="basic",
                    description="API client id and secret, for POST /api/v1/auth/token (RFC 6749 §2.3.1)",
                ),
            }
        ),
        render_plugins=[
            LocalizedJsonRenderPlugin(),
            LocalizedSwaggerRenderPlugin(
                path="/",
                js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
                css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
                standalone_preset_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-standalone-preset.js",
                favicon="",
            ),
        ],
    )
