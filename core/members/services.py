"""Membership rules: join, transfer (one atomic step, history kept), leave — with plugins' hooks.

Plugins add fields (``extra``) and rules through ``quntuan_validate_membership``, which may veto by
raising :class:`MembershipRejected`; ``quntuan_member_joined`` is told after the change committed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec
import pluggy

from core.identity import audit
from core.identity.persons import is_visible
from core.identity.tables import Person
from core.identity.throttle import LinkBudget
from core.integration.signals import emit
from core.kernel.access import Principal, Reach, reach_clause, subtree_bounds, within
from core.kernel.db import Database
from core.kernel.declarations.orgs import MembershipDraft, MembershipInfo, PersonFacts
from core.kernel.errors import FIELD_MESSAGES, FieldError, Problem
from core.kernel.i18n import Text
from core.kernel.pagination import PageRequest, paginate
from core.kernel.plugin_host import call_runtime_hook, call_validation_hook, kind_owner
from core.kernel.settings import Settings
from core.members import links
from core.members import schemas as S
from core.members.tables import Membership
from core.orgs import problems as P
from core.orgs import signals as sig
from core.orgs.tables import Org


class MembershipRejected(Exception):
    """Raised by a plugin's ``quntuan_validate_membership`` to veto: which field, a code, and why."""

    def __init__(self, pointer: str, code: str, message: Text) -> None:
        super().__init__(code)
        self.pointer = pointer
        self.code = code
        self.message = message


_COLUMNS = [
    Membership.id,
    Membership.org,
    Membership.person,
    Membership.person.name.as_alias("person_name"),
    Membership.role,
    Membership.status,
    Membership.extra,
    Membership.joined_at,
    Membership.left_at,
    Membership.previous,
]


def _as_membership(row: dict[str, Any]) -> S.Membership:
    extra = row["extra"]
    if isinstance(extra, str):
        row = {**row, "extra": json.loads(extra) if extra else {}}
    return msgspec.convert(row, S.Membership)


async def person_facts(person_id: UUID) -> PersonFacts:
    """The facts of the core's record of a person that membership rules judge by."""
    row = await Person.select(Person.birth_date, Person.gender).where(Person.id == person_id).first().run()
    return PersonFacts(birth_date=row["birth_date"], gender=row["gender"]) if row else PersonFacts()


async def _validate(pm: pluggy.PluginManager, draft: MembershipDraft) -> None:
    try:
        await call_validation_hook(
            pm,
            "quntuan_validate_membership",
            vetoes=(MembershipRejected,),
            owner=kind_owner(draft.org_kind),
            draft=draft,
        )
    except MembershipRejected as exc:
        FIELD_MESSAGES.setdefault(exc.code, exc.message)
        raise Problem.invalid(
            FieldError(pointer=exc.pointer, code=exc.code, message=exc.message.get("zh-Hans"))
        ) from None


async def _org_in_reach(org_id: UUID, reaches: Sequence[Reach], pointer: str | None = None) -> dict[str, Any]:
    org = await Org.select(Org.id, Org.path, Org.kind, Org.status).where(Org.id == org_id).first().run()
    if org is None or not within(org["path"], reaches):
        if pointer:
            raise Problem.invalid((pointer, P.UNKNOWN_ORG))
        raise Problem("not-found")
    if org["status"] != "active":
        if pointer:
            raise Problem.invalid((pointer, P.ORG_DISSOLVED))
        raise Problem(P.ORG_ALREADY_DISSOLVED)
    return org


async def load_membership(membership_id: UUID, reaches: Sequence[Reach]) -> dict[str, Any]:
    row = (
        await Membership.select(
            *_COLUMNS, Membership.org.path.as_alias("org_path"), Membership.org.kind.as_alias("org_kind")
        )
        .where(Membership.id == membership_id)
        .first()
        .run()
    )
    if row is None or not within(row["org_path"], reaches):
        raise Problem("not-found")
    return row


