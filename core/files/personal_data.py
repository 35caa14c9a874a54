"""Files as personal data (PIPL): exported with the person they concern and with their uploader;
erased — row and stored object — with the person they concern.

A file someone uploaded about another person (a cadre scanning an applicant's certificate) stays with
that other person; erasing the uploader only clears ``uploaded_by``. The stored objects are removed
once the erasure has committed (:func:`core.kernel.db.after_commit`): a rolled-back erasure removes nothing.
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID

from core.files.tables import StoredFile
from core.identity.personal_data import PersonalDataTable
from core.kernel.db import after_commit

log = logging.getLogger("quntuan.files")


async def remove_objects(storage: Any, keys: list[str]) -> None:
    """Delete stored objects whose rows are gone; a failure is logged (by key only) and the rest go on."""
    for key in keys:
        try:
            await storage.delete(key)
        except Exception as exc:
            log.error("stored file %s could not be removed: %s", key, type(exc).__name__)


async def _before_erasure(state: Any, person_id: UUID) -> None:
    rows = await StoredFile.select(StoredFile.storage_key).where(StoredFile.subject == person_id).run()
    keys = [row["storage_key"] for row in rows]
    if keys:
        storage = state.files

        async def remove() -> None:
            await remove_objects(storage, keys)

        await after_commit(remove)


FILES_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(
        table=StoredFile,
        person_column="uploaded_by",
        on_erasure="anonymise",
        fields={"uploaded_by": None},
        hidden=("storage_key",),
    ),
    PersonalDataTable(
        table=StoredFile,
        person_column="subject",
        on_erasure="delete",
        hidden=("storage_key",),
        before_erasure=_before_erasure,
    ),
)
