"""The ceiling: a minimal ASGI app with asyncpg and msgspec doing the same SQL and token check.

For each read path of the benchmark it verifies the same HS256 access token, loads the account and its
grants with the same queries as quntuan's authentication, then runs the path's own queries with the
same SQL text, and encodes the rows with msgspec. No framework, no ORM: what this machine allows.

Run by ``bench/run.py`` under uvicorn with the same number of workers as quntuan.
"""

from __future__ import annotations

import json
import os
from datetime import date
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import jwt
import msgspec

DSN = os.environ["QUNTUAN_DATABASE_URL"]
SECRET = os.environ["QUNTUAN_SECRET_KEY"]
POOL_SIZE = int(os.environ.get("QUNTUAN_DATABASE_POOL_SIZE", "10"))

ACCOUNT_SQL = (
    'SELECT ALL "core_account"."id" AS "id", "core_account"."person" AS "person", "core_account"."status" AS "status",'
    ' "core_account"."token_version" AS "token_version", "core_account"."username" AS "username"'
    ' FROM "core_account" WHERE "core_account"."id" = $1 LIMIT 1'
)
GRANTS_SQL = (
    'SELECT ALL "core_grant$role"."permissions" AS "role.permissions", "core_grant"."org" AS "org",'
    ' "core_grant$org"."path" AS "org.path", "core_grant"."subtree" AS "subtree" FROM "core_grant"'
    ' LEFT JOIN "core_role" "core_grant$role" ON ("core_grant"."role" = "core_grant$role"."id")'
    ' LEFT JOIN "core_org" "core_grant$org" ON ("core_grant"."org" = "core_grant$org"."id")'
    ' WHERE ("core_grant"."account" = $1 OR "core_grant"."post" IN (SELECT ALL "core_post"."id" AS "id"'
    ' FROM "core_post" WHERE (("core_post"."person" = $2 AND "core_post"."start_date" <= $3)'
    ' AND ("core_post"."end_date" IS NULL OR "core_post"."end_date" >= $4))))'
)
ORG_PATH_SQL = 'SELECT ALL "core_org"."path" AS "path" FROM "core_org" WHERE "core_org"."id" = $1 LIMIT 1'
MEMBERSHIP_SQL = (
    'SELECT ALL "core_membership$org"."path" AS "org.path" FROM "core_membership"'
    ' LEFT JOIN "core_org" "core_membership$org" ON ("core_membership"."org" = "core_membership$org"."id")'
    ' WHERE ("core_membership"."person" = $1 AND "core_membership"."status" = $2)'
)
_EVENT_COLUMNS = [
    "id",
    "type",
    "title",
    "description",
    "org",
    "org_path",
    "organizer_ids",
    "organizer_paths",
    "place",
    "starts_at",
    "ends_at",
    "timezone",
    "registration_opens_at",
    "registration_closes_at",
    "capacity",
    "confirmed_count",
    "waitlisted_count",
    "waitlist",
    "eligibility",
    "eligibility_org",
    "eligibility_org_path",
    "visibility",
    "status",
    "tags",
    "details",
    "version",
    "created_at",
    "updated_at",
]
_SUBTREE_EVENTS = (
    '(("core_event"."org_path" >= $A AND "core_event"."org_path" < $B) OR "core_event"."id" IN'
    ' (SELECT ALL "core_event_organizer"."event" AS "event" FROM "core_event_organizer"'
    ' WHERE ("core_event_organizer"."lead" = $L AND ("core_event_organizer"."org_path" >= $C'
    ' AND "core_event_organizer"."org_path" < $D))))'
)


def _subtree(start: int) -> str:
    a, b, lead, c, d = (f"${start + i}" for i in range(5))
    return (
        _SUBTREE_EVENTS.replace("$A", a)
        .replace("$B", b)
        .replace("$L", lead)
        .replace("$C", c)
        .replace("$D", d)
    )


