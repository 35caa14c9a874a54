"""Logging in and out: the three grant types of ``POST /api/v1/auth/token``, logout, password change.

Failures say the same thing whether the account exists or not, and cost the same time (a dummy
hash is verified for unknown accounts); every attempt goes through the throttle first, counted against
the account the login name or phone resolves to (:mod:`core.identity.throttle`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from core.identity import audit
from core.identity.authz_cache import authority_changed
from core.identity.passwords import check_strength, hash_password, verify_password
from core.identity.problems import INVALID_CREDENTIALS, INVALID_GRANT
from core.identity.runtime import IdentityRuntime
from core.identity.schemas import TokenRequest, TokenResponse
from core.identity.tables import Account, ApiClient, ApiClientSecret, RefreshToken
from core.identity.throttle import UNAVAILABLE_RETRY_AFTER, ThrottleUnavailable
from core.identity.tokens import (
    hash_secret,
    issue_access_token,
    new_secret,
    same_secret,
    split_refresh_token,
)
from core.kernel.db import Database
from core.kernel.errors import Problem
from core.kernel.vault import normalise_phone


def _locked(retry_after: int) -> Problem:
    return Problem("rate-limited", headers={"Retry-After": str(retry_after)}, retry_after=retry_after)


async def throttled(identity: IdentityRuntime, subject: str, client_address: str) -> str:
    """Count an attempt on ``subject`` from ``client_address``; returns the address key for
    :func:`_succeeded`. Raises 429 while locked out, 503 while the counters cannot be reached (fail
    closed: no password is checked then)."""
    address = identity.vault.blind_index("client", client_address)
    try:
        retry_after = await identity.throttle.attempt(subject, address)
    except ThrottleUnavailable:
        raise Problem("service-unavailable", headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)}) from None
    if retry_after is not None:
        raise _locked(retry_after)
    return address


async def succeeded(identity: IdentityRuntime, subject: str, address: str) -> None:
    try:
        await identity.throttle.succeeded(subject, address)
    except ThrottleUnavailable:
        raise Problem("service-unavailable", headers={"Retry-After": str(UNAVAILABLE_RETRY_AFTER)}) from None


def account_subject(account_id: uuid.UUID) -> str:
    """The throttle subject of an account, whatever name or phone it was reached by."""
    return f"a:{account_id}"


async def find_login(identity: IdentityRuntime, login: str) -> dict[str, Any] | None:
    """The account a login name or phone number names (None when none, or the phone is ambiguous)."""
    columns = (Account.id, Account.password_hash, Account.status, Account.token_version)
    phone = normalise_phone(login)
    if phone is not None:
        index = identity.vault.blind_index("phone", phone)
        rows = await Account.select(*columns).where(Account.person.phone_index == index).limit(2).run()
        # Usernames start with a letter, so a phone number is never also looked up as one (and never
        # reaches a query in plaintext).
        return rows[0] if len(rows) == 1 else None
    return await Account.select(*columns).where(Account.username == login.strip().lower()).first().run()


async def issue_tokens(
    db: Database, identity: IdentityRuntime, account_id: uuid.UUID, version: int, family: uuid.UUID | None
) -> TokenResponse:
    settings = identity.settings
    secret = new_secret()
    token_id = uuid.uuid4()
    family = family or uuid.uuid4()
    async with db.transaction():
        await RefreshToken.insert(
            RefreshToken(
                id=token_id,
                family=family,
                account=account_id,
                secret_hash=hash_secret(secret),
                expires_at=datetime.now(UTC) + timedelta(seconds=settings.refresh_token_ttl),
            )
        ).run()
    # The access token names its refresh family (``sid``): reusing a spent refresh token ends both.
    access = issue_access_token(
        identity.secret,
        kind="account",
        subject=account_id,
        version=version,
        ttl=settings.access_token_ttl,
        session=family,
    )
    return TokenResponse(
        access_token=access,
        expires_in=settings.access_token_ttl,
        token_type="Bearer",  # noqa: S106 - the token type, not a secret
        refresh_token=f"{token_id}.{secret}",
    )


def _required(data: TokenRequest, *names: str) -> None:
    missing = [(f"/{n}", "required") for n in names if not getattr(data, n)]
    if missing:
        raise Problem.invalid(*missing)


async def password_grant(
    db: Database, identity: IdentityRuntime, data: TokenRequest, client_address: str
) -> TokenResponse:
    _required(data, "username", "password")
    assert data.username is not None
    assert data.password is not None
    # The account first: a lock engaged through its username holds for its phone number too. A name
    # that names no account is counted under its own keyed hash, the same way, so that locks answer
    # alike for names that exist and names that do not.
    account = await find_login(identity, data.username)
    if account is not None:
        subject = account_subject(account["id"])
    else:
        login = normalise_phone(data.username) or data.username.strip().lower()
        subject = "u:" + identity.vault.blind_index("login", login)
    address = await throttled(identity, subject, client_address)
    ok = await verify_password(data.password, account["password_hash"] if account else None)
    if not ok or account is None or account["status"] != "active":
        raise Problem(INVALID_CREDENTIALS, headers={"WWW-Authenticate": 'Bearer realm="quntuan"'})
    await succeeded(identity, subject, address)
    from core.selfservice.passwords import refuse_if_forced

    await refuse_if_forced(account["id"])
    async with db.transaction():
        await (
            Account.update({Account.last_login_at: datetime.now(UTC)})
            .where(Account.id == account["id"])
            .run()
        )
    return await issue_tokens(db, identity, account["id"], account["token_version"], None)


async def refresh_grant(db: Database, identity: IdentityRuntime, data: TokenRequest) -> TokenResponse:
    """Rotate a refresh token; a token used twice revokes its whole family (it was stolen or leaked)."""
    _required(data, "refresh_token")
    assert data.refresh_token is not None
    parsed = split_refresh_token(data.refresh_token)
    if parsed is None:
        raise Problem(INVALID_GRANT)
    token_id, secret = parsed
    now = datetime.now(UTC)
    reused = False
    account: dict[str, Any] | None = None
    family: uuid.UUID | None = None
    async with db.transaction():
        row = await RefreshToken.select().where(RefreshToken.id == token_id).first().run()
        if row is None or not same_secret(secret, row["secret_hash"]):
            raise Problem(INVALID_GRANT)
        if row["used_at"] is not None or row["revoked_at"] is not None:
            reused = row["used_at"] is not None and row["revoked_at"] is None
            await (
                RefreshToken.update({RefreshToken.revoked_at: now})
                .where((RefreshToken.family == row["family"]) & RefreshToken.revoked_at.is_null())
                .run()
            )
            if reused:
                await audit.record(
                    "auth.refresh_reuse", resource_type="account", resource_id=row["account"], actor=None
                )
                # The family's access tokens carry its id: every worker refuses them from the next
                # request on, as it does after any change of authority.
                await authority_changed()
        elif row["expires_at"] > now:
            spent = (
                await RefreshToken.update({RefreshToken.used_at: now})
                .where((RefreshToken.id == token_id) & RefreshToken.used_at.is_null())
                .returning(RefreshToken.id)
                .run()
            )
            if spent:
                account = (
                    await Account.select(Account.id, Account.status, Account.token_version)
                    .where(Account.id == row["account"])
                    .first()
                    .run()
                )
                family = row["family"]
    if account is None or account["status"] != "active" or family is None:
        raise Problem(INVALID_GRANT)
    return await issue_tokens(db, identity, account["id"], account["token_version"], family)


async def client_credentials_grant(
    db: Database, identity: IdentityRuntime, data: TokenRequest, client_address: str
) -> TokenResponse:
    _required(data, "client_id", "client_secret")
    assert data.client_id is not None
    assert data.client_secret is not None
    subject = "c:" + identity.vault.blind_index("api-client", data.client_id)
    address = await throttled(identity, subject, client_address)
    try:
        client_id = uuid.UUID(data.client_id)
    except ValueError:
        client_id = None
    now = datetime.now(UTC)
    ok = False
    if client_id is not None:
        secrets_ = (
            await ApiClientSecret.select(ApiClientSecret.secret_hash)
            .where(
                (ApiClientSecret.client == client_id)
                & (ApiClientSecret.client.status == "active")
                & (ApiClientSecret.expires_at.is_null() | (ApiClientSecret.expires_at > now))
            )
            .run()
        )
        ok = any(same_secret(data.client_secret, s["secret_hash"]) for s in secrets_)
    if not ok or client_id is None:
        raise Problem(INVALID_CREDENTIALS, headers={"WWW-Authenticate": 'Bearer realm="quntuan"'})
    await succeeded(identity, subject, address)
    async with db.transaction():
        await ApiClient.update({ApiClient.last_used_at: now}).where(ApiClient.id == client_id).run()
    settings = identity.settings
    access = issue_access_token(
        identity.secret, kind="client", subject=client_id, version=0, ttl=settings.access_token_ttl
    )
    return TokenResponse(access_token=access, expires_in=settings.access_token_ttl, token_type="Bearer")  # noqa: S106


async def revoke_sessions(account_id: uuid.UUID) -> None:
    """End every session of an account: outstanding access tokens and refresh tokens stop working."""
    await (
        Account.update(
            {Account.token_version: Account.token_version + 1, Account.updated_at: datetime.now(UTC)}
        )
        .where(Account.id == account_id)
        .run()
    )
    await (
        RefreshToken.update({RefreshToken.revoked_at: datetime.now(UTC)})
        .where((RefreshToken.account == account_id) & RefreshToken.revoked_at.is_null())
        .run()
    )
    await authority_changed()


async def logout(db: Database, account_id: uuid.UUID) -> None:
    async with db.transaction():
        await revoke_sessions(account_id)
        await audit.record("auth.logout", resource_type="account", resource_id=account_id)


async def change_password(
    db: Database,
    identity: IdentityRuntime,
    account_id: uuid.UUID,
    current: str,
    new: str,
    client_address: str,
) -> None:
    """Replace the password. A wrong current password counts as a failed login of the account (one
    lock-out for both), so a stolen session cannot guess it; the new one must pass the strength check."""
    row = (
        await Account.select(Account.password_hash, Account.username, Account.person.name)
        .where(Account.id == account_id)
        .first()
        .run()
    )
    if row is None:
        raise Problem.invalid(("/current_password", "invalid"))
    await check_strength(
        new,
        (row["username"], row["person.name"] or ""),
        min_score=identity.settings.password_min_score,
        pointer="/new_password",
    )
    subject = account_subject(account_id)
    address = await throttled(identity, subject, client_address)
    if not await verify_password(current, row["password_hash"]):
        raise Problem.invalid(("/current_password", "invalid"))
    await succeeded(identity, subject, address)
    new_hash = await hash_password(new)
    async with db.transaction():
        await Account.update({Account.password_hash: new_hash}).where(Account.id == account_id).run()
        await revoke_sessions(account_id)
        await audit.record(
            "account.password_changed",
            resource_type="account",
            resource_id=account_id,
            changes={"password": audit.CHANGED},
        )
