"""Campaigns (一次评选): created at an org, moved through their stages, decided into the honors register.

Every change of a campaign is a compare-and-set on its ``version`` (the ETag): of several cadres moving one
campaign at once exactly one succeeds. Moving to ``notice`` publishes the notice (公示) of the selected
through :mod:`core.processes.notices`; an objection filed during it holds the result (``result_held``)
until every objection is resolved, and the decision is refused until then and until the window ended.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from core.identity import audit
from core.identity.persons import org_in_reach
from core.integration.signals import emit
from core.kernel.access import Principal
from core.kernel.errors import Problem
from core.orgs.tables import Org
from core.processes import notices
from core.processes.schemas import NoticeEntryIn
from core.processes.tables import Notice, Objection
from core.selections import problems
from core.selections import schemas as S
from core.selections import signals as sig
from core.selections.common import (
    Env,
    check_if_match,
    json_value,
    load_campaign,
    manages,
    now,
    require_stage,
    utc,
)
from core.selections.permissions import SELECTION_MANAGE
from core.selections.tables import Campaign, Nomination, NominationStep

#: Where each stage may go next (``voting`` only for types with a public vote).
NEXT = {
    "nominating": ("reviewing",),
    "reviewing": ("voting", "selecting"),
    "voting": ("selecting",),
    "selecting": ("notice",),
}
#: Stages a campaign may be cancelled from.
OPEN_STAGES = ("nominating", "reviewing", "voting", "selecting", "notice")
#: The notice kind of selections' notices (公示), for the notice filters.
NOTICE_KIND = "core.selection"


async def held(row: Mapping[str, Any]) -> bool:
    """Whether an objection to the campaign's notice still waits (the result is held)."""
    if row["notice"] is None:
        return False
    return bool(
        await Objection.exists()
        .where((Objection.notice == row["notice"]) & (Objection.status == "pending"))
        .run()
    )


def results_hidden(env: Env, row: Mapping[str, Any]) -> bool:
    vote = env.type(row["type"]).vote
    return vote is not None and vote.hide_results and row["stage"] in ("nominating", "reviewing", "voting")


async def to_campaign(env: Env, row: Mapping[str, Any]) -> S.Campaign:
    stype = env.registry.selection_types.get(row["type"])
    vote = stype.vote if stype is not None else None
    return S.Campaign(
        id=row["id"],
        type=row["type"],
        type_name=stype.name.get(env.locale) if stype is not None else row["type"],
        org_id=row["org"],
        title=row["title"],
        honor_title=row["honor_title"],
        year=row["year"],
        description=row["description"],
        levels=[S.LevelQuota(quota=int(level["quota"])) for level in row["levels"]],
        notice_days=row["notice_days"],
        stage=row["stage"],
        vote=vote is not None,
        vote_rule=vote.rule if vote is not None else None,
        vote_budget=vote.budget if vote is not None and vote.rule == "budget" else None,
        results_hidden=stype is not None and results_hidden(env, row),
        notice_id=row["notice"],
        result_held=await held(row),
        version=row["version"],
        created_at=utc(row["created_at"]),  # type: ignore[arg-type]
        decided_at=utc(row["decided_at"]),
    )


def _signal(row: Mapping[str, Any]) -> sig.CampaignSignal:
    return sig.CampaignSignal(
        campaign_id=row["id"], type=row["type"], org_id=row["org"], stage=row["stage"], version=row["version"]
    )


