"""Stored uploads of background imports: encrypted, short-lived, and reached by erasure.

A background import keeps its upload until a worker runs it. What is kept is the file's rows, read
once on upload (:func:`core.orgs.imports.read_table`), packed (msgpack), compressed and encrypted
with the personal-data vault (AES-256-GCM, field ``import_upload``), so a database dump or backup holds
no plaintext ID number or phone. The upload is emptied when the import ends, in any state (done,
failed), and the periodic sweep (:func:`core.orgs.jobs.sweep_imports`) empties every upload older than
``import_upload_retention_hours`` even when its import never ended.

PIPL erasure (Art. 47): a members upload records the blind indexes of the ID numbers and phones it
holds (:class:`~core.orgs.tables.ImportSubject`). Erasing a person discards every unfinished upload
that names them — the import fails with the reason ``erased`` and its rows are gone — so no queued
import brings the erased data back. An import already running is stopped at its commit: it ends only
if its row is still its own (see :func:`core.orgs.jobs.import_job`).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from core.kernel.db import Database
from core.kernel.vault import Vault, normalise_id_number, normalise_phone
from core.orgs.tables import ImportJob, ImportSubject

#: The vault field uploads are sealed as (bound as associated data: an upload opens as nothing else).
FIELD = "import_upload"
UNFINISHED = ("queued", "running")


def seal_rows(vault: Vault, rows: Sequence[Sequence[str]]) -> bytes:
    """The rows packed, compressed and encrypted for storage."""
    return vault.encrypt_bytes(FIELD, zlib.compress(msgspec.msgpack.encode(rows), 1))


def open_rows(vault: Vault, content: bytes) -> list[list[str]]:
    """The rows :func:`seal_rows` stored."""
    return msgspec.msgpack.decode(zlib.decompress(vault.decrypt_bytes(FIELD, content)), type=list[list[str]])


def subject_indexes(vault: Vault, what: str, rows: Sequence[Sequence[str]]) -> set[str]:
    """Blind indexes of the ID numbers and phones of a members upload (as persons are indexed by them)."""
    if what != "members" or not rows:
        return set()
    from core.orgs.imports import COLUMNS

    names = {
        key: {key, *COLUMNS["members"][key]}
        for key in ("id_number", "phone")  # the aliases the import reads these columns under
    }
    columns: dict[str, int] = {}
    for index, raw in enumerate(rows[0]):
        name = raw.strip().lower().lstrip("\ufeff")
        for key, aliases in names.items():
            if name in aliases and key not in columns:
                columns[key] = index
    found: set[str] = set()
    for row in rows[1:]:
        if (at := columns.get("id_number")) is not None and at < len(row) and (value := row[at].strip()):
            found.add(vault.blind_index("id_number", value.upper()))
            if (normal := normalise_id_number(value)) is not None:
                found.add(vault.blind_index("id_number", normal))
        at = columns.get("phone")
        phone = normalise_phone(row[at]) if at is not None and at < len(row) and row[at].strip() else None
        if phone is not None:
            found.add(vault.blind_index("phone", phone))
    return found


async def store(db: Database, vault: Vault, job: dict[str, Any], rows: Sequence[Sequence[str]]) -> None:
    """Insert the job ``job`` (its columns but ``content``) with its sealed rows and their subjects."""
    from core.orgs.imports import bulk_insert

    subjects = subject_indexes(vault, job["what"], rows)
    async with db.transaction():
        await ImportJob.insert(ImportJob(**job, content=seal_rows(vault, rows))).run()
        await bulk_insert(
            db,
            ImportSubject,
            [{"id": uuid4(), "job": job["id"], "blind_index": index} for index in sorted(subjects)],
        )


async def end(job_id: UUID, changes: dict[Any, Any], *, where: Any = None) -> bool:
    """Set ``changes`` on the job (when ``where`` holds too) and drop its upload; whether it matched."""
    condition = ImportJob.id == job_id
    if where is not None:
        condition = condition & where
    updated = await (
        ImportJob.update({**changes, ImportJob.content: b"", ImportJob.lease_until: None})
        .where(condition)
        .returning(ImportJob.id)
        .run()
    )
    if updated:
        await ImportSubject.delete().where(ImportSubject.job == job_id).run()
    return bool(updated)


async def fail(job_id: UUID, error: str, *, where: Any = None) -> bool:
    """Fail an unfinished job with ``error`` and drop its upload; whether it was still unfinished."""
    unfinished = ImportJob.status.is_in(list(UNFINISHED))
    return await end(
        job_id,
        {ImportJob.status: "failed", ImportJob.error: error, ImportJob.finished_at: datetime.now(UTC)},
        where=unfinished if where is None else unfinished & where,
    )


async def discard_naming(indexes: Iterable[str | None]) -> int:
    """Erasure: fail (``erased``) every unfinished import whose upload names one of these blind indexes
    and delete its upload; returns how many. Call it inside the erasure's transaction."""
    wanted = [i for i in indexes if i]
    if not wanted:
        return 0
    jobs = await (
        ImportSubject.select(ImportSubject.job)
        .where(ImportSubject.blind_index.is_in(wanted))
        .distinct()
        .run()
    )
    done = 0
    for row in jobs:
        done += await fail(row["job"], "erased")
    return done


async def reencrypt_uploads(db: Database, vault: Vault) -> int:
    """Re-encrypt stored uploads not yet under ``vault.current`` (``quntuan admin reencrypt``)."""
    done = 0
    after: Any = None
    while True:
        query = (
            ImportJob.select(ImportJob.id).where(ImportJob.content != b"").order_by(ImportJob.id).limit(50)
        )
        if after is not None:
            query = query.where(ImportJob.id > after)
        ids = [r["id"] for r in await query.run()]
        if not ids:
            return done
        for job_id in ids:  # one upload read at a time: each may be megabytes
            async with db.transaction():
                row = await ImportJob.select(ImportJob.content).where(ImportJob.id == job_id).first().run()
                content = bytes(row["content"]) if row and row["content"] else b""
                if vault.needs_reencryption_bytes(content):
                    plain = vault.decrypt_bytes(FIELD, content)
                    await (
                        ImportJob.update({ImportJob.content: vault.encrypt_bytes(FIELD, plain)})
                        .where(ImportJob.id == job_id)
                        .run()
                    )
                    done += 1
        after = ids[-1]
