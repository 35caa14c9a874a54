"""Persons (人员): registration, lookup, visibility by org reach, encryption and masking of personal data.

A person is visible through the org that keeps their file (``home_org``), the orgs they are an active
member of, and the orgs of the posts they currently hold; all checked in SQL (:func:`visible`). ID numbers and phones are stored
encrypted with a blind index beside them, and leave the service masked unless the caller holds
``core.person.personal_data`` over the person.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from piccolo.columns.combination import WhereRaw

from core.identity import audit
from core.identity.permissions import PERSON_PERSONAL_DATA
from core.identity.problems import DUPLICATE
from core.identity.rules import PLATFORM
from core.identity.schemas import PersonCreate, PersonOut, PersonUpdate
from core.identity.signals import PERSON_CREATED, PERSON_UPDATED, PersonChanged
from core.identity.tables import Person
from core.identity.throttle import LinkBudget
from core.integration.signals import emit
from core.kernel.access import Principal, Reach, reach_clause, reach_sql
from core.kernel.db import Database, fetch
from core.kernel.errors import Problem
from core.kernel.i18n import Text
from core.kernel.vault import Vault, mask_id_number, mask_phone, normalise_id_number, normalise_phone
from core.orgs.tables import Org

#: Fields whose values never reach the audit log or signals.
PERSONAL_FIELDS = frozenset({"name", "birth_date", "phone", "id_number", "address", "gender", "ethnicity"})


def today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def visible_sql(
    reaches: Sequence[Reach],
    on: date,
    args: list[Any],
    *,
    person: str = "p",
    home_path: str | None = "h.path",
) -> str | None:
    """Persons whose home org, an org they are an active member of, or the org of a post they hold on
    ``on``, is in reach — three indexed sub-selects, as SQL text with ``{}`` placeholders (values appended
    to ``args``). A platform-wide reach sees every person (a person may have no home org yet). None: the
    reach is empty, the caller sees no one.

    The one definition of who sees a person: the hot reads run it as parameterised SQL on ``core_person
    p`` left-joined to its home org ``h`` (:func:`core.kernel.db.fetch`); :func:`visible` hands the same
    text to Piccolo queries. ``person`` names the person row; ``home_path`` the joined home org's path, or
    None to find the home org by a sub-select.
    """
    if PLATFORM in reaches:
        return f"{person}.erased_at IS NULL"
    if home_path is None:
        inner = reach_sql("ho.path", reaches, args)
        home = None
        if inner is not None:
            home = f"{person}.home_org IN (SELECT ho.id FROM core_org ho WHERE {inner})"  # noqa: S608 - placeholders only
    else:
        home = reach_sql(home_path, reaches, args)
    if home is None:
        return None
    posts = reach_sql("o.path", reaches, args)
    args.extend((on, on))
    memberships = reach_sql("o.path", reaches, args)
    return (
        f"{person}.erased_at IS NULL AND (({home})"  # noqa: S608 - placeholders only
        f" OR {person}.id IN (SELECT t.person FROM core_post t JOIN core_org o ON o.id = t.org WHERE ({posts})"
        " AND t.start_date <= {} AND (t.end_date IS NULL OR t.end_date >= {}))"
        f" OR {person}.id IN (SELECT m.person FROM core_membership m JOIN core_org o ON o.id = m.org"
        f" WHERE ({memberships}) AND m.status = 'active'))"
    )


def visible(reaches: Sequence[Reach], on: date) -> Any | None:
    """:func:`visible_sql` as a where-clause of Piccolo queries on :class:`Person` (the same text)."""
    args: list[Any] = []
    clause = visible_sql(reaches, on, args, person=Person._meta.tablename, home_path=None)
    return None if clause is None else WhereRaw(clause, *args)


#: Column names are the table's own; every value is a bound parameter.
_SELECT_PERSON = 'SELECT {}, h.path AS "home_org.path" FROM core_person p LEFT JOIN core_org h ON h.id = p.home_org'.format(  # noqa: S608
    ", ".join(f"p.{c._meta.db_column_name}" for c in Person.all_columns())
)


async def find_visible(
    principal: Principal, permission: str, person_id: uuid.UUID, timezone: str
) -> Mapping[str, Any]:
    """The person's row (with ``home_org.path``) when within the caller's reach for ``permission``; 404
    otherwise. One parameterised SQL text: building the Piccolo query cost more than PostgreSQL's work."""
    args: list[Any] = [person_id]
    clause = visible_sql(principal.reach(permission), today(timezone), args)
    if clause is None:
        raise Problem("not-found")
    rows = await fetch(Person, f"{_SELECT_PERSON} WHERE p.id = {{}} AND {clause}", args)
    if not rows:
        raise Problem("not-found")
    return rows[0]