async def create(env: Env, principal: Principal, data: S.CampaignCreate) -> dict[str, Any]:
    """A new campaign at ``data.org_id`` (inside the caller's transaction); returns its row."""
    stype = env.type(data.type)
    await org_in_reach(principal, SELECTION_MANAGE, data.org_id)
    org = await Org.select().where(Org.id == data.org_id).first().run()
    if org is None or org["status"] != "active":
        raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    if stype.org_kinds and org["kind"] not in stype.org_kinds:
        raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    if stype.honor_levels and org["level"] not in stype.honor_levels:
        raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    if len(data.levels) > stype.max_levels:
        raise Problem.invalid(("/levels", "too_long"), locale=env.locale)
    moment = now()
    row: dict[str, Any] = {
        "id": uuid4(),
        "type": stype.code,
        "org": org["id"],
        "org_path": org["path"],
        "title": data.title,
        "honor_title": data.honor_title,
        "year": data.year or moment.year,
        "description": data.description,
        "levels": [{"quota": level.quota} for level in data.levels],
        "notice_days": data.notice_days or stype.notice_days,
        "stage": "nominating",
        "notice": None,
        "created_by": principal.id,
        "version": 1,
        "created_at": moment,
        "updated_at": moment,
        "decided_at": None,
    }
    await Campaign.insert(Campaign(**row)).run()
    await audit.record(
        "selection.campaign_created",
        resource_type="selection_campaign",
        resource_id=row["id"],
        org_path=org["path"],
        changes={"type": stype.code, "levels": row["levels"]},
        actor=principal,
    )
    await emit(
        sig.CAMPAIGN_CREATED,
        _signal(row),
        resource_type="selection_campaign",
        resource_id=row["id"],
        org_path=org["path"],
    )
    return row


async def _compare_and_set(row: Mapping[str, Any], changes: dict[Any, Any]) -> dict[str, Any]:
    changes = {**changes, Campaign.version: row["version"] + 1, Campaign.updated_at: now()}
    done = await (
        Campaign.update(changes)
        .where((Campaign.id == row["id"]) & (Campaign.version == row["version"]))
        .returning(Campaign.id)
        .run()
    )
    if not done:
        raise Problem("precondition-failed")
    return await load_campaign(row["id"])


def _managed(principal: Principal, row: Mapping[str, Any]) -> None:
    if not manages(principal, row):
        raise Problem("forbidden")


async def set_quota(env: Env, principal: Principal, row: Mapping[str, Any], data: S.QuotaSet) -> S.QuotaInfo:
    """Give one org of the campaign a quota of its own (never below what it already used)."""
    from core.selections import nominations

    _managed(principal, row)
    require_stage(row, ("nominating", "reviewing", "voting", "selecting"), "set_quota")
    org = await Org.select(Org.id, Org.path).where(Org.id == data.org_id).first().run()
    level = nominations.level_of(row, org["path"]) if org is not None else None
    if org is None or level is None or len(org["path"]) != len(row["org_path"]) + 6 * level:
        raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    quota = await nominations.ensure_quota(row, org["id"], level)
    if data.quota < quota["used"]:
        raise Problem.invalid(("/quota", "too_small"), locale=env.locale)
    from core.selections.tables import Quota

    await Quota.update({Quota.quota: data.quota}).where(Quota.id == quota["id"]).run()
    await audit.record(
        "selection.quota_set",
        resource_type="selection_campaign",
        resource_id=row["id"],
        org_path=org["path"],
        changes={"org_id": str(org["id"]), "quota": data.quota},
        actor=principal,
    )
    return S.QuotaInfo(org_id=org["id"], level=level, quota=data.quota, used=quota["used"])