EVENTS_SQL = (
    "SELECT ALL "  # noqa: S608 - column names are constants, values are bound parameters
    + ", ".join(f'"core_event"."{c}" AS "{c}"' for c in _EVENT_COLUMNS)
    + ' FROM "core_event" WHERE (((("core_event"."visibility" = $1 AND "core_event"."status" != $2)'
    + ' OR ("core_event"."status" != $3 AND '
    + _subtree(4)
    + ')) OR ("core_event"."status" = $9 AND '
    + _subtree(10)
    + ")) AND "
    + _subtree(15)
    + ') ORDER BY "core_event"."starts_at" ASC, "core_event"."id" ASC LIMIT 21'
)

_pool: asyncpg.Pool | None = None
_encoder = msgspec.json.Encoder()


async def _principal(
    headers: list[tuple[bytes, bytes]],
) -> tuple[Any, dict[str, list[tuple[str, bool]]]] | None:
    token = next((v.decode()[7:] for k, v in headers if k == b"authorization"), None)
    if not token:
        return None
    try:
        claims = jwt.decode(
            token,
            SECRET,
            algorithms=["HS256"],
            audience="quntuan-api",
            issuer="quntuan",
            options={"require": ["exp", "sub"]},
        )
    except jwt.PyJWTError:
        return None
    assert _pool is not None
    async with _pool.acquire() as conn:
        account = await conn.fetchrow(ACCOUNT_SQL, claims["sub"])
        if account is None or account["status"] != "active" or account["token_version"] != claims["ver"]:
            return None
        today = date.today()
        grants = await conn.fetch(GRANTS_SQL, account["id"], account["person"], today, today)
    reaches: dict[str, list[tuple[str, bool]]] = {}
    for row in grants:
        path = row["org.path"] or ""
        for code in (
            json.loads(row["role.permissions"])
            if isinstance(row["role.permissions"], str)
            else row["role.permissions"]
        ):
            reaches.setdefault(code, []).append((path, row["subtree"]))
    return account, reaches


async def _send(send: Any, status: int, body: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def _events(
    account: Any, reaches: dict[str, list[tuple[str, bool]]], query: dict[str, list[str]]
) -> bytes:
    assert _pool is not None
    read = (reaches.get("core.event.read") or [("", True)])[0][0]
    manage = (reaches.get("core.event.manage") or [("", True)])[0][0]
    async with _pool.acquire() as conn:
        org = await conn.fetchrow(ORG_PATH_SQL, query["org"][0])
        await conn.fetch(MEMBERSHIP_SQL, account["person"], "active")
        path = org["path"]
        rows = await conn.fetch(
            EVENTS_SQL,
            "public",
            "draft",
            "draft",
            read,
            read + "~",
            False,
            read,
            read + "~",
            "draft",
            manage,
            manage + "~",
            False,
            manage,
            manage + "~",
            path,
            path + "~",
            False,
            path,
            path + "~",
        )
    items = [dict(r) for r in rows[:20]]
    for item in items:
        for key in ("organizer_ids", "organizer_paths", "tags", "details", "waitlist"):
            if isinstance(item.get(key), str):
                item[key] = json.loads(item[key])
    return _encoder.encode({"items": items, "next_cursor": None})


async def app(scope: Any, receive: Any, send: Any) -> None:
    global _pool
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                _pool = await asyncpg.create_pool(DSN, min_size=1, max_size=POOL_SIZE)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if _pool is not None:
                    await _pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    path = scope["path"]
    if path == "/live":
        await _send(send, 200, b'{"status":"ok"}')
        return
    found = await _principal(scope["headers"])
    if found is None:
        await _send(send, 401, b'{"status":401}')
        return
    account, reaches = found
    query = parse_qs(scope["query_string"].decode())
    if path == "/events":
        await _send(send, 200, await _events(account, reaches, query))
        return
    await _send(send, 404, b'{"status":404}')
