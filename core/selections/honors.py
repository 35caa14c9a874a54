"""The honors register (荣誉): who received which honor, at which level, in which year, from which org.

Honors come from a campaign's decision or are entered directly by a cadre of the issuing org. Each row
carries two org paths — where the recipient sits (their unit) and who issued it — so an org's honors and
its subtree's are one range scan either way. A person sees their own at ``GET /api/v1/me/honors``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from core.identity import audit
from core.identity.persons import find_visible, org_in_reach
from core.identity.tables import Person
from core.integration.signals import emit
from core.kernel.access import Principal, reach_clause, within
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate
from core.orgs.tables import Org
from core.selections import schemas as S
from core.selections import signals as sig
from core.selections.common import Env, now, utc
from core.selections.permissions import HONOR_MANAGE, HONOR_READ
from core.selections.tables import Honor

#: Rows an export writes at most (a county's honors of many years fit many times over).
EXPORT_LIMIT = 50_000


def to_honor(row: Mapping[str, Any]) -> S.Honor:
    return S.Honor(
        id=row["id"],
        recipient_kind=row["recipient_kind"],
        person_id=row["person"],
        recipient_org_id=row["recipient_org"],
        recipient_name=row["recipient_name"],
        title=row["title"],
        level=row["level"],
        year=row["year"],
        issuing_org_id=row["issuing_org"],
        source=row["source"],
        campaign_id=row["campaign"],
        note=row["note"],
        status=row["status"],
        created_at=utc(row["created_at"]),  # type: ignore[arg-type]
    )


def _signal(row: Mapping[str, Any]) -> sig.HonorSignal:
    return sig.HonorSignal(
        honor_id=row["id"],
        recipient_kind=row["recipient_kind"],
        person_id=row["person"],
        recipient_org_id=row["recipient_org"],
        issuing_org_id=row["issuing_org"],
        level=row["level"],
        year=row["year"],
        campaign_id=row["campaign"],
        status=row["status"],
    )


async def record_honor(values: Mapping[str, Any], principal: Principal, moment: datetime) -> dict[str, Any]:
    """Write one honor into the register with its audit entry and signal (inside the caller's transaction)."""
    row: dict[str, Any] = {
        **values,
        "id": uuid4(),
        "status": "active",
        "created_by": principal.id,
        "created_at": moment,
    }
    await Honor.insert(Honor(**row)).run()
    await audit.record(
        "honor.awarded",
        resource_type="honor",
        resource_id=row["id"],
        org_path=row["issuing_path"],
        changes={"source": row["source"], "level": row["level"], "year": row["year"]},
        actor=principal,
    )
    await emit(
        sig.HONOR_AWARDED,
        _signal(row),
        resource_type="honor",
        resource_id=row["id"],
        org_path=row["issuing_path"],
    )
    return row


async def _org(org_id: UUID | None) -> dict[str, Any] | None:
    if org_id is None:
        return None
    return await Org.select(Org.id, Org.path, Org.name, Org.level).where(Org.id == org_id).first().run()


async def enter(env: Env, principal: Principal, data: S.HonorCreate) -> dict[str, Any]:
    """An honor entered directly by a cadre holding ``core.honor.manage`` on the issuing org."""
    loc = env.locale
    await org_in_reach(principal, HONOR_MANAGE, data.issuing_org_id)
    issuer = await _org(data.issuing_org_id)
    assert issuer is not None  # in reach, so it exists
    person = None
    recipient_org = None
    if data.recipient_kind in ("person", "family"):
        if data.person_id is None:
            raise Problem.invalid(("/person_id", "required"), locale=loc)
        found = (
            await Person.select(Person.id, Person.name, Person.home_org.path, Person.erased_at)
            .where(Person.id == data.person_id)
            .first()
            .run()
        )
        if found is None or found["erased_at"] is not None:
            raise Problem.invalid(("/person_id", "invalid"), locale=loc)
        if data.recipient_kind == "family" and not data.name:
            raise Problem.invalid(("/name", "required"), locale=loc)
        person = found["id"]
        name = data.name if data.recipient_kind == "family" else found["name"]
        path = found["home_org.path"] or issuer["path"]
    elif data.recipient_kind == "org":
        target = await _org(data.org_id)
        if target is None:
            raise Problem.invalid(("/org_id", "invalid" if data.org_id else "required"), locale=loc)
        recipient_org, name, path = target["id"], target["name"], target["path"]
    else:
        if not data.name:
            raise Problem.invalid(("/name", "required"), locale=loc)
        target = await _org(data.org_id) if data.org_id is not None else issuer
        if target is None:
            raise Problem.invalid(("/org_id", "invalid"), locale=loc)
        recipient_org, name, path = target["id"], data.name, target["path"]
    return await record_honor(
        {
            "recipient_kind": data.recipient_kind,
            "person": person,
            "recipient_org": recipient_org,
            "recipient_name": name,
            "recipient_path": path,
            "title": data.title,
            "level": data.level or issuer["level"],
            "year": data.year,
            "issuing_org": issuer["id"],
            "issuing_path": issuer["path"],
            "source": "direct",
            "campaign": None,
            "nomination": None,
            "note": data.note,
        },
        principal,
        now(),
    )


def may_read(principal: Principal, row: Mapping[str, Any]) -> bool:
    if principal.person_id is not None and principal.person_id == row["person"]:
        return True
    reaches = principal.reach(HONOR_READ)
    return within(row["recipient_path"], reaches) or within(row["issuing_path"], reaches)


async def readable(principal: Principal, honor_id: UUID) -> dict[str, Any]:
    row = await Honor.select().where(Honor.id == honor_id).first().run()
    if row is None or not may_read(principal, row):
        raise Problem("not-found")
    return row


async def revoke(principal: Principal, row: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """Revoke (撤销) an honor issued within the caller's ``core.honor.manage`` reach."""
    if not within(row["issuing_path"], principal.reach(HONOR_MANAGE)):
        raise Problem("forbidden")
    if row["status"] == "revoked":
        return dict(row)
    await Honor.update({Honor.status: "revoked"}).where(Honor.id == row["id"]).run()
    new = {**row, "status": "revoked"}
    await audit.record(
        "honor.revoked",
        resource_type="honor",
        resource_id=row["id"],
        org_path=row["issuing_path"],
        changes={"reason": "given" if reason else ""},
        actor=principal,
    )
    await emit(
        sig.HONOR_REVOKED,
        _signal(new),
        resource_type="honor",
        resource_id=row["id"],
        org_path=row["issuing_path"],
    )
    return new


def _query(
    principal: Principal,
    *,
    org_path: str | None,
    subtree: bool,
    by: str,
    year: int | None,
    level: str | None,
    kind: str | None,
    status: str | None,
) -> Any | None:
    reaches = principal.reach(HONOR_READ)
    held = reach_clause(Honor.recipient_path, reaches)
    issued = reach_clause(Honor.issuing_path, reaches)
    if held is None or issued is None:
        return None
    query = Honor.select().where(held | issued)
    if org_path is not None:
        column = Honor.issuing_path if by == "issuer" else Honor.recipient_path
        query = query.where(
            (column >= org_path) & (column < org_path + "~") if subtree else column == org_path
        )
    if year is not None:
        query = query.where(Honor.year == year)
    if level is not None:
        query = query.where(Honor.level == level)
    if kind is not None:
        query = query.where(Honor.recipient_kind == kind)
    if status is not None:
        query = query.where(Honor.status == status)
    return query


async def list_honors(
    principal: Principal, page: PageRequest, **filters: Any
) -> tuple[list[S.Honor], str | None]:
    """Honors of recipients (or, with ``by="issuer"``, issued by orgs) within the caller's reach."""
    query = _query(principal, **filters)
    if query is None:
        return [], None
    rows, cursor = await paginate(query, [Honor.created_at, Honor.id], page, descending=True)
    return [to_honor(r) for r in rows], cursor


async def mine(principal: Principal, page: PageRequest) -> tuple[list[S.Honor], str | None]:
    """The caller's own honors (as a person, or as a family's representative), newest first."""
    if principal.person_id is None:
        return [], None
    query = Honor.select().where((Honor.person == principal.person_id) & (Honor.status == "active"))
    rows, cursor = await paginate(query, [Honor.created_at, Honor.id], page, descending=True)
    return [to_honor(r) for r in rows], cursor


async def of_person(
    principal: Principal, person_id: UUID, page: PageRequest, *, timezone: str, status: str | None
) -> tuple[list[S.Honor], str | None]:
    """A person's honors as a cadre sees them: the person must be within the caller's ``core.honor.read``
    reach by the persons' visibility rules (home org, memberships, posts) — otherwise 404, whether or not
    the person exists. Every honor of the person is listed (revoked too, unless ``status`` filters)."""
    await find_visible(principal, HONOR_READ, person_id, timezone)
    query = Honor.select().where(Honor.person == person_id)
    if status is not None:
        query = query.where(Honor.status == status)
    rows, cursor = await paginate(query, [Honor.created_at, Honor.id], page, descending=True)
    return [to_honor(r) for r in rows], cursor


HEADER = {
    "zh-Hans": ["荣誉名称", "级别", "年度", "获得者类型", "获得者", "颁发组织", "来源", "状态", "备注"],
    "zh-Hant": ["榮譽名稱", "級別", "年度", "獲得者類型", "獲得者", "頒發組織", "來源", "狀態", "備註"],
    "en": ["Honor", "Level", "Year", "Recipient kind", "Recipient", "Issued by", "Source", "Status", "Note"],
}


async def export_rows(principal: Principal, **filters: Any) -> list[list[Any]]:
    """The rows of the XLSX export: every honor the list would show, up to :data:`EXPORT_LIMIT`."""
    query = _query(principal, **filters)
    if query is None:
        return []
    rows = (
        await query.order_by(Honor.year, ascending=False).order_by(Honor.created_at).limit(EXPORT_LIMIT).run()
    )
    issuers = {r["issuing_org"] for r in rows}
    names: dict[UUID, str] = {}
    if issuers:
        found = await Org.select(Org.id, Org.name).where(Org.id.is_in(list(issuers))).run()
        names = {o["id"]: o["name"] for o in found}

    def cells() -> Iterator[list[Any]]:
        for r in rows:
            yield [
                r["title"],
                r["level"],
                r["year"],
                r["recipient_kind"],
                r["recipient_name"],
                names.get(r["issuing_org"], ""),
                r["source"],
                r["status"],
                r["note"],
            ]

    return list(cells())