async def get_membership(membership_id: UUID, reaches: Sequence[Reach]) -> S.Membership:
    return _as_membership(await load_membership(membership_id, reaches))


async def join(
    db: Database, pm: pluggy.PluginManager, org_id: UUID, data: S.MemberJoin, reaches: Sequence[Reach]
) -> S.Membership:
    """A person joins an org (入会/入团): one active membership per person and org."""
    async with db.transaction():
        org = await _org_in_reach(org_id, reaches)
        if not await Person.exists().where(Person.id == data.person).run():
            raise Problem.invalid(("/person", "invalid"))
        if (
            await Membership.exists()
            .where(
                (Membership.org == org_id)
                & (Membership.person == data.person)
                & (Membership.status == "active")
            )
            .run()
        ):
            raise Problem(P.ALREADY_MEMBER)
        draft = MembershipDraft(
            action="join",
            org_id=org_id,
            org_kind=org["kind"],
            person_id=data.person,
            role=data.role,
            extra=data.extra,
            person=await person_facts(data.person),
        )
        await _validate(pm, draft)
        membership_id = uuid4()
        await Membership.insert(
            Membership(
                id=membership_id,
                org=org_id,
                person=data.person,
                role=data.role,
                status="active",
                extra=data.extra,
                joined_at=datetime.now(UTC),
                updated_at=datetime.now(UTC),
            )
        ).run()
        await audit.record(
            "member.joined",
            resource_type="membership",
            resource_id=membership_id,
            org_path=org["path"],
            org_paths=await audit.paths_of_persons([data.person]),
            changes={"person": data.person, "org": org_id, "role": data.role, "extra": sorted(data.extra)},
        )
        await emit(
            sig.MEMBER_JOINED,
            sig.MemberChanged(
                membership_id=membership_id, org_id=org_id, person_id=data.person, role=data.role
            ),
            resource_type="membership",
            resource_id=membership_id,
            org_path=org["path"],
        )
    info = MembershipInfo(
        membership_id=membership_id,
        org_id=org_id,
        org_kind=org["kind"],
        person_id=data.person,
        role=data.role,
        extra=data.extra,
    )
    await call_runtime_hook(pm, "quntuan_member_joined", membership=info)
    return await get_membership(membership_id, reaches)


async def add_member(
    db: Database,
    pm: pluggy.PluginManager,
    principal: Principal,
    permission: str,
    org_id: UUID,
    data: S.MemberJoin,
    *,
    budget: LinkBudget,
    settings: Settings,
) -> S.Membership | S.PersonLink:
    """A cadre adds a person to an org within reach — the route's rule (``POST /orgs/{id}/members``).

    A person the caller can already see (their home org, a membership or a post within the caller's
    ``permission`` reach) joins at once, as :func:`join`. Anyone else — a person outside reach, or an id
    that names nobody — does *not*: a person link request is proposed and returned instead (answered by
    the person or by their home org; :mod:`core.members.links`), the same for both, so that the answer
    never tells whether the person exists. Each proposal spends one of the caller's daily budget (429).
    """
    reaches = principal.reach(permission)
    org = await _org_in_reach(org_id, reaches)
    if await is_visible(principal, permission, data.person, settings.timezone):
        return await join(db, pm, org_id, data, reaches)
    await links.spend_budget(budget, principal)
    async with db.transaction():
        row = await links.propose(
            principal,
            person_id=data.person,
            org=org,
            source="member",
            ttl_days=settings.person_link_ttl_days,
            role=data.role,
            extra=data.extra,
        )
    return links.to_out(row)


