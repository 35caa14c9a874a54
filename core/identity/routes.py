"""The routers of identity and access, mounted by ``create_app`` under ``/api/v1`` with the guards."""

from __future__ import annotations

from litestar import Router

from core.identity.api_admin import (
    AccountController,
    ClientController,
    GrantController,
    PostController,
    RoleController,
)
from core.identity.api_audit import AuditController
from core.identity.api_auth import AuthController, MeController
from core.identity.api_consent import ConsentController
from core.identity.api_persons import PersonController
from core.kernel.guards import CORE_GUARDS
from core.signup.controllers import SignupController


def identity_router(prefix: str) -> Router:
    return Router(
        path=prefix,
        route_handlers=[
            AuthController,
            MeController,
            SignupController,
            PersonController,
            ConsentController,
            AccountController,
            RoleController,
            GrantController,
            PostController,
            ClientController,
            AuditController,
        ],
        guards=list(CORE_GUARDS),
        security=[{"bearer": []}],
    )
