"""Signed checkpoints of the audit log's head: what shows a cut tail.

A hash chain shows an entry changed or removed *inside* it, never entries removed from its end (or the
whole table emptied): what is left still chains. So the head is anchored: every
``QUNTUAN_AUDIT_CHECKPOINT_INTERVAL`` seconds (the periodic job ``identity.audit_checkpoint``; one across
processes per interval), and on demand (``POST /api/v1/audit/checkpoints``, ``quntuan admin
audit-checkpoint``), a checkpoint records the number of entries, the last ``seq``, its hash and the time,
signed with HMAC-SHA256 under a key derived from the personal-data key ring
(:meth:`core.kernel.vault.Vault.subkey`; the key id is kept beside the signature).

Checkpoints are kept apart from the log: in ``core_audit_checkpoint`` (insert-only: triggers refuse
updates, deletes and, on PostgreSQL, ``TRUNCATE``), and the newest ones copied outside the database — to
Redis when ``QUNTUAN_REDIS_URL`` is set, else to a file: ``<database>.audit-checkpoints.json`` beside an
SQLite database, or ``quntuan-audit-checkpoints.json`` beside the files directory — so whoever can cut
the log's tail in the database must also reach that copy.

:func:`verify` walks the chain and compares every checkpoint whose signature holds: the log is
``intact``, ``broken`` at a seq (an entry changed), ``tail_missing`` (a checkpoint names a seq or hash the
log no longer has — reported with the last checkpoint that still matches), or holds a
``forged_checkpoint`` (a signature that does not verify).
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import hmac
import logging
import os
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import msgspec

from core.identity import audit
from core.identity.tables import AuditCheckpoint, AuditEntry
from core.integration.jobs import JobContext, register_job, register_periodic
from core.kernel.settings import Settings
from core.kernel.vault import Vault

log = logging.getLogger("quntuan.audit")

CHECKPOINT_JOB = "identity.audit_checkpoint"
#: HKDF purpose of the signing key.
PURPOSE = b"quntuan audit checkpoint v1"
REDIS_KEY = "quntuan:audit:checkpoints"
FILE_NAME = "audit-checkpoints.json"
#: Checkpoints kept in the copy outside the database (the table keeps all).
KEPT_OUTSIDE = 20


class Checkpoint(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    at: datetime
    entry_count: int
    last_seq: int
    head_hash: str
    kid: str
    signature: str = ""


class CheckpointOut(msgspec.Struct, kw_only=True):
    """A checkpoint as verification reports it."""

    id: uuid.UUID
    at: datetime
    entry_count: int
    last_seq: int
    head_hash: str


Status = Literal["intact", "broken", "tail_missing", "forged_checkpoint"]


class Verdict(msgspec.Struct, kw_only=True):
    #: Nothing wrong: the chain holds and every checkpoint matches and verifies.
    intact: bool
    status: Status
    #: ``seq`` of the first entry that does not chain (changed, reordered, its org paths altered).
    broken_at: int | None = None
    #: The ``seq`` a checkpoint names that the log no longer has (or has with another hash or count).
    tail_missing_at: int | None = None
    #: The newest checkpoint the log still matches.
    last_good_checkpoint: CheckpointOut | None = None
    #: Checkpoints whose signature does not verify (forged or altered).
    forged_checkpoints: list[uuid.UUID] = msgspec.field(default_factory=list)
    #: Checkpoints signed under a key the ring no longer holds (not checked).
    unverifiable_checkpoints: int = 0
    #: Entries walked, and the last one's seq.
    entries: int = 0
    head_seq: int | None = None
    #: Where the copy outside the database was read: ``redis``, ``file``, or ``unavailable``.
    outside_copy: str = "unavailable"


def _message(cp: Checkpoint) -> bytes:
    at = cp.at.astimezone(UTC).isoformat(timespec="milliseconds")
    return f"{cp.id}|{at}|{cp.entry_count}|{cp.last_seq}|{cp.head_hash}|{cp.kid}".encode()


def sign(vault: Vault, cp: Checkpoint) -> str:
    return hmac.new(vault.subkey(PURPOSE, cp.kid), _message(cp), hashlib.sha256).hexdigest()


def signature_holds(vault: Vault, cp: Checkpoint) -> bool | None:
    """Whether the signature verifies; None when its key is no longer in the ring."""
    if cp.kid not in vault.keys:
        return None
    return hmac.compare_digest(sign(vault, cp), cp.signature)


def _out(cp: Checkpoint) -> CheckpointOut:
    return CheckpointOut(
        id=cp.id, at=cp.at, entry_count=cp.entry_count, last_seq=cp.last_seq, head_hash=cp.head_hash
    )


def _from_row(row: dict[str, Any]) -> Checkpoint:
    at = row["at"]
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    return Checkpoint(
        id=row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"])),
        at=at if at.tzinfo else at.replace(tzinfo=UTC),
        entry_count=int(row["entry_count"]),
        last_seq=int(row["last_seq"]),
        head_hash=row["head_hash"],
        kid=row["kid"],
        signature=row["signature"],
    )


# --- the copy outside the database ----------------------------------------------------------------------


def checkpoint_file(settings: Settings) -> Path:
    """Where checkpoints are copied without Redis: beside the SQLite database (like its ``.secret``), or
    beside the files directory — outside it, so never among the stored files."""
    if settings.is_sqlite:
        return settings.sqlite_path.with_name(settings.sqlite_path.name + "." + FILE_NAME)
    return settings.files_path.resolve().parent / f"quntuan-{FILE_NAME}"


def _newest(found: Iterable[Checkpoint]) -> list[Checkpoint]:
    unique = {cp.id: cp for cp in found}
    return sorted(unique.values(), key=lambda c: (c.last_seq, c.at))[-KEPT_OUTSIDE:]


async def _copy_outside(settings: Settings, redis: Any, cp: Checkpoint) -> None:
    """Keep ``cp`` among the newest checkpoints outside the database (failures are logged: the table
    still holds it, and the next checkpoint is copied again)."""
    encoded = msgspec.json.encode(cp).decode()
    try:
        if redis is not None:
            await redis.zadd(REDIS_KEY, {encoded: cp.last_seq})
            await redis.zremrangebyrank(REDIS_KEY, 0, -KEPT_OUTSIDE - 1)
            return
        await asyncio.to_thread(_write_file, checkpoint_file(settings), cp)
    except Exception as exc:
        log.warning("audit checkpoint not copied outside the database: %s", type(exc).__name__)


def _write_file(path: Path, cp: Checkpoint) -> None:
    """Add ``cp`` to the file's newest checkpoints: under a lock (several processes), replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        kept = _newest([*_read_file(path), cp])
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(msgspec.json.encode(kept))
        os.replace(temporary, path)


