"""OpenAPI 3.1 at ``/schema/openapi.json`` and a docs UI at ``/schema`` that needs no internet.

Swagger UI's JavaScript and CSS come from the ``litestar-offline-docs`` package and are served by the
app itself under ``/static/docs``: government intranets have no CDN.
"""

from __future__ import annotations

from pathlib import Path

import litestar_offline_docs
from litestar import Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme, Tag
from litestar.static_files import create_static_files_router

from core import __version__
from core.openapi_truth import operation_id_creator

DOCS_ASSETS_PATH = "/static/docs"
_ASSETS_DIR = Path(litestar_offline_docs.__file__).parent / "static"

DESCRIPTION = """\
quntuan (群团) is a headless API platform for the Party-led mass organizations: the trade union (工会),
the Communist Youth League (共青团), the Women's Federation (妇联) and every other mass organization
(科协, 残联, 侨联, 文联, …). The core serves identity, organizations and events; each mass organization is
a plugin mounted at `/api/v1/<slug>`.

Errors are RFC 9457 problem details (`application/problem+json`) in the language of `Accept-Language`
(zh-Hans by default, zh-Hant, en). Lists take `limit` and `cursor` and answer
`{"items": [...], "next_cursor": ...}`.
"""


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
            Tag(name="system", description="Health, plugins and the problem catalogue"),
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
            SwaggerRenderPlugin(
                path="/",
                js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
                css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
                standalone_preset_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-standalone-preset.js",
                favicon="",
            )
        ],
    )
