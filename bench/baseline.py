"""The ceiling: a minimal ASGI app with asyncpg and msgspec doing the same SQL and token check.

For each read path of the benchmark it verifies the same HS256 access token (once per token, until its
``exp``, as quntuan does) and finds the principal the way quntuan's principal cache does
(``core/identity/authz_cache.py``): one ``GET`` of the authorization epoch from Redis, then an
in-process entry, loading the account and its grants with quntuan's two queries only when the epoch
moved. Then it runs the path's own queries with the same SQL text and
encodes the rows with msgspec. No framework, no ORM: what this machine allows.

Run by ``bench/run.py`` under uvicorn with the same number of workers as quntuan.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from typing import Any
from urllib.parse import parse_qs

import asyncpg
import jwt
import msgspec
import redis.asyncio as aioredis

DSN = os.environ["QUNTUAN_DATABASE_URL"]
SECRET = os.environ["QUNTUAN_SECRET_KEY"]
POOL_SIZE = int(os.environ.get("QUNTUAN_DATABASE_POOL_SIZE", "10"))
REDIS_URL = os.environ["QUNTUAN_REDIS_URL"]
#: quntuan's authorization epoch (core.identity.authz_cache.EPOCH_KEY).
EPOCH_KEY = "quntuan:authz:epoch"

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
#: The event list's org filter and the caller's memberships, in one round trip (core/events/services.py).
LIST_CONTEXT_SQL = (
    "SELECT 'org' AS what, path FROM core_org WHERE id = $1 UNION ALL"
    " SELECT 'member' AS what, o.path AS path FROM core_membership m JOIN core_org o ON o.id = m.org"
    " WHERE m.person = $2 AND m.status = 'active'"
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


def _organized_within(start: int) -> str:
    a, b, lead, c, d = (f"${start + i}" for i in range(5))
    return (
        f"(((org_path >= {a} AND org_path < {b})) OR id IN (SELECT event FROM core_event_organizer"  # noqa: S608
        f" WHERE lead = {lead} AND ((org_path >= {c} AND org_path < {d}))))"
    )


EVENTS_SQL = (
    "SELECT "  # noqa: S608 - column names are constants, values are bound parameters
    + ", ".join(_EVENT_COLUMNS)
    + " FROM core_event WHERE ((visibility = 'public' AND status <> 'draft')"
    + " OR (status <> 'draft' AND "
    + _organized_within(1)
    + ") OR (status = 'draft' AND "
    + _organized_within(6)
    + ")) AND "
    + _organized_within(11)
    + " ORDER BY starts_at, id LIMIT $16"
)

_pool: asyncpg.Pool | None = None
_encoder = msgspec.json.Encoder()


_redis: aioredis.Redis | None = None
_principals: dict[tuple[Any, ...], tuple[Any, Any]] = {}
_verified: dict[str, dict[str, Any]] = {}
Principal = tuple[Any, dict[str, list[tuple[str, bool]]]]


async def _principal(headers: list[tuple[bytes, bytes]]) -> Principal | None:
    """Verify the token, then use the principal cached under the current epoch or load it."""
    token = next((v.decode()[7:] for k, v in headers if k == b"authorization"), None)
    if not token:
        return None
    claims = _verified.get(token)  # as quntuan: a token verified once is trusted until its exp
    if claims is None or time.time() >= claims["exp"]:
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
        _verified[token] = claims
    assert _redis is not None
    epoch = await _redis.get(EPOCH_KEY)
    key = (claims["sub"], claims["ver"], date.today())
    hit = _principals.get(key)
    if hit is not None and hit[0] == epoch:
        return hit[1]
    found = await _load_principal(claims)
    _principals[key] = (epoch, found)
    return found


async def _load_principal(claims: dict[str, Any]) -> Principal | None:
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


async def _send(send: Any, status: int, body: bytes, headers: list[Any] | None = None) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
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
        context = await conn.fetch(LIST_CONTEXT_SQL, query["org"][0], account["person"])
        path = next(r["path"] for r in context if r["what"] == "org")
        rows = await conn.fetch(
            EVENTS_SQL,
            read,
            read + "~",
            False,
            read,
            read + "~",
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
            21,
        )
    items = [dict(r) for r in rows[:20]]
    for item in items:
        for key in ("organizer_ids", "organizer_paths", "tags", "details", "waitlist"):
            if isinstance(item.get(key), str):
                item[key] = json.loads(item[key])
    return _encoder.encode({"items": items, "next_cursor": None})


async def app(scope: Any, receive: Any, send: Any) -> None:
    global _pool, _redis
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                _pool = await asyncpg.create_pool(DSN, min_size=1, max_size=POOL_SIZE)
                _redis = aioredis.Redis.from_url(REDIS_URL)
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
    if await scenarios(scope, receive, send, account, reaches):
        return
    await _send(send, 404, b'{"status":404}')


# --- one org, its children, one masked person, registration -----------------------------------------------
# The scenarios of bench/run.py beyond the event list. Each SQL text below was captured from PostgreSQL's
# statement log (``log_statement = 'all'``) while quntuan answered the same request, and is run here with
# the same parameters in the same order. Kept apart from the event list so either can change alone.

ORG_COLUMNS = [
    "id",
    "parent",
    "depth",
    "kind",
    "level",
    "name",
    "region_code",
    "two_new",
    "place",
    "address",
    "contact_name",
    "contact_phone",
    "status",
    "created_at",
    "updated_at",
    "dissolved_at",
    "path",
]
#: core/orgs/services.py: one org (load) and a page of an anchor's children (list_orgs, scope=children).
#: As quntuan selects them: the masked contact phone (the reader may not see it in full) and its sealed form.
_ORG_SELECTED = [c if c != "contact_phone" else "contact_phone_masked AS contact_phone" for c in ORG_COLUMNS]
_ORG_SELECT = "SELECT " + ", ".join([*_ORG_SELECTED, "contact_phone_enc"]) + " FROM core_org WHERE "  # noqa: S608
ORG_SQL = _ORG_SELECT + "id = $1"
ORG_CHILDREN_SQL = _ORG_SELECT + "((path >= $1 AND path < $2)) AND parent = $3 ORDER BY path LIMIT $4"
PERSON_COLUMNS = [
    "id",
    "name",
    "gender",
    "birth_date",
    "political_status",
    "ethnicity",
    "phone_enc",
    "phone_index",
    "id_number_enc",
    "id_number_index",
    "employer",
    "address",
    "home_org",
    "erased_at",
    "created_at",
    "updated_at",
]
#: core/identity/persons.py: find_visible (visible_sql over the caller's one subtree reach).
PERSON_SQL = (
    "SELECT "  # noqa: S608 - constant column names
    + ", ".join(f"p.{c}" for c in PERSON_COLUMNS)
    + ', h.path AS "home_org.path" FROM core_person p LEFT JOIN core_org h ON h.id = p.home_org'
    " WHERE p.id = $1 AND p.erased_at IS NULL AND (((h.path >= $2 AND h.path < $3))"
    " OR p.id IN (SELECT t.person FROM core_post t JOIN core_org o ON o.id = t.org"
    " WHERE ((o.path >= $4 AND o.path < $5)) AND t.start_date <= $6 AND (t.end_date IS NULL OR t.end_date >= $7))"
    " OR p.id IN (SELECT m.person FROM core_membership m JOIN core_org o ON o.id = m.org"
    " WHERE ((o.path >= $8 AND o.path < $9)) AND m.status = 'active'))"
)
EVENT_ROW_SQL = (
    "SELECT ALL "  # noqa: S608 - constant column names
    + ", ".join(f'"core_event"."{c}" AS "{c}"' for c in _EVENT_COLUMNS)
    + ' FROM "core_event" WHERE "core_event"."id" = $1 LIMIT 1'
)
#: The person registered exists, and their earlier registration (core/events/registrations.py).
PERSON_AND_REGISTRATION_SQL = (
    "SELECT EXISTS(SELECT 1 FROM core_person WHERE id = $1) AS person_found, r.id, r.status"
    " FROM (SELECT 1) AS one LEFT JOIN core_registration r ON r.event = $2 AND r.person = $3"
)
TAKE_PLACE_SQL = (
    "UPDATE core_event SET confirmed_count = confirmed_count + 1 "
    "WHERE id = $1 AND (capacity IS NULL OR confirmed_count < capacity) RETURNING confirmed_count"
)
INSERT_REGISTRATION_SQL = (
    "INSERT INTO core_registration (id, event, person, status, waitlist_ticket, registered_by,"
    " registered_at, confirmed_at, cancelled_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
)
#: core/integration/signals.py
INSERT_OUTBOX_SQL = (
    "INSERT INTO core_outbox (id, name, resource_type, resource_id, org_path, payload, occurred_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"
)


def _personal_data_key() -> Any:
    """The AES-GCM key quntuan derives from its secret key when no personal-data keys are configured."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"quntuan personal data v1").derive(
        SECRET.encode()
    )
    return AESGCM(key)


