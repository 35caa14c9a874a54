"""System routes: health, the installed plugins and the catalogue of problem types."""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any, Literal

import msgspec
from litestar import Controller, MediaType, Request, Response, get
from litestar.datastructures import State
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from core import __version__
from core.kernel.errors import Problem, problem_types, request_locale
from core.kernel.i18n import LOCALES
from core.kernel.migrations import pending_migrations
from core.kernel.observability import metrics_payload, sample_state
from core.kernel.plugin_host import CORE_PLUGIN
from core.kernel.settings import Locale
from core.kernel.typed_data import details_schema


class ComponentHealth(msgspec.Struct, kw_only=True, omit_defaults=True):
    status: Literal["ok", "unavailable"]
    kind: str
    latency_ms: float | None = None


class Health(msgspec.Struct, kw_only=True):
    status: Literal["ok", "unavailable"]
    version: str
    database: ComponentHealth
    redis: ComponentHealth


class LocalizedName(msgspec.Struct, kw_only=True):
    zh_hans: str = msgspec.field(name="zh-Hans")
    zh_hant: str = msgspec.field(name="zh-Hant")
    en: str


class NamedCode(msgspec.Struct, kw_only=True):
    code: str
    name: str


class OrgKindOut(NamedCode, kw_only=True):
    levels: list[str]
    parents: list[str]
    may_be_root: bool


class EventTypeOut(NamedCode, kw_only=True):
    #: JSON Schema of the type's ``details`` (validated on every write), or null when it takes none; the
    #: OpenAPI document shows the same schema as its own variant of ``Event`` (a union on ``type``).
    details_schema: dict[str, Any] | None


class PermissionOut(NamedCode, kw_only=True):
    personal_data: bool