async def visible_among(
    principal: Principal, permission: str, person_ids: Sequence[uuid.UUID], timezone: str
) -> set[uuid.UUID]:
    """Which of these persons ``permission`` lets the caller see (one query for a whole page or chunk)."""
    return await visible_within(principal.reach(permission), person_ids, timezone)


async def visible_within(
    reaches: Sequence[Reach], person_ids: Sequence[uuid.UUID], timezone: str
) -> set[uuid.UUID]:
    """Which of these persons ``reaches`` see (for callers holding reaches rather than a principal)."""
    wanted = list(dict.fromkeys(person_ids))
    if not wanted:
        return set()
    args: list[Any] = list(wanted)
    clause = visible_sql(reaches, today(timezone), args)
    if clause is None:
        return set()
    marks = ", ".join("{}" for _ in wanted)
    sql = f"SELECT p.id FROM core_person p LEFT JOIN core_org h ON h.id = p.home_org WHERE p.id IN ({marks}) AND {clause}"  # noqa: S608
    return {r["id"] for r in await fetch(Person, sql, args)}


async def is_visible(principal: Principal, permission: str, person_id: uuid.UUID, timezone: str) -> bool:
    return bool(await visible_among(principal, permission, [person_id], timezone))


async def org_in_reach(principal: Principal, permission: str, org_id: uuid.UUID) -> dict[str, Any]:
    """The org (id, path) when ``permission`` reaches it; 404 otherwise (existence does not leak)."""
    clause = reach_clause(Org.path, principal.reach(permission))
    if clause is None:
        raise Problem("not-found")
    org = await Org.select(Org.id, Org.path).where((Org.id == org_id) & clause).first().run()
    if org is None:
        raise Problem("not-found")
    return org


def _personal_values(vault: Vault, phone: str | None, id_number: str | None) -> dict[str, Any]:
    """Validate and encrypt; returns the column values (ciphertext and blind index)."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    if phone is not None:
        normal = normalise_phone(phone)
        if normal is None:
            errors.append(("/phone", "invalid_phone"))
        else:
            values.update(
                phone_enc=vault.encrypt("phone", normal), phone_index=vault.blind_index("phone", normal)
            )
    if id_number is not None:
        normal = normalise_id_number(id_number)
        if normal is None:
            errors.append(("/id_number", "invalid_id_number"))
        else:
            values.update(
                id_number_enc=vault.encrypt("id_number", normal),
                id_number_index=vault.blind_index("id_number", normal),
            )
    if errors:
        raise Problem.invalid(*errors)
    return values


def _clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned or any(ord(ch) < 32 for ch in cleaned):
        raise Problem.invalid(("/name", "invalid"))
    return cleaned


async def _holder_of_id_number(index: str | None, except_id: uuid.UUID | None = None) -> uuid.UUID | None:
    """The person already registered with this ID number (one person per ID number), if any."""
    if index is None:
        return None
    where: Any = Person.id_number_index == index
    if except_id is not None:
        where = where & (Person.id != except_id)
    row = await Person.select(Person.id).where(where).first().run()
    return row["id"] if row else None


def _duplicate(holder: uuid.UUID | None) -> Problem:
    """409 for an ID number already registered: with the holder's id when the caller can see them."""
    context = {"existing_id": str(holder)} if holder is not None else None
    return Problem(
        DUPLICATE, what=Text(zh_hans="身份证号", zh_hant="身分證號", en="ID number"), context=context
    )


