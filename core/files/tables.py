"""The table of files (附件): one row per stored object, pointing at its owner by kind and id."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, BigInt, ForeignKey, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.identity.tables import Person


class StoredFile(Table, tablename="core_file"):
    """A file attached to an owner (a process, a notice, a place…); the bytes live in the file storage."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: A registered owner kind (``process``, ``union.hardship_file``…).
    owner_kind = Varchar(length=64)
    #: The owner's id within its kind; files of one owner are listed by ``(owner_id, created_at, id)``.
    owner_id = UUID(index=True)
    #: The file name as the uploader gave it, reduced to its last path component and printable characters.
    name = Varchar(length=255)
    #: The MIME type sniffed from the content (never the one the client declared).
    content_type = Varchar(length=127)
    size = BigInt()
    #: SHA-256 of the content, hex: the ETag of downloads and the integrity check of the storage.
    sha256 = Varchar(length=64)
    #: Where the storage keeps the bytes: derived from the id, never from anything the client sent.
    storage_key = Varchar(length=200)
    #: The person the file concerns (the owner's subject, e.g. the applicant): exported and erased with them.
    subject = ForeignKey(references=Person, null=True, default=None, index=True, on_delete=OnDelete.set_null)
    #: The person who uploaded it (exported with them; cleared when they are erased and it concerns another).
    uploaded_by = ForeignKey(
        references=Person, null=True, default=None, index=True, on_delete=OnDelete.set_null
    )
    #: The principal that uploaded it (``account`` or ``client``) and its id: it may delete its own upload.
    uploader_kind = Varchar(length=16)
    uploader_id = UUID()
    created_at = Timestamptz(default=TimestamptzNow())
