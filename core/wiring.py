"""The core's domains in one app: what the default plugin's :func:`core.builtin.quntuan_app_wiring` returns.

Imported only when an app is built (or a job worker starts), never by the ``quntuan`` command itself:
the domains' modules create metrics at import, and ``quntuan serve`` must choose the metrics directory
first. The kernel imports none of the modules named here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar

from core.announcements.controllers import ROUTES as ANNOUNCEMENT_ROUTES
from core.events.controllers import EventController, PublicCalendarController
from core.files.controllers import FileController
from core.files.storage import make_storage
from core.files.upload import SPOOL_DIR, remove_stale_spools
from core.identity import authz_cache
from core.identity.authn import Authenticator, authentication_middleware
from core.identity.builtin_roles import sync_builtin_roles
from core.identity.cli import first_admin_hint
from core.identity.routes import identity_router
from core.identity.runtime import IdentityRuntime
from core.integration.controllers import FeedController, StreamController, WebhookController
from core.integration.openapi import signal_webhooks
from core.integration.runtime import integration_lifespan
from core.kernel.app import API_PREFIX, AppWiring
from core.kernel.db import Database
from core.kernel.plugin_host import PluginManager
from core.kernel.settings import Settings
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
from core.signup.service import SignupRuntime, check_signup_settings

log = logging.getLogger("quntuan.app")


def app_wiring(
    settings: Settings, plugin_manager: PluginManager, db: Database, shared: SharedState
) -> AppWiring:
    identity = IdentityRuntime(settings, shared)
    authz = authz_cache.AuthzCache(shared.redis, timezone=settings.timezone)
    files = make_storage(settings)
    signup = SignupRuntime(settings, shared, db, identity, plugin_manager)
    authz_cache.bind(authz)

    @asynccontextmanager
    async def prepare(app: Litestar) -> AsyncIterator[None]:
        await sync_builtin_roles(db, plugin_manager.registry)
        await remove_stale_spools(settings.files_path / SPOOL_DIR)
        hint = first_admin_hint(settings)
        if hint:
            log.warning(hint)
        yield

    def bind(app: Litestar) -> None:
        inbox.bind(
            plugin_manager, app.state
        )  # deliveries (quntuan_notify) and approved erasure requests use them
        if signup.sender is not None:  # claim codes go out through the configured SMS provider too
            set_code_sender(provider_sender(signup.sender))

    return AppWiring(
        routes=[
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
            *ANNOUNCEMENT_ROUTES,
            FileController,
            *PROCESS_ROUTES,
            *PLACE_ROUTES,
            *SELECTION_ROUTES,
            *SELFSERVICE_ROUTES,
        ],
        routers=[identity_router(API_PREFIX)],
        state={
            "identity": identity,
            "signup": signup,
            "authz": authz,
            "files": files,
            "authn": Authenticator(identity.secret, authz),
        },
        contexts=[prepare],
        lifespans=[integration_lifespan],
        middleware=[authentication_middleware],
        webhooks=signal_webhooks(plugin_manager.registry.signals),
        on_app=[bind],
        closers=[signup.close, files.close],
    )


def settings_refusals(settings: Settings, plugin_manager: PluginManager) -> list[str]:
    """What building the app would raise for the sign-up settings (SMS provider, codes), found without starting."""
    import httpx

    from core.kernel.settings import SettingsError

    try:
        check_signup_settings(settings, plugin_manager, httpx.AsyncClient())
    except SettingsError as exc:
        return list(exc.problems)
    return []