async def end_memberships_within(
    person_id: UUID, reaches: Sequence[Reach], *, reason: str
) -> list[S.Membership]:
    """Inside the caller's transaction: end the person's active memberships of orgs within ``reaches``
    (status ``left``, as :func:`leave` does), each with its signal and an audit entry saying ``reason``.

    What ``DELETE /persons/{id}`` does for a cadre whose only reach over the person is a membership: the
    person's file is kept by another org, so the cadre's memberships end and the person stays."""
    clause = reach_clause(Membership.org.path, reaches)
    if clause is None:
        return []
    rows = (
        await Membership.select(
            Membership.id, Membership.org, Membership.role, Membership.org.path.as_alias("org_path")
        )
        .where((Membership.person == person_id) & (Membership.status == "active") & clause)
        .run()
    )
    stamp = datetime.now(UTC)
    for r in rows:
        await (
            Membership.update(
                {Membership.status: "left", Membership.left_at: stamp, Membership.updated_at: stamp}
            )
            .where((Membership.id == r["id"]) & (Membership.status == "active"))
            .run()
        )
        await audit.record(
            "membership.left",
            resource_type="membership",
            resource_id=r["id"],
            org_path=r["org_path"],
            changes={"status": "left", "person": str(person_id), "reason": reason},
        )
        await emit(
            sig.MEMBER_LEFT,
            sig.MemberChanged(membership_id=r["id"], org_id=r["org"], person_id=person_id, role=r["role"]),
            resource_type="membership",
            resource_id=r["id"],
            org_path=r["org_path"],
        )
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    ended = await Membership.select(*_COLUMNS).where(Membership.id.is_in(ids)).run()
    return [_as_membership(r) for r in ended]


def owner_of(kind: str) -> str:
    return kind.partition(".")[0]


async def transfer(
    db: Database,
    pm: pluggy.PluginManager,
    membership_id: UUID,
    data: S.MemberTransfer,
    reaches: Sequence[Reach],
) -> S.Membership:
    """Transfer a membership to another org (组织关系转接): the old row closes, a new one continues it.

    Both orgs must be in the caller's reach and belong to the same mass organization (a union member
    moves to another union org); plugins validate the new side like a join.
    """
    async with db.transaction():
        row = await load_membership(membership_id, reaches)
        if row["status"] != "active":
            raise Problem(P.MEMBERSHIP_CLOSED)
        target = await _org_in_reach(data.org, reaches, pointer="/org")
        if target["id"] == row["org"]:
            raise Problem.invalid(("/org", "invalid"))
        if owner_of(target["kind"]) != owner_of(row["org_kind"]):
            raise Problem.invalid(("/org", P.TRANSFER_ACROSS))
        if (
            await Membership.exists()
            .where(
                (Membership.org == data.org)
                & (Membership.person == row["person"])
                & (Membership.status == "active")
            )
            .run()
        ):
            raise Problem(P.ALREADY_MEMBER)
        extra = (
            data.extra
            if data.extra is not None
            else (row["extra"] if isinstance(row["extra"], dict) else json.loads(row["extra"] or "{}"))
        )
        role = data.role or row["role"]
        await _validate(
            pm,
            MembershipDraft(
                action="transfer",
                org_id=data.org,
                org_kind=target["kind"],
                person_id=row["person"],
                role=role,
                extra=extra,
                previous_org_kind=row["org_kind"],
                person=await person_facts(row["person"]),
            ),
        )
        stamp = datetime.now(UTC)
        await (
            Membership.update(
                {Membership.status: "transferred", Membership.left_at: stamp, Membership.updated_at: stamp}
            )
            .where(Membership.id == membership_id)
            .run()
        )
        new_id = uuid4()
        await Membership.insert(
            Membership(
                id=new_id,
                org=data.org,
                person=row["person"],
                role=role,
                status="active",
                extra=extra,
                joined_at=stamp,
                previous=membership_id,
                updated_at=stamp,
            )
        ).run()
        await audit.record(
            "member.transferred",
            resource_type="membership",
            resource_id=new_id,
            org_path=target["path"],
            org_paths=[row["org_path"], *await audit.paths_of_persons([row["person"]])],
            changes={
                "person": row["person"],
                "from_org": row["org"],
                "to_org": data.org,
                "previous_membership": membership_id,
                "role": role,
            },
        )
        await emit(
            sig.MEMBER_TRANSFERRED,
            sig.MemberChanged(
                membership_id=new_id,
                org_id=data.org,
                person_id=row["person"],
                role=role,
                previous_membership_id=membership_id,
                previous_org_id=row["org"],
            ),
            resource_type="membership",
            resource_id=new_id,
            org_path=target["path"],
        )
    return await get_membership(new_id, reaches)


