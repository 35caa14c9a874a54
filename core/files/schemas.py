"""What the files API shows of a file: its metadata (the bytes come from ``/content``)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec


class FileInfo(msgspec.Struct, kw_only=True):
    """A stored file (附件) and the owner it is attached to."""

    id: UUID
    owner_kind: str
    owner_id: UUID
    #: The file name as uploaded (last path component only).
    name: str
    #: The type sniffed from the content, which is also the ``Content-Type`` of downloads.
    content_type: str
    size: int
    #: SHA-256 of the content, hex; downloads carry it as their ETag.
    sha256: str
    #: The person the file concerns (the owner's subject, e.g. the applicant), when there is one.
    subject_id: UUID | None
    uploaded_by: UUID | None
    created_at: datetime
