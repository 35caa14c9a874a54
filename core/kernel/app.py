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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
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
from core.kernel.system import SystemController, metrics

log = logging.getLogger("quntuan.app")

API_PREFIX = "/api/v1"


@dataclass(frozen=True)
class AppWiring:
    """The core's domains in the app, as its default plugin (:mod:`core.builtin`) hands them to the kernel.

    The kernel builds the app around this and imports no domain package itself.
    """

    #: Mounted under ``/api/v1`` beside the kernel's own system routes.
    routes: Sequence[ControllerRouterHandler]
    #: Mounted as they are (routers that carry their own path).
    routers: Sequence[ControllerRouterHandler] = ()
    #: Added to ``app.state`` (``identity``, ``authn``, ``files``, …).
    state: Mapping[str, Any] = field(default_factory=dict)
    #: Entered in order after the migrations and before ``quntuan_startup``; left after ``quntuan_shutdown``.
    contexts: Sequence[Callable[[Litestar], AbstractAsyncContextManager[None]]] = ()
    #: Litestar lifespans that run after the kernel's (the integration runtime: relay, streams, jobs).
    lifespans: Sequence[Callable[[Litestar], AbstractAsyncContextManager[None]]] = ()
    #: ASGI middleware of every Litestar route (authentication).
    middleware: Sequence[Any] = ()
    #: The OpenAPI document's ``webhooks`` (one per signal type).
    webhooks: Mapping[str, Any] = field(default_factory=dict)
    #: Called with the built app, before it serves.
    on_app: Sequence[Callable[[Litestar], None]] = ()
    #: Awaited when the app stops, whether or not it started (clients and pools the state holds).
    closers: Sequence[Callable[[], Awaitable[None]]] = ()


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
    db.bind()
    wiring: AppWiring = pm.hook.quntuan_app_wiring(settings=settings, plugin_manager=pm, db=db, shared=shared)

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
            async with AsyncExitStack() as stack:
                for context in wiring.contexts:
                    await stack.enter_async_context(context(app))
                await call_runtime_hook(pm, "quntuan_startup", app=app)
                yield
                await call_runtime_hook(pm, "quntuan_shutdown", app=app)
        finally:
            for close in wiring.closers:
                await close()
            await shared.close()
            await db.stop()

    plugin_routers, plugin_tags = _plugin_routers(pm)
    route_handlers: list[ControllerRouterHandler] = [
        Router(path=API_PREFIX, route_handlers=[SystemController, *wiring.routes]),
        *wiring.routers,
        *plugin_routers,
        docs_assets_router(),
        metrics,
    ]

    openapi = openapi_config(plugin_tags, frozenset(pm.registry.declarations) - {"core"})
    openapi.webhooks = dict(wiring.webhooks)  # type: ignore[assignment]

    config = LitestarConfig(
        route_handlers=route_handlers,
        dependencies={"page": Provide(provide_page, sync_to_thread=False)},
        exception_handlers=exception_handlers(),  # type: ignore[arg-type]
        lifespan=[lifespan, *wiring.lifespans],
        openapi_config=openapi,
        state=State(
            {
                "settings": settings,
                "plugin_manager": pm,
                "registry": pm.registry,
                "db": db,
                "shared": shared,
                "version": __version__,
                **wiring.state,
            }
        ),
        request_max_body_size=settings.max_body_size,
        before_request=strict_body,
        middleware=list(wiring.middleware),
        plugins=[PageSchemaPlugin()],
        debug=False,
    )
    app = Litestar.from_config(config)
    document_problems(app)
    check_route_policies(app)
    for step in wiring.on_app:
        step(app)
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
