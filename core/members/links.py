"""Person link requests (人员关联申请): the only way a person outside a cadre's reach comes within it.

A person enters a cadre's reach by being registered in one of the cadre's orgs, by their own application
(the ``core.join`` process), or by an answer to a link request. Whenever a cadre names a person they
cannot see — adding a member by id (``POST /orgs/{id}/members``), registering a person whose ID number is
registered elsewhere (``POST /persons``), importing a row with such an ID number — no membership is
made: a request is stored that the person join the cadre's org, and the answer is ``202`` with it.

The request is answered by the person themself (``/me/person-links``) or by a cadre with custody of the
person (their home org within ``core.person.write``; ``/person-links``). Approval makes the membership
through :func:`core.members.services.join`, so the plugins' validation hooks run; the membership makes
the person *visible* to the requester, never in their custody (see :mod:`core.identity.custody`).
Requests expire after ``person_link_ttl_days`` (a periodic job marks them) and the requester may withdraw.

**No oracle**: a request naming an id that is nobody's is stored and shown exactly like one naming a
person outside reach, so the requester learns nothing from the answer. Each proposal spends one of the
requester's ``person_link_max_per_day`` (:class:`core.identity.throttle.LinkBudget`).

Every write records an audit entry in its transaction, once for each org concerned: the org to join and,
when the person exists, the org keeping their file — so that org sees who tried to pull its person in.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import msgspec
import pluggy

from core.identity import audit
from core.identity.custody import in_custody
from core.identity.rules import PLATFORM
from core.identity.tables import Person
from core.identity.throttle import LinkBudget
from core.integration.jobs import JobContext, register_job, register_periodic
from core.kernel.access import Principal, Reach, reach_clause
from core.kernel.db import Database
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate
from core.members import schemas as S
from core.members.tables import Membership, PersonLink
from core.orgs import problems as P

log = logging.getLogger("quntuan.members")

Source = Literal["member", "person", "import"]
DecidedAs = Literal["person", "custody"]
EXPIRY_JOB = "members.person_link_expiry"
#: Requests one pass of the expiry job marks per transaction.
BATCH = 200

_COLUMNS = (
    PersonLink.id,
    PersonLink.person,
    PersonLink.org,
    PersonLink.org.path.as_alias("org_path"),
    PersonLink.role,
    PersonLink.extra,
    PersonLink.source,
    PersonLink.status,
    PersonLink.requested_by_kind,
    PersonLink.requested_by,
    PersonLink.created_at,
    PersonLink.expires_at,
    PersonLink.decided_at,
    PersonLink.membership,
)


class Requester(msgspec.Struct, frozen=True):
    """Who proposes, when it is not the request's principal (a background import's requester)."""

    kind: str
    id: uuid.UUID


def actor_key(principal: Any) -> str:
    return f"{principal.kind}:{principal.id}"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _expired(row: dict[str, Any], now: datetime) -> bool:
    return row["status"] == "pending" and _utc(row["expires_at"]) <= now


def to_out(row: dict[str, Any], now: datetime | None = None) -> S.PersonLink:
    """The API form; a pending request past its time shows as expired before the job marks it."""
    now = now or datetime.now(UTC)
    return S.PersonLink(
        id=row["id"],
        person=row["person"],
        org=row["org"],
        role=row["role"],
        status="expired" if _expired(row, now) else row["status"],
        source=row["source"],
        created_at=_utc(row["created_at"]),
        expires_at=_utc(row["expires_at"]),
        decided_at=row["decided_at"] and _utc(row["decided_at"]),
        membership=row["membership"],
    )


# --- the budget ----------------------------------------------------------------------------------------


async def require_budget(budget: LinkBudget, principal: Any) -> None:
    """429 when the caller may propose nothing more today: asked *before* anything is looked up, by every
    write whose answer could be a proposal, so an exhausted budget answers the same for every person."""
    key = actor_key(principal)
    if await budget.left(key) <= 0:
        raise _limited(await budget.retry_after(key))


async def spend_budget(budget: LinkBudget, principal: Any, cost: int = 1) -> None:
    key = actor_key(principal)
    if not await budget.spend(key, cost):
        raise _limited(await budget.retry_after(key))


def _limited(retry_after: int) -> Problem:
    return Problem(P.LINK_LIMIT, headers={"Retry-After": str(retry_after)}, retry_after=retry_after)


# --- proposing -----------------------------------------------------------------------------------------


async def _home_path(person_id: uuid.UUID) -> tuple[bool, str | None]:
    """Whether the person exists (and is not erased), and the path of the org keeping their file."""
    row = (
        await Person.select(Person.id, Person.home_org.path)
        .where((Person.id == person_id) & Person.erased_at.is_null())
        .first()
        .run()
    )
    return (row is not None, row["home_org.path"] if row else None)


async def _concerned(person_id: uuid.UUID, org_path: str | None) -> list[str | None]:
    """The org paths an entry about the request is recorded under: the org to join, and the person's
    home org when there is one (each once)."""
    _, home = await _home_path(person_id)
    paths: list[str | None] = [org_path]
    if home is not None and home != org_path:
        paths.append(home)
    return paths


async def _record(action: str, row: dict[str, Any], changes: dict[str, Any], actor: Any = None) -> None:
    """One entry per org concerned. The person's id goes only into the entry of the org keeping their
    file: the org to join learns nothing from its audit view that the request itself did not say."""
    for path in await _concerned(row["person"], row["org_path"]):
        named = {"person": str(row["person"])} if path != row["org_path"] else {}
        await audit.record(
            action,
            resource_type="person_link",
            resource_id=row["id"],
            org_path=path,
            changes={**named, "org": str(row["org"]), **changes},
            actor=actor,
        )


async def propose(
    principal: Any,
    *,
    person_id: uuid.UUID,
    org: dict[str, Any],
    source: Source,
    ttl_days: float,
    role: str = "member",
    extra: dict[str, Any] | None = None,
    link_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Store a request that ``person_id`` join ``org`` (``{"id", "path"}``), inside the caller's transaction.

    ``principal`` is the requester (a request's principal, or a :class:`Requester`). The same pending
    request of the same requester is returned again rather than doubled. Whether ``person_id`` names
    anybody changes nothing here.
    """
    now = datetime.now(UTC)
    same = (
        await PersonLink.select(*_COLUMNS)
        .where(
            (PersonLink.person == person_id)
            & (PersonLink.org == org["id"])
            & (PersonLink.status == "pending")
            & (PersonLink.expires_at > now)
            & (PersonLink.requested_by == principal.id)
        )
        .first()
        .run()
    )
    if same is not None:
        return same
    row: dict[str, Any] = {
        "id": link_id or uuid.uuid4(),
        "person": person_id,
        "org": org["id"],
        "role": role,
        "extra": dict(extra or {}),
        "source": source,
        "status": "pending",
        "requested_by_kind": principal.kind,
        "requested_by": principal.id,
        "created_at": now,
        "expires_at": now + timedelta(days=ttl_days),
    }
    await PersonLink.insert(PersonLink(**row)).run()
    row.update(org_path=org["path"], decided_at=None, membership=None)
    await _record(
        "person_link.requested",
        row,
        {"source": source, "role": role},
        actor=principal if isinstance(principal, Requester) else None,
    )
    return row


