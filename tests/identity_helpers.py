"""Helpers for tests that need real accounts, grants and tokens (any area may use them).

    org = await make_org()                                  # a root Party committee
    child = await make_org(parent=org)
    username, password = await make_account(db, grants=[(org["path"], ["orgs.org.read"], True)])
    headers = await bearer(client, username, password)      # {"Authorization": "Bearer …"}

``db`` is ``client.app.state.db``. Grants name an org by path or id; ``None`` means the whole platform.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from typing import Any

import httpx

from core.identity.passwords import hash_password
from core.identity.tables import Account, Grant, Person, Role
from core.kernel.db import Database
from core.orgs.paths import depth_of, new_segment
from core.orgs.tables import Org

GrantSpec = tuple[str | uuid.UUID | None, Sequence[str], bool]


async def make_org(
    parent: dict[str, Any] | None = None,
    *,
    kind: str = "party.committee",
    name: str = "测试组织",
    level: str = "county",
) -> dict[str, Any]:
    """Insert an org directly (below ``parent``, a row from an earlier call); returns {"id", "path"}."""
    path = (parent["path"] if parent else "") + new_segment()
    org_id = uuid.uuid4()
    await Org.insert(
        Org(
            id=org_id,
            parent=parent["id"] if parent else None,
            path=path,
            depth=depth_of(path),
            kind=kind,
            level=level,
            name=name,
        )
    ).run()
    return {"id": org_id, "path": path}


async def _org_id(org: str | uuid.UUID | None) -> uuid.UUID | None:
    if org is None or isinstance(org, uuid.UUID):
        return org
    row = await Org.select(Org.id).where(Org.path == org).first().run()
    assert row is not None, f"no org at path {org!r}"
    return row["id"]  # type: ignore[no-any-return]


async def make_account(
    db: Database,
    *,
    grants: Sequence[GrantSpec] = (),
    person: uuid.UUID | None = None,
    home_org: str | uuid.UUID | None = None,
    username: str | None = None,
    password: str | None = None,
) -> tuple[str, str]:
    """An active account (with a person of its own unless ``person`` is given) holding ``grants``.

    Each grant is ``(org path or id or None, [permission codes], subtree)`` and gets a role of its own.
    """
    username = username or f"user{secrets.token_hex(4)}"
    password = password or secrets.token_urlsafe(12)
    password_hash = await hash_password(password)
    async with db.transaction():
        if person is None:
            person = uuid.uuid4()
            await Person.insert(
                Person(id=person, name=f"测试{username}", home_org=await _org_id(home_org))
            ).run()
        account_id = uuid.uuid4()
        await Account.insert(
            Account(id=account_id, username=username, person=person, password_hash=password_hash)
        ).run()
        for org, codes, subtree in grants:
            role_id = uuid.uuid4()
            await Role.insert(
                Role(id=role_id, code=f"r{role_id.hex[:12]}", name="test", permissions=list(codes))
            ).run()
            await Grant.insert(
                Grant(role=role_id, account=account_id, org=await _org_id(org), subtree=subtree)
            ).run()
    return username, password


async def token(client: httpx.AsyncClient, username: str, password: str) -> dict[str, Any]:
    """The token response of a password login (asserts it succeeded)."""
    response = await client.post(
        "/api/v1/auth/token", json={"grant_type": "password", "username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def bearer(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    """``{"Authorization": "Bearer <access token>"}`` for the account."""
    return {"Authorization": f"Bearer {(await token(client, username, password))['access_token']}"}
