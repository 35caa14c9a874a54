"""A small org tree with accounts and grants at several levels, for plugin tests."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from core.identity.passwords import hash_password
from core.identity.tables import Account, Grant, Person, Role
from core.orgs.paths import depth_of, new_segment
from core.orgs.tables import Org

#: Role → (org key or None for the whole platform, subtree).
ROLES: dict[str, tuple[str | None, bool]] = {
    "platform": (None, True),
    "province": ("province", True),
    "city": ("city", True),
    "county": ("county_a", False),
    "member": ("county_b", False),  # home org only; no grant
}


@dataclass
class OrgTree:
    """``orgs``: province, city, county_a, county_b → {"id", "path"}; ``accounts``/``headers`` by role."""

    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    accounts: dict[str, tuple[str, str]] = field(default_factory=dict)
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    async def holder_of(
        self, client: httpx.AsyncClient, role_code: str, org: str | uuid.UUID, *, subtree: bool = True
    ) -> dict[str, str]:
        """Headers of a new account holding the role ``role_code`` (e.g. a plugin's built-in role) at
        ``org`` (a key of :attr:`orgs` or an org id), with its subtree unless ``subtree=False``."""
        org_id = self.orgs[org]["id"] if isinstance(org, str) else org
        role = await Role.select(Role.id).where(Role.code == role_code).first().run()
        if role is None:
            raise LookupError(f"no role {role_code!r} (is its plugin loaded?)")
        username, password = f"holder{secrets.token_hex(3)}", secrets.token_urlsafe(12)
        async with client.app.state.db.transaction():  # type: ignore[attr-defined]
            person, account = uuid.uuid4(), uuid.uuid4()
            await Person.insert(Person(id=person, name=f"测试{role_code}", home_org=org_id)).run()
            await Account.insert(
                Account(
                    id=account, username=username, person=person, password_hash=await hash_password(password)
                )
            ).run()
            await Grant.insert(Grant(role=role["id"], account=account, org=org_id, subtree=subtree)).run()
        return await _sign_in(client, username, password)


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await client.post(
        "/api/v1/auth/token", json={"grant_type": "password", "username": username, "password": password}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def _org(parent: dict[str, Any] | None, level: str, name: str) -> dict[str, Any]:
    path = (parent["path"] if parent else "") + new_segment()
    org_id = uuid.uuid4()
    await Org.insert(
        Org(
            id=org_id,
            parent=parent["id"] if parent else None,
            path=path,
            depth=depth_of(path),
            kind="party.committee",
            level=level,
            name=name,
        )
    ).run()
    return {"id": org_id, "path": path}


async def make_tree(client: httpx.AsyncClient) -> OrgTree:
    """Build the tree in the app's database and sign every role in (``client.app`` must be started)."""
    app = client.app  # type: ignore[attr-defined]
    db = app.state.db
    permissions = sorted(app.state.registry.permissions)
    tree = OrgTree()
    async with db.transaction():
        province = await _org(None, "province", "测试省")
        city = await _org(province, "city", "测试市")
        tree.orgs = {
            "province": province,
            "city": city,
            "county_a": await _org(city, "county", "测试甲县"),
            "county_b": await _org(city, "county", "测试乙县"),
        }
        for role, (org_key, subtree) in ROLES.items():
            username, password = f"{role}{secrets.token_hex(3)}", secrets.token_urlsafe(12)
            home = tree.orgs[org_key]["id"] if org_key else None
            person = uuid.uuid4()
            await Person.insert(Person(id=person, name=f"测试{role}", home_org=home)).run()
            account = uuid.uuid4()
            await Account.insert(
                Account(
                    id=account, username=username, person=person, password_hash=await hash_password(password)
                )
            ).run()
            if role != "member":
                role_id = uuid.uuid4()
                await Role.insert(
                    Role(id=role_id, code=f"r{role_id.hex[:12]}", name=role, permissions=permissions)
                ).run()
                await Grant.insert(Grant(role=role_id, account=account, org=home, subtree=subtree)).run()
            tree.accounts[role] = (username, password)
    for role, (username, password) in tree.accounts.items():
        tree.headers[role] = await _sign_in(client, username, password)
    return tree
