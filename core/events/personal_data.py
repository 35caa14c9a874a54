"""Event rows that name a person: declared for PIPL export (Art. 45) and erasure (Art. 47).

Registrations and check-ins are the activity ledger (活动台账) that capacity counts and attendance figures
rest on, so they are kept; a feedback comment is the person's own words and is cleared (the rating stays
in the aggregates); invitations are deleted.
"""

from __future__ import annotations

from core.events.tables import CheckIn, EventInvitee, Feedback, Registration
from core.identity.personal_data import PersonalDataTable
from core.kernel.i18n import Text

_LEDGER = Text(
    zh_hans="报名与签到记录属活动台账，依法保存",
    zh_hant="報名與簽到記錄屬活動台帳，依法保存",
    en="Registrations and check-ins are the activity ledger, kept by law",
)

EVENTS_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(table=Registration, person_column="person", on_erasure="keep", retention=_LEDGER),
    PersonalDataTable(table=CheckIn, person_column="person", on_erasure="keep", retention=_LEDGER),
    PersonalDataTable(table=Feedback, person_column="person", on_erasure="anonymise", fields={"comment": ""}),
    PersonalDataTable(table=EventInvitee, person_column="person", on_erasure="delete"),
)
