"""The app factory: ``create_app(settings, plugin_manager)`` builds one Litestar app, holding no globals.

Each ``_configure``-style step does one thing: storage, shared state, routes (core and plugins), errors,
docs. Tests build apps with exactly the settings and plugins they want.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import FrameType
from typing import Any

from litestar import Litestar, Router
from litestar.config.app import AppConfig as LitestarConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.openapi.spec import Tag
from litestar.types import ControllerRouterHandler
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core import __version__
from core.api.system import SystemController, metrics
from core.events.controllers import EventController, PublicCalendarController
from core.files.controllers import FileController
from core.files.storage import make_storage
from core.files.upload import SPOOL_DIR, remove_stale_spools
from core.identity import authz_cache
from core.identity.authn import Authenticator, authentication_middleware
from core.identity.builtin_roles import sync_builtin_roles
from core.identity.routes import identity_router
from core.identity.runtime import IdentityRuntime
from core.integration.controllers import FeedController, StreamController, WebhookController
from core.integration.openapi import signal_webhooks
from core.integration.runtime import integration_lifespan
from core.kernel.body import strict_body
from core.kernel.cors import cross_origin
from core.kernel.db import Database
from core.kernel.docs import docs_assets_router, openapi_config
from core.kernel.errors import exception_handlers
from core.kernel.fastpath import fast_routes
from core.kernel.guards import PLUGIN_GUARDS, check_route_policies
from core.kernel.migrations import ensure_schema_current, migrate
from core.kernel.observability import configure_logging, observe_requests
from core.kernel.openapi_truth import PageSchemaPlugin, document_problems
from core.kernel.pagination import provide_page
from core.kernel.plugin_host import PluginManager, call_runtime_hook, make_plugin_manager
from core.kernel.security import secure_responses
from core.kernel.settings import Settings, load_settings
from core.kernel.shared import SharedState
from core.members.controllers import MemberController
from core.members.link_controllers import MyPersonLinkController, PersonLinkController
from core.orgs.controllers import CoverageController, OrgController
from core.orgs.data_controllers import DataController
from core.places.controllers import ROUTES as PLACE_ROUTES
from core.processes.controllers import ROUTES as PROCESS_ROUTES
from core.selections.controllers import ROUTES as SELECTION_ROUTES
from core.selfservice import inbox
from core.selfservice.codes import provider_sender, set_code_sender
from core.selfservice.controllers import ROUTES as SELFSERVICE_ROUTES
from core.signup.service import SignupRuntime

log = logging.getLogger("quntuan.app")

API_PREFIX = "/api/v1"


def _plugin_routers(pm: PluginManager) -> tuple[list[Router], list[Tag]]:
    """One Router per plugin at ``/api/v1/<slug>``, with the core's guards attached."""
    routers: list[Router] = []
    tags: list[Tag] = []
    for slug, decl in sorted(pm.registry.plugins.items()):
        if not decl.routes:
            continue
        tag = f"{slug}"
        tags.append(Tag(name=tag, description=f"{decl.info.name.zh_hans} · {decl.info.name.en}"))
        routers.append(
            Router(
                path=f"{API_PREFIX}/{slug}",
                route_handlers=decl.routes,
                guards=list(PLUGIN_GUARDS),
                tags=[tag],
                security=[{"bearer": []}],
                opt={"plugin": slug},
            )
        )
    return routers, tags


