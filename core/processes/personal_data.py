"""Process rows that name a person: declared for PIPL export (Art. 45) and erasure (Art. 47).

A process is an administrative record (办理档案) and is kept, but its form — the applicant's own data,
personal fields included — is cleared on erasure; objections are the objector's words and are cleared.
"""

from __future__ import annotations

from typing import Any

from core.identity.personal_data import PersonalDataTable
from core.kernel.i18n import Text
from core.processes.tables import Objection, Process

PROCESSES_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(
        table=Process,
        person_column="applicant",
        on_erasure="anonymise",
        fields={"form": {}, "personal_enc": None},
        encrypted={"personal_enc": "process_form"},
        retention=Text(
            zh_hans="办理记录属组织档案，依法保存；申请表内容删除",
            zh_hant="辦理記錄屬組織檔案，依法保存；申請表內容刪除",
            en="Process records are kept as organisational records; their forms are cleared",
        ),
    ),
    PersonalDataTable(table=Objection, person_column="person", on_erasure="anonymise", fields={"reason": ""}),
)


async def reencrypt_process_forms(db: Any, vault: Any) -> int:
    """Key rotation: re-encrypt the personal form fields of processes not yet under ``vault.current``."""
    from core.identity.keys import reencrypt_columns
    from core.processes.machine import VAULT_FIELD

    return await reencrypt_columns(db, vault, Process, {Process.personal_enc: VAULT_FIELD})
