"""Helpers of the plugin's tests: valid ID numbers and persons registered through the API."""

from __future__ import annotations

from typing import Any

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(serial: int, region: str = "110101", born: str = "19800101") -> str:
    """A valid resident ID number (GB 11643 check digit) for test persons."""
    body = f"{region}{born}{serial:03d}"
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


async def person_id(client: Any, headers: dict[str, str], org_id: str, name: str = "张三") -> str:
    """A person registered by a cadre, homed at ``org_id``."""
    response = await client.post("/api/v1/persons", json={"name": name, "home_org": org_id}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])