async def create_person(
    db: Database,
    vault: Vault,
    principal: Principal,
    permission: str,
    data: PersonCreate,
    *,
    timezone: str,
    budget: LinkBudget,
    link_ttl_days: float,
) -> uuid.UUID | dict[str, Any]:
    """Register a person in an org within reach; returns the new id — or, for an ID number already
    registered to a person outside the caller's reach, a person link request (:mod:`core.members.links`)
    that they join the org named as ``home_org`` instead.

    One person per ID number: a holder the caller can see answers 409 with the holder's id
    (``context.existing_id``); a holder outside reach is never named or linked, only proposed. The answer
    (201 or 202) still tells that *some* person holds the number: that residual is bounded by the link
    budget — while it is spent, every registration with an ID number answers 429 — and documented in
    docs/persons.md.
    """
    from core.members import links

    org = await org_in_reach(principal, permission, data.home_org)
    values = _personal_values(vault, data.phone, data.id_number)
    index = values.get("id_number_index")
    if index is not None:
        await links.require_budget(budget, principal)
    person_id = uuid.uuid4()
    fields = [f for f in msgspec.structs.asdict(data) if getattr(data, f) is not None]
    async with db.transaction():
        holder = await _holder_of_id_number(index)
        if holder is not None:
            if await is_visible(principal, permission, holder, timezone):
                raise _duplicate(holder)
            await links.spend_budget(budget, principal)
            return await links.propose(
                principal, person_id=holder, org=org, source="person", ttl_days=link_ttl_days
            )
        await Person.insert(
            Person(
                id=person_id,
                name=_clean_name(data.name),
                gender=data.gender,
                birth_date=data.birth_date,
                political_status=data.political_status,
                ethnicity=data.ethnicity,
                employer=data.employer,
                address=data.address,
                home_org=org["id"],
                **values,
            )
        ).run()
        await audit.record(
            "person.created",
            resource_type="person",
            resource_id=person_id,
            org_path=org["path"],
            changes=_audit_changes(data, fields),
        )
        await emit(
            PERSON_CREATED,
            PersonChanged(person_id=person_id, fields=sorted(fields)),
            resource_type="person",
            resource_id=person_id,
            org_path=org["path"],
        )
    return person_id


def _audit_changes(data: msgspec.Struct, fields: Sequence[str]) -> dict[str, Any]:
    return {
        f: audit.CHANGED if f in PERSONAL_FIELDS else msgspec.to_builtins(getattr(data, f)) for f in fields
    }


async def update_person(
    db: Database,
    vault: Vault,
    principal: Principal,
    permission: str,
    person_id: uuid.UUID,
    data: PersonUpdate,
    timezone: str,
    *,
    budget: LinkBudget,
) -> None:
    """Change the person's own fields. An ID number already registered to another person answers 409 —
    naming the holder only when the caller can see them; a holder outside reach spends one of the
    caller's link budget (the 409 tells that the number is taken), and with none left every change of
    an ID number answers 429."""
    from core.members import links

    row = await find_visible(principal, permission, person_id, timezone)
    fields = [f for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET]
    if not fields:
        return
    if isinstance(data.id_number, str):
        await links.require_budget(budget, principal)
    changes: dict[Any, Any] = {}
    for f in fields:
        value = getattr(data, f)
        if f in ("phone", "id_number"):
            if value is None:
                changes.update({f"{f}_enc": None, f"{f}_index": None})
            else:
                changes.update(_personal_values(vault, **{"phone": None, "id_number": None, f: value}))
        elif f == "name":
            changes["name"] = _clean_name(value)
        else:
            changes[f] = value
    changes["updated_at"] = datetime.now(UTC)
    path = row["home_org.path"]
    async with db.transaction():
        holder = await _holder_of_id_number(changes.get("id_number_index"), except_id=person_id)
        if holder is not None:
            if await is_visible(principal, permission, holder, timezone):
                raise _duplicate(holder)
            await links.spend_budget(budget, principal)
            raise _duplicate(None)
        await (
            Person.update({getattr(Person, k): v for k, v in changes.items()})
            .where(Person.id == person_id)
            .run()
        )
        await audit.record(
            "person.updated",
            resource_type="person",
            resource_id=person_id,
            org_path=path,
            org_paths=await audit.paths_of_persons([person_id]),
            changes=_audit_changes(data, fields),
        )
        await emit(
            PERSON_UPDATED,
            PersonChanged(person_id=person_id, fields=sorted(fields)),
            resource_type="person",
            resource_id=person_id,
            org_path=path,
        )


