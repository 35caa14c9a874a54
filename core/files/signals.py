"""Domain signals of files. Payloads carry ids, codes and sizes — never file names, which may name people."""

from __future__ import annotations

from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class FileSignal(msgspec.Struct, frozen=True, kw_only=True):
    file_id: UUID
    owner_kind: str
    owner_id: UUID
    content_type: str
    size: int


FILE_UPLOADED = SignalType(
    name="file.uploaded",
    payload=FileSignal,
    description=Text(
        zh_hans="附件已上传", zh_hant="附件已上傳", en="A file was attached to an owner (process, notice…)"
    ),
)
FILE_DELETED = SignalType(
    name="file.deleted",
    payload=FileSignal,
    description=Text(zh_hans="附件已删除", zh_hant="附件已刪除", en="A file was removed from its owner"),
)

FILE_SIGNALS: tuple[SignalType, ...] = (FILE_UPLOADED, FILE_DELETED)