async def advance(
    env: Env, principal: Principal, row: dict[str, Any], change: S.StageChange, if_match: str | None
) -> dict[str, Any]:
    """Move the campaign to ``change.stage``; to ``notice`` publishes the notice of the selected."""
    _managed(principal, row)
    check_if_match(row["version"], if_match, required=True)
    stype = env.type(row["type"])
    target = change.stage
    if target == "cancelled":
        require_stage(row, OPEN_STAGES, "cancel")
    else:
        allowed = NEXT.get(row["stage"], ())
        if row["stage"] == "reviewing":
            allowed = ("voting",) if stype.vote is not None else ("selecting",)
        if target not in allowed:
            raise Problem(problems.WRONG_STAGE, stage=row["stage"], action=target)
    changes: dict[Any, Any] = {Campaign.stage: target}
    if target == "voting" and not await _count(row, level=0, statuses=("pending",)):
        raise Problem(problems.NONE_SELECTED)
    if target == "notice":
        selected = await _selected(row)
        if not selected:
            raise Problem(problems.NONE_SELECTED)
        notice = await notices.publish(
            env.processes_env(),
            None,  # the campaign's manager is allowed to publish its notice by the stage change itself
            org_id=row["org"],
            title=change.notice_title or f"{row['title']}拟表彰对象公示",
            body=change.notice_body or "",
            kind=NOTICE_KIND,
            days=row["notice_days"],
            entries=await _notice_entries(selected),
        )
        changes[Campaign.notice] = notice["id"]
    new = await _compare_and_set(row, changes)
    if target == "cancelled" and row["notice"] is not None:
        # A cancelled campaign selects nobody: its notice (公示) of the selected is taken down with it.
        await notices.withdraw(env.processes_env(), None, row["notice"])
    await audit.record(
        "selection.stage_changed",
        resource_type="selection_campaign",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes={"from": row["stage"], "to": target},
        actor=principal,
    )
    await emit(
        sig.CAMPAIGN_STAGED,
        _signal(new),
        resource_type="selection_campaign",
        resource_id=row["id"],
        org_path=row["org_path"],
    )
    return new


async def _count(row: Mapping[str, Any], *, level: int, statuses: Sequence[str]) -> int:
    return int(
        await Nomination.count()
        .where(
            (Nomination.campaign == row["id"])
            & (Nomination.level == level)
            & Nomination.status.is_in(list(statuses))
        )
        .run()
    )


