"""Access tokens (short-lived HS256 JWTs) and refresh tokens (opaque, rotating, stored hashed).

An access token names its subject (``sub``), the kind of subject (``typ``: account or client) and the
account's ``token_version``, and for an account the refresh family it came from (``sid``: the session,
ended with its family when a spent refresh token is reused); the authentication middleware checks the subject on every request (through
the principal cache, which each such change invalidates), so logout, password change and disabling take
effect at once. ``alg`` is pinned to HS256: ``none`` and
every other algorithm are refused, as are tokens signed with another key or past ``exp``.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import jwt

ALGORITHM = "HS256"
ISSUER = "quntuan"
AUDIENCE = "quntuan-api"


class AccessClaims:
    """The verified claims of an access token."""

    __slots__ = ("expires_at", "kind", "session", "subject", "version")

    def __init__(
        self,
        kind: Literal["account", "client"],
        subject: uuid.UUID,
        version: int,
        expires_at: float = 0.0,
        session: uuid.UUID | None = None,
    ) -> None:
        self.kind = kind
        self.subject = subject
        self.version = version
        #: ``exp`` as a POSIX timestamp: the token is refused from this instant on.
        self.expires_at = expires_at
        #: The refresh family (login session) an account's token belongs to; None for clients.
        self.session = session


def issue_access_token(
    secret: str,
    *,
    kind: Literal["account", "client"],
    subject: uuid.UUID,
    version: int,
    ttl: int,
    session: uuid.UUID | None = None,
) -> str:
    now = datetime.now(UTC)
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(subject),
        "typ": kind,
        "ver": version,
        "iat": now,
        "exp": now + timedelta(seconds=ttl),
        "jti": uuid.uuid4().hex,
    }
    if session is not None:
        claims["sid"] = str(session)
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_access_token(secret: str, token: str) -> AccessClaims | None:
    """The claims of a genuine, unexpired token; None for anything else (forged, tampered, expired…)."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "typ", "ver"]},
        )
        kind = claims["typ"]
        if kind not in ("account", "client") or not isinstance(claims["ver"], int):
            return None
        session = uuid.UUID(claims["sid"]) if "sid" in claims else None
        return AccessClaims(kind, uuid.UUID(claims["sub"]), claims["ver"], float(claims["exp"]), session)
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None


def hash_secret(secret: str) -> str:
    """SHA-256 of a high-entropy random secret (refresh tokens, client secrets)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def split_refresh_token(token: str) -> tuple[uuid.UUID, str] | None:
    """``<token id>.<secret>`` → (id, secret), or None when malformed."""
    token_id, sep, secret = token.partition(".")
    if not sep or not secret:
        return None
    try:
        return uuid.UUID(token_id), secret
    except ValueError:
        return None


def same_secret(secret: str, stored_hash: str) -> bool:
    return secrets.compare_digest(hash_secret(secret), stored_hash)
