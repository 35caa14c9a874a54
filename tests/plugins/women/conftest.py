"""The women plugin's tests: an app with the core and the women plugin only, through HTTP.

Helpers build the federations of the testkit's tree (county A and county B each get a county federation
and a village federation) and accounts holding chosen permissions on one org.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

import plugins.women.hooks
from core.testkit import OrgTree


@pytest.fixture(scope="module")
def quntuan_plugins() -> Mapping[str, object]:
    return {"women": plugins.women.hooks}


@dataclass
class Women:
    """The tree, its federations, and ``admin_a``: every permission on county A and its subtree (the
    testkit's ``county`` holds its grants on county A's own org only)."""

    tree: OrgTree
    orgs: dict[str, dict[str, Any]] = field(default_factory=dict)
    admin_a: dict[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> dict[str, dict[str, str]]:
        return self.tree.headers


async def make_org(
    client: Any, headers: dict[str, str], parent: Any, kind: str, level: str, name: str
) -> dict:
    body = {"name": name, "kind": kind, "level": level, "parent": str(parent)}
    response = await client.post("/api/v1/orgs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
async def women(quntuan_client: Any, quntuan_tree: OrgTree) -> Women:
    platform = quntuan_tree.headers["platform"]
    world = Women(tree=quntuan_tree)
    for key in ("county_a", "county_b"):
        fed = await make_org(
            quntuan_client, platform, quntuan_tree.orgs[key]["id"], "women.federation", "county", f"{key}妇联"
        )
        village = await make_org(
            quntuan_client, platform, fed["id"], "women.grassroots", "village", f"{key}村妇联"
        )
        world.orgs[f"{key}_fed"] = fed
        world.orgs[f"{key}_village"] = village
    every = sorted(quntuan_client.app.state.registry.permissions)
    world.admin_a, _ = await make_account(
        quntuan_client, platform, quntuan_tree.orgs["county_a"]["id"], every
    )
    return world


async def make_person(client: Any, headers: dict[str, str], org_id: Any, name: str = "王某") -> str:
    response = await client.post(
        "/api/v1/persons", json={"name": name, "home_org": str(org_id)}, headers=headers
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def make_account(
    client: Any,
    platform: dict[str, str],
    org_id: Any,
    permissions: Sequence[str] = (),
    *,
    subtree: bool = True,
) -> tuple[dict[str, str], str]:
    """A new person with an account (and a role of ``permissions`` on ``org_id``): its headers and id."""
    person = await make_person(client, platform, org_id, f"测试{secrets.token_hex(2)}")
    username, password = f"u{secrets.token_hex(5)}", secrets.token_urlsafe(16)
    response = await client.post(
        "/api/v1/accounts",
        json={"username": username, "password": password, "person": person},
        headers=platform,
    )
    assert response.status_code == 201, response.text
    account = response.json()["id"]
    if permissions:
        code = f"r{secrets.token_hex(6)}"
        role = await client.post(
            "/api/v1/roles",
            json={"code": code, "name": code, "permissions": list(permissions)},
            headers=platform,
        )
        assert role.status_code == 201, role.text
        grant = await client.post(
            "/api/v1/grants",
            json={"role": role.json()["id"], "org": str(org_id), "subtree": subtree, "account": account},
            headers=platform,
        )
        assert grant.status_code == 201, grant.text
    token = await client.post(
        "/api/v1/auth/token", json={"grant_type": "password", "username": username, "password": password}
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}, person


def etag(response: Any) -> dict[str, str]:
    return {"If-Match": response.headers["etag"]}


# --- selections (评选): the core's campaign routes, as a front end calls them ---------------------------


async def campaign(
    client: Any, headers: dict[str, str], org_id: Any, type_code: str, quotas: Sequence[int], **body: Any
) -> dict[str, Any]:
    """A new campaign of ``type_code`` at ``org_id`` with one quota per level (top down)."""
    payload = {
        "type": type_code,
        "org_id": str(org_id),
        "title": body.pop("title", "2026年度评选"),
        "honor_title": body.pop("honor_title", "2026年度先进"),
        "year": body.pop("year", 2026),
        "levels": [{"quota": q} for q in quotas],
        **body,
    }
    response = await client.post("/api/v1/selections/campaigns", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def move_stage(client: Any, headers: dict[str, str], camp: dict[str, Any], to: str) -> Any:
    """Move the campaign to stage ``to`` with its current ETag."""
    current = (await client.get(f"/api/v1/selections/campaigns/{camp['id']}", headers=headers)).json()
    return await client.post(
        f"/api/v1/selections/campaigns/{camp['id']}/stage",
        json={"stage": to},
        headers={**headers, "If-Match": f'"{current["version"]}"'},
    )


async def review(client: Any, headers: dict[str, str], nomination_id: str, action: str) -> Any:
    return await client.post(
        f"/api/v1/selections/nominations/{nomination_id}/review", json={"action": action}, headers=headers
    )


async def decide(client: Any, headers: dict[str, str], camp: dict[str, Any], **body: Any) -> Any:
    """The campaign's decision (after its notice) with its current ETag."""
    current = (await client.get(f"/api/v1/selections/campaigns/{camp['id']}", headers=headers)).json()
    return await client.post(
        f"/api/v1/selections/campaigns/{camp['id']}/decision",
        json=body,
        headers={**headers, "If-Match": f'"{current["version"]}"'},
    )
