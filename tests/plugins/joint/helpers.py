"""Helpers of the joint plugin's tests: orgs, persons who sign in, process steps."""

from __future__ import annotations

import secrets
from typing import Any

API = "/api/v1/joint"


async def post(client: Any, url: str, body: Any, headers: dict[str, str], status: int = 201) -> Any:
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def make_org(
    client: Any, headers: dict[str, str], parent: Any, kind: str, name: str, level: str = "county"
):
    body = {"name": name, "kind": kind, "level": level, "parent": str(parent)}
    return await post(client, "/api/v1/orgs", body, headers)


async def person(
    client: Any, headers: dict[str, str], home_org: Any, name: str
) -> tuple[str, dict[str, str]]:
    """A person with a login at ``home_org``: their id and bearer headers."""
    made = await post(client, "/api/v1/persons", {"name": name, "home_org": str(home_org)}, headers)
    username, password = f"p{secrets.token_hex(4)}", secrets.token_urlsafe(12)
    await post(
        client,
        "/api/v1/accounts",
        {"username": username, "password": password, "person": made["id"]},
        headers,
    )
    token = await client.post(
        "/api/v1/auth/token", json={"grant_type": "password", "username": username, "password": password}
    )
    assert token.status_code == 200, token.text
    return made["id"], {"Authorization": f"Bearer {token.json()['access_token']}"}


async def step(client: Any, headers: dict[str, str], process_id: str, transition: str, **body: Any) -> Any:
    """Take a step of a process with its current ETag; returns the response."""
    current = await client.get(f"/api/v1/processes/{process_id}", headers=headers)
    assert current.status_code == 200, current.text
    return await client.post(
        f"/api/v1/processes/{process_id}/transitions",
        json={"transition": transition, **body},
        headers={**headers, "If-Match": current.headers["etag"]},
    )
