"""The union's tests load the core and the union plugin only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

import plugins.union.hooks


@pytest.fixture(scope="module")
def quntuan_plugins() -> dict[str, object]:
    return {"union": plugins.union.hooks}


async def make_org(
    client: Any, headers: dict[str, str], parent: Any, kind: str, level: str, name: str
) -> dict[str, Any]:
    response = await client.post(
        "/api/v1/orgs",
        json={"parent": str(parent), "kind": kind, "level": level, "name": name},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def make_person(client: Any, headers: dict[str, str], org: Any, name: str) -> str:
    response = await client.post(
        "/api/v1/persons", json={"name": name, "home_org": str(org)}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def new_id() -> str:
    return str(uuid.uuid4())
