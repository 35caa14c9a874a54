"""The rules of files: who may attach, see and delete (the owner kind decides), limits, audit, signals.

No HTTP here beyond the upload stream the controller hands over; the controller parses and answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from core.files import problems, sniffing
from core.files.schemas import FileInfo
from core.files.signals import FILE_DELETED, FILE_UPLOADED, FileSignal
from core.files.storage import FileStorage, storage_key
from core.files.tables import StoredFile
from core.files.upload import Received
from core.identity import audit
from core.integration.signals import emit
from core.kernel.access import Principal
from core.kernel.declarations.files import FileOwnerKind, OwnerAccess, owner_access
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate
from core.kernel.settings import Settings

COLUMNS = [
    StoredFile.id,
    StoredFile.owner_kind,
    StoredFile.owner_id,
    StoredFile.name,
    StoredFile.content_type,
    StoredFile.size,
    StoredFile.sha256,
    StoredFile.storage_key,
    StoredFile.subject,
    StoredFile.uploaded_by,
    StoredFile.uploader_kind,
    StoredFile.uploader_id,
    StoredFile.created_at,
]


def to_info(row: dict[str, Any]) -> FileInfo:
    created = row["created_at"]
    return FileInfo(
        id=row["id"],
        owner_kind=row["owner_kind"],
        owner_id=row["owner_id"],
        name=row["name"],
        content_type=row["content_type"],
        size=int(row["size"]),
        sha256=row["sha256"],
        subject_id=row["subject"],
        uploaded_by=row["uploaded_by"],
        created_at=created if created.tzinfo else created.replace(tzinfo=UTC),
    )


def etag(row: dict[str, Any]) -> str:
    return f'"{row["sha256"]}"'


def size_limit(settings: Settings, kind: FileOwnerKind | None) -> int:
    if kind is not None and kind.max_size is not None:
        return min(kind.max_size, settings.files_max_size)
    return settings.files_max_size


def allowed_types(settings: Settings, kind: FileOwnerKind) -> tuple[str, ...]:
    types = settings.files_allowed_types
    if kind.allowed_types is not None:
        types = tuple(t for t in types if t in kind.allowed_types)
    return types


def _owner_fields(fields: dict[str, str]) -> tuple[str, UUID]:
    errors: list[tuple[str, str]] = []
    unknown = sorted(set(fields) - {"owner_kind", "owner_id"})
    errors.extend((f"/{name}", "unknown_field") for name in unknown)
    kind = fields.get("owner_kind")
    if not kind:
        errors.append(("/owner_kind", "required"))
    raw_id = fields.get("owner_id")
    owner_id: UUID | None = None
    if not raw_id:
        errors.append(("/owner_id", "required"))
    else:
        try:
            owner_id = UUID(raw_id)
        except ValueError:
            errors.append(("/owner_id", "invalid"))
    if errors:
        raise Problem.invalid(*errors)
    assert kind is not None
    assert owner_id is not None
    return kind, owner_id


async def attachable_owner(
    registry: Any, principal: Principal, fields: dict[str, str]
) -> tuple[FileOwnerKind, OwnerAccess, UUID]:
    """The owner named by the form: 404 when unknown or hidden, 403 when it may be seen but not added to."""
    kind_code, owner_id = _owner_fields(fields)
    kind, access = await owner_access(registry, principal, kind_code, owner_id)
    if not access.may_attach:
        raise Problem("forbidden")
    return kind, access, owner_id


def check_content(settings: Settings, kind: FileOwnerKind, received: Received) -> tuple[str, str]:
    """The sniffed type and the cleaned name, or 413/415/422 for a file that may not be stored."""
    limit = size_limit(settings, kind)
    if received.size > limit:
        raise Problem(problems.FILE_TOO_LARGE, limit=limit)
    name = sniffing.clean_name(received.filename)
    if not name:
        raise Problem.invalid(("/file", "invalid"))
    allowed = allowed_types(settings, kind)
    found = sniffing.sniff(received.head)
    if found is None:
        raise Problem(problems.FILE_TYPE_NOT_ALLOWED, type="unknown", allowed=", ".join(allowed))
    mime, extension = found
    if mime not in allowed:
        raise Problem(problems.FILE_TYPE_NOT_ALLOWED, type=mime, allowed=", ".join(allowed))
    if not sniffing.declared_matches(received.declared_type, mime):
        raise Problem(
            problems.FILE_TYPE_MISMATCH, declared=sniffing.normalised_type(received.declared_type), type=mime
        )
    if not sniffing.extension_matches(name, mime, extension):
        suffix = name.rsplit(".", 1)[-1] if "." in name else ""
        raise Problem(problems.FILE_TYPE_MISMATCH, declared=f".{suffix}" if suffix else "—", type=mime)
    return mime, name


async def record_upload(
    principal: Principal,
    kind: FileOwnerKind,
    access: OwnerAccess,
    owner_id: UUID,
    received: Received,
    *,
    file_id: UUID,
    mime: str,
    name: str,
) -> dict[str, Any]:
    """Insert the row, its audit entry and its signal, inside the caller's write transaction."""
    row: dict[str, Any] = {
        "id": file_id,
        "owner_kind": kind.code,
        "owner_id": owner_id,
        "name": name,
        "content_type": mime,
        "size": received.size,
        "sha256": received.sha256,
        "storage_key": storage_key(file_id),
        "subject": access.subject,
        "uploaded_by": principal.person_id,
        "uploader_kind": principal.kind,
        "uploader_id": principal.id,
        "created_at": datetime.now(UTC),
    }
    await StoredFile.insert(StoredFile(**row)).run()
    changes = {
        "owner_kind": kind.code,
        "owner_id": str(owner_id),
        "content_type": mime,
        "size": received.size,
    }
    await audit.record(
        "file.uploaded",
        resource_type="file",
        resource_id=file_id,
        org_path=access.org_path,
        org_paths=await audit.paths_of_persons([access.subject]) if access.subject else (),
        changes=changes,
    )
    await emit(
        FILE_UPLOADED,
        FileSignal(
            file_id=file_id, owner_kind=kind.code, owner_id=owner_id, content_type=mime, size=received.size
        ),
        resource_type="file",
        resource_id=file_id,
        org_path=access.org_path,
    )
    return row


