"""Booking rows that name a person: declared for PIPL export (Art. 45) and erasure (Art. 47).

A booking is the place's record of its use (counted in occupancy figures) and is kept, its purpose —
the person's own words — cleared; the yearly night counters are the person's and are deleted.
"""

from __future__ import annotations

from typing import Any

from core.identity.personal_data import PersonalDataTable
from core.kernel.i18n import Text
from core.places.tables import Booking, BookingQuota, Place

#: Vault field the contacts' phones of places are encrypted under.
CONTACTS_FIELD = "place_contacts"

PLACES_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(
        table=Booking,
        person_column="person",
        on_erasure="anonymise",
        fields={"purpose": ""},
        retention=Text(
            zh_hans="预约记录属阵地使用档案，保留；预约事由删除",
            zh_hant="預約記錄屬陣地使用檔案，保留；預約事由刪除",
            en="Bookings are kept as the place's records of use; their purpose is cleared",
        ),
    ),
    PersonalDataTable(table=BookingQuota, person_column="person", on_erasure="delete"),
)


async def reencrypt_place_contacts(db: Any, vault: Any) -> int:
    """Key rotation: re-encrypt the contacts' phones of places not yet under ``vault.current``."""
    from core.identity.keys import reencrypt_columns

    return await reencrypt_columns(db, vault, Place, {Place.contacts_enc: CONTACTS_FIELD})