async def leave(db: Database, membership_id: UUID, reaches: Sequence[Reach]) -> S.Membership:
    """End a membership (退会/离团); the row stays as history."""
    async with db.transaction():
        row = await load_membership(membership_id, reaches)
        if row["status"] != "active":
            raise Problem(P.MEMBERSHIP_CLOSED)
        stamp = datetime.now(UTC)
        await (
            Membership.update(
                {Membership.status: "left", Membership.left_at: stamp, Membership.updated_at: stamp}
            )
            .where(Membership.id == membership_id)
            .run()
        )
        await audit.record(
            "member.left",
            resource_type="membership",
            resource_id=membership_id,
            org_path=row["org_path"],
            org_paths=await audit.paths_of_persons([row["person"]]),
            changes={"person": row["person"], "org": row["org"], "status": "left"},
        )
        await emit(
            sig.MEMBER_LEFT,
            sig.MemberChanged(
                membership_id=membership_id, org_id=row["org"], person_id=row["person"], role=row["role"]
            ),
            resource_type="membership",
            resource_id=membership_id,
            org_path=row["org_path"],
        )
    return await get_membership(membership_id, reaches)


async def end_memberships_of(org_id: UUID, org_path: str) -> int:
    """Inside a dissolving org's transaction: end its active memberships, one signal each."""
    rows = (
        await Membership.select(Membership.id, Membership.person, Membership.role)
        .where((Membership.org == org_id) & (Membership.status == "active"))
        .run()
    )
    if not rows:
        return 0
    stamp = datetime.now(UTC)
    await (
        Membership.update(
            {Membership.status: "left", Membership.left_at: stamp, Membership.updated_at: stamp}
        )
        .where((Membership.org == org_id) & (Membership.status == "active"))
        .run()
    )
    concerned = await audit.person_paths(r["person"] for r in rows)
    await audit.record_many(
        [
            audit.Pending(
                "member.left",
                "membership",
                r["id"],
                [org_path, *concerned.get(r["person"], [])],
                {"person": r["person"], "org": org_id, "status": "left", "reason": "org_dissolved"},
            )
            for r in rows
        ]
    )
    for r in rows:
        await emit(
            sig.MEMBER_LEFT,
            sig.MemberChanged(membership_id=r["id"], org_id=org_id, person_id=r["person"], role=r["role"]),
            resource_type="membership",
            resource_id=r["id"],
            org_path=org_path,
        )
    return len(rows)


async def list_members(
    reaches: Sequence[Reach],
    page: PageRequest,
    org_id: UUID,
    *,
    scope: str = "self",
    status: str | None = "active",
    person: UUID | None = None,
) -> tuple[list[S.Membership], str | None]:
    """Memberships of one org, or of its whole subtree (``scope=subtree``), filtered by status."""
    org = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if org is None or not within(org["path"], reaches):
        raise Problem("not-found")
    clause = reach_clause(Membership.org.path, reaches)
    if clause is None:
        return [], None
    query = Membership.select(*_COLUMNS).where(clause)
    if scope == "subtree":
        low, high = subtree_bounds(org["path"])
        query = query.where((Membership.org.path >= low) & (Membership.org.path < high))
    else:
        query = query.where(Membership.org == org_id)
    if status:
        query = query.where(Membership.status == status)
    if person:
        query = query.where(Membership.person == person)
    rows, cursor = await paginate(query, [Membership.id], page)
    return [_as_membership(r) for r in rows], cursor