# --- reading -------------------------------------------------------------------------------------------


def _status_clause(status: str | None, now: datetime) -> Any | None:
    if status is None:
        return None
    if status == "pending":
        return (PersonLink.status == "pending") & (PersonLink.expires_at > now)
    if status == "expired":
        return (PersonLink.status == "expired") | (
            (PersonLink.status == "pending") & (PersonLink.expires_at <= now)
        )
    return PersonLink.status == status


async def _page(where: Any, status: str | None, page: PageRequest) -> tuple[list[S.PersonLink], str | None]:
    now = datetime.now(UTC)
    wanted = _status_clause(status, now)
    if wanted is not None:
        where = where & wanted
    rows, cursor = await paginate(PersonLink.select(*_COLUMNS).where(where), [PersonLink.id], page)
    return [to_out(r, now) for r in rows], cursor


def _custody_clause(principal: Principal, permission: str) -> Any | None:
    """Requests naming a person whose file is kept within reach (and who is not erased)."""
    reaches = principal.reach(permission)
    if PLATFORM in reaches:
        return PersonLink.person.is_in(Person.select(Person.id).where(Person.erased_at.is_null()))
    home = reach_clause(Person.home_org.path, reaches)
    if home is None:
        return None
    return PersonLink.person.is_in(Person.select(Person.id).where(home & Person.erased_at.is_null()))


async def list_for_custody(
    principal: Principal, permission: str, page: PageRequest, status: str | None = "pending"
) -> tuple[list[S.PersonLink], str | None]:
    """Requests concerning persons in the caller's custody (what their home org is asked)."""
    where = _custody_clause(principal, permission)
    if where is None:
        return [], None
    return await _page(where, status, page)


async def list_for_person(
    person_id: uuid.UUID | None, page: PageRequest, status: str | None = "pending"
) -> tuple[list[S.PersonLink], str | None]:
    """Requests naming the caller's own person (what they are asked)."""
    if person_id is None:
        return [], None
    return await _page(PersonLink.person == person_id, status, page)


async def list_sent(
    principal: Principal, page: PageRequest, status: str | None = None
) -> tuple[list[S.PersonLink], str | None]:
    """The caller's own proposals, answered or not."""
    where = (PersonLink.requested_by_kind == principal.kind) & (PersonLink.requested_by == principal.id)
    return await _page(where, status, page)


# --- answering -----------------------------------------------------------------------------------------


async def _load(link_id: uuid.UUID) -> dict[str, Any] | None:
    return await PersonLink.select(*_COLUMNS).where(PersonLink.id == link_id).first().run()


