"""What the scenarios need beyond the demo seed, made through the API (so it is made as users make it).

* a reader account (``benchreader``) whose role reads orgs, events and persons but not personal data, granted
  on the whole tree: persons come back masked to it;
* fresh events with a fixed number of places for each registration run, so reruns start from zero.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

READER, READER_PASSWORD = "benchreader", "bench-password-2"
READER_ROLE = "bench_reader"
READER_PERMISSIONS = ["core.org.read", "core.event.read", "core.person.read"]


def _ok(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
        )
    return response.json()


def password_token(base: str, username: str, password: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"grant_type": "password", "username": username, "password": password},
        timeout=30,
    )
    return str(_ok(response)["access_token"])


async def ensure_reader(dsn: str, base: str, admin_headers: dict[str, str], root: str) -> None:
    """Create the masked reader once (role, person, account, grant on the root's subtree)."""
    conn = await asyncpg.connect(dsn)
    try:
        if await conn.fetchval("SELECT 1 FROM core_account WHERE username = $1", READER):
            return
        role_id = await conn.fetchval("SELECT id FROM core_role WHERE code = $1", READER_ROLE)
    finally:
        await conn.close()
    async with httpx.AsyncClient(base_url=base, headers=admin_headers, timeout=30) as client:
        if role_id is None:
            role_id = _ok(
                await client.post(
                    "/api/v1/roles",
                    json={"code": READER_ROLE, "name": "基准读者", "permissions": READER_PERMISSIONS},
                )
            )["id"]
        person = _ok(await client.post("/api/v1/persons", json={"name": "基准读者", "home_org": root}))
        account = _ok(
            await client.post(
                "/api/v1/accounts",
                json={"username": READER, "password": READER_PASSWORD, "person": person["id"]},
            )
        )
        _ok(
            await client.post(
                "/api/v1/grants",
                json={"role": role_id, "org": root, "subtree": True, "account": account["id"]},
            )
        )


MASKED_NAME = "基准人员"
#: A valid GB 11643 ID number and a mainland mobile: what the persons API encrypts, and masks for the reader.
MASKED_ID_NUMBER, MASKED_PHONE = "11010519491231002X", "13800138000"


async def masked_person(dsn: str, base: str, admin_headers: dict[str, str], district: str) -> str:
    """A person of the district with an ID number and a phone on file (created once, through the API)."""
    conn = await asyncpg.connect(dsn)
    try:
        person = await conn.fetchval(
            "SELECT id FROM core_person WHERE name = $1 AND home_org = $2 AND id_number_enc IS NOT NULL"
            " AND phone_enc IS NOT NULL AND erased_at IS NULL ORDER BY id LIMIT 1",
            MASKED_NAME,
            uuid.UUID(district),
        )
    finally:
        await conn.close()
    if person is not None:
        return str(person)
    async with httpx.AsyncClient(base_url=base, headers=admin_headers, timeout=30) as client:
        created = _ok(
            await client.post(
                "/api/v1/persons",
                json={
                    "name": MASKED_NAME,
                    "home_org": district,
                    "id_number": MASKED_ID_NUMBER,
                    "phone": MASKED_PHONE,
                    "gender": "female",
                    "employer": "基准单位",
                },
            )
        )
    return str(created["id"])


async def registrants(dsn: str, count: int) -> list[str]:
    """``count`` distinct persons (any may be registered by an administrator of a public event)."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT id FROM core_person WHERE erased_at IS NULL ORDER BY id LIMIT $1", count
        )
    finally:
        await conn.close()
    if len(rows) < count:
        raise RuntimeError(f"only {len(rows)} persons for {count} registrations")
    return [str(r["id"]) for r in rows]


async def fresh_event(base: str, admin_headers: dict[str, str], org: str, places: int, label: str) -> str:
    """A new published public event of ``org`` with ``places`` places and no waitlist."""
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    async with httpx.AsyncClient(base_url=base, headers=admin_headers, timeout=30) as client:
        event = _ok(
            await client.post(
                "/api/v1/events",
                json={
                    "type": "core.activity",
                    "title": f"基准报名 {label} {starts:%H%M%S}",
                    "org_id": org,
                    "starts_at": starts.isoformat(),
                    "ends_at": (starts + timedelta(hours=2)).isoformat(),
                    "capacity": places,
                    "waitlist": False,
                    "eligibility": "public",
                    "visibility": "public",
                },
            )
        )
        _ok(await client.post(f"/api/v1/events/{event['id']}/publish"))
    return str(event["id"])