async def revealed(principal: Principal, person_ids: Sequence[uuid.UUID], timezone: str) -> set[uuid.UUID]:
    """Which of these persons the caller may see unmasked (one query for a whole page)."""
    if not person_ids:
        return set()
    own = {principal.person_id} if principal.person_id in person_ids else set()
    args: list[Any] = list(person_ids)
    clause = visible_sql(principal.reach(PERSON_PERSONAL_DATA), today(timezone), args)
    if clause is None:
        return own  # type: ignore[return-value]
    marks = ", ".join("{}" for _ in person_ids)
    sql = f"SELECT p.id FROM core_person p LEFT JOIN core_org h ON h.id = p.home_org WHERE p.id IN ({marks}) AND {clause}"  # noqa: S608
    rows = await fetch(Person, sql, args)
    return own | {r["id"] for r in rows}  # type: ignore[return-value]


def to_out(row: Mapping[str, Any], vault: Vault, reveal: bool) -> PersonOut:
    phone = vault.decrypt("phone", row["phone_enc"]) if row["phone_enc"] else None
    id_number = vault.decrypt("id_number", row["id_number_enc"]) if row["id_number_enc"] else None
    if not reveal:
        phone = mask_phone(phone) if phone else None
        id_number = mask_id_number(id_number) if id_number else None
    return PersonOut(
        id=row["id"],
        name=row["name"],
        gender=row["gender"],
        birth_date=row["birth_date"],
        political_status=row["political_status"],
        ethnicity=row["ethnicity"],
        phone=phone,
        id_number=id_number,
        employer=row["employer"],
        address=row["address"],
        home_org=row["home_org"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def rows_out(
    rows: Sequence[Mapping[str, Any]], vault: Vault, principal: Principal, timezone: str
) -> list[PersonOut]:
    shown = await revealed(principal, [r["id"] for r in rows], timezone)
    out = [to_out(r, vault, r["id"] in shown) for r in rows]
    reads = {r["id"]: [f for f in ("id_number", "phone") if r[f"{f}_enc"]] for r in rows if r["id"] in shown}
    await audit.record_personal_data_read(principal, reads)
    return out


def list_query(
    principal: Principal,
    permission: str,
    vault: Vault,
    timezone: str,
    *,
    id_number: str | None = None,
    phone: str | None = None,
    org_path: str | None = None,
    subtree: bool = False,
) -> Any | None:
    """The select of persons the caller may read, with exact-lookup and org filters (all in SQL)."""
    clause = visible(principal.reach(permission), today(timezone))
    if clause is None:
        return None
    query = Person.select(*Person.all_columns()).where(clause)
    if id_number is not None:
        normal = normalise_id_number(id_number)
        if normal is None:
            raise Problem.invalid(("query:/id_number", "invalid_id_number"))
        query = query.where(Person.id_number_index == vault.blind_index("id_number", normal))
    if phone is not None:
        normal = normalise_phone(phone)
        if normal is None:
            raise Problem.invalid(("query:/phone", "invalid_phone"))
        query = query.where(Person.phone_index == vault.blind_index("phone", normal))
    if org_path is not None:
        placed: Any = reach_clause(Person.home_org.path, [Reach(path=org_path, subtree=subtree)])
        query = query.where(placed)
    return query