async def _selected(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    return await (
        Nomination.select()
        .where((Nomination.campaign == row["id"]) & (Nomination.status == "selected"))
        .order_by(Nomination.created_at)
        .run()
    )


async def _unit_names(org_ids: set[UUID]) -> dict[UUID, str]:
    if not org_ids:
        return {}
    rows = await Org.select(Org.id, Org.name).where(Org.id.is_in(list(org_ids))).run()
    return {r["id"]: r["name"] for r in rows}


async def _notice_entries(selected: list[dict[str, Any]]) -> list[NoticeEntryIn]:
    """One masked line per selected nominee: persons and families by name (masked), collectives in the
    unit column (an org's name is not personal data)."""
    units = await _unit_names({n["entry_org"] for n in selected})
    entries = []
    for n in selected:
        unit = units.get(n["entry_org"], "")
        if n["nominee_kind"] in ("person", "family"):
            entries.append(NoticeEntryIn(name=n["nominee_name"] or "—", unit=unit, note=n["nominee_kind"]))
        else:
            entries.append(NoticeEntryIn(name="集体", unit=n["nominee_name"], note=unit[:500]))
    return entries


async def decide(
    env: Env,
    principal: Principal,
    row: dict[str, Any],
    data: S.Decision,
    if_match: str | None,
    moment: datetime | None = None,
) -> dict[str, Any]:
    """Decide the result: the selected are awarded (honors written) unless excluded; the rest closed."""
    moment = moment or now()
    _managed(principal, row)
    check_if_match(row["version"], if_match, required=True)
    require_stage(row, ("notice",), "decide")
    notice = await Notice.select().where(Notice.id == row["notice"]).first().run()
    if notice is not None and notice["status"] == "published" and utc(notice["closes_at"]) > moment:  # type: ignore[operator]
        raise Problem(problems.NOTICE_RUNNING, closes_at=utc(notice["closes_at"]).isoformat())  # type: ignore[union-attr]
    if await held(row):
        raise Problem(problems.RESULT_HELD)
    selected = await _selected(row)
    ids = {n["id"] for n in selected}
    for index, excluded in enumerate(data.exclude):
        if excluded not in ids:
            raise Problem.invalid((f"/exclude/{index}", "invalid"), locale=env.locale)
    new = await _compare_and_set(row, {Campaign.stage: "decided", Campaign.decided_at: moment})
    org = await Org.select(Org.level).where(Org.id == row["org"]).first().run()
    level = (org or {}).get("level") or ""
    excluded_ids = set(data.exclude)
    awarded = [n for n in selected if n["id"] not in excluded_ids]
    if excluded_ids:
        await _close(row, list(excluded_ids), "not_awarded", principal, data.comment, moment)
    if awarded:
        await _close(row, [n["id"] for n in awarded], "awarded", principal, data.comment, moment)
    await (
        Nomination.update({Nomination.status: "not_selected", Nomination.updated_at: moment})
        .where((Nomination.campaign == row["id"]) & (Nomination.status == "pending"))
        .run()
    )
    from core.selections import honors

    paths = await _recipient_paths(awarded)
    for n in awarded:
        await honors.record_honor(
            {
                "recipient_kind": n["nominee_kind"],
                "person": n["nominee_person"],
                "recipient_org": n["nominee_org"],
                "recipient_name": n["nominee_name"],
                "recipient_path": paths.get(n["id"], n["entry_path"]),
                "title": row["honor_title"],
                "level": level,
                "year": row["year"],
                "issuing_org": row["org"],
                "issuing_path": row["org_path"],
                "source": "selection",
                "campaign": row["id"],
                "nomination": n["id"],
                "note": "",
            },
            principal,
            moment,
        )
    await audit.record(
        "selection.decided",
        resource_type="selection_campaign",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes={"awarded": len(awarded), "excluded": len(excluded_ids)},
        actor=principal,
    )
    await emit(
        sig.CAMPAIGN_DECIDED,
        _signal(new),
        resource_type="selection_campaign",
        resource_id=row["id"],
        org_path=row["org_path"],
    )
    return new


async def _recipient_paths(awarded: list[dict[str, Any]]) -> dict[UUID, str]:
    """An org honored sits where that org is; everyone else at the unit they were nominated at."""
    orgs = {n["nominee_org"] for n in awarded if n["nominee_kind"] == "org" and n["nominee_org"]}
    if not orgs:
        return {}
    rows = await Org.select(Org.id, Org.path).where(Org.id.is_in(list(orgs))).run()
    by_org = {r["id"]: r["path"] for r in rows}
    return {n["id"]: by_org[n["nominee_org"]] for n in awarded if n["nominee_org"] in by_org}


async def _close(
    row: Mapping[str, Any],
    ids: list[UUID],
    status: str,
    principal: Principal,
    comment: str,
    moment: datetime,
) -> None:
    rows = await (
        Nomination.update(
            {
                Nomination.status: status,
                Nomination.version: Nomination.version + 1,
                Nomination.updated_at: moment,
            }
        )
        .where(Nomination.id.is_in(ids))
        .returning(Nomination.id, Nomination.version, Nomination.org, Nomination.level)
        .run()
    )
    await NominationStep.insert(
        *[
            NominationStep(
                id=uuid4(),
                nomination=r["id"],
                seq=r["version"],
                action=status,
                org=r["org"],
                level=r["level"],
                actor_kind=principal.kind,
                actor_id=principal.id,
                comment=comment,
                at=moment,
            )
            for r in rows
        ]
    ).run()


async def list_campaigns(
    env: Env, org_path: str | None, subtree: bool, stage: str | None, type_code: str | None, page: Any
) -> tuple[list[S.Campaign], str | None]:
    """Campaigns are public to every logged-in caller (they are announced to be nominated and voted in)."""
    from core.kernel.pagination import paginate

    query = Campaign.select()
    if org_path is not None:
        query = query.where(
            (Campaign.org_path >= org_path) & (Campaign.org_path < org_path + "~")
            if subtree
            else Campaign.org_path == org_path
        )
    if stage is not None:
        query = query.where(Campaign.stage == stage)
    if type_code is not None:
        query = query.where(Campaign.type == type_code)
    rows, cursor = await paginate(query, [Campaign.created_at, Campaign.id], page, descending=True)
    out = []
    for r in rows:
        r["levels"] = json_value(r["levels"]) or []
        out.append(await to_campaign(env, r))
    return out, cursor


__all__ = ["advance", "create", "decide", "held", "list_campaigns", "set_quota", "to_campaign"]