async def load_visible(
    registry: Any, principal: Principal, file_id: UUID
) -> tuple[dict[str, Any], OwnerAccess]:
    """One file and the caller's access to its owner; 404 when absent or its owner is hidden."""
    row = await StoredFile.select(*COLUMNS).where(StoredFile.id == file_id).first().run()
    if row is None:
        raise Problem("not-found")
    _, access = await owner_access(registry, principal, row["owner_kind"], row["owner_id"])
    return row, access


async def list_files(
    registry: Any, principal: Principal, kind: str, owner_id: UUID, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """The files of one owner the caller may see, oldest first."""
    await owner_access(registry, principal, kind, owner_id)
    query = StoredFile.select(*COLUMNS).where(
        (StoredFile.owner_kind == kind) & (StoredFile.owner_id == owner_id)
    )
    return await paginate(query, [StoredFile.created_at, StoredFile.id], page)


def may_delete(principal: Principal, row: dict[str, Any], access: OwnerAccess) -> bool:
    """The owner's callback allows deleting, or the caller uploaded the file and may still attach."""
    own = row["uploader_kind"] == principal.kind and row["uploader_id"] == principal.id
    return access.may_delete or (own and access.may_attach)


async def delete_file(registry: Any, storage: FileStorage, principal: Principal, file_id: UUID) -> None:
    """Remove the row (with audit entry and signal) in the caller's transaction; the object after commit."""
    from core.kernel.db import after_commit

    row, access = await load_visible(registry, principal, file_id)
    if not may_delete(principal, row, access):
        raise Problem("forbidden")
    await StoredFile.delete().where(StoredFile.id == file_id).run()
    await audit.record(
        "file.deleted",
        resource_type="file",
        resource_id=file_id,
        org_path=access.org_path,
        org_paths=await audit.paths_of_persons([access.subject]) if access.subject else (),
        changes={"owner_kind": row["owner_kind"], "owner_id": str(row["owner_id"])},
    )
    await emit(
        FILE_DELETED,
        FileSignal(
            file_id=file_id,
            owner_kind=row["owner_kind"],
            owner_id=row["owner_id"],
            content_type=row["content_type"],
            size=int(row["size"]),
        ),
        resource_type="file",
        resource_id=file_id,
        org_path=access.org_path,
    )
    key = row["storage_key"]

    async def remove() -> None:
        from core.files.personal_data import remove_objects

        await remove_objects(storage, [key])

    await after_commit(remove)


def new_file_id() -> UUID:
    return uuid4()
