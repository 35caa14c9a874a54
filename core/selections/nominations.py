"""Nominations (推荐/申报): filed at a unit, reviewed level by level, forwarded up within quotas.

A nomination sits at the org of its level: filed at a unit deeper than the campaign's lowest level it
starts at that unit's ancestor on the lowest level. A reviewer of that org forwards it to the org above,
which uses one of the org's quota — ``UPDATE … SET used = used + 1 WHERE used < quota`` after a
compare-and-set on the nomination's version, both in one transaction: of any number of concurrent
forwards an org never passes up more than its quota (PostgreSQL's row lock, SQLite's serialised writes),
and a nomination moves once. At the campaign's org the reviewers select within its quota.
"""

from __future__ import annotations

import hashlib
import inspect
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

import msgspec

from core.identity import audit
from core.identity.tables import Person
from core.integration.signals import emit
from core.kernel.access import Principal, reach_clause, within
from core.kernel.db import fetch
from core.kernel.declarations.selections import NominationContext, SelectionType
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate
from core.orgs.paths import SEGMENT_WIDTH
from core.orgs.tables import Org
from core.processes.machine import convert_form
from core.selections import problems
from core.selections import schemas as S
from core.selections import signals as sig
from core.selections.common import READERS, Env, json_value, now, require_stage, utc
from core.selections.permissions import SELECTION_NOMINATE, SELECTION_REVIEW
from core.selections.tables import Nomination, NominationStep, Quota

#: Stages during which nominations move up the tree (and may be rejected or withdrawn).
REVIEW_STAGES = ("nominating", "reviewing")

log = logging.getLogger(__name__)


