"""The audit log (审计日志): every write, append-only and hash-chained.

Each entry's ``hash`` is SHA-256 over its canonical content and the previous entry's hash, so changing,
removing or reordering any entry breaks the chain from there on (:func:`verify_chain`). The database
refuses updates and deletes of ``core_audit`` (triggers); the chain catches whoever drops them.
Entries carry ids, codes and the names of changed fields — never personal data: callers pass personal
fields as :data:`CHANGED`.

Call :func:`record` inside the write transaction; the actor is the request's principal unless given.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from core.identity.authn import current_actor
from core.identity.tables import AuditEntry

GENESIS = "0" * 64
#: Value recorded for a personal field that changed: the fact, never the value.
CHANGED = "<changed>"
#: Advisory lock serialising appends on PostgreSQL, so two transactions never chain onto the same entry.
_LOCK_KEY = 0x51_41_75_64  # "QAud"


def _digest(entry: Mapping[str, Any]) -> str:
    content = {
        "id": str(entry["id"]),
        "at": entry["at"].astimezone(UTC).isoformat(),
        "actor_kind": entry["actor_kind"],
        "actor_id": entry["actor_id"],
        "action": entry["action"],
        "resource_type": entry["resource_type"],
        "resource_id": entry["resource_id"],
        "org_path": entry["org_path"],
        "changes": entry["changes"],
        "prev_hash": entry["prev_hash"],
    }
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _changes(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def record(
    action: str,
    *,
    resource_type: str,
    resource_id: uuid.UUID | str,
    org_path: str | None = None,
    changes: Mapping[str, Any] | None = None,
    actor: Any = None,
) -> None:
    """Append one entry inside the caller's write transaction."""
    engine = AuditEntry._meta.db
    if not engine.transaction_exists():
        raise RuntimeError("audit entries are written inside the transaction of the change")
    actor = actor if actor is not None else current_actor.get()
    if engine.engine_type == "postgres":
        await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY).run()
    last = await AuditEntry.select(AuditEntry.hash).order_by(AuditEntry.seq, ascending=False).first().run()
    now = datetime.now(UTC)
    entry: dict[str, Any] = {
        "id": uuid.uuid4(),
        # Millisecond precision survives every backend's round trip unchanged.
        "at": now.replace(microsecond=now.microsecond // 1000 * 1000),
        "actor_kind": getattr(actor, "kind", None) or "system",
        "actor_id": str(actor.id) if actor is not None else None,
        "action": action,
        "resource_type": resource_type,
        "resource_id": str(resource_id),
        "org_path": org_path,
        "changes": json.loads(json.dumps(dict(changes or {}), default=str)),
        "prev_hash": last["hash"] if last else GENESIS,
    }
    entry["hash"] = _digest(entry)
    await AuditEntry.insert(AuditEntry(**entry)).run()


async def verify_chain() -> int | None:
    """The ``seq`` of the first entry whose hash or link is wrong, or None when the chain is intact."""
    previous = GENESIS
    after = 0
    while True:
        rows = (
            await AuditEntry.select().where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(500).run()
        )
        if not rows:
            return None
        for row in rows:
            row["changes"] = _changes(row["changes"])
            if row["prev_hash"] != previous or _digest(row) != row["hash"]:
                return int(row["seq"])
            previous = row["hash"]
            after = row["seq"]