async def _load_as(
    principal: Principal, link_id: uuid.UUID, decided_as: DecidedAs | Literal["requester"], permission: str
) -> dict[str, Any]:
    """The request if the caller may answer it as ``decided_as``; 404 otherwise (nothing else told)."""
    row = await _load(link_id)
    if row is None:
        raise Problem("not-found")
    if decided_as == "person":
        allowed = principal.person_id is not None and row["person"] == principal.person_id
    elif decided_as == "requester":
        allowed = row["requested_by_kind"] == principal.kind and row["requested_by"] == principal.id
    else:
        exists, home = await _home_path(row["person"])
        allowed = exists and in_custody(principal, permission, home)
    if not allowed:
        raise Problem("not-found")
    return row


async def _close(
    row: dict[str, Any], status: str, decided_as: str, decided_by: uuid.UUID | None, **values: Any
) -> dict[str, Any]:
    """Move a pending request to ``status`` (a conditional update: a racing answer loses with 409)."""
    now = datetime.now(UTC)
    changes: dict[Any, Any] = {
        PersonLink.status: status,
        PersonLink.decided_at: now,
        PersonLink.decided_as: decided_as,
        PersonLink.decided_by: decided_by,
    }
    for key, value in values.items():
        changes[getattr(PersonLink, key)] = value
    done = (
        await PersonLink.update(changes)
        .where((PersonLink.id == row["id"]) & (PersonLink.status == "pending"))
        .returning(PersonLink.id)
        .run()
    )
    if not done:
        raise Problem(P.LINK_CLOSED)
    return {**row, "status": status, "decided_at": now, **values}


async def decide(
    db: Database,
    pm: pluggy.PluginManager,
    principal: Principal,
    link_id: uuid.UUID,
    *,
    approve: bool,
    decided_as: DecidedAs,
    permission: str,
) -> S.PersonLink:
    """Approve (the membership is made) or reject a request, as the person or as a cadre with custody."""
    from core.members.schemas import MemberJoin
    from core.members.services import join

    expired = False
    async with db.transaction():
        row = await _load_as(principal, link_id, decided_as, permission)
        if row["status"] != "pending":
            raise Problem(P.LINK_CLOSED)
        if _expired(row, datetime.now(UTC)):
            await _expire(row)
            expired = True
        elif approve:
            membership_id = None
            already = (
                await Membership.exists()
                .where(
                    (Membership.org == row["org"])
                    & (Membership.person == row["person"])
                    & (Membership.status == "active")
                )
                .run()
            )
            if not already:
                extra = row["extra"]
                if isinstance(extra, str):
                    extra = json.loads(extra) if extra else {}
                made = await join(
                    db,
                    pm,
                    row["org"],
                    MemberJoin(person=row["person"], role=row["role"], extra=extra or {}),
                    [Reach(path=row["org_path"], subtree=False)],
                )
                membership_id = made.id
            row = await _close(row, "approved", decided_as, principal.id, membership=membership_id)
            await _record(
                "person_link.approved",
                row,
                {"decided_as": decided_as, "membership": str(membership_id) if membership_id else None},
            )
        else:
            row = await _close(row, "rejected", decided_as, principal.id)
            await _record("person_link.rejected", row, {"decided_as": decided_as})
    if expired:
        raise Problem(P.LINK_EXPIRED)
    return to_out(row)


async def withdraw(db: Database, principal: Principal, link_id: uuid.UUID) -> S.PersonLink:
    """The requester takes a pending request back."""
    async with db.transaction():
        row = await _load_as(principal, link_id, "requester", "")
        if row["status"] != "pending":
            raise Problem(P.LINK_CLOSED)
        row = await _close(row, "withdrawn", "requester", principal.id)
        await _record("person_link.withdrawn", row, {})
    return to_out(row)


async def _expire(row: dict[str, Any]) -> None:
    now = datetime.now(UTC)
    done = (
        await PersonLink.update(
            {PersonLink.status: "expired", PersonLink.decided_at: now, PersonLink.decided_as: "system"}
        )
        .where((PersonLink.id == row["id"]) & (PersonLink.status == "pending"))
        .returning(PersonLink.id)
        .run()
    )
    if done:
        await _record("person_link.expired", {**row, "status": "expired"}, {})


async def expire_due(db: Database, *, moment: datetime | None = None) -> int:
    """Mark every pending request whose time ran out as expired (each with its audit entries)."""
    moment = moment or datetime.now(UTC)
    expired = 0
    while True:
        async with db.transaction():
            batch = await (
                PersonLink.select(*_COLUMNS)
                .where((PersonLink.status == "pending") & (PersonLink.expires_at <= moment))
                .order_by(PersonLink.expires_at)
                .limit(BATCH)
                .run()
            )
            for row in batch:
                await _expire(row)
        expired += len(batch)
        if len(batch) < BATCH:
            return expired


@register_job(EXPIRY_JOB)
async def expiry_job(ctx: JobContext) -> int:
    count = await expire_due(ctx.db)
    if count:
        log.info("expired %d person link request(s)", count)
    return count


register_periodic(EXPIRY_JOB, lambda settings: settings.person_link_expiry_interval)