def level_of(campaign: Mapping[str, Any], path: str) -> int | None:
    """The campaign level an org at ``path`` files into (None outside the campaign's subtree)."""
    top = campaign["org_path"]
    if not path.startswith(top):
        return None
    return min((len(path) - len(top)) // SEGMENT_WIDTH, len(campaign["levels"]) - 1)


def _reach(principal: Principal, permissions: tuple[str, ...]) -> list[Any]:
    return [r for p in permissions for r in principal.reach(p)]


def may_read(principal: Principal, row: Mapping[str, Any]) -> bool:
    person = principal.person_id
    if person is not None and person in (row["nominee_person"], row["nominated_by_person"]):
        return True
    reaches = _reach(principal, READERS)
    return within(row["entry_path"], reaches) or within(row["org_path"], reaches)


def reviews(principal: Principal, row: Mapping[str, Any]) -> bool:
    """Whether the principal reviews at the nomination's current org."""
    return within(row["org_path"], principal.reach(SELECTION_REVIEW))


def to_nomination(row: Mapping[str, Any], *, hidden: bool) -> S.Nomination:
    return S.Nomination(
        id=row["id"],
        campaign_id=row["campaign"],
        nominee_kind=row["nominee_kind"],
        nominee_person_id=row["nominee_person"],
        nominee_org_id=row["nominee_org"],
        nominee_name=row["nominee_name"],
        source=row["source"],
        nominated_by_person_id=row["nominated_by_person"],
        nominated_by_org_id=row["nominated_by_org"],
        entry_org_id=row["entry_org"],
        org_id=row["org"],
        level=row["level"],
        status=row["status"],
        form=dict(json_value(row["form"]) or {}),
        votes=None if hidden else row["votes"],
        version=row["version"],
        created_at=utc(row["created_at"]),  # type: ignore[arg-type]
    )


async def detail(row: Mapping[str, Any], *, hidden: bool) -> S.NominationDetail:
    base = to_nomination(row, hidden=hidden)
    steps = (
        await NominationStep.select()
        .where(NominationStep.nomination == row["id"])
        .order_by(NominationStep.seq)
        .run()
    )
    return S.NominationDetail(
        **{f: getattr(base, f) for f in base.__struct_fields__},
        steps=[
            S.NominationStep(
                seq=s["seq"],
                action=s["action"],
                org_id=s["org"],
                level=s["level"],
                actor_kind=s["actor_kind"],
                actor_id=s["actor_id"],
                comment=s["comment"],
                at=utc(s["at"]),  # type: ignore[arg-type]
            )
            for s in steps
        ],
    )


async def load(nomination_id: UUID) -> dict[str, Any] | None:
    return await Nomination.select().where(Nomination.id == nomination_id).first().run()


async def readable(principal: Principal, nomination_id: UUID) -> dict[str, Any]:
    row = await load(nomination_id)
    if row is None or not may_read(principal, row):
        raise Problem("not-found")
    return row


async def _record(
    row: Mapping[str, Any], action: str, principal: Principal, comment: str, moment: datetime
) -> None:
    """The history row (its ``seq`` is the version the step produced), the audit entry and the signal."""
    await NominationStep.insert(
        NominationStep(
            id=uuid4(),
            nomination=row["id"],
            seq=row["version"],
            action=action,
            org=row["org"],
            level=row["level"],
            actor_kind=principal.kind,
            actor_id=principal.id,
            comment=comment,
            at=moment,
        )
    ).run()
    await audit.record(
        f"selection.nomination_{action}",
        resource_type="selection_nomination",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes={"campaign_id": str(row["campaign"]), "level": row["level"], "status": row["status"]},
        actor=principal,
    )
    await emit(
        sig.NOMINATION_CHANGED,
        sig.NominationSignal(
            nomination_id=row["id"],
            campaign_id=row["campaign"],
            action=action,
            org_id=row["org"],
            level=row["level"],
            status=row["status"],
        ),
        resource_type="selection_nomination",
        resource_id=row["id"],
        org_path=row["org_path"],
    )


async def _org(org_id: UUID | None) -> dict[str, Any] | None:
    if org_id is None:
        return None
    return await Org.select(Org.id, Org.path, Org.name, Org.status).where(Org.id == org_id).first().run()


async def _person_name(person_id: UUID) -> str | None:
    row = await Person.select(Person.name, Person.erased_at).where(Person.id == person_id).first().run()
    if row is None or row["erased_at"] is not None:
        return None
    return str(row["name"])


def _key(kind: str, person: UUID | None, org: UUID | None, name: str) -> str:
    if kind in ("person", "family"):
        return f"{kind}:{person}"
    if kind == "org":
        return f"org:{org}"
    folded = " ".join(name.split()).lower()
    return "team:" + hashlib.sha256(f"{org}:{folded}".encode()).hexdigest()[:40]


async def file(
    env: Env, principal: Principal, campaign: Mapping[str, Any], data: S.NominationCreate
) -> dict[str, Any]:
    """File a nomination (inside the caller's transaction); returns its row."""
    stype = env.type(campaign["type"])
    require_stage(campaign, ("nominating",), "nominate")
    loc = env.locale
    if data.nominee_kind not in stype.nominee_kinds:
        raise Problem.invalid(("/nominee_kind", "enum"), locale=loc)
    if data.source not in stype.sources:
        raise Problem.invalid(("/source", "enum"), locale=loc)
    unit = await _org(data.org_id)
    level = level_of(campaign, unit["path"]) if unit is not None and unit["status"] == "active" else None
    if unit is None or level is None:
        raise Problem.invalid(("/org_id", "invalid"), locale=loc)
    by_person = principal.person_id
    by_org = None
    if data.source == "org":
        if not within(unit["path"], principal.reach(SELECTION_NOMINATE)):
            raise Problem("forbidden")
        by_org = unit["id"]
    elif by_person is None:
        raise Problem(problems.NO_PERSON)

    nominee_person = nominee_org = None
    name = data.nominee_name or ""
    kind = data.nominee_kind
    if kind in ("person", "family"):
        if data.source == "self":
            if data.nominee_person_id not in (None, by_person):
                raise Problem.invalid(("/nominee_person_id", "invalid"), locale=loc)
            nominee_person = by_person
        else:
            if data.nominee_person_id is None:
                raise Problem.invalid(("/nominee_person_id", "required"), locale=loc)
            if data.source == "person" and data.nominee_person_id == by_person:
                raise Problem.invalid(("/source", "invalid"), locale=loc)  # that is a self-nomination
            nominee_person = data.nominee_person_id
        person_name = await _person_name(nominee_person)  # type: ignore[arg-type]
        if person_name is None:
            raise Problem.invalid(("/nominee_person_id", "invalid"), locale=loc)
        if kind == "person":
            name = person_name
        elif not name:
            raise Problem.invalid(("/nominee_name", "required"), locale=loc)
    elif data.source == "self":
        raise Problem.invalid(("/source", "invalid"), locale=loc)
    elif kind == "org":
        target = await _org(data.nominee_org_id or unit["id"])
        if target is None or target["status"] != "active" or level_of(campaign, target["path"]) is None:
            raise Problem.invalid(("/nominee_org_id", "invalid"), locale=loc)
        nominee_org, name = target["id"], target["name"]
    else:  # a team of the unit (or of another org of the campaign)
        if not name:
            raise Problem.invalid(("/nominee_name", "required"), locale=loc)
        team_org = await _org(data.nominee_org_id or unit["id"])
        if team_org is None or level_of(campaign, team_org["path"]) is None:
            raise Problem.invalid(("/nominee_org_id", "invalid"), locale=loc)
        nominee_org = team_org["id"]

    value = convert_form(stype.form, data.form, "/form", loc)
    if stype.validate_nomination is not None:
        ctx = NominationContext(
            campaign_id=campaign["id"],
            type=stype.code,
            campaign_org_id=campaign["org"],
            campaign_org_path=campaign["org_path"],
            unit_id=unit["id"],
            unit_path=unit["path"],
            source=data.source,
            nominee_kind=kind,
            nominee_person_id=nominee_person,
            nominee_org_id=nominee_org,
            nominee_name=name,
            form=value,
            actor=principal,
            locale=loc,
        )
        await _validate(env, stype, ctx)
    level_path = unit["path"][: len(campaign["org_path"]) + SEGMENT_WIDTH * level]
    level_org = (
        unit
        if level_path == unit["path"]
        else await Org.select(Org.id).where(Org.path == level_path).first().run()
    )
    if level_org is None:
        raise Problem.invalid(("/org_id", "invalid"), locale=loc)
    moment = now()
    row: dict[str, Any] = {
        "id": uuid4(),
        "campaign": campaign["id"],
        "nominee_kind": kind,
        "nominee_person": nominee_person,
        "nominee_org": nominee_org,
        "nominee_name": name,
        "nominee_key": _key(kind, nominee_person, nominee_org, name),
        "source": data.source,
        "nominated_by_person": by_person,
        "nominated_by_org": by_org,
        "entry_org": unit["id"],
        "entry_path": unit["path"],
        "org": level_org["id"],
        "org_path": level_path,
        "level": level,
        "status": "pending",
        "form": msgspec.to_builtins(value) if value is not None else {},
        "votes": 0,
        "version": 1,
        "created_by": principal.id,
        "created_at": moment,
        "updated_at": moment,
    }
    # One live nomination per nominee: the partial unique index decides, even between concurrent filings.
    done = (
        await Nomination.insert(Nomination(**row))
        .on_conflict(action="DO NOTHING")
        .returning(Nomination.id)
        .run()
    )
    if not done:
        raise Problem(problems.DUPLICATE_NOMINEE)
    await _record(row, "filed", principal, "", moment)
    return row


async def _validate(env: Env, stype: SelectionType, ctx: NominationContext) -> None:
    """Run the type's ``validate_nomination``: its Problem stands; anything else it raises is logged
    (the exception's class only: the form may hold personal data) and answered 422, nothing filed."""
    check = stype.validate_nomination
    assert check is not None
    try:
        result = check(ctx)
        if inspect.isawaitable(result):
            await result
    except Problem:
        raise
    except Exception as exc:
        plugin = env.owner(stype.code)
        log.error("validate_nomination of %s (plugin %s) failed: %s", stype.code, plugin, type(exc).__name__)
        raise Problem(problems.CHECK_FAILED, plugin=plugin) from None


async def ensure_quota(campaign: Mapping[str, Any], org_id: UUID, level: int) -> dict[str, Any]:
    """The quota row of one org of the campaign, created at its level's default on first use."""
    from core.selections.common import quota_of_level

    await (
        Quota.insert(
            Quota(
                id=uuid4(),
                campaign=campaign["id"],
                org=org_id,
                level=level,
                quota=quota_of_level(campaign, level),
            )
        )
        .on_conflict(action="DO NOTHING")
        .run()
    )
    row = await Quota.select().where((Quota.campaign == campaign["id"]) & (Quota.org == org_id)).first().run()
    assert row is not None  # inserted above, or by a concurrent first use
    return dict(row)


async def _use_quota(campaign: Mapping[str, Any], org_id: UUID, level: int) -> None:
    quota = await ensure_quota(campaign, org_id, level)
    taken = await fetch(
        Quota,
        "UPDATE core_selection_quota SET used = used + 1 WHERE id = {} AND used < quota RETURNING used",
        [quota["id"]],
    )
    if not taken:
        current = await Quota.select(Quota.quota).where(Quota.id == quota["id"]).first().run()
        raise Problem(problems.QUOTA_FULL, quota=(current or quota)["quota"])


async def _give_back_quota(campaign: Mapping[str, Any], org_id: UUID) -> None:
    await fetch(
        Quota,
        "UPDATE core_selection_quota SET used = used - 1 WHERE campaign = {} AND org = {} AND used > 0 "
        "RETURNING used",
        [campaign["id"], org_id],
    )


async def _move(row: Mapping[str, Any], changes: dict[Any, Any], moment: datetime) -> dict[str, Any]:
    """Compare-and-set on the nomination's version; 409 when another reviewer was first."""
    changes = {**changes, Nomination.version: row["version"] + 1, Nomination.updated_at: moment}
    done = await (
        Nomination.update(changes)
        .where((Nomination.id == row["id"]) & (Nomination.version == row["version"]))
        .returning(*Nomination.all_columns())
        .run()
    )
    if not done:
        current = await Nomination.select(Nomination.version).where(Nomination.id == row["id"]).first().run()
        raise Problem(problems.NOMINATION_MOVED, version=(current or row)["version"])
    return done[0]  # type: ignore[no-any-return]


async def review(
    env: Env,
    principal: Principal,
    campaign: Mapping[str, Any],
    row: dict[str, Any],
    data: S.Review,
) -> dict[str, Any]:
    """A reviewer's step at the nomination's current org (see :class:`~core.selections.schemas.Review`)."""
    if not reviews(principal, row):
        raise Problem("forbidden")
    moment = now()
    action = data.action
    if action == "forward":
        require_stage(campaign, REVIEW_STAGES, "forward")
        if row["status"] != "pending" or row["level"] == 0:
            raise Problem(problems.NOMINATION_MOVED, version=row["version"])
        up_path = row["org_path"][:-SEGMENT_WIDTH]
        up = await Org.select(Org.id).where(Org.path == up_path).first().run()
        if up is None:
            raise Problem(problems.NOMINATION_MOVED, version=row["version"])
        new = await _move(
            row,
            {Nomination.org: up["id"], Nomination.org_path: up_path, Nomination.level: row["level"] - 1},
            moment,
        )
        await _use_quota(campaign, row["org"], row["level"])
        step = "forwarded"
    elif action == "reject":
        require_stage(campaign, (*REVIEW_STAGES, "selecting"), "reject")
        if row["status"] != "pending":
            raise Problem(problems.NOMINATION_MOVED, version=row["version"])
        new = await _move(row, {Nomination.status: "rejected"}, moment)
        step = "rejected"
    elif action == "select":
        require_stage(campaign, ("selecting",), "select")
        if row["status"] != "pending" or row["level"] != 0:
            raise Problem(problems.NOMINATION_MOVED, version=row["version"])
        new = await _move(row, {Nomination.status: "selected"}, moment)
        await _use_quota(campaign, row["org"], 0)
        step = "selected"
    else:
        require_stage(campaign, ("selecting",), "deselect")
        if row["status"] != "selected":
            raise Problem(problems.NOMINATION_MOVED, version=row["version"])
        new = await _move(row, {Nomination.status: "pending"}, moment)
        await _give_back_quota(campaign, row["org"])
        step = "deselected"
    await _record(new, step, principal, data.comment, moment)
    return new


async def withdraw(principal: Principal, campaign: Mapping[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """The nominator or the nominee takes a pending nomination back (the nominee may then be nominated again)."""
    person = principal.person_id
    if person is None or person not in (row["nominee_person"], row["nominated_by_person"]):
        raise Problem("forbidden")
    require_stage(campaign, REVIEW_STAGES, "withdraw")
    if row["status"] != "pending":
        raise Problem(problems.NOMINATION_MOVED, version=row["version"])
    moment = now()
    new = await _move(row, {Nomination.status: "withdrawn"}, moment)
    await _record(new, "withdrawn", principal, "", moment)
    return new


async def list_for_reviewers(
    principal: Principal,
    campaign: Mapping[str, Any],
    page: PageRequest,
    *,
    org_path: str | None,
    subtree: bool,
    status: str | None,
    level: int | None,
    hidden: bool,
) -> tuple[list[S.Nomination], str | None]:
    """Nominations of the campaign filed or sitting within the caller's reach, oldest first."""
    reaches = _reach(principal, READERS)
    entry = reach_clause(Nomination.entry_path, reaches)
    here = reach_clause(Nomination.org_path, reaches)
    if entry is None or here is None:
        return [], None
    query = Nomination.select().where((Nomination.campaign == campaign["id"]) & (entry | here))
    if org_path is not None:
        query = query.where(
            (Nomination.org_path >= org_path) & (Nomination.org_path < org_path + "~")
            if subtree
            else Nomination.org_path == org_path
        )
    if status is not None:
        query = query.where(Nomination.status == status)
    if level is not None:
        query = query.where(Nomination.level == level)
    rows, cursor = await paginate(query, [Nomination.created_at, Nomination.id], page)
    return [to_nomination(r, hidden=hidden) for r in rows], cursor


async def mine(principal: Principal, page: PageRequest) -> tuple[list[S.Nomination], str | None]:
    """The caller's nominations: those naming them and those they filed, newest first."""
    person = principal.person_id
    if person is None:
        return [], None
    query = Nomination.select().where(
        (Nomination.nominee_person == person) | (Nomination.nominated_by_person == person)
    )
    rows, cursor = await paginate(query, [Nomination.created_at, Nomination.id], page, descending=True)
    # A person sees their own nominations' counts only once the campaign shows them to everyone.
    return [to_nomination(r, hidden=True) for r in rows], cursor