def _read_file(path: Path) -> list[Checkpoint]:
    if not path.exists():
        return []
    return msgspec.json.decode(path.read_bytes(), type=list[Checkpoint])


async def _read_outside(settings: Settings, redis: Any) -> tuple[list[Checkpoint], str]:
    try:
        if redis is not None:
            members = await redis.zrange(REDIS_KEY, 0, -1)
            return [msgspec.json.decode(m, type=Checkpoint) for m in members], "redis"
        return await asyncio.to_thread(_read_file, checkpoint_file(settings)), "file"
    except Exception as exc:
        log.warning("audit checkpoints outside the database unreadable: %s", type(exc).__name__)
        return [], "unavailable"


# --- taking one ------------------------------------------------------------------------------------------


async def take(
    db: Any, vault: Vault, settings: Settings, redis: Any = None, *, force: bool = False
) -> Checkpoint | None:
    """Record a signed checkpoint of the head now; None when nothing was appended since the newest one
    (unless ``force``). Inside its own transaction, holding the log's append lock, so the head is exact."""
    async with db.transaction():
        if AuditEntry._meta.db.engine_type == "postgres":
            await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", audit._LOCK_KEY).run()
        head = (
            await AuditEntry.select(AuditEntry.seq, AuditEntry.hash)
            .order_by(AuditEntry.seq, ascending=False)
            .first()
            .run()
        )
        last_seq, head_hash = (int(head["seq"]), head["hash"]) if head else (0, audit.GENESIS)
        newest = (
            await AuditCheckpoint.select().order_by(AuditCheckpoint.last_seq, ascending=False).first().run()
        )
        unchanged = newest is not None and (int(newest["last_seq"]), newest["head_hash"]) == (
            last_seq,
            head_hash,
        )
        if unchanged and not force:
            return None
        count = await AuditEntry.count().run()
        now = datetime.now(UTC)
        cp = Checkpoint(
            id=uuid.uuid4(),
            at=now.replace(microsecond=now.microsecond // 1000 * 1000),
            entry_count=int(count),
            last_seq=last_seq,
            head_hash=head_hash,
            kid=vault.current,
        )
        cp.signature = sign(vault, cp)
        await AuditCheckpoint.insert(AuditCheckpoint(**msgspec.structs.asdict(cp))).run()
    await _copy_outside(settings, redis, cp)
    return cp


@register_job(CHECKPOINT_JOB)
async def checkpoint_job(ctx: JobContext) -> bool:
    """The periodic checkpoint: one when anything was appended since the last."""
    redis = getattr(ctx.shared, "redis", None)
    taken = await take(ctx.db, Vault.from_settings(ctx.settings), ctx.settings, redis)
    return taken is not None


register_periodic(CHECKPOINT_JOB, lambda settings: settings.audit_checkpoint_interval)


# --- verifying -------------------------------------------------------------------------------------------


async def checkpoints(settings: Settings, redis: Any) -> tuple[list[Checkpoint], str]:
    """Every checkpoint: the table's and the copy outside the database, once each."""
    rows = await AuditCheckpoint.select().run()
    outside, where = await _read_outside(settings, redis)
    unique = {cp.id: cp for cp in [*outside, *(_from_row(r) for r in rows)]}
    return sorted(unique.values(), key=lambda c: (c.last_seq, c.at)), where


async def verify(vault: Vault, settings: Settings, redis: Any = None) -> Verdict:
    """Walk the chain and hold it against every checkpoint whose signature verifies."""
    found, where = await checkpoints(settings, redis)
    valid: list[Checkpoint] = []
    forged: list[uuid.UUID] = []
    unverifiable = 0
    for cp in found:
        holds = signature_holds(vault, cp)
        if holds is None:
            unverifiable += 1
        elif holds:
            valid.append(cp)
        else:
            forged.append(cp.id)
    chain = await audit.walk_chain(cp.last_seq for cp in valid)
    verdict = Verdict(
        intact=False,
        status="intact",
        forged_checkpoints=forged,
        unverifiable_checkpoints=unverifiable,
        entries=chain.count,
        head_seq=chain.last_seq or None,
        outside_copy=where,
    )
    good: Checkpoint | None = None
    for cp in valid:  # in seq order
        if chain.broken_at is not None and cp.last_seq >= chain.broken_at:
            break
        if cp.last_seq == 0:
            matches = cp.entry_count == 0 and cp.head_hash == audit.GENESIS
        else:
            matches = chain.at.get(cp.last_seq) == (cp.entry_count, cp.head_hash)
        if not matches:
            verdict.tail_missing_at = cp.last_seq
            break
        good = cp
    verdict.last_good_checkpoint = _out(good) if good is not None else None
    if chain.broken_at is not None:
        verdict.status, verdict.broken_at = "broken", chain.broken_at
    elif verdict.tail_missing_at is not None:
        verdict.status = "tail_missing"
    elif forged:
        verdict.status = "forged_checkpoint"
    verdict.intact = verdict.status == "intact"
    return verdict
