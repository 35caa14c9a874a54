"""The org tree's rules: placement, create, update, move a subtree, dissolve, list and search. No HTTP here.

Every write runs inside :meth:`core.kernel.db.Database.transaction` and emits its signal in that transaction.
On PostgreSQL, writes that read a parent's path take a shared advisory lock and a move takes it
exclusively, so a subtree never moves while a child is being added under it with the old path; SQLite
serialises writers anyway.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

import msgspec

from core.identity import audit
from core.identity.authz_cache import authority_changed
from core.integration.signals import emit
from core.kernel import preconditions
from core.kernel.access import Reach, reach_sql, subtree_bounds, within
from core.kernel.db import Database, fetch, is_unique_violation, one_connection
from core.kernel.declarations import AdminLevel, OrgKind
from core.kernel.declarations.orgs import OrgPathColumn
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, cursor_values, page_of
from core.kernel.vault import Vault
from core.orgs import problems as P
from core.orgs import schemas as S
from core.orgs import signals as sig
from core.orgs.contact import FIELD as CONTACT_PHONE
from core.orgs.contact import Reveal, seal, shown
from core.orgs.paths import MAX_DEPTH, SEGMENT_WIDTH, new_segment
from core.orgs.search import code_term, fold, initials, is_initials_query, search_term
from core.orgs.tables import Org

#: Advisory-lock key of the tree's shape on PostgreSQL (shared: add under a path; exclusive: move paths).
TREE_LOCK_KEY = 0x51_6F_72_67  # "Qorg"
LEVEL_RANK: dict[str, int] = {level.value: rank for rank, level in enumerate(AdminLevel)}
Scope = Literal["self", "children", "subtree"]
#: Reaches of an operator at the command line: the whole tree.
EVERYWHERE: tuple[Reach, ...] = (Reach(path="", subtree=True),)

_COLUMNS = [getattr(Org, name) for name in S.ORG_FIELDS if name != "contact_phone"]
_LIST_KEY = (Org.path,)
#: Column names are the table's own; every value is a bound parameter. ``contact_phone`` is the masked
#: one (the full one is decrypted only for a caller who may see it: :func:`as_org`).
_SELECT_ORGS = (
    "SELECT {}, contact_phone_masked AS contact_phone, contact_phone_enc, path FROM core_org WHERE ".format(  # noqa: S608
        ", ".join(c._meta.db_column_name for c in _COLUMNS)
    )
)


def now() -> datetime:
    return datetime.now(UTC)


def etag(row: Mapping[str, Any]) -> str:
    """A strong validator for ``If-Match``: changes whenever the org is written."""
    stamp: datetime = row["updated_at"]
    return f'"{row["id"].hex[:8]}-{int(stamp.timestamp() * 1_000_000):x}"'


async def tree_lock(db: Database, *, exclusive: bool = False) -> None:
    """Inside a write transaction on PostgreSQL, order this write against subtree moves."""
    if db.is_sqlite:
        return
    fn = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    await Org.raw(f"SELECT {fn}({{}})", TREE_LOCK_KEY).run()


def as_org(row: Mapping[str, Any], reveal: Reveal | None = None) -> S.Org:
    """The org as the caller sees it: its contact phone masked unless ``reveal`` reaches it."""
    return msgspec.convert(shown(row, reveal), S.Org, from_attributes=False)


def full_contact_phone(vault: Vault, row: Mapping[str, Any]) -> str:
    token = row["contact_phone_enc"]
    return vault.decrypt(CONTACT_PHONE, token) if token else ""


# --- placement -------------------------------------------------------------------------------------------


def placement_errors(
    kinds: Mapping[str, OrgKind],
    kind_code: str,
    level: str,
    parent: Mapping[str, Any] | None,
    *,
    pointer_parent: str = "/parent",
) -> list[tuple[str, str]]:
    """Why an org of ``kind_code`` at ``level`` may not sit under ``parent`` (empty when it may).

    A kind names the kinds it may sit under and the levels it may have, so a 团支部 cannot be placed
    under a 妇联; a child is never at a higher administrative level than its parent.
    """
    kind = kinds.get(kind_code)
    if kind is None:
        return [("/kind", P.UNKNOWN_KIND)]
    errors: list[tuple[str, str]] = []
    if level not in {lvl.value for lvl in kind.levels}:
        errors.append(("/level", P.LEVEL_NOT_ALLOWED))
    if parent is None:
        if not kind.may_be_root:
            errors.append((pointer_parent, P.ROOT_NOT_ALLOWED))
        return errors
    if parent["status"] != "active":
        errors.append((pointer_parent, P.PARENT_DISSOLVED))
    if parent["kind"] not in kind.parents:
        errors.append((pointer_parent, P.PARENT_KIND_NOT_ALLOWED))
    if LEVEL_RANK.get(level, 0) < LEVEL_RANK.get(parent["level"], 0):
        errors.append(("/level", P.LEVEL_ABOVE_PARENT))
    return errors


# --- reading ---------------------------------------------------------------------------------------------


async def load(org_id: UUID, reaches: Sequence[Reach]) -> dict[str, Any]:
    """One org within ``reaches``, or 404 (absent and out of reach look the same)."""
    rows = await fetch(Org, _SELECT_ORGS + "id = {}", (org_id,))
    if not rows or not within(rows[0]["path"], reaches):
        raise Problem("not-found")
    return dict(rows[0])


async def list_orgs(
    reaches: Sequence[Reach],
    page: PageRequest,
    *,
    org: UUID | None = None,
    scope: Scope = "subtree",
    kind: str | None = None,
    level: str | None = None,
    status: str | None = None,
    region: str | None = None,
    q: str | None = None,
    reveal: Reveal | None = None,
) -> tuple[list[S.Org], str | None]:
    """Orgs in reach, in tree order: all of them, or one org's subtree, children or itself; filtered.

    One parameterised SQL text (after the anchor's reach check) rather than a Piccolo query built per call.
    """
    args: list[Any] = []
    reach = reach_sql("path", reaches, args)
    if reach is None:
        return [], None
    where = [f"({reach})"]
    if kind:
        where.append("kind = {}")
        args.append(kind)
    if level:
        where.append("level = {}")
        args.append(level)
    if status:
        where.append("status = {}")
        args.append(status)
    if region:
        where.append("region_code >= {} AND region_code < {}")
        args.extend((region, region + "~"))
    if q:
        term = search_term(q)
        if term:
            # Besides the name: the org's code, from its start (upper case like the stored ones).
            found = ["search_name LIKE {}", "code LIKE {}"]
            args.extend((f"%{term}%", f"{code_term(q)}%"))
            if is_initials_query(term):
                found.append("initials LIKE {}")
                args.append(f"{term}%")
            where.append("(" + " OR ".join(found) + ")")
    async with one_connection(Org):
        if org is not None:
            anchor = await load(org, reaches)
            if scope == "self":
                where.append("id = {}")
                args.append(org)
            elif scope == "children":
                where.append("parent = {}")
                args.append(org)
            else:
                where.append("path >= {} AND path < {}")
                args.extend(subtree_bounds(anchor["path"]))
        if page.after is not None:
            where.append("path > {}")
            args.extend(cursor_values(_LIST_KEY, page.after))
        args.append(page.limit + 1)
        sql = _SELECT_ORGS + " AND ".join(where) + " ORDER BY path LIMIT {}"
        rows = list(await fetch(Org, sql, args))
    rows, cursor = page_of(rows, _LIST_KEY, page)
    return [as_org(dict(r), reveal) for r in rows], cursor


#: Most orgs one directory answer lists: a search to choose from, not a way to page through the tree.
DIRECTORY_LIMIT = 20


async def directory(q: str, kind: str | None = None, limit: int = DIRECTORY_LIMIT) -> list[S.OrgListing]:
    """Active orgs anywhere whose code is ``q`` (any case) or whose name contains it (any script, or
    pinyin initials): the org with that exact code first, then by name."""
    term, code = search_term(q), code_term(q)
    if not term:
        return []
    found = Org.search_name.like(f"%{term}%") | (Org.code == code)
    if is_initials_query(term):
        found = found | Org.initials.like(f"{term}%")
    where = (Org.status == "active") & found
    if kind:
        where = where & (Org.kind == kind)
    rows = (
        await Org.select(Org.id, Org.name, Org.kind, Org.level, Org.code, Org.region_code)
        .where(where)
        .order_by(Org.name)
        .limit(min(limit, DIRECTORY_LIMIT) + 1)
        .run()
    )
    rows.sort(key=lambda r: r["code"] != code)  # stable: the exact code first, the rest by name
    return [msgspec.convert(r, S.OrgListing) for r in rows[:limit]]


# --- writing ---------------------------------------------------------------------------------------------

#: An org's fields naming a person (its contact): their values never reach the audit log.
_PERSONAL_ORG_FIELDS = frozenset({"contact_name", "contact_phone"})


def _audit_changes(data: msgspec.Struct, fields: Sequence[str]) -> dict[str, Any]:
    return {
        f: audit.CHANGED if f in _PERSONAL_ORG_FIELDS else msgspec.to_builtins(getattr(data, f))
        for f in fields
    }


async def _write_with_code(query: Any) -> None:
    """Run a write of an org's code: a unique violation (a concurrent writer took the code) is 409."""
    try:
        await query.run()
    except Exception as exc:
        if is_unique_violation(exc):
            raise Problem(P.ORG_CODE_TAKEN) from None
        raise


def org_code(code: str | None) -> str | None:
    """A code as stored: upper case (codes are compared and searched that way); None for none."""
    return code.strip().upper() if code else None


async def _code_free(code: str | None, org_id: UUID | None = None) -> None:
    """409 ``org-code-taken`` when another org has ``code`` (the unique index catches a racing writer)."""
    if code is None:
        return
    taken = Org.code == code
    if org_id is not None:
        taken = taken & (Org.id != org_id)
    if await Org.exists().where(taken).run():
        raise Problem(P.ORG_CODE_TAKEN)


async def by_code(code: str) -> dict[str, Any] | None:
    """The active org with ``code`` (any case), or None."""
    return (
        await Org.select(Org.id, Org.path, Org.kind, Org.name)
        .where((Org.code == org_code(code)) & (Org.status == "active"))
        .first()
        .run()
    )


async def _free_path(prefix: str) -> str:
    while True:
        path = prefix + new_segment()
        if not await Org.exists().where(Org.path == path).run():
            return path


async def create_org(
    db: Database, kinds: Mapping[str, OrgKind], data: S.OrgCreate, reaches: Sequence[Reach], *, vault: Vault
) -> S.Org:
    """Create an org under ``data.parent`` (which must lie in ``reaches``) if the placement rules allow.

    Returns it with its contact phone masked (the caller decides what it may see).
    """
    async with db.transaction():
        await tree_lock(db)
        parent = None
        if data.parent is not None:
            parent = await Org.select().where(Org.id == data.parent).first().run()
            if parent is None or not within(parent["path"], reaches):
                raise Problem.invalid(("/parent", P.UNKNOWN_PARENT))
        elif not within("", reaches):
            raise Problem("forbidden")
        errors = placement_errors(kinds, data.kind, data.level, parent)
        if errors:
            raise Problem.invalid(*errors)
        code = org_code(data.code)
        await _code_free(code)
        path = await _free_path(parent["path"] if parent else "")
        stamp = now()
        row = Org(
            parent=data.parent,
            path=path,
            depth=len(path) // SEGMENT_WIDTH,
            kind=data.kind,
            level=data.level,
            name=data.name,
            code=code,
            status="active",
            region_code=data.region_code,
            two_new=data.two_new,
            place=data.place,
            address=data.address,
            contact_name=data.contact_name,
            **seal(vault, data.contact_phone),
            search_name=fold(data.name),
            initials=initials(data.name),
            created_at=stamp,
            updated_at=stamp,
        )
        await _write_with_code(Org.insert(row))
        await audit.record(
            "org.created",
            resource_type="org",
            resource_id=row.id,
            org_path=path,
            changes=_audit_changes(
                data, [f for f in data.__struct_fields__ if getattr(data, f) not in (None, "")]
            ),
        )
        await emit(
            sig.ORG_CREATED,
            sig.OrgChanged(org_id=row.id, kind=data.kind, parent_id=data.parent),
            resource_type="org",
            resource_id=row.id,
            org_path=path,
        )
        return as_org(await load(row.id, EVERYWHERE))


async def update_org(
    db: Database,
    org_id: UUID,
    data: S.OrgUpdate,
    reaches: Sequence[Reach],
    *,
    vault: Vault,
    if_match: str | None = None,
    on_region_change: Callable[[str | None, str | None], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Rename or change an org's details; ``if_match`` (an ETag) guards against lost updates.

    ``on_region_change(old, new)`` runs in the same transaction when the region code changed (the
    units of the area follow it: :func:`core.orgs.coverage.follow_area_region`).

    Returns the row as :func:`load` does (contact phone masked, ciphertext beside it).
    """
    async with db.transaction():
        row = await load(org_id, reaches)
        preconditions.check_if_match(etag(row), if_match)
        if row["status"] != "active":
            raise Problem(P.ORG_ALREADY_DISSOLVED)
        current = dict(row)
        if data.contact_phone is not msgspec.UNSET:
            current["contact_phone"] = full_contact_phone(vault, row)
        if isinstance(data.code, str):
            data = msgspec.structs.replace(data, code=org_code(data.code))
        changes = {
            name: value
            for name in data.__struct_fields__
            if (value := getattr(data, name)) is not msgspec.UNSET and value != current[name]
        }
        if not changes:
            return row
        values: dict[Any, Any] = {getattr(Org, k): v for k, v in changes.items() if k != "contact_phone"}
        if "contact_phone" in changes:
            values.update({getattr(Org, k): v for k, v in seal(vault, changes["contact_phone"]).items()})
        if "name" in changes:
            values[Org.search_name] = fold(changes["name"])
            values[Org.initials] = initials(changes["name"])
        if "code" in changes:
            await _code_free(changes["code"], org_id)
        values[Org.updated_at] = now()
        await _write_with_code(Org.update(values).where(Org.id == org_id))
        if "region_code" in changes and on_region_change is not None:
            await on_region_change(row["region_code"], changes["region_code"])
        signal = sig.ORG_RENAMED if "name" in changes else sig.ORG_UPDATED
        await audit.record(
            signal.name,
            resource_type="org",
            resource_id=org_id,
            org_path=row["path"],
            changes=_audit_changes(data, sorted(changes)),
        )
        await emit(
            signal,
            sig.OrgChanged(org_id=org_id, kind=row["kind"], parent_id=row["parent"], fields=sorted(changes)),
            resource_type="org",
            resource_id=org_id,
            org_path=row["path"],
        )
        return await load(org_id, EVERYWHERE)


async def move_org(
    db: Database,
    kinds: Mapping[str, OrgKind],
    org_id: UUID,
    new_parent_id: UUID,
    reaches: Sequence[Reach],
    path_columns: Sequence[OrgPathColumn] = (),
    *,
    reveal: Reveal | None = None,
) -> S.Org:
    """Move an org and its whole subtree under another parent, atomically (调整隶属关系).

    Every path in the subtree gets the new prefix in one UPDATE (and so do the units and coverage rows
    that hang on those paths, and every copy a domain or plugin declared through
    ``quntuan_org_path_columns``); a failure leaves the tree as it was.
    """
    async with db.transaction():
        await tree_lock(db, exclusive=True)
        row = await load(org_id, reaches)
        if row["status"] != "active":
            raise Problem(P.ORG_ALREADY_DISSOLVED)
        parent = await Org.select().where(Org.id == new_parent_id).first().run()
        if parent is None or not within(parent["path"], reaches):
            raise Problem.invalid(("/parent", P.UNKNOWN_PARENT))
        old = row["path"]
        if parent["path"].startswith(old):
            raise Problem.invalid(("/parent", P.INTO_OWN_SUBTREE))
        errors = placement_errors(kinds, row["kind"], row["level"], parent)
        if errors:
            raise Problem.invalid(*errors)
        if row["parent"] == new_parent_id:
            return as_org(row, reveal)
        low, high = subtree_bounds(old)
        deepest = await Org.raw(
            "SELECT MAX(depth) AS d, COUNT(*) AS n FROM core_org WHERE path >= {} AND path < {}", low, high
        ).run()
        shift = parent["depth"] + 1 - row["depth"]
        if deepest[0]["d"] + shift > MAX_DEPTH:
            raise Problem.invalid(("/parent", "too_large"))
        new = parent["path"] + old[-SEGMENT_WIDTH:]
        if await Org.exists().where(Org.path == new).run():
            new = await _free_path(parent["path"])
        await _rewrite_paths(old, new, shift, path_columns)
        await Org.update({Org.parent: new_parent_id, Org.updated_at: now()}).where(Org.id == org_id).run()
        await authority_changed()
        await audit.record(
            "org.moved",
            resource_type="org",
            resource_id=org_id,
            org_path=new,
            # The old place (its parent's subtree there) sees the org leave, the new one sees it come.
            org_paths=[old, parent["path"], old[:-SEGMENT_WIDTH]],
            changes={
                "from_parent": row["parent"],
                "to_parent": new_parent_id,
                "from_path": old,
                "to_path": new,
                "subtree_size": int(deepest[0]["n"]),
            },
        )
        await emit(
            sig.ORG_MOVED,
            sig.OrgMoved(
                org_id=org_id,
                kind=row["kind"],
                from_parent_id=row["parent"],
                to_parent_id=new_parent_id,
                subtree_size=int(deepest[0]["n"]),
            ),
            resource_type="org",
            resource_id=org_id,
            org_path=new,
        )
        return as_org(await load(org_id, EVERYWHERE), reveal)


#: Copies of org paths the orgs domain keeps itself.
OWN_PATH_COLUMNS = (
    OrgPathColumn(table="core_unit", column="area_path"),
    OrgPathColumn(table="core_coverage_requirement", column="area_path"),
)
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def org_path_columns(pm: Any) -> list[OrgPathColumn]:
    """Copies of org paths declared by the core domains and plugins (computed once per plugin manager)."""
    cached = getattr(pm, "_quntuan_org_path_columns", None)
    if cached is None:
        cached = []
        # Read and checked at start-up with each plugin's other declarations (core.kernel.plugin_host).
        for decl in pm.registry.declarations.values():
            for item in decl.org_path_columns:
                if not (_IDENTIFIER.match(item.table) and _IDENTIFIER.match(item.column)):
                    raise ValueError(f"org path column {item.table}.{item.column} is not a plain identifier")
                cached.append(item)
        pm._quntuan_org_path_columns = cached
    return list(cached)


async def _rewrite_paths(old: str, new: str, shift: int, path_columns: Sequence[OrgPathColumn] = ()) -> None:
    low, high = subtree_bounds(old)
    cut = len(old) + 1
    await Org.raw(
        "UPDATE core_org SET path = CAST({} AS VARCHAR) || substr(path, {}), depth = depth + {} "
        "WHERE path >= {} AND path < {}",
        new,
        cut,
        shift,
        low,
        high,
    ).run()
    for target in (*OWN_PATH_COLUMNS, *path_columns):
        table, column = target.table, target.column
        if target.many:
            await _rewrite_path_lists(table, column, old, new)
            continue
        await Org.raw(
            f"UPDATE {table} SET {column} = CAST({{}} AS VARCHAR) || substr({column}, {{}}) "  # noqa: S608
            f"WHERE {column} >= {{}} AND {column} < {{}}",
            new,
            cut,
            low,
            high,
        ).run()


async def _rewrite_path_lists(table: str, column: str, old: str, new: str) -> None:
    """Rewrite the paths under ``old`` inside a JSON list column (few rows: those naming the subtree)."""
    rows = await Org.raw(
        f"SELECT id, {column} AS paths FROM {table} WHERE CAST({column} AS TEXT) LIKE {{}}",  # noqa: S608
        f'%"{old}%',
    ).run()
    is_sqlite = Org._meta.db.engine_type == "sqlite"
    for row in rows:
        paths = row["paths"]
        paths = msgspec.json.decode(paths) if isinstance(paths, (str, bytes)) else list(paths or [])
        moved = [new + p[len(old) :] if isinstance(p, str) and p.startswith(old) else p for p in paths]
        if moved != paths:
            value = msgspec.json.encode(moved).decode()
            setter = "{}" if is_sqlite else "CAST({} AS JSON)"
            await Org.raw(
                f"UPDATE {table} SET {column} = {setter} WHERE id = {{}}",  # noqa: S608
                value,
                row["id"],
            ).run()


async def dissolve_org(
    db: Database,
    rules: Mapping[str, Any],
    org_id: UUID,
    reaches: Sequence[Reach],
    *,
    reveal: Reveal | None = None,
) -> S.Org:
    """Dissolve an org (撤销): it stays, with its history, as ``dissolved``; its memberships end.

    An org with active children is not dissolved (409): those are dissolved or moved first.
    """
    from core.members.services import end_memberships_of
    from core.orgs.coverage import refresh_units_of_org

    async with db.transaction():
        row = await load(org_id, reaches)
        if row["status"] != "active":
            raise Problem(P.ORG_ALREADY_DISSOLVED)
        if await Org.exists().where((Org.parent == org_id) & (Org.status == "active")).run():
            raise Problem(P.ORG_HAS_ACTIVE_CHILDREN)
        stamp = now()
        await (
            Org.update({Org.status: "dissolved", Org.dissolved_at: stamp, Org.updated_at: stamp})
            .where(Org.id == org_id)
            .run()
        )
        ended = await end_memberships_of(org_id, row["path"])
        await authority_changed()
        await audit.record(
            "org.dissolved",
            resource_type="org",
            resource_id=org_id,
            org_path=row["path"],
            changes={"status": "dissolved", "memberships_ended": ended},
        )
        await refresh_units_of_org(rules, org_id)
        await emit(
            sig.ORG_DISSOLVED,
            sig.OrgChanged(org_id=org_id, kind=row["kind"], parent_id=row["parent"]),
            resource_type="org",
            resource_id=org_id,
            org_path=row["path"],
        )
        return as_org(await load(org_id, EVERYWHERE), reveal)
