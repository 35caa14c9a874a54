"""The core's figures of a subtree split by the plugin that owns each org kind, process type and place
kind: what a region's one picture (驾驶舱) sets side by side, without knowing any plugin.

Each figure is one range scan on the subtree's copied paths, grouped by kind or type, so the cost grows
with the subtree's rows, not with the number of plugins; a plugin installed later appears by itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from core.kernel.access import subtree_bounds
from core.orgs.tables import Org

#: The owner of the Party's own kinds (``party.*``) and the core's place and process kinds.
CORE_OWNER = "core"


class OwnerFigures(msgspec.Struct, kw_only=True):
    """One owner's (a plugin's, or ``core`` for the Party's own) figures in a subtree."""

    owner: str
    orgs: int = 0
    members: int = 0
    events: int = 0
    registrations: int = 0
    attendance: int = 0
    processes_open: int = 0
    processes_overdue: int = 0
    processes_closed: int = 0
    places: int = 0
    bookings: int = 0
    honors: int = 0


def installed_plugins(state: Any) -> dict[str, Any]:
    """Slug → name (:class:`core.kernel.i18n.Text`) of every enabled plugin, in load order."""
    return {name: declared.info.name for name, declared in state.registry.plugins.items()}


def kind_owners(state: Any) -> dict[str, str]:
    """Org kind code → the plugin that declared it (``core`` for the Party's kinds)."""
    return _owners(state, "org_kinds")


def _owners(state: Any, attribute: str) -> dict[str, str]:
    registry = state.registry
    return {
        item.code: name if name in registry.plugins else CORE_OWNER
        for name, declared in registry.declarations.items()
        for item in getattr(declared, attribute)
    }


def _owner(owners: Mapping[str, str], code: str) -> str:
    return owners.get(code) or (code.split(".", 1)[0] if "." in code else CORE_OWNER)


async def figures_by_owner(
    state: Any, org_path: str, moment: datetime | None = None, *, orgs_and_members: bool = True
) -> list[OwnerFigures]:
    """Orgs, members, events (registrations, attendance), processes (open, overdue, closed), places
    (bookings) and honors of the subtree at ``org_path``, one entry per owner that has any, by owner.
    ``orgs_and_members=False`` leaves out the org and membership counts (for a caller that has them
    by kind already, from the subtree's statistics)."""
    moment = moment or datetime.now(UTC)
    low, high = subtree_bounds(org_path)
    kinds = kind_owners(state)
    types = _owners(state, "process_types")
    places = _owners(state, "place_kinds")
    out: dict[str, OwnerFigures] = {}

    def add(owner: str, field: str, value: Any) -> None:
        entry = out.setdefault(owner, OwnerFigures(owner=owner))
        setattr(entry, field, getattr(entry, field) + int(value or 0))

    async def grouped(sql: str, *args: Any) -> list[dict[str, Any]]:
        return await Org.raw(sql, *args).run()  # type: ignore[no-any-return]

    if orgs_and_members:
        for r in await grouped(
            "SELECT kind, COUNT(*) AS n FROM core_org WHERE path >= {} AND path < {} AND status = 'active' "
            "GROUP BY kind",
            low,
            high,
        ):
            add(_owner(kinds, r["kind"]), "orgs", r["n"])
        for r in await grouped(
            "SELECT o.kind AS kind, COUNT(*) AS n FROM core_membership m JOIN core_org o ON o.id = m.org "
            "WHERE o.path >= {} AND o.path < {} AND m.status = 'active' GROUP BY o.kind",
            low,
            high,
        ):
            add(_owner(kinds, r["kind"]), "members", r["n"])
    for r in await grouped(
        "SELECT o.kind AS kind, COUNT(*) AS n, COALESCE(SUM(e.confirmed_count), 0) AS regs "
        "FROM core_event e JOIN core_org o ON o.id = e.org "
        "WHERE e.org_path >= {} AND e.org_path < {} AND e.status <> 'draft' AND e.status <> 'cancelled' "
        "GROUP BY o.kind",
        low,
        high,
    ):
        owner = _owner(kinds, r["kind"])
        add(owner, "events", r["n"])
        add(owner, "registrations", r["regs"])
    for r in await grouped(
        "SELECT o.kind AS kind, COUNT(*) AS n FROM core_checkin c JOIN core_event e ON e.id = c.event "
        "JOIN core_org o ON o.id = e.org WHERE e.org_path >= {} AND e.org_path < {} GROUP BY o.kind",
        low,
        high,
    ):
        add(_owner(kinds, r["kind"]), "attendance", r["n"])
    for r in await grouped(
        "SELECT type, status, COUNT(*) AS n, SUM(CASE WHEN status = 'open' AND due_at < {} THEN 1 ELSE 0 END) "
        "AS late FROM core_process WHERE org_path >= {} AND org_path < {} GROUP BY type, status",
        moment,
        low,
        high,
    ):
        owner = _owner(types, r["type"])
        if r["status"] == "open":
            add(owner, "processes_open", r["n"])
            add(owner, "processes_overdue", r["late"])
        elif r["status"] == "closed":
            add(owner, "processes_closed", r["n"])
    for r in await grouped(
        "SELECT kind, COUNT(*) AS n FROM core_place WHERE org_path >= {} AND org_path < {} "
        "AND status = 'active' GROUP BY kind",
        low,
        high,
    ):
        add(_owner(places, r["kind"]), "places", r["n"])
    for r in await grouped(
        "SELECT p.kind AS kind, COUNT(*) AS n FROM core_booking b JOIN core_place p ON p.id = b.place "
        "WHERE b.org_path >= {} AND b.org_path < {} AND b.status IN ('confirmed', 'checked_in') GROUP BY p.kind",
        low,
        high,
    ):
        add(_owner(places, r["kind"]), "bookings", r["n"])
    for r in await grouped(
        "SELECT o.kind AS kind, COUNT(*) AS n FROM core_honor h JOIN core_org o ON o.id = h.issuing_org "
        "WHERE h.recipient_path >= {} AND h.recipient_path < {} AND h.status = 'active' GROUP BY o.kind",
        low,
        high,
    ):
        add(_owner(kinds, r["kind"]), "honors", r["n"])
    return sorted(out.values(), key=lambda f: (f.owner != CORE_OWNER, f.owner))
