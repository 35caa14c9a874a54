"""The scitech tests build an app with the core and scitech only, through the testkit."""

from __future__ import annotations

import json
import secrets
from typing import Any

import httpx
import pytest

import plugins.scitech.hooks


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"scitech": plugins.scitech.hooks}


def decoded(value: Any) -> Any:
    """A JSON column of an outbox signal or audit entry as read back (text on some databases)."""
    return json.loads(value) if isinstance(value, str) else value


async def make_org(
    client: httpx.AsyncClient, headers: dict[str, str], parent: Any, kind: str, level: str, name: str
) -> str:
    """A scitech org under ``parent`` made through the core's API, as a cadre would."""
    response = await client.post(
        "/api/v1/orgs",
        json={"parent": str(parent), "kind": kind, "level": level, "name": name},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def make_person(client: httpx.AsyncClient, platform: dict[str, str], home_org: Any, name: str) -> str:
    """A person of the core homed at ``home_org`` (visible to cadres whose reach covers it)."""
    person = await client.post(
        "/api/v1/persons", json={"name": name, "home_org": str(home_org)}, headers=platform
    )
    assert person.status_code == 201, person.text
    return str(person.json()["id"])


async def cadre(
    client: httpx.AsyncClient, platform: dict[str, str], org: str, permissions: list[str], name: str
) -> dict[str, str]:
    """Bearer headers of a new account holding ``permissions`` on ``org`` and its subtree."""
    person = await client.post("/api/v1/persons", json={"name": name, "home_org": org}, headers=platform)
    assert person.status_code == 201, person.text
    username, password = f"u{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    account = await client.post(
        "/api/v1/accounts",
        json={"username": username, "password": password, "person": person.json()["id"]},
        headers=platform,
    )
    assert account.status_code == 201, account.text
    role = await client.post(
        "/api/v1/roles",
        json={"code": f"r{secrets.token_hex(4)}", "name": name, "permissions": permissions},
        headers=platform,
    )
    assert role.status_code == 201, role.text
    grant = await client.post(
        "/api/v1/grants",
        json={"role": role.json()["id"], "org": org, "account": account.json()["id"], "subtree": True},
        headers=platform,
    )
    assert grant.status_code == 201, grant.text
    token = await client.post(
        "/api/v1/auth/token", json={"grant_type": "password", "username": username, "password": password}
    )
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.fixture
async def scitech_orgs(quntuan_client: httpx.AsyncClient, quntuan_tree: Any) -> dict[str, Any]:
    """A county association in each county and a city association with a society; ``headers["a"]`` is
    a cadre of 甲县科协 with every scitech permission there (and nothing in 乙县)."""
    orgs = quntuan_tree.orgs
    platform = quntuan_tree.headers["platform"]
    a = await make_org(
        quntuan_client, platform, orgs["county_a"]["id"], "scitech.association", "county", "甲县科协"
    )
    b = await make_org(
        quntuan_client, platform, orgs["county_b"]["id"], "scitech.association", "county", "乙县科协"
    )
    city = await make_org(
        quntuan_client, platform, orgs["city"]["id"], "scitech.association", "city", "测试市科协"
    )
    society = await make_org(quntuan_client, platform, city, "scitech.society", "city", "测试市计算机学会")
    every = sorted(quntuan_client.app.state.registry.permissions)  # type: ignore[attr-defined]
    headers = {"a": await cadre(quntuan_client, platform, a, every, "甲县科协干部")}
    return {"a": a, "b": b, "city": city, "society": society, "headers": headers}
