"""Bulk export of orgs, units and members of a subtree as CSV or XLSX, defused against formula injection.

Member exports carry ids, names and roles — never ID numbers or phone numbers. An org's contact phone
is exported masked, in full only where the caller's ``core.person.personal_data`` reaches (``reveal``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from core.kernel.access import Reach, reach_clause, subtree_bounds, within
from core.kernel.errors import Problem
from core.members.tables import Membership
from core.orgs.contact import Reveal, shown
from core.orgs.tables import Org, Unit

Kind = Literal["orgs", "units", "members"]
BATCH = 2000

HEADERS: dict[str, list[str]] = {
    "orgs": [
        "id", "parent", "name", "kind", "level", "region_code", "two_new", "place", "address",
        "contact_name", "contact_phone", "status", "code",
    ],
    "units": [
        "id", "name", "kind", "credit_code", "employees", "female_employees", "youth_employees", "area",
        "region_code", "address", "status",
    ],
    "members": ["id", "org", "org_name", "person", "name", "role", "status", "joined_at", "left_at"],
}  # fmt: skip


async def export_rows(
    what: Kind,
    reaches: Sequence[Reach],
    org: UUID | None = None,
    *,
    reveal: Reveal | None = None,
    paths: set[str] | None = None,
    include_left: bool = True,
    zone: ZoneInfo | None = None,
) -> AsyncIterator[list[Any]]:
    """Rows of ``what`` within reach (and under ``org``), in batches read by keyset, in header order.

    Orgs' contact phones are masked unless ``reveal`` (the caller's personal-data reach) covers the org.
    ``paths`` collects the org paths the rows concern (for the export's audit entry): each org exported,
    each unit's area, each membership's org and its person's home org. Without ``include_left``, members
    who left or transferred away are not exported; with ``zone``, times are local there (with offset).
    """
    path_column: Any = {"orgs": Org.path, "units": Unit.area_path, "members": Membership.org.path}[what]
    clause = reach_clause(path_column, reaches)
    if clause is None:
        return
    if what == "members" and not include_left:
        clause = clause & (Membership.status == "active")
    if org is not None:
        anchor = await Org.select(Org.path).where(Org.id == org).first().run()
        if anchor is None or not within(anchor["path"], reaches):
            raise Problem("not-found")
        low, high = subtree_bounds(anchor["path"])
        clause = clause & (path_column >= low) & (path_column < high)
        if paths is not None:
            paths.add(anchor["path"])
    if what == "orgs":
        columns: list[Any] = [getattr(Org, h) for h in HEADERS["orgs"] if h != "contact_phone"]
        columns += [Org.contact_phone_masked.as_alias("contact_phone"), Org.contact_phone_enc, Org.path]
        table: Any = Org
    elif what == "units":
        columns = [getattr(Unit, h) for h in HEADERS["units"]] + [Unit.area_path.as_alias("path")]
        table = Unit
    else:
        columns = [
            Membership.id,
            Membership.org,
            Membership.org.name.as_alias("org_name"),
            Membership.person,
            Membership.person.name.as_alias("name"),
            Membership.role,
            Membership.status,
            Membership.joined_at,
            Membership.left_at,
            Membership.org.path.as_alias("path"),
            Membership.person.home_org.path.as_alias("home_path"),
        ]
        table = Membership
    last: Any = None
    while True:
        query = table.select(*columns).where(clause)
        if last is not None:
            query = query.where(table.id > last)
        rows = await query.order_by(table.id).limit(BATCH).run()
        for row in rows:
            if paths is not None:
                paths.update(p for p in (row["path"], row.get("home_path")) if p)
            if what == "orgs":
                row = shown(row, reveal)
            yield [_plain(row[h], zone) for h in HEADERS[what]]
        if len(rows) < BATCH:
            return
        last = rows[-1]["id"]


def _plain(value: Any, zone: ZoneInfo | None = None) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime) and zone is not None:
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(zone).isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