class PluginOut(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    names: LocalizedName
    version: str
    core_api: str
    api_prefix: str
    org_kinds: list[OrgKindOut]
    event_types: list[EventTypeOut]
    permissions: list[PermissionOut]


class PluginList(msgspec.Struct, kw_only=True):
    #: The enabled plugins, by slug.
    items: list[PluginOut]
    #: The core's own declarations in the same shape (slug ``core``): the Party kinds (``party.*``), the
    #: core's event types (``core.*``) and permissions — not a plugin, so not among ``items``.
    core: PluginOut
    next_cursor: None = None


class ProblemTypeOut(msgspec.Struct, kw_only=True):
    type: str
    code: str
    status: int
    title: str
    titles: LocalizedName


def _plugin_out(slug: str, decl: Any, locale: Locale, *, api_prefix: str | None = None) -> PluginOut:
    return PluginOut(
        slug=slug,
        name=decl.info.name.get(locale),
        names=_names(decl.info.name),
        version=decl.info.version,
        core_api=decl.info.core_api,
        api_prefix=api_prefix or f"/api/v1/{slug}",
        org_kinds=[
            OrgKindOut(
                code=k.code,
                name=k.name.get(locale),
                levels=[str(level) for level in k.levels],
                parents=list(k.parents),
                may_be_root=k.may_be_root,
            )
            for k in decl.org_kinds
        ],
        event_types=[
            EventTypeOut(code=t.code, name=t.name.get(locale), details_schema=details_schema(t))
            for t in decl.event_types
        ],
        permissions=[
            PermissionOut(code=p.code, name=p.name.get(locale), personal_data=p.personal_data)
            for p in decl.permissions
        ],
    )


def _names(text: object) -> LocalizedName:
    forms = {locale: text.get(locale) for locale in LOCALES}  # type: ignore[attr-defined]
    return LocalizedName(zh_hans=forms["zh-Hans"], zh_hant=forms["zh-Hant"], en=forms["en"])


class SystemController(Controller):
    path = "/"
    tags = ["system"]  # noqa: RUF012 - Litestar reads this class attribute

    @get(
        "/health",
        opt={"policy": "public"},
        summary="平台健康状况",
        description="平台及其依赖（数据库、Redis、迁移）的状态，供监控使用。无需登录。",
        summary_en="Health of the platform and what it depends on",
        description_en=(
            "The state of the platform and of what it depends on (database, Redis, migrations), for "
            "monitoring. No token needed."
        ),
    )
    async def health(self, state: State) -> Response[Health]:
        """Readiness of this worker: the database answers and Redis (when configured) answers."""
        try:
            db = ComponentHealth(
                status="ok",
                kind="sqlite" if state.db.is_sqlite else "postgresql",
                latency_ms=round(await state.db.ping(), 2),
            )
        except Exception:
            db = ComponentHealth(status="unavailable", kind="sqlite" if state.db.is_sqlite else "postgresql")
        try:
            redis = ComponentHealth(
                status="ok", kind=state.shared.mode, latency_ms=round(await state.shared.ping(), 2)
            )
        except Exception:
            redis = ComponentHealth(status="unavailable", kind=state.shared.mode)
        ok = db.status == "ok" and redis.status == "ok"
        body = Health(status="ok" if ok else "unavailable", version=__version__, database=db, redis=redis)
        return Response(body, status_code=200 if ok else 503)

    @get(
        "/health/live",
        opt={"policy": "public"},
        summary="存活检查",
        description="进程能应答即返回 200，供容器编排的存活探针使用。无需登录。",
        summary_en="Liveness: the process answers",
        description_en="200 as long as the process answers, for an orchestrator's liveness probe. No token needed.",
    )
    async def live(self) -> dict[str, str]:
        """Liveness for the orchestrator: answers as long as the worker's event loop runs (no dependencies)."""
        return {"status": "ok"}

    @get(
        "/health/ready",
        opt={"policy": "public"},
        summary="就绪检查",
        description="数据库、Redis 与数据库结构均就绪时返回 200，否则 503，供负载均衡的就绪探针使用。",
        summary_en="Readiness: database, Redis and schema are ready",
        description_en=(
            "200 when the database, Redis and the schema are ready, otherwise 503, for a load balancer's "
            "readiness probe."
        ),
    )
    async def ready(self, state: State) -> Response[dict[str, object]]:
        """Readiness for the load balancer: 503 while the database or Redis is unreachable or migrations pend."""
        checks: dict[str, str] = {}
        try:
            await state.db.ping()
            checks["database"] = "ok"
        except Exception:
            checks["database"] = "unavailable"
        try:
            await state.shared.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
        if checks["database"] == "ok":
            try:
                checks["migrations"] = "pending" if await pending_migrations(state.db) else "ok"
            except Exception:
                checks["migrations"] = "unavailable"
        ok = all(value == "ok" for value in checks.values()) and "migrations" in checks
        return Response({"status": "ok" if ok else "unavailable", **checks}, status_code=200 if ok else 503)

    @get(
        "/plugins",
        opt={"policy": "public"},
        summary="已启用的插件及其声明",
        description=(
            "每个已启用插件（items）的名称、版本及其声明的组织类型、活动类型和权限；平台核心自身的声明"
            "（党组织类型 party.*、核心活动类型 core.* 与核心权限）以同样结构列在 core 中。无需登录。"
        ),
        summary_en="Enabled plugins and what each declares, and the core's own declarations",
        description_en=(
            "Each enabled plugin (``items``) with its name, version, org kinds, event types and "
            "permissions; the core's own declarations (the Party kinds ``party.*``, the core event types "
            "``core.*`` and the core permissions) in the same shape under ``core``. No token needed."
        ),
    )
    async def plugins(self, request: Request[object, object, State], state: State) -> PluginList:
        """Every enabled plugin with its org kinds, event types and permissions, in the caller's language."""
        locale = request_locale(request)
        declarations = state.registry.declarations
        return PluginList(
            items=[_plugin_out(slug, decl, locale) for slug, decl in sorted(state.registry.plugins.items())],
            core=_plugin_out(CORE_PLUGIN, declarations[CORE_PLUGIN], locale, api_prefix="/api/v1"),
        )

    @get(
        "/problems",
        opt={"policy": "public"},
        summary="错误类型目录",
        description="本 API 可能返回的全部错误类型（RFC 9457），每种带三种语言的标题。无需登录。",
        summary_en="The catalogue of problem types this API answers with",
        description_en=(
            "Every problem type (RFC 9457) this API may answer with, each titled in the three languages. No "
            "token needed."
        ),
    )
    async def problems(self, request: Request[object, object, State]) -> list[ProblemTypeOut]:
        locale = request_locale(request)
        return [
            ProblemTypeOut(
                type=f"/api/v1/problems/{p.code}",
                code=p.code,
                status=p.status,
                title=p.title.get(locale),
                titles=_names(p.title),
            )
            for p in sorted(problem_types().values(), key=lambda p: (p.status, p.code))
        ]

    @get(
        "/problems/{code:str}",
        opt={"policy": "public"},
        summary="某一错误类型",
        description="一个错误类型（problem type）的标题与说明，三种语言。无需登录。",
        summary_en="One problem type",
        description_en="One problem type's title and explanation in the three languages. No token needed.",
    )
    async def problem(self, request: Request[object, object, State], code: FromPath[str]) -> ProblemTypeOut:
        p = problem_types().get(code)
        if p is None:
            raise NotFoundException()
        locale = request_locale(request)
        return ProblemTypeOut(
            type=f"/api/v1/problems/{p.code}",
            code=p.code,
            status=p.status,
            title=p.title.get(locale),
            titles=_names(p.title),
        )


def _metrics_allowed(request: Request[object, object, State]) -> bool:
    token = request.app.state.settings.metrics_token
    if token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(given.encode(), token.encode())
    host = request.client.host if request.client else ""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@get("/metrics", opt={"policy": "metrics-token"}, include_in_schema=False, media_type=MediaType.TEXT)
async def metrics(request: Request[object, object, State], state: State) -> Response[bytes]:
    """Prometheus metrics of every worker: with ``QUNTUAN_METRICS_TOKEN`` as a bearer token, else loopback only."""
    if not _metrics_allowed(request):
        raise Problem("not-found")
    await sample_state(state)
    body, content_type = metrics_payload()
    return Response(body, media_type=content_type)
