"""Public notices (公示) and objections (异议).

A notice belongs to an org and is public to every logged-in caller (and, through the public
``notice.published`` signal, to the portal feeds of the org's subtree). Its entries hold masked values
only: a name as 张*三, an ID number as 110101********1234, never the clear value. During the window
(``opens_at`` ≤ now < ``closes_at``) any logged-in person may object; an objection to a process's
notice holds or reopens that process (the type says which), and resolving the last pending objection
releases a held process. Notices stay readable after their window, with their objections' outcome.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from core.identity import audit
from core.identity.tables import Person
from core.integration.signals import emit
from core.kernel.access import Principal, within
from core.kernel.declarations.processes import ProcessType
from core.kernel.errors import Problem
from core.kernel.pagination import PageRequest, paginate
from core.kernel.vault import mask_id_number, mask_phone, normalise_id_number, normalise_phone
from core.orgs.tables import Org
from core.processes import problems
from core.processes import schemas as S
from core.processes import signals as sig
from core.processes.machine import Env, now, utc
from core.processes.permissions import NOTICE_MANAGE
from core.processes.tables import Notice, NoticeEntry, Objection


def mask_name(name: str) -> str:
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明."""
    name = name.strip()
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def notice_status(row: Mapping[str, Any], moment: datetime) -> str:
    if row["status"] == "withdrawn":
        return "withdrawn"
    return "open" if utc(row["opens_at"]) <= moment < utc(row["closes_at"]) else "closed"  # type: ignore[operator]


async def _outcome(row: Mapping[str, Any], status: str) -> str | None:
    if status != "closed":
        return None
    rows = await Objection.select(Objection.status).where(Objection.notice == row["id"]).run()
    states = {r["status"] for r in rows}
    if "pending" in states:
        return "pending"
    return "objected" if "upheld" in states else "passed"


async def to_notice(row: Mapping[str, Any], moment: datetime | None = None) -> S.Notice:
    status = notice_status(row, moment or now())
    return S.Notice(
        id=row["id"],
        org_id=row["org"],
        title=row["title"],
        body=row["body"],
        kind=row["kind"],
        process_id=row["process"],
        opens_at=utc(row["opens_at"]),  # type: ignore[arg-type]
        closes_at=utc(row["closes_at"]),  # type: ignore[arg-type]
        status=status,  # type: ignore[arg-type]
        objection_count=row["objection_count"],
        outcome=await _outcome(row, status),
        version=row["version"],
    )


async def to_detail(row: Mapping[str, Any]) -> S.NoticeDetail:
    base = await to_notice(row)
    entries = (
        await NoticeEntry.select().where(NoticeEntry.notice == row["id"]).order_by(NoticeEntry.seq).run()
    )
    return S.NoticeDetail(
        **{f: getattr(base, f) for f in base.__struct_fields__},
        entries=[
            S.NoticeEntry(
                seq=e["seq"],
                name=e["name_masked"],
                unit=e["unit"],
                note=e["note"],
                amount=e["amount"],
                id_number=e["id_number_masked"],
                phone=e["phone_masked"],
            )
            for e in entries
        ],
    )


def _masked_entry(notice_id: UUID, seq: int, entry: S.NoticeEntryIn, locale: Any) -> NoticeEntry:
    id_number = phone = None
    if entry.id_number is not None:
        normal = normalise_id_number(entry.id_number)
        if normal is None:
            raise Problem.invalid((f"/entries/{seq - 1}/id_number", "invalid"), locale=locale)
        id_number = mask_id_number(normal)
    if entry.phone is not None:
        normal = normalise_phone(entry.phone)
        if normal is None:
            raise Problem.invalid((f"/entries/{seq - 1}/phone", "invalid"), locale=locale)
        phone = mask_phone(normal)
    return NoticeEntry(
        id=uuid4(),
        notice=notice_id,
        seq=seq,
        name_masked=mask_name(entry.name),
        unit=entry.unit,
        note=entry.note,
        amount=entry.amount,
        id_number_masked=id_number,
        phone_masked=phone,
    )