_aead = _personal_data_key()


def _decrypt(field: str, token: str) -> str:
    """Open ``v1.<kid>.<base64(nonce + ciphertext)>`` with the field name as associated data."""
    import base64

    body = token.split(".", 2)[2]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return str(_aead.decrypt(raw[:12], raw[12:], field.encode()).decode())


def _covers(path: str, reaches: list[tuple[str, bool]]) -> bool:
    return any(path == r or (subtree and path.startswith(r)) for r, subtree in reaches)


def _org_out(row: Any) -> dict[str, Any]:
    return {c: row[c] for c in ORG_COLUMNS if c != "path"}


async def _org(reaches: dict[str, list[tuple[str, bool]]], org_id: str) -> tuple[int, bytes, list[Any]]:
    """``GET /api/v1/orgs/{id}``: the row, checked against the reach, with its ETag."""
    assert _pool is not None
    async with _pool.acquire() as conn:
        row = await conn.fetchrow(ORG_SQL, org_id)
    if row is None or not _covers(row["path"], reaches.get("core.org.read", [])):
        return 404, b'{"status":404}', []
    etag = f'"{row["id"].hex[:8]}-{int(row["updated_at"].timestamp() * 1_000_000):x}"'
    return 200, _encoder.encode(_org_out(row)), [(b"etag", etag.encode())]


