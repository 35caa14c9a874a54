"""Self-service rows that name a person, declared for PIPL export (Art. 45) and erasure (Art. 47).

Notifications and inbox preferences are the person's own and are deleted; the uses of invitations are
kept (they count an org's invitation) with nothing personal besides the link. Claim challenges name an
account, not a person, and go with the account.
"""

from __future__ import annotations

from core.identity.personal_data import PersonalDataTable
from core.kernel.i18n import Text
from core.selfservice.tables import InvitationUse, Notification, NotificationPreference

SELFSERVICE_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(table=Notification, person_column="person", on_erasure="delete"),
    PersonalDataTable(table=NotificationPreference, person_column="person", on_erasure="delete"),
    PersonalDataTable(
        table=InvitationUse,
        person_column="person",
        on_erasure="keep",
        retention=Text(
            zh_hans="邀请使用记录用于核对邀请名额",
            zh_hant="邀請使用記錄用於核對邀請名額",
            en="Invitation uses account for an invitation's limited places",
        ),
    ),
)
