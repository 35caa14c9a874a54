"""Key rotation for personal data: rewrite every ciphertext under the current key.

Run ``quntuan admin reencrypt`` after putting a new key first in ``QUNTUAN_PERSONAL_DATA_KEYS`` (keep
the old keys listed until it has finished). Blind indexes do not change: their key is separate.
"""

from __future__ import annotations

from typing import Any

from core.db import Database
from core.identity.crypto import Vault
from core.identity.tables import Person

BATCH = 200


async def reencrypt_persons(db: Database, vault: Vault) -> int:
    """Re-encrypt the ID numbers and phones not yet under ``vault.current``; returns how many persons."""
    done = 0
    after: Any = None
    while True:
        query = (
            Person.select(Person.id, Person.phone_enc, Person.id_number_enc).order_by(Person.id).limit(BATCH)
        )
        if after is not None:
            query = query.where(Person.id > after)
        rows = await query.run()
        if not rows:
            return done
        for row in rows:
            changes: dict[Any, Any] = {}
            for column, field in ((Person.phone_enc, "phone"), (Person.id_number_enc, "id_number")):
                value = row[column._meta.name]
                if vault.needs_reencryption(value):
                    changes[column] = vault.encrypt(field, vault.decrypt(field, value))
            if changes:
                async with db.transaction():
                    await Person.update(changes).where(Person.id == row["id"]).run()
                done += 1
        after = rows[-1]["id"]