async def _org_children(reaches: dict[str, list[tuple[str, bool]]], org_id: str) -> tuple[int, bytes]:
    """``GET /api/v1/orgs?org={id}&scope=children``: the anchor (reach-checked), then its children page."""
    assert _pool is not None
    readable = reaches.get("core.org.read", [])
    if not readable:
        return 200, b'{"items":[],"next_cursor":null}'
    path = readable[0][0]
    async with _pool.acquire() as conn:
        anchor = await conn.fetchrow(ORG_SQL, org_id)
        if anchor is None or not _covers(anchor["path"], readable):
            return 404, b'{"status":404}'
        rows = await conn.fetch(ORG_CHILDREN_SQL, path, path + "~", anchor["id"], 21)
    items = [_org_out(r) for r in rows[:20]]
    cursor = None
    if len(rows) > 20:
        import base64

        cursor = base64.urlsafe_b64encode(_encoder.encode([rows[19]["path"]])).rstrip(b"=").decode()
    return 200, _encoder.encode({"items": items, "next_cursor": cursor})


async def _person(reaches: dict[str, list[tuple[str, bool]]], person_id: str) -> tuple[int, bytes]:
    """``GET /api/v1/persons/{id}`` for a caller without ``core.person.personal_data``: the same visibility
    query, then the ID number and phone decrypted (AES-256-GCM) and masked as quntuan masks them."""
    assert _pool is not None
    readable = reaches.get("core.person.read", [])
    if not readable:
        return 404, b'{"status":404}'
    path = readable[0][0]
    today = date.today()
    async with _pool.acquire() as conn:
        row = await conn.fetchrow(
            PERSON_SQL,
            person_id,
            path,
            path + "~",
            path,
            path + "~",
            today,
            today,
            path,
            path + "~",
        )
    if row is None:
        return 404, b'{"status":404}'
    phone = _decrypt("phone", row["phone_enc"]) if row["phone_enc"] else None
    id_number = _decrypt("id_number", row["id_number_enc"]) if row["id_number_enc"] else None
    out = {
        "id": row["id"],
        "name": row["name"],
        "gender": row["gender"],
        "birth_date": row["birth_date"],
        "political_status": row["political_status"],
        "ethnicity": row["ethnicity"],
        "phone": phone[:3] + "****" + phone[-4:] if phone else None,
        "id_number": id_number[:6] + "*" * (len(id_number) - 10) + id_number[-4:] if id_number else None,
        "employer": row["employer"],
        "address": row["address"],
        "home_org": row["home_org"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    return 200, _encoder.encode(out)


async def _register(
    account: Any, reaches: dict[str, list[tuple[str, bool]]], event_id: str, body: bytes
) -> tuple[int, bytes]:
    """``POST /api/v1/events/{id}/registrations`` by an administrator for another person: one transaction
    with quntuan's statements (event, person, existing registration, the conditional UPDATE that takes a
    place, the registration and its outbox signal), and the signed check-in code in the answer."""
    import hashlib
    import hmac
    from base64 import b32encode
    from datetime import UTC, datetime
    from uuid import UUID, uuid4

    assert _pool is not None
    person_id = UUID(msgspec.json.decode(body)["person_id"])
    event_uuid = UUID(event_id)
    async with _pool.acquire() as conn, conn.transaction():
        event = await conn.fetchrow(EVENT_ROW_SQL, event_uuid)
        if event is None or event["status"] != "published":
            return 404, b'{"status":404}'
        if not _covers(event["org_path"], reaches.get("core.registration.manage", [])):
            return 403, b'{"status":403}'
        found = await conn.fetchrow(PERSON_AND_REGISTRATION_SQL, person_id, event_uuid, person_id)
        if not found["person_found"]:
            return 404, b'{"status":404}'
        if found["id"] is not None:
            return 409, b'{"type":"/api/v1/problems/already-registered","status":409}'
        if await conn.fetchrow(TAKE_PLACE_SQL, event_uuid) is None:
            # quntuan raises here and its transaction rolls back: the same happens on leaving the block.
            raise _Full
        now = datetime.now(UTC)
        registration_id = uuid4()
        await conn.execute(
            INSERT_REGISTRATION_SQL,
            registration_id,
            event_uuid,
            person_id,
            "confirmed",
            None,
            account["id"],
            now,
            now,
            None,
            now,
        )
        payload = {
            "event_id": event_uuid,
            "registration_id": registration_id,
            "person_id": person_id,
            "status": "confirmed",
        }
        await conn.execute(
            INSERT_OUTBOX_SQL,
            uuid4(),
            "registration.confirmed",
            "registration",
            str(registration_id),
            event["org_path"],
            _encoder.encode(payload).decode(),
            datetime.now(UTC),
        )
    tag = hmac.new(SECRET.encode(), b"quntuan.checkin.v1:" + registration_id.bytes, hashlib.sha256).digest()[
        :10
    ]
    out = {
        "id": registration_id,
        "event_id": event_uuid,
        "person_id": person_id,
        "status": "confirmed",
        "registered_at": now,
        "confirmed_at": now,
        "checkin_code": b32encode(registration_id.bytes + tag).decode().rstrip("="),
    }
    return 201, _encoder.encode(out)


class _Full(Exception):
    """No place left: rolls the transaction back, answered 409 like quntuan's ``event-full``."""


async def _body(receive: Any) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def scenarios(
    scope: Any, receive: Any, send: Any, account: Any, reaches: dict[str, list[tuple[str, bool]]]
) -> bool:
    """Answer the routes above; False when the path is none of them."""
    parts = scope["path"].strip("/").split("/")
    query = parse_qs(scope["query_string"].decode())
    if parts == ["orgs"] and query.get("scope") == ["children"]:
        await _send(send, *await _org_children(reaches, query["org"][0]))
    elif len(parts) == 2 and parts[0] == "orgs":
        status, body, headers = await _org(reaches, parts[1])
        await _send(send, status, body, headers)
    elif len(parts) == 2 and parts[0] == "persons":
        await _send(send, *await _person(reaches, parts[1]))
    elif len(parts) == 3 and parts[0] == "events" and parts[2] == "registrations":
        try:
            await _send(send, *await _register(account, reaches, parts[1], await _body(receive)))
        except _Full:
            await _send(send, 409, b'{"type":"/api/v1/problems/event-full","status":409}')
    else:
        return False
    return True
