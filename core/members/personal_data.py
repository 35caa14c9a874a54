"""Membership rows name a person: declared for PIPL export (Art. 45) and erasure (Art. 47)."""

from __future__ import annotations

from core.identity.personal_data import PersonalDataTable
from core.kernel.i18n import Text
from core.members.tables import Membership

MEMBERS_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(
        table=Membership,
        person_column="person",
        on_erasure="keep",
        retention=Text(
            zh_hans="会员（团员）关系记录属组织档案，依法保存",
            zh_hant="會員（團員）關係記錄屬組織檔案，依法保存",
            en="Membership records are organisational records kept by law",
        ),
    ),
)
