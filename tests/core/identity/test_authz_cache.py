"""The principal cache: every change of authority takes effect on the very next request.

Principals are cached (in Redis when configured, in the process otherwise) under an authorization epoch
that each such change bumps after it committed. These tests change authority through the API and look
at the next request; with Redis, a second cache over the same Redis (another worker's) must agree.
``tests/core/ops/test_processes.py`` checks the same across real server processes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar

from core.identity.authz_cache import AuthzCache, authority_changed
from core.identity.tables import Account, Grant, Person
from core.identity.tokens import issue_access_token, verify_access_token
from core.orgs.tables import Org
from tests.conftest import TEST_REDIS_URL, ApiClient, open_client
from tests.identity_helpers import bearer, make_account, make_org, token

ADMIN = [
    "core.grant.manage",
    "core.role.manage",
    "core.post.manage",
    "core.person.read",
    "core.account.manage",
    "core.client.manage",
    "core.org.move",
    "core.org.read",
]


@pytest.fixture
async def clients(make_app: Callable[..., Litestar]) -> AsyncIterator[tuple[ApiClient, ApiClient]]:
    """``writer`` changes authority, ``reader`` reads next (one app: Piccolo binds tables per process)."""
    async for client in open_client(make_app(plugins={})):
        yield client, client


def _today(client: ApiClient) -> date:
    """Today where the platform is (posts start and end by the configured time zone)."""
    return datetime.now(ZoneInfo(client.app.state.settings.timezone)).date()


async def _admin(client: ApiClient) -> dict[str, str]:
    return await bearer(client, *await make_account(client.app.state.db, grants=[(None, ADMIN, True)]))


async def _role(client: ApiClient, admin: dict[str, str], code: str, permissions: list[str]) -> str:
    role = await client.post(
        "/api/v1/roles", json={"code": code, "name": code, "permissions": permissions}, headers=admin
    )
    assert role.status_code == 201, role.text
    return str(role.json()["id"])


async def _appoint(
    client: ApiClient,
    admin: dict[str, str],
    person: object,
    org: object,
    start: date,
    end: date | None = None,
) -> str:
    """A post (职务) for ``person`` in ``org`` from ``start`` (to ``end``); returns its id."""
    body = {"person": str(person), "org": str(org), "title": "主席", "start_date": start.isoformat()}
    if end is not None:
        body["end_date"] = end.isoformat()
    post = await client.post("/api/v1/posts", json=body, headers=admin)
    assert post.status_code == 201, post.text
    return str(post.json()["id"])


async def _grant(client: ApiClient, admin: dict[str, str], role: str, org: object, **holder: str) -> str:
    """Grant ``role`` on ``org``'s subtree to one holder (``account=…`` or ``post=…``); returns its id."""
    body = {"role": role, "org": str(org), "subtree": True, **holder}
    granted = await client.post("/api/v1/grants", json=body, headers=admin)
    assert granted.status_code == 201, granted.text
    return str(granted.json()["id"])


async def _account_id(client: ApiClient, headers: dict[str, str]) -> str:
    response = await client.get("/api/v1/me", headers=headers)
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