def create_app(settings: Settings | None = None, plugin_manager: PluginManager | None = None) -> Litestar:
    """Build the quntuan app. ``settings`` default to the environment; plugins to the installed ones."""
    settings = settings or load_settings()
    pm = plugin_manager or make_plugin_manager(settings)
    db = Database(settings, pm.registry.piccolo_apps)
    shared = SharedState(settings)
    identity = IdentityRuntime(settings, shared)
    authz = authz_cache.AuthzCache(shared.redis, timezone=settings.timezone)
    files = make_storage(settings)
    signup = SignupRuntime(settings, shared, db, identity, pm)
    db.bind()
    authz_cache.bind(authz)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.start()
        try:
            if settings.should_auto_migrate:
                applied = await migrate(db)
                if applied:
                    log.info("applied %d migration(s)", len(applied))
            else:
                await ensure_schema_current(db)
            await sync_builtin_roles(db, pm.registry)
            await remove_stale_spools(settings.files_path / SPOOL_DIR)
            await call_runtime_hook(pm, "quntuan_startup", app=app)
            yield
            await call_runtime_hook(pm, "quntuan_shutdown", app=app)
        finally:
            await signup.close()
            await files.close()
            await shared.close()
            await db.stop()

    plugin_routers, plugin_tags = _plugin_routers(pm)
    core_router = Router(
        path=API_PREFIX,
        route_handlers=[
            SystemController,
            WebhookController,
            StreamController,
            FeedController,
            OrgController,
            CoverageController,
            MemberController,
            PersonLinkController,
            MyPersonLinkController,
            DataController,
            EventController,
            PublicCalendarController,
            FileController,
            *PROCESS_ROUTES,
            *PLACE_ROUTES,
            *SELECTION_ROUTES,
            *SELFSERVICE_ROUTES,
        ],
    )
    route_handlers: list[ControllerRouterHandler] = [
        core_router,
        identity_router(API_PREFIX),
        *plugin_routers,
        docs_assets_router(),
        metrics,
    ]

    openapi = openapi_config(plugin_tags, frozenset(pm.registry.declarations) - {"core"})
    openapi.webhooks = signal_webhooks(pm.registry.signals)  # type: ignore[assignment]

    config = LitestarConfig(
        route_handlers=route_handlers,
        dependencies={"page": Provide(provide_page, sync_to_thread=False)},
        exception_handlers=exception_handlers(),  # type: ignore[arg-type]
        lifespan=[lifespan, integration_lifespan],
        openapi_config=openapi,
        state=State(
            {
                "settings": settings,
                "plugin_manager": pm,
                "registry": pm.registry,
                "db": db,
                "shared": shared,
                "identity": identity,
                "signup": signup,
                "authz": authz,
                "files": files,
                "authn": Authenticator(identity.secret, authz),
                "version": __version__,
            }
        ),
        request_max_body_size=settings.max_body_size,
        before_request=strict_body,
        middleware=[authentication_middleware],
        plugins=[PageSchemaPlugin()],
        debug=False,
    )
    app = Litestar.from_config(config)
    document_problems(app)
    check_route_policies(app)
    inbox.bind(pm, app.state)  # deliveries (quntuan_notify) and approved erasure requests use them
    if signup.sender is not None:  # claim codes go out through the configured SMS provider too
        set_code_sender(provider_sender(signup.sender))
    # Outside Litestar's exception handling (so 404/405 and every problem carry the request id), innermost
    # first: the fast routes of the hottest reads, the request id with the request log and metrics, then
    # the client address from trusted proxies only. CORS (core.kernel.cors) answers preflights before the fast
    # routes and Litestar, and marks every answer to an allowed origin. The host check and security headers wrap both the fast
    # routes and Litestar, so every answer carries the same headers.
    handler = observe_requests(
        secure_responses(cross_origin(fast_routes(app, app.asgi_handler), settings), settings)
    )
    if settings.trusted_proxies:
        handler = ProxyHeadersMiddleware(handler, trusted_hosts=list(settings.trusted_proxies))
    app.asgi_handler = handler
    return app


def app_from_env() -> Any:
    """ASGI factory for servers (``uvicorn --factory core.kernel.app:app_from_env``): configures logging too."""
    settings = load_settings()
    configure_logging(settings)
    app = create_app(settings)
    _drain_streams_on_exit_signal(app)
    # What exists now — modules, routes, the plugin registry, settings — lives as long as the server
    # process: out of the cyclic collector's sight, each collection scans only what requests made since
    # (a full collection otherwise walks every object of the app, a pause on every request it lands on).
    gc.freeze()
    return app


def _drain_streams_on_exit_signal(app: Litestar) -> None:
    """End open live streams as soon as the server is told to stop (SIGTERM/SIGINT).

    The server waits for open connections before it shuts the app down, and a live stream never ends by
    itself: without this, every restart would wait the whole graceful-shutdown timeout. The server's own
    handler still runs (it is called after ours), and the server restores its predecessor on exit. Only
    where a server loads the app from inside its running loop, on the main thread (uvicorn does).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    if threading.current_thread() is not threading.main_thread():
        return

    def drain() -> None:
        runtime = getattr(app.state, "integration", None)
        if runtime is not None:
            runtime.broadcaster.drain()

    for sig in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(sig)

        def handler(signum: int, frame: FrameType | None, previous: Any = previous) -> None:
            loop.call_soon_threadsafe(drain)
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:  # nobody else handles it: do what the signal would have done
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)

        signal.signal(sig, handler)
