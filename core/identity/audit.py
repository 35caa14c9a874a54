"""The audit log (审计日志): every write, append-only and hash-chained.

Each entry's ``hash`` is SHA-256 over its canonical content and the previous entry's hash, so changing,
removing or reordering any entry breaks the chain from there on (:func:`verify_chain`). The database
refuses updates and deletes of ``core_audit`` (triggers; on PostgreSQL ``TRUNCATE`` too); the chain
catches whoever drops them, and signed checkpoints of the head (:mod:`core.identity.audit_checkpoints`)
catch a cut tail, which no chain can show by itself.
Entries carry ids, codes and the names of changed fields — never personal data: callers pass personal
fields as :data:`CHANGED`.

An entry names every org it concerns (``org_paths``; the first is the resource's own, kept as
``org_path``), so each of them — and whoever reaches them — sees it in ``GET /api/v1/audit``. For a
person those are the home org and the orgs of their active memberships and current posts
(:func:`person_paths`). The paths are stored in ``core_audit_org`` and are part of the entry's hash.

Call :func:`record` (or :func:`record_many` for a bulk write) inside the write transaction; the actor is
the request's principal unless given.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from core.identity.authn import current_actor
from core.identity.tables import AuditEntry, AuditOrg
from core.kernel.db import fetch

GENESIS = "0" * 64
#: Value recorded for a personal field that changed: the fact, never the value.
CHANGED = "<changed>"
#: Advisory lock serialising appends on PostgreSQL, so two transactions never chain onto the same entry.
_LOCK_KEY = 0x51_41_75_64  # "QAud"
#: Rows per multi-row INSERT (SQLite's bound-parameter limit allows 32766: 11 columns × 500 is well below).
_INSERT_ROWS = 500
_COLUMNS = (
    "seq",
    "id",
    "at",
    "actor_kind",
    "actor_id",
    "action",
    "resource_type",
    "resource_id",
    "org_path",
    "changes",
    "prev_hash",
    "hash",
)


class Pending(NamedTuple):
    """One entry to append with :func:`record_many` (a tuple: an import holds hundreds of thousands)."""

    action: str
    resource_type: str
    resource_id: uuid.UUID | str
    org_paths: Sequence[str | None] = ()
    changes: Mapping[str, Any] | None = None


def _digest(entry: Mapping[str, Any], paths: Sequence[str] = ()) -> str:
    content = {
        "id": str(entry["id"]),
        "at": entry["at"].astimezone(UTC).isoformat(),
        "actor_kind": entry["actor_kind"],
        "actor_id": entry["actor_id"],
        "action": entry["action"],
        "resource_type": entry["resource_type"],
        "resource_id": entry["resource_id"],
        "org_path": entry["org_path"],
        "changes": entry["changes"],
        "prev_hash": entry["prev_hash"],
    }
    if len(paths) > 1:
        # An entry of one org hashes exactly as entries did before several orgs could be named.
        content["org_paths"] = sorted(paths)
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _changes(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def unique_paths(paths: Iterable[str | None]) -> list[str]:
    """The org paths in first-seen order, without repeats or blanks."""
    return list(dict.fromkeys(p for p in paths if p))


async def person_paths(person_ids: Iterable[uuid.UUID], on: date | None = None) -> dict[uuid.UUID, list[str]]:
    """The org paths each person concerns: home org, orgs of active memberships, orgs of posts held on
    ``on`` (today by default) — the orgs that see what happens to the person. Persons of no org map to []."""
    ids = list(dict.fromkeys(person_ids))
    out: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    on = on or datetime.now(UTC).date()
    for start in range(0, len(ids), 300):
        chunk = ids[start : start + 300]
        marks = ", ".join("{}" for _ in chunk)
        sql = (
            f"SELECT p.id AS person, h.path AS path FROM core_person p JOIN core_org h ON h.id = p.home_org"  # noqa: S608 - placeholders only
            f" WHERE p.id IN ({marks})"
            f" UNION SELECT m.person, o.path FROM core_membership m JOIN core_org o ON o.id = m.org"
            f" WHERE m.person IN ({marks}) AND m.status = 'active'"
            f" UNION SELECT t.person, o.path FROM core_post t JOIN core_org o ON o.id = t.org"
            f" WHERE t.person IN ({marks}) AND t.start_date <= {{}} AND (t.end_date IS NULL OR t.end_date >= {{}})"
        )
        rows = await fetch(AuditEntry, sql, [*chunk, *chunk, *chunk, on, on])
        for row in sorted(rows, key=lambda r: str(r["path"])):
            person = row["person"] if isinstance(row["person"], uuid.UUID) else uuid.UUID(str(row["person"]))
            out.setdefault(person, []).append(str(row["path"]))
    return out


async def paths_of_persons(person_ids: Iterable[uuid.UUID]) -> list[str]:
    """:func:`person_paths` of several persons, merged (for one entry concerning them all)."""
    found = await person_paths(person_ids)
    return unique_paths(p for paths in found.values() for p in paths)


async def paths_of_holder(account: uuid.UUID | None = None, post: uuid.UUID | None = None) -> list[str]:
    """The orgs of the person behind an account or a post (for entries on logins, grants and posts)."""
    from core.identity.tables import Account, Post

    person = None
    if account is not None:
        row = await Account.select(Account.person).where(Account.id == account).first().run()
        person = row["person"] if row else None
    elif post is not None:
        row = await Post.select(Post.person).where(Post.id == post).first().run()
        person = row["person"] if row else None
    return await paths_of_persons([person]) if person is not None else []


def _covering(principal: Any, permission: str, paths: Iterable[str | None]) -> list[str]:
    wanted = [p for p in paths if p]
    reach = getattr(principal, "reach", None)
    if reach is None or not wanted:
        return []
    return sorted({r.path for r in reach(permission) if any(r.covers(p) for p in wanted)})


async def _org_ids(paths: Iterable[str]) -> dict[str, str | None]:
    named = sorted({p for p in paths if p})
    out: dict[str, str | None] = {"": None}
    if named:
        marks = ", ".join("{}" for _ in named)
        rows = await fetch(AuditEntry, f"SELECT id, path FROM core_org WHERE path IN ({marks})", named)  # noqa: S608 - placeholders only
        out.update({str(r["path"]): str(r["id"]) for r in rows})
    return out


async def reading_orgs(principal: Any, permission: str, paths: Iterable[str | None]) -> list[str | None]:
    """The orgs through whose grants ``principal`` holds ``permission`` over any of ``paths``: their ids,
    None for a grant on the whole platform. What a person's view of who read their data (PIPL Art. 44)
    names: the org that read, never the reader."""
    covering = _covering(principal, permission, paths)
    ids = await _org_ids(covering)
    return [ids[p] for p in covering if p in ids]


async def record_personal_data_read(
    principal: Any,
    reads: Mapping[uuid.UUID, Sequence[str]],
    *,
    permission: str = "core.person.personal_data",
    at: Sequence[str | None] = (),
) -> None:
    """``person.personal_data.read``: one entry per person whose ID number or phone an answer carried
    unmasked (``reads``: person → those fields) — the field names, never the values — seen by each of
    their orgs, naming the orgs through which the caller holds ``permission`` over the person (over the
    org paths ``at`` when the read went through other orgs, e.g. a process's). In a transaction of its own (reads have
    none). A person reading their own data is not recorded."""
    from core.kernel.db import active_database

    own = getattr(principal, "person_id", None)
    ids = [person for person, fields in reads.items() if fields and person != own]
    db = active_database()
    if not ids or db is None:
        return
    found = await person_paths(ids)
    covering = {p: _covering(principal, permission, at or found.get(p, [])) for p in ids}
    org_ids = await _org_ids(path for paths in covering.values() for path in paths)
    entries = [
        Pending(
            "person.personal_data.read",
            "person",
            person,
            found.get(person, []),
            {
                "person_ids": [str(person)],
                "fields": sorted(set(reads[person])),
                "via_orgs": [org_ids[p] for p in covering[person] if p in org_ids],
            },
        )
        for person in ids
    ]
    async with db.transaction():
        await record_many(entries, actor=principal)


async def record(
    action: str,
    *,
    resource_type: str,
    resource_id: uuid.UUID | str,
    org_path: str | None = None,
    org_paths: Iterable[str | None] = (),
    changes: Mapping[str, Any] | None = None,
    actor: Any = None,
) -> None:
    """Append one entry inside the caller's write transaction.

    ``org_path`` is the resource's own org; ``org_paths`` every other org concerned (a person's orgs, the
    other side of a transfer), each of which then sees the entry.
    """
    await record_many(
        [Pending(action, resource_type, resource_id, [org_path, *org_paths], changes)], actor=actor
    )


async def record_many(entries: Sequence[Pending], *, actor: Any = None) -> None:
    """Append ``entries`` in order, chained, inside the caller's write transaction (one lock, one read of
    the head, multi-row inserts — ``COPY`` on PostgreSQL — however many there are)."""
    if not entries:
        return
    engine = AuditEntry._meta.db
    if not engine.transaction_exists():
        raise RuntimeError("audit entries are written inside the transaction of the change")
    actor = actor if actor is not None else current_actor.get()
    actor_kind = getattr(actor, "kind", None) or "system"
    actor_id = str(actor.id) if actor is not None else None
    postgres = engine.engine_type == "postgres"
    if postgres:
        await AuditEntry.raw("SELECT pg_advisory_xact_lock({})", _LOCK_KEY).run()
    last = (
        await AuditEntry.select(AuditEntry.seq, AuditEntry.hash)
        .order_by(AuditEntry.seq, ascending=False)
        .first()
        .run()
    )
    if postgres:
        drawn = await AuditEntry.raw(
            "SELECT nextval(pg_get_serial_sequence('core_audit', 'seq')) AS seq FROM generate_series(1, {})",
            len(entries),
        ).run()
        seqs = sorted(int(r["seq"]) for r in drawn)
    else:  # one writer at a time (core.kernel.db): the numbers after the last are ours — after any org row left
        # by a deleted entry too, so no new entry inherits its orgs (SQLite reuses a freed rowid)
        orphan = await AuditOrg.raw("SELECT MAX(seq) AS seq FROM core_audit_org").run()
        after = max(int(last["seq"]) if last else 0, int(orphan[0]["seq"] or 0) if orphan else 0)
        seqs = list(range(after + 1, after + 1 + len(entries)))
    now = datetime.now(UTC)
    # Millisecond precision survives every backend's round trip unchanged.
    at = now.replace(microsecond=now.microsecond // 1000 * 1000)
    previous = last["hash"] if last else GENESIS
    rows: list[tuple[Any, ...]] = []
    orgs: list[tuple[int, str]] = []
    #: Entries of a bulk write often share one ``changes`` mapping: it is normalised once.
    normalised: dict[int, tuple[Any, str]] = {}
    for seq, pending in zip(seqs, entries, strict=True):
        paths = unique_paths(pending.org_paths)
        key = id(pending.changes)
        if key not in normalised:
            text = json.dumps(dict(pending.changes or {}), default=str, ensure_ascii=False)
            normalised[key] = (json.loads(text), text)
        changes, changes_text = normalised[key]
        entry: dict[str, Any] = {
            "id": uuid.uuid4(),
            "at": at,
            "actor_kind": actor_kind,
            "actor_id": actor_id,
            "action": pending.action,
            "resource_type": pending.resource_type,
            "resource_id": str(pending.resource_id),
            "org_path": paths[0] if paths else None,
            "changes": changes,
            "prev_hash": previous,
        }
        previous = _digest(entry, paths)
        rows.append(
            (
                seq,
                entry["id"],
                at,
                actor_kind,
                actor_id,
                entry["action"],
                entry["resource_type"],
                entry["resource_id"],
                entry["org_path"],
                changes_text,
                entry["prev_hash"],
                previous,
            )
        )
        orgs.extend((seq, p) for p in paths)
    await _insert("core_audit", _COLUMNS, rows, postgres)
    await _insert("core_audit_org", ("seq", "org_path"), orgs, postgres)


async def _insert(
    table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]], postgres: bool
) -> None:
    if not rows:
        return
    transaction = AuditEntry._meta.db.current_transaction.get()
    assert transaction is not None  # record_many checked it
    if postgres and len(rows) > 20:
        await transaction.connection.copy_records_to_table(table, records=list(rows), columns=list(columns))
        return
    if not postgres and len(rows) > 20:
        # The driver's executemany: Piccolo's query building costs more than SQLite's work on a bulk write
        # (values go through the same sqlite3 adapters Piccolo registers).
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608 - placeholders only
        await transaction.connection.executemany(sql, rows)
        return
    cast = {"changes": "CAST({} AS JSON)"} if postgres else {}
    one = "(" + ", ".join(cast.get(c, "{}") for c in columns) + ")"
    for start in range(0, len(rows), _INSERT_ROWS):
        chunk = rows[start : start + _INSERT_ROWS]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(one for _ in chunk)  # noqa: S608 - placeholders only
        await fetch(AuditEntry, sql, [value for row in chunk for value in row])


@dataclass
class ChainReport:
    """What walking the chain found: where it breaks (None: it does not), and the head it reached."""

    broken_at: int | None = None
    #: Entries walked (up to the break, when there is one).
    count: int = 0
    last_seq: int = 0
    head_hash: str = GENESIS
    #: ``seq`` → (entries up to and including it, its hash), for the seqs asked for.
    at: dict[int, tuple[int, str]] = field(default_factory=dict)


async def walk_chain(wanted: Iterable[int] = ()) -> ChainReport:
    """Check every entry's hash and link in ``seq`` order, noting the count and hash at the ``wanted``
    seqs (the checkpoints to compare)."""
    wanted_seqs = set(wanted)
    report = ChainReport()
    previous = GENESIS
    after = 0
    while True:
        rows = (
            await AuditEntry.select().where(AuditEntry.seq > after).order_by(AuditEntry.seq).limit(500).run()
        )
        if not rows:
            return report
        paths: dict[int, list[str]] = {}
        for org in (
            await AuditOrg.select(AuditOrg.seq, AuditOrg.org_path)
            .where((AuditOrg.seq >= rows[0]["seq"]) & (AuditOrg.seq <= rows[-1]["seq"]))
            .run()
        ):
            paths.setdefault(int(org["seq"]), []).append(org["org_path"])
        for row in rows:
            seq = int(row["seq"])
            row["changes"] = _changes(row["changes"])
            named = paths.get(seq, [])
            consistent = (
                row["org_path"] in named
                if len(named) > 1
                else named == ([row["org_path"]] if row["org_path"] else [])
            )
            if not consistent or row["prev_hash"] != previous or _digest(row, named) != row["hash"]:
                report.broken_at = seq
                return report
            previous = row["hash"]
            report.count += 1
            report.last_seq, report.head_hash = seq, previous
            if seq in wanted_seqs:
                report.at[seq] = (report.count, previous)
            after = seq


async def verify_chain() -> int | None:
    """The ``seq`` of the first entry whose hash, link or org paths are wrong, or None when the chain is
    intact (a cut tail needs the checkpoints: :func:`core.identity.audit_checkpoints.verify`)."""
    return (await walk_chain()).broken_at