async def test_revoked_grant_and_changed_role_take_effect_on_the_next_request(
    clients: tuple[ApiClient, ApiClient],
) -> None:
    writer, reader = clients
    admin = await _admin(writer)
    org = await make_org()
    user = await bearer(reader, *await make_account(writer.app.state.db, grants=[(org["path"], [], True)]))
    user_id = await _account_id(reader, user)
    role = await _role(writer, admin, "reader", ["core.org.read"])
    granted = await _grant(writer, admin, role, org["id"], account=user_id)
    assert (await reader.get(f"/api/v1/orgs/{org['id']}", headers=user)).status_code == 200

    # The role loses the permission: the next request no longer has it.
    changed = await writer.patch(
        f"/api/v1/roles/{role}", json={"permissions": ["core.person.read"]}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert (await reader.get(f"/api/v1/orgs/{org['id']}", headers=user)).status_code == 403
    changed = await writer.patch(
        f"/api/v1/roles/{role}", json={"permissions": ["core.org.read"]}, headers=admin
    )
    assert (await reader.get(f"/api/v1/orgs/{org['id']}", headers=user)).status_code == 200

    # The grant is revoked: the very next request is refused.
    revoked = await writer.delete(f"/api/v1/grants/{granted}", headers=admin)
    assert revoked.status_code == 204, revoked.text
    assert (await reader.get(f"/api/v1/orgs/{org['id']}", headers=user)).status_code == 403


async def test_reach_follows_a_moved_subtree(clients: tuple[ApiClient, ApiClient]) -> None:
    writer, reader = clients
    db = writer.app.state.db
    admin = await _admin(writer)
    root = await make_org(level="province")
    left, right = await make_org(root, level="city"), await make_org(root, level="city")
    district = await make_org(left)
    inside = await bearer(
        reader, *await make_account(db, grants=[(district["path"], ["core.org.read"], True)])
    )
    on_right = await bearer(
        reader, *await make_account(db, grants=[(right["path"], ["core.org.read"], True)])
    )
    assert (await reader.get(f"/api/v1/orgs/{district['id']}", headers=inside)).status_code == 200
    assert (await reader.get(f"/api/v1/orgs/{district['id']}", headers=on_right)).status_code == 404

    moved = await writer.post(
        f"/api/v1/orgs/{district['id']}/move", json={"parent": str(right["id"])}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    new_path = (await Org.select(Org.path).where(Org.id == district["id"]).first().run())["path"]
    assert new_path != district["path"]
    # A grant on the moved org holds at its new path; the new parent's subtree now includes it.
    assert (await reader.get(f"/api/v1/orgs/{district['id']}", headers=inside)).status_code == 200
    assert (await reader.get(f"/api/v1/orgs/{district['id']}", headers=on_right)).status_code == 200


async def test_ended_post_disabled_account_and_logout(clients: tuple[ApiClient, ApiClient]) -> None:
    writer, reader = clients
    db = writer.app.state.db
    admin = await _admin(writer)
    org = await make_org()
    username, password = await make_account(db, home_org=org["id"])
    user = await bearer(reader, username, password)
    account = (
        await Account.select(Account.id, Account.person).where(Account.username == username).first().run()
    )
    role = await _role(writer, admin, "chair", ["core.org.read"])
    post = await _appoint(writer, admin, account["person"], org["id"], _today(writer) - timedelta(days=30))
    # A post without grants gives nothing; a grant on the post gives its holder the role at once.
    assert (await reader.get(f"/api/v1/orgs/{org['id']}", headers=user)).status_code == 403
    await _grant(writer, admin, role, org["id"], post=post)
    assert (await reader.get(f"/api/v1/orgs/{org['id']}", headers=user)).status_code == 200

    # The post ends (yesterday): its grant ends with it on the next request.
    ended = await writer.patch(
        f"/api/v1/posts/{post}",
        json={"end_date": (_today(writer) - timedelta(days=1)).isoformat()},
        headers=admin,
    )
    assert ended.status_code == 200, ended.text
    assert (await reader.get(f"/api/v1/orgs/{org['id']}", headers=user)).status_code == 403

    # Disabled: the token stops working; enabled again: a new login works.
    assert (await reader.get("/api/v1/me", headers=user)).status_code == 200
    disabled = await writer.post(f"/api/v1/accounts/{account['id']}/disable", headers=admin)
    assert disabled.status_code == 200, disabled.text
    assert (await reader.get("/api/v1/me", headers=user)).status_code == 401
    enabled = await writer.post(f"/api/v1/accounts/{account['id']}/enable", headers=admin)
    assert enabled.status_code == 200, enabled.text
    again = await bearer(writer, username, password)
    assert (await reader.get("/api/v1/me", headers=again)).status_code == 200

    # Logging out (token version bumped) ends the session everywhere.
    assert (await writer.post("/api/v1/auth/logout", headers=again)).status_code == 204
    assert (await reader.get("/api/v1/me", headers=again)).status_code == 401


async def test_disabled_api_client_is_refused_on_the_next_request(
    clients: tuple[ApiClient, ApiClient],
) -> None:
    writer, reader = clients
    admin = await _admin(writer)
    created = await writer.post(
        "/api/v1/clients", json={"name": "integrator", "scopes": ["core.org.read"]}, headers=admin
    )
    assert created.status_code == 201, created.text
    issued = await writer.post(
        "/api/v1/auth/token",
        json={
            "grant_type": "client_credentials",
            "client_id": created.json()["client_id"],
            "client_secret": created.json()["client_secret"],
        },
    )
    assert issued.status_code == 200, issued.text
    headers = {"Authorization": f"Bearer {issued.json()['access_token']}"}
    assert (await reader.get("/api/v1/me", headers=headers)).status_code == 200
    disabled = await writer.post(f"/api/v1/clients/{created.json()['client_id']}/disable", headers=admin)
    assert disabled.status_code == 200, disabled.text
    assert (await reader.get("/api/v1/me", headers=headers)).status_code == 401


async def test_cached_until_the_epoch_moves_and_never_past_the_day(
    clients: tuple[ApiClient, ApiClient],
) -> None:
    """A change behind the platform's back stays unseen until an epoch bump; a post ending today ends tonight."""
    writer, _ = clients
    db = writer.app.state.db
    org = await make_org()
    username, password = await make_account(
        db, grants=[(org["path"], ["core.org.read"], True)], home_org=org["id"]
    )
    claims = verify_access_token(
        writer.app.state.identity.secret, (await token(writer, username, password))["access_token"]
    )
    assert claims is not None
    cache: AuthzCache = writer.app.state.authz
    first = await cache.principal(claims.kind, claims.subject, claims.version)
    assert first is not None and first.has_permission("core.org.read")

    await Grant.delete().where(Grant.account == claims.subject).run()  # raw write: no epoch bump
    cached = await cache.principal(claims.kind, claims.subject, claims.version)
    assert cached is not None and cached.has_permission("core.org.read")
    async with db.transaction():
        await authority_changed()
    fresh = await cache.principal(claims.kind, claims.subject, claims.version)
    assert fresh is not None and not fresh.has_permission("core.org.read")

    # A post held until today only: today's principal has its grant, tomorrow's does not — and a second
    # cache over the same Redis (another worker) agrees.
    admin = await _admin(writer)
    person = await Account.select(Account.person).where(Account.id == claims.subject).first().run()
    today = _today(writer)
    role = await _role(writer, admin, "today", ["core.org.read"])
    post = await _appoint(writer, admin, person["person"], org["id"], today, today)
    await _grant(writer, admin, role, org["id"], post=post)
    holding = await cache.principal(claims.kind, claims.subject, claims.version, on=today)
    assert holding is not None and holding.has_permission("core.org.read")
    tomorrow = today + timedelta(days=1)
    later = await cache.principal(claims.kind, claims.subject, claims.version, on=tomorrow)
    assert later is not None and not later.has_permission("core.org.read")
    other = AuthzCache(writer.app.state.shared.redis, timezone=writer.app.state.settings.timezone)
    elsewhere = await other.principal(claims.kind, claims.subject, claims.version, on=tomorrow)
    assert elsewhere is not None and not elsewhere.has_permission("core.org.read")


async def test_a_rolled_back_change_does_not_bump_the_epoch(clients: tuple[ApiClient, ApiClient]) -> None:
    writer, _ = clients
    cache: AuthzCache = writer.app.state.authz
    before = await cache.epoch()

    async def change_then_fail() -> None:
        async with writer.app.state.db.transaction():
            await Person.insert(Person(name="回滚")).run()
            await authority_changed()
            raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await change_then_fail()
    assert await cache.epoch() == before
    async with writer.app.state.db.transaction():
        await authority_changed()
    assert await cache.epoch() != before


@pytest.mark.skipif(TEST_REDIS_URL is None, reason="the epoch is shared through Redis")
async def test_a_revocation_reaches_another_workers_cache(clients: tuple[ApiClient, ApiClient]) -> None:
    """Another worker's cache, warmed before the revocation, loads afresh on its next lookup."""
    client, _ = clients
    admin = await _admin(client)
    org = await make_org()
    username, password = await make_account(
        client.app.state.db, grants=[(org["path"], ["core.org.read"], True)]
    )
    claims = verify_access_token(
        client.app.state.identity.secret, (await token(client, username, password))["access_token"]
    )
    assert claims is not None
    other = AuthzCache(client.app.state.shared.redis, timezone=client.app.state.settings.timezone)
    warmed = await other.principal(claims.kind, claims.subject, claims.version)
    assert warmed is not None and warmed.has_permission("core.org.read")
    grants = await client.get("/api/v1/grants", params={"account": str(claims.subject)}, headers=admin)
    (grant,) = grants.json()["items"]
    assert (await client.delete(f"/api/v1/grants/{grant['id']}", headers=admin)).status_code == 204
    after = await other.principal(claims.kind, claims.subject, claims.version)
    assert after is not None and not after.has_permission("core.org.read")


async def test_a_verified_token_still_expires(clients: tuple[ApiClient, ApiClient]) -> None:
    """Verified tokens are remembered by the process, but only until their ``exp``."""
    client, _ = clients
    username, _ = await make_account(client.app.state.db)
    account = (
        await Account.select(Account.id, Account.token_version)
        .where(Account.username == username)
        .first()
        .run()
    )
    ttl = 4  # long enough for the first request even on a loaded machine
    short = issue_access_token(
        client.app.state.identity.secret,
        kind="account",
        subject=account["id"],
        version=account["token_version"],
        ttl=ttl,
    )
    expires = time.time() + ttl
    headers = {"Authorization": f"Bearer {short}"}
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    await asyncio.sleep(max(0.0, expires - time.time()) + 1.1)  # exp has whole seconds
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