async def publish(
    env: Env,
    principal: Principal | None,
    *,
    org_id: UUID,
    title: str,
    body: str,
    kind: str,
    days: int,
    entries: Sequence[S.NoticeEntryIn],
    process_id: UUID | None = None,
    moment: datetime | None = None,
) -> dict[str, Any]:
    """Publish a notice of ``org_id`` (inside the caller's transaction); ``principal`` None is the system."""
    moment = moment or now()
    org = await Org.select(Org.id, Org.path, Org.status).where(Org.id == org_id).first().run()
    if org is None or org["status"] != "active":
        raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    # A step that publishes was allowed by the step's own rule; a notice by itself needs the permission.
    if (
        principal is not None
        and process_id is None
        and not within(org["path"], principal.reach(NOTICE_MANAGE))
    ):
        raise Problem("forbidden")
    row: dict[str, Any] = {
        "id": uuid4(),
        "org": org_id,
        "org_path": org["path"],
        "title": title,
        "body": body,
        "process": process_id,
        "kind": kind,
        "opens_at": moment,
        "closes_at": moment + timedelta(days=days),
        "status": "published",
        "objection_count": 0,
        "published_by": principal.id if principal is not None else UUID(int=0),
        "version": 1,
        "created_at": moment,
    }
    await Notice.insert(Notice(**row)).run()
    if entries:
        await NoticeEntry.insert(
            *[_masked_entry(row["id"], i, e, env.locale) for i, e in enumerate(entries, 1)]
        ).run()
    await audit.record(
        "notice.published",
        resource_type="notice",
        resource_id=row["id"],
        org_path=org["path"],
        changes={
            "kind": kind,
            "process_id": str(process_id) if process_id else None,
            "entries": len(entries),
        },
        actor=principal,
    )
    await emit(
        sig.NOTICE_PUBLISHED,
        sig.NoticeSignal(
            notice_id=row["id"],
            org_id=org_id,
            kind=kind,
            title=title,
            process_id=process_id,
            closes_at=row["closes_at"],
        ),
        resource_type="notice",
        resource_id=row["id"],
        org_path=org["path"],
    )
    return row


async def publish_for_process(
    env: Env,
    principal: Principal | None,
    process: Mapping[str, Any],
    ptype: ProcessType,
    *,
    title: str | None,
    body: str | None,
    moment: datetime,
) -> dict[str, Any]:
    """The notice a step publishes: the applicant (name masked) at the process's home org."""
    person = await Person.select(Person.name).where(Person.id == process["applicant"]).first().run()
    org = await Org.select(Org.name).where(Org.id == process["org"]).first().run()
    entry = S.NoticeEntryIn(name=(person or {}).get("name") or "—", unit=(org or {}).get("name") or "")
    return await publish(
        env,
        principal,
        org_id=process["org"],
        title=title or f"{ptype.name.zh_hans}公示",
        body=body or "",
        kind=ptype.code,
        days=ptype.notice_days,
        entries=[entry],
        process_id=process["id"],
        moment=moment,
    )


async def load(notice_id: UUID) -> dict[str, Any]:
    row = await Notice.select().where(Notice.id == notice_id).first().run()
    if row is None:
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def list_notices(
    org_path: str | None, subtree: bool, status: str | None, page: PageRequest, moment: datetime
) -> tuple[list[S.Notice], str | None]:
    """Notices newest first, of an org or its subtree (one range scan), optionally open or closed only."""
    query = Notice.select()
    if org_path is not None:
        query = query.where(
            (Notice.org_path >= org_path) & (Notice.org_path < org_path + "~")
            if subtree
            else Notice.org_path == org_path
        )
    if status == "open":
        query = query.where((Notice.status == "published") & (Notice.closes_at > moment))
    elif status == "closed":
        query = query.where((Notice.status == "published") & (Notice.closes_at <= moment))
    elif status == "withdrawn":
        query = query.where(Notice.status == "withdrawn")
    rows, cursor = await paginate(query, [Notice.created_at, Notice.id], page, descending=True)
    return [await to_notice(r, moment) for r in rows], cursor


async def withdraw(env: Env, principal: Principal | None, notice_id: UUID) -> dict[str, Any]:
    """Withdraw a notice; ``principal`` None is the system (e.g. the cancelled campaign it belongs to)."""
    row = await load(notice_id)
    if principal is not None and not within(row["org_path"], principal.reach(NOTICE_MANAGE)):
        raise Problem("forbidden")
    if row["status"] == "withdrawn":
        return row
    await (
        Notice.update({Notice.status: "withdrawn", Notice.version: row["version"] + 1})
        .where(Notice.id == notice_id)
        .run()
    )
    await audit.record(
        "notice.withdrawn", resource_type="notice", resource_id=notice_id, org_path=row["org_path"]
    )
    await emit(
        sig.NOTICE_WITHDRAWN,
        sig.NoticeSignal(
            notice_id=notice_id,
            org_id=row["org"],
            kind=row["kind"],
            title=row["title"],
            process_id=row["process"],
            closes_at=utc(row["closes_at"]),  # type: ignore[arg-type]
        ),
        resource_type="notice",
        resource_id=notice_id,
        org_path=row["org_path"],
    )
    return await load(notice_id)


