"""Built-in roles: the roles plugins ship (``quntuan_roles``), written into the role table at start-up."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from core.identity import audit
from core.identity.authz_cache import authority_changed
from core.identity.tables import Role


def role_permissions(value: Any) -> list[str]:
    """A role row's permission codes (a JSON column: text on SQLite, a list on PostgreSQL)."""
    return list(json.loads(value) if isinstance(value, str) else value or [])


async def sync_builtin_roles(db: Any, registry: Any) -> list[str]:
    """Insert every declared built-in role that is missing and bring changed ones back to their
    declaration (name in zh-Hans, permissions); returns the codes written. Several workers starting at
    once are safe: an insert that lost the race does nothing."""
    declared = registry.roles
    if not declared:
        return []
    wanted = {code: (role.name.zh_hans, sorted(set(role.permissions))) for code, role in declared.items()}

    def stale(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
        existing = {row["code"]: row for row in rows}
        out: dict[str, dict[str, Any] | None] = {}
        for code, (name, permissions) in sorted(wanted.items()):
            row = existing.get(code)
            if (
                row is None
                or row["name"] != name
                or sorted(role_permissions(row["permissions"])) != permissions
            ):
                out[code] = row
        return out

    # Read first, outside a transaction: a start with nothing to change takes no write lock.
    if not stale(await Role.select().where(Role.code.is_in(list(wanted))).run()):
        return []
    async with db.transaction():
        todo = stale(await Role.select().where(Role.code.is_in(list(wanted))).run())
        for code, row in todo.items():
            name, permissions = wanted[code]
            if row is None:
                await (
                    Role.insert(Role(code=code, name=name, permissions=permissions))
                    .on_conflict(target=Role.code, action="DO NOTHING")
                    .run()
                )
            else:
                await (
                    Role.update(
                        {Role.name: name, Role.permissions: permissions, Role.updated_at: datetime.now(UTC)}
                    )
                    .where(Role.id == row["id"])
                    .run()
                )
        if todo:
            await authority_changed()
            await audit.record(
                "role.builtin_synced",
                resource_type="role",
                resource_id="builtin",
                changes={"codes": sorted(todo)},
            )
    return sorted(todo)
