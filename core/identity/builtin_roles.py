"""Built-in roles: the roles plugins ship (``quntuan_roles``), written into the role table at start-up."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.identity import audit
from core.identity.authz_cache import authority_changed
from core.identity.tables import Role


def _codes(value: Any) -> list[str]:
    import json

    return sorted(json.loads(value) if isinstance(value, str) else value or [])


async def sync_builtin_roles(db: Any, registry: Any) -> list[str]:
    """Insert every declared built-in role that is missing and bring changed ones back to their
    declaration (name in zh-Hans, permissions); returns the codes written. Several workers starting at
    once are safe: an insert that lost the race does nothing."""
    declared = registry.roles
    if not declared:
        return []
    written: list[str] = []
    # Read first: a start with every role already as declared (each start but the first) takes no write
    # transaction — on SQLite that is the platform's write lock, held across the start otherwise.
    rows = await Role.select().where(Role.code.is_in(list(declared))).run()
    if all(
        (row := next((r for r in rows if r["code"] == code), None)) is not None
        and row["name"] == role.name.zh_hans
        and _codes(row["permissions"]) == sorted(set(role.permissions))
        for code, role in declared.items()
    ):
        return []
    async with db.transaction():
        rows = await Role.select().where(Role.code.is_in(list(declared))).run()
        existing = {row["code"]: row for row in rows}
        for code, role in sorted(declared.items()):
            permissions = sorted(set(role.permissions))
            name = role.name.zh_hans
            row = existing.get(code)
            if row is None:
                await (
                    Role.insert(Role(code=code, name=name, permissions=permissions))
                    .on_conflict(target=Role.code, action="DO NOTHING")
                    .run()
                )
            elif row["name"] != name or _codes(row["permissions"]) != permissions:
                await (
                    Role.update(
                        {Role.name: name, Role.permissions: permissions, Role.updated_at: datetime.now(UTC)}
                    )
                    .where(Role.id == row["id"])
                    .run()
                )
            else:
                continue
            written.append(code)
        if written:
            await authority_changed()
            await audit.record(
                "role.builtin_synced",
                resource_type="role",
                resource_id="builtin",
                changes={"codes": written},
            )
    return written
