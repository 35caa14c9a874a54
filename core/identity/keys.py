"""Key rotation for personal data: rewrite every ciphertext under the current key.

Run ``quntuan admin reencrypt`` after putting a new key first in ``QUNTUAN_PERSONAL_DATA_KEYS`` (keep
the old keys listed until it has finished). Blind indexes do not change: their key is separate.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.columns import Column
from piccolo.table import Table

from core.identity.tables import Person
from core.kernel.db import Database
from core.kernel.vault import Vault

BATCH = 200


async def reencrypt_columns(
    db: Database, vault: Vault, table: type[Table], fields: Mapping[Column, str]
) -> int:
    """Re-encrypt ``table``'s sealed ``fields`` (column → the Vault field it is sealed as) not yet under
    ``vault.current``, in batches by primary key, one short transaction per changed row; returns the rows."""
    key = table._meta.primary_key
    done = 0
    after: Any = None
    while True:
        query = table.select(key, *fields).order_by(key).limit(BATCH)
        if after is not None:
            query = query.where(key > after)
        rows = await query.run()
        if not rows:
            return done
        for row in rows:
            changes: dict[Any, Any] = {}
            for column, field in fields.items():
                value = row[column._meta.name]
                if vault.needs_reencryption(value):
                    changes[column] = vault.encrypt(field, vault.decrypt(field, value))
            if changes:
                async with db.transaction():
                    await table.update(changes).where(key == row[key._meta.name]).run()
                done += 1
        after = rows[-1][key._meta.name]


async def reencrypt_plugin_columns(db: Database, vault: Vault, registry: Any) -> int:
    """Re-encrypt every column the enabled plugins declared encrypted in their ``quntuan_personal_data``
    (``PersonalDataTable.encrypted``: column → Vault field); returns the rows changed. A column named there
    that the table lacks is a plugin bug: it raises, naming the plugin, the table and the column."""
    done = 0
    for name, decl in registry.plugins.items():
        per_table: dict[Any, dict[Column, str]] = {}
        for item in decl.personal_data:
            for column_name, field in item.encrypted.items():
                try:
                    column = item.table._meta.get_column_by_name(column_name)
                except ValueError:
                    table = item.table._meta.tablename
                    raise ValueError(f"plugin {name}: {table} has no column {column_name!r}") from None
                per_table.setdefault(item.table, {})[column] = field
        for table, fields in per_table.items():
            done += await reencrypt_columns(db, vault, table, fields)
    return done


async def reencrypt_persons(db: Database, vault: Vault) -> int:
    """Re-encrypt the ID numbers and phones not yet under ``vault.current``; returns how many persons."""
    return await reencrypt_columns(
        db, vault, Person, {Person.phone_enc: "phone", Person.id_number_enc: "id_number"}
    )
