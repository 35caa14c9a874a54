"""Authentication middleware: a bearer access token becomes ``scope["user"]`` (an AuthPrincipal).

No token leaves the request anonymous (the guards then answer 401 on routes that need a principal);
a bad token — forged, tampered, expired, revoked, or for a disabled account — is treated exactly like
no token. The principal comes from the principal cache (:mod:`core.identity.authz_cache`), which every
change of authority invalidates on commit, so revocation and new grants take effect on the next request.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from core.identity.authz_cache import AuthzCache, current_cache
from core.identity.principal import AuthPrincipal
from core.identity.tokens import AccessClaims, verify_access_token
from core.kernel.access import bearer_token

#: The principal of the request being served (for the audit log), or None outside requests.
current_actor: ContextVar[Any] = ContextVar("quntuan_current_actor", default=None)


#: Tokens verified by one process at most (the cache is emptied when full).
VERIFIED_TOKENS = 10_000


class Authenticator:
    """One per app: a request's bearer token → its principal (or None), the one way requests authenticate.

    Used by :func:`authentication_middleware` for every Litestar route and by the fast routes
    (:mod:`core.kernel.fastpath`), so both accept exactly the same tokens.
    """

    def __init__(self, secret: str, cache: AuthzCache) -> None:
        self.secret = secret
        self.cache = cache
        #: Exact token strings whose signature and claims this process verified, until their ``exp``: a
        #: front end sends the same token for minutes, and checking the signature again would find the same.
        self._verified: dict[str, AccessClaims] = {}

    def claims_of(self, token: str) -> AccessClaims | None:
        claims = self._verified.get(token)
        if claims is not None and time.time() < claims.expires_at:
            return claims
        claims = verify_access_token(self.secret, token)
        if claims is not None:
            if len(self._verified) >= VERIFIED_TOKENS:
                self._verified.clear()
            self._verified[token] = claims
        return claims

    async def principal(self, token: str | None) -> AuthPrincipal | None:
        """The principal of a request's bearer token (:func:`bearer_token`); None without one or a bad one."""
        if token is None:
            return None
        claims = self.claims_of(token)
        if claims is None:
            return None
        return await self.cache.principal(claims.kind, claims.subject, claims.version, session=claims.session)


def authentication_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        authenticator: Authenticator = scope["app"].state.authn
        token = bearer_token(scope)
        if token is not None:
            scope["user"] = await authenticator.principal(token)
        elif "user" not in scope:
            scope["user"] = None
        reset = current_actor.set(scope.get("user"))
        reset_cache = current_cache.set(authenticator.cache)
        try:
            await app(scope, receive, send)
        finally:
            current_cache.reset(reset_cache)
            current_actor.reset(reset)

    return middleware