def to_objection(row: Mapping[str, Any]) -> S.Objection:
    return S.Objection(
        id=row["id"],
        notice_id=row["notice"],
        person_id=row["person"],
        reason=row["reason"],
        status=row["status"],
        resolution=row["resolution"],
        created_at=utc(row["created_at"]),  # type: ignore[arg-type]
        resolved_at=utc(row["resolved_at"]),
    )


async def file_objection(
    env: Env, principal: Principal, notice_id: UUID, reason: str, moment: datetime | None = None
) -> dict[str, Any]:
    """Any logged-in person objects during the window; the linked process is held or reopened."""
    from core.processes import machine

    moment = moment or now()
    if principal.person_id is None:
        raise Problem(problems.NO_PERSON)
    row = await load(notice_id)
    if notice_status(row, moment) != "open":
        raise Problem(problems.NOTICE_CLOSED)
    objection: dict[str, Any] = {
        "id": uuid4(),
        "notice": notice_id,
        "person": principal.person_id,
        "account": principal.id,
        "reason": reason,
        "status": "pending",
        "resolution": "",
        "resolved_by": None,
        "created_at": moment,
        "resolved_at": None,
    }
    await Objection.insert(Objection(**objection)).run()
    await (
        Notice.update({Notice.objection_count: Notice.objection_count + 1})
        .where(Notice.id == notice_id)
        .run()
    )
    await audit.record(
        "objection.filed",
        resource_type="notice",
        resource_id=notice_id,
        org_path=row["org_path"],
        actor=principal,
    )
    await emit(
        sig.OBJECTION_FILED,
        sig.ObjectionSignal(
            notice_id=notice_id, objection_id=objection["id"], process_id=row["process"], status="pending"
        ),
        resource_type="notice",
        resource_id=notice_id,
        org_path=row["org_path"],
    )
    if row["process"] is not None:
        await machine.object_to(env, row["process"], notice_id, moment)
    return objection


async def resolve_objection(
    env: Env, principal: Principal, notice_id: UUID, objection_id: UUID, data: S.ObjectionResolve
) -> dict[str, Any]:
    from core.processes import machine

    moment = now()
    row = await load(notice_id)
    if not within(row["org_path"], principal.reach(NOTICE_MANAGE)):
        raise Problem("forbidden")
    objection = (
        await Objection.select()
        .where((Objection.id == objection_id) & (Objection.notice == notice_id))
        .first()
        .run()
    )
    if objection is None:
        raise Problem("not-found")
    done = (
        await Objection.update(
            {
                Objection.status: data.decision,
                Objection.resolution: data.resolution,
                Objection.resolved_by: principal.id,
                Objection.resolved_at: moment,
            }
        )
        .where((Objection.id == objection_id) & (Objection.status == "pending"))
        .returning(Objection.id)
        .run()
    )
    if not done:
        raise Problem(problems.OBJECTION_RESOLVED)
    await audit.record(
        "objection.resolved",
        resource_type="notice",
        resource_id=notice_id,
        org_path=row["org_path"],
        changes={"objection_id": str(objection_id), "decision": data.decision},
        actor=principal,
    )
    await emit(
        sig.OBJECTION_RESOLVED,
        sig.ObjectionSignal(
            notice_id=notice_id, objection_id=objection_id, process_id=row["process"], status=data.decision
        ),
        resource_type="notice",
        resource_id=notice_id,
        org_path=row["org_path"],
    )
    if row["process"] is not None:
        pending = (
            await Objection.count()
            .where((Objection.notice == notice_id) & (Objection.status == "pending"))
            .run()
        )
        if not pending:
            await machine.release(env, row["process"], principal, data.decision, moment)
    return await Objection.select().where(Objection.id == objection_id).first().run()  # type: ignore[no-any-return]


async def list_objections(
    principal: Principal, notice_id: UUID, page: PageRequest
) -> tuple[list[S.Objection], str | None]:
    row = await load(notice_id)
    query = Objection.select().where(Objection.notice == notice_id)
    if not within(row["org_path"], principal.reach(NOTICE_MANAGE)):
        if principal.person_id is None:
            return [], None
        query = query.where(Objection.person == principal.person_id)  # one's own objections only
    rows, cursor = await paginate(query, [Objection.created_at, Objection.id], page)
    return [to_objection(r) for r in rows], cursor
