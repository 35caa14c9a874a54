"""``Idempotency-Key`` for writes with money-like or capacity-like effects.

A client that may retry (a timeout, a flaky mobile network) sends the same key with the same request;
the write happens once and every repeat gets the first response back. The key is claimed by inserting
a unique row *inside the transaction of the write itself*:

* the first request inserts the row, does the work and stores its response before committing;
* a concurrent repeat's insert waits on the unique index (PostgreSQL) or on the write lock (SQLite)
  until the first commits, then finds the row and replays the stored response;
* if the first request fails, its transaction — claim included — rolls back and a repeat runs afresh.

So ten identical requests racing each other have exactly one effect, on both databases, with no
"in progress" state to expire. Keys are scoped to the principal and kept for
``QUNTUAN_RETENTION_IDEMPOTENCY_HOURS`` (24 h by default); the retention purge then deletes them.

Usage inside a handler (always within ``db.transaction()``)::

    async with db.transaction():
        claim = await claim_key(request, principal, scope="events.register")
        if claim.replay is not None:
            return replay(claim.replay, RegistrationOut)
        result = await do_the_work()
        await claim.record(201, result)
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any, Final, TypeVar
from uuid import uuid4

import msgspec
from litestar import Request, Response

from core.idempotency.tables import IdempotencyKey
from core.kernel.access import Principal
from core.kernel.db import fetch
from core.kernel.errors import Problem, register_problem
from core.kernel.i18n import Text

HEADER: Final = "Idempotency-Key"
#: Header set on a replayed response.
REPLAYED_HEADER: Final = "Idempotent-Replayed"
_KEY_RE = re.compile(r"^[\x21-\x7e]{1,255}$")

T = TypeVar("T")

INVALID_KEY = register_problem(
    "invalid-idempotency-key",
    400,
    Text(zh_hans="幂等键无效", zh_hant="冪等鍵無效", en="Invalid Idempotency-Key"),
    Text(
        zh_hans="Idempotency-Key 须为 1 至 255 个可见 ASCII 字符。",
        zh_hant="Idempotency-Key 須為 1 至 255 個可見 ASCII 字元。",
        en="Idempotency-Key must be 1 to 255 visible ASCII characters.",
    ),
)
KEY_REUSED = register_problem(
    "idempotency-key-reused",
    422,
    Text(zh_hans="幂等键已用于其他请求", zh_hant="冪等鍵已用於其他請求", en="Idempotency-Key reused"),
    Text(
        zh_hans="此 Idempotency-Key 已用于另一个不同的请求，请换一个新键。",
        zh_hant="此 Idempotency-Key 已用於另一個不同的請求，請換一個新鍵。",
        en="This Idempotency-Key was used for a different request; send a new key.",
    ),
)


# SQL texts written once (core.kernel.db.fetch runs them on the write transaction's connection).
_CLAIM = (
    "INSERT INTO core_idempotency_key (id, lookup, scope, fingerprint, created_at) "
    "VALUES ({}, {}, {}, {}, {}) ON CONFLICT (lookup) DO NOTHING RETURNING id"
)
_RECORD = "UPDATE core_idempotency_key SET status_code = {}, response = {} WHERE id = {}"


class StoredResponse(msgspec.Struct, frozen=True, kw_only=True):
    """The response the first request under a key gave."""

    status_code: int
    body: bytes


class Claim:
    """A claimed key (``replay`` is None: do the work, then :meth:`record`) or a repeat to replay."""

    def __init__(self, row_id: Any | None, replay: StoredResponse | None) -> None:
        self._row_id = row_id
        self.replay = replay

    async def record(self, status_code: int, body: Any) -> None:
        """Store the response of the work done under this claim (no-op without a key)."""
        if self._row_id is None:
            return
        await fetch(IdempotencyKey, _RECORD, (status_code, msgspec.json.encode(body).decode(), self._row_id))


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


async def claim_key(
    request: Request[Any, Any, Any],
    principal: Principal,
    *,
    scope: str,
    key: str | None = None,
    content: bytes | None = None,
) -> Claim:
    """Claim the request's ``Idempotency-Key`` (if any) inside the current write transaction.

    Returns a :class:`Claim`; when its ``replay`` is set, answer with it and do nothing else. Raises
    ``invalid-idempotency-key`` (400) for a malformed key and ``idempotency-key-reused`` (422) when the
    key came before with a different request. ``content`` stands for the body in the fingerprint when the
    handler streamed the body elsewhere (an upload passes its form fields and the file's checksum).
    """
    key = key if key is not None else request.headers.get(HEADER)
    if key is None:
        return Claim(None, None)
    if not _KEY_RE.match(key):
        raise Problem(INVALID_KEY)
    if not IdempotencyKey._meta.db.transaction_exists():
        raise RuntimeError("claim_key must be called inside the write transaction")
    lookup = _digest(principal.kind, str(principal.id), key)
    fingerprint = _digest(
        scope, request.method, request.url.path, content if content is not None else await request.body()
    )
    now = datetime.now(UTC)
    ttl = timedelta(hours=request.app.state.settings.retention_idempotency_hours)
    for _ in range(2):
        inserted = await fetch(IdempotencyKey, _CLAIM, (uuid4(), lookup, scope, fingerprint, now))
        if inserted:
            return Claim(inserted[0]["id"], None)
        row = await IdempotencyKey.select().where(IdempotencyKey.lookup == lookup).first().run()
        if row is None:  # the holder rolled back between our insert and this read: try again
            continue
        created = row["created_at"]
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        if created < now - ttl:
            await IdempotencyKey.delete().where(IdempotencyKey.id == row["id"]).run()
            continue
        if row["fingerprint"] != fingerprint or row["scope"] != scope or row["status_code"] is None:
            raise Problem(KEY_REUSED)
        return Claim(None, StoredResponse(status_code=row["status_code"], body=row["response"].encode()))
    raise Problem(KEY_REUSED)


def expired_keys(before: datetime) -> Any:
    """A query of the ids of keys created before ``before`` (the retention purge deletes them)."""
    return IdempotencyKey.select(IdempotencyKey.id).where(IdempotencyKey.created_at < before)


def replay(stored: StoredResponse, type_: type[T]) -> Response[T]:
    """The stored response, decoded as ``type_``, marked as a replay."""
    return Response(
        msgspec.json.decode(stored.body, type=type_),
        status_code=stored.status_code,
        headers={REPLAYED_HEADER: "true"},
    )
