"""Volunteers (志愿者): registration, service hours credited from attended volunteer events (confirmed by
the organizers), certificates of hours and totals per person and org.

A published ``youth.volunteer_service`` event is remembered with its hours (``quntuan_event_published``);
each attendee checked in is credited them, pending (``quntuan_checked_in``); an organizer of the event's
org confirms or rejects the hours; only confirmed hours count in certificates and totals.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from core.sdk import (
    CheckInInfo,
    EventInfo,
    Org,
    Problem,
    Text,
    current_principal,
    emit,
    record_audit,
    register_field_code,
    register_problem,
    subtree_bounds,
    transaction,
    within,
)
from plugins.youth import permissions as P
from plugins.youth import signals
from plugins.youth.numbers import issue_member_number
from plugins.youth.routes import now, org_in_reach
from plugins.youth.tables import YouthServiceEvent, YouthServiceHours, YouthVolunteer

VOLUNTEER_TYPE = "youth.volunteer_service"


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


ALREADY_VOLUNTEER = register_problem(
    "youth-already-volunteer",
    409,
    _t("已注册为志愿者", "已註冊為志願者", "Already a registered volunteer"),
    _t("每人只注册一次志愿者。", "每人只註冊一次志願者。", "A person registers as a volunteer once."),
)
NOT_VOLUNTEER_EVENT = register_problem(
    "youth-not-volunteer-event",
    404,
    _t("不是志愿服务活动", "不是志願服務活動", "Not a volunteer event"),
    _t(
        "该活动不是已发布的志愿服务活动。",
        "該活動不是已發布的志願服務活動。",
        "The event is no published volunteer service.",
    ),
)
register_field_code("youth_not_league_org", _t("须为团组织", "須為團組織", "Must be a League org"))


class VolunteerIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Register oneself as a volunteer with a League org (团委 or 团支部)."""

    org: uuid.UUID


class VolunteerOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    person: uuid.UUID
    org: uuid.UUID
    number: str
    registered_at: dt.datetime


class HoursOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    event: uuid.UUID
    person: uuid.UUID
    hours: str
    status: str
    checked_in_at: dt.datetime


class HoursDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Confirm or reject the pending hours of an event: those of ``persons``, or all of them."""

    decision: Literal["confirm", "reject"]
    persons: Annotated[list[uuid.UUID], msgspec.Meta(max_length=2000)] | None = None


class HoursDecided(msgspec.Struct, kw_only=True):
    decided: int


class YouthCertificate(msgspec.Struct, kw_only=True):
    """志愿服务时长证明: the confirmed hours of a person, event by event, with a verifiable number."""

    person: uuid.UUID
    volunteer_number: str | None
    total_hours: str
    services: int
    entries: list[HoursOut]
    issued_at: dt.datetime
    certificate_number: str


class HoursTotals(msgspec.Struct, kw_only=True):
    org: uuid.UUID
    volunteers: int
    persons_served: int
    confirmed_hours: str
    pending_hours: str


def _hours_out(row: dict[str, Any]) -> HoursOut:
    return HoursOut(
        id=row["id"],
        event=row["event"],
        person=row["person"],
        hours=row["hours"],
        status=row["status"],
        checked_in_at=row["checked_in_at"],
    )


async def remember_event(event: EventInfo) -> None:
    """``quntuan_event_published``: keep a volunteer event's hours for the check-ins to come."""
    if event.type != VOLUNTEER_TYPE:
        return
    org = await Org.select(Org.path).where(Org.id == event.org_id).first().run()
    if org is None:
        return
    details = event.details or {}
    async with transaction():
        if await YouthServiceEvent.exists().where(YouthServiceEvent.id == event.id).run():
            return
        await YouthServiceEvent.insert(
            YouthServiceEvent(
                id=event.id,
                org=event.org_id,
                org_path=org["path"],
                hours=str(Decimal(str(details.get("hours", 0))).quantize(Decimal("0.1"))),
                field=str(details.get("field", ""))[:50],
            )
        ).run()


async def credit_hours(checkin: CheckInInfo) -> None:
    """``quntuan_checked_in``: an attendee of a volunteer event is credited its hours, pending."""
    event = await YouthServiceEvent.select().where(YouthServiceEvent.id == checkin.event_id).first().run()
    if event is None:
        return
    key = f"{checkin.event_id}:{checkin.person_id}"
    async with transaction():
        if await YouthServiceHours.exists().where(YouthServiceHours.key == key).run():
            return
        row_id = uuid.uuid4()
        await YouthServiceHours.insert(
            YouthServiceHours(
                id=row_id,
                event=checkin.event_id,
                person=checkin.person_id,
                key=key,
                org_path=event["org_path"],
                hours=event["hours"],
                status="pending",
                checked_in_at=checkin.checked_in_at,
            )
        ).run()
        await record_audit(
            "youth.hours.credited",
            resource_type="youth.hours",
            resource_id=row_id,
            org_path=event["org_path"],
            changes={"event": checkin.event_id, "hours": event["hours"]},
        )
        await emit(
            signals.HOURS_CHANGED,
            signals.HoursChanged(hours_id=str(row_id), event_id=str(checkin.event_id), status="pending"),
            resource_type="youth.hours",
            resource_id=row_id,
            org_path=event["org_path"],
        )


async def certificate_of(person: uuid.UUID) -> YouthCertificate:
    rows = (
        await YouthServiceHours.select()
        .where((YouthServiceHours.person == person) & (YouthServiceHours.status == "confirmed"))
        .order_by(YouthServiceHours.checked_in_at)
        .run()
    )
    volunteer = (
        await YouthVolunteer.select(YouthVolunteer.number)
        .where(YouthVolunteer.person == person)
        .first()
        .run()
    )
    total = sum((Decimal(r["hours"]) for r in rows), Decimal("0.0"))
    issued = now()
    return YouthCertificate(
        person=person,
        volunteer_number=volunteer["number"] if volunteer else None,
        total_hours=str(total),
        services=len(rows),
        entries=[_hours_out(r) for r in rows],
        issued_at=issued,
        certificate_number=f"VH{issued:%Y%m%d}{uuid.uuid5(uuid.NAMESPACE_URL, f'{person}:{total}:{len(rows)}').hex[:10].upper()}",
    )


class YouthVolunteerController(Controller):
    path = "/volunteers"

    @post(
        "/me",
        opt={"policy": "self"},
        summary="注册志愿者",
        description="本人注册为志愿者，选择服务的团组织，获得志愿者编号；每人一次。",
        summary_en="Register as a volunteer",
        description_en="The caller registers as a volunteer with a League org and gets a volunteer number; once.",
    )
    async def youth_register_volunteer(self, request: Request, data: JSONBody[VolunteerIn]) -> VolunteerOut:
        person = current_principal(request).person_id
        if person is None:
            raise Problem("forbidden")
        async with transaction():
            org = (
                await Org.select(Org.id, Org.path, Org.kind, Org.status)
                .where(Org.id == data.org)
                .first()
                .run()
            )
            if org is None or org["status"] != "active":
                raise Problem.invalid(("/org", "invalid"))
            if not org["kind"].startswith("youth."):
                raise Problem.invalid(("/org", "youth_not_league_org"))
            if await YouthVolunteer.exists().where(YouthVolunteer.person == person).run():
                raise Problem(ALREADY_VOLUNTEER)
            number = "V" + (await issue_member_number(now().year))[1:]
            row = {
                "id": uuid.uuid4(),
                "person": person,
                "org": data.org,
                "org_path": org["path"],
                "number": number,
                "registered_at": now(),
            }
            await YouthVolunteer.insert(YouthVolunteer(**row)).run()
            await record_audit(
                "youth.volunteer.registered",
                resource_type="youth.volunteer",
                resource_id=row["id"],
                org_path=org["path"],
            )
            await emit(
                signals.VOLUNTEER_REGISTERED,
                signals.MemberChanged(member_id=str(row["id"]), org_id=str(data.org), status="active"),
                resource_type="youth.volunteer",
                resource_id=row["id"],
                org_path=org["path"],
            )
        return VolunteerOut(**{k: v for k, v in row.items() if k != "org_path"})

    @get(
        "/me/certificate",
        opt={"policy": "self"},
        summary="我的志愿服务时长证明",
        description="本人经组织者确认的志愿服务时长，逐项列出，附证明编号。",
        summary_en="My certificate of hours",
        description_en="The caller's confirmed volunteer hours, service by service, with a certificate number.",
    )
    async def youth_my_certificate(self, request: Request) -> YouthCertificate:
        person = current_principal(request).person_id
        if person is None:
            raise Problem("not-found")
        return await certificate_of(person)

    @get(
        "/events/{event_id:uuid}/hours",
        opt={"permission": P.VOLUNTEER_READ},
        summary="活动的志愿服务时长",
        description="某志愿服务活动签到者获记的时长及确认状态。",
        summary_en="Hours of a volunteer event",
        description_en="The hours credited to a volunteer event's attendees, and whether they are confirmed.",
    )
    async def youth_event_hours(self, request: Request, event_id: FromPath[uuid.UUID]) -> list[HoursOut]:
        event = await YouthServiceEvent.select().where(YouthServiceEvent.id == event_id).first().run()
        if event is None or not within(event["org_path"], current_principal(request).reach(P.VOLUNTEER_READ)):
            raise Problem(NOT_VOLUNTEER_EVENT)
        rows = (
            await YouthServiceHours.select()
            .where(YouthServiceHours.event == event_id)
            .order_by(YouthServiceHours.checked_in_at)
            .run()
        )
        return [_hours_out(r) for r in rows]

    @post(
        "/events/{event_id:uuid}/hours/decision",
        opt={"permission": P.VOLUNTEER_CONFIRM},
        summary="确认志愿服务时长",
        description="活动组织者确认或驳回签到者的待确认时长（指定人员或全部）；只有确认的时长计入证明与统计。",
        summary_en="Confirm volunteer hours",
        description_en="The organizer confirms or rejects the pending hours of the attendees (those named, or all); "
        "only confirmed hours count in certificates and totals.",
    )
    async def youth_decide_hours(
        self, request: Request, event_id: FromPath[uuid.UUID], data: JSONBody[HoursDecision]
    ) -> HoursDecided:
        async with transaction():
            event = await YouthServiceEvent.select().where(YouthServiceEvent.id == event_id).first().run()
            if event is None or not within(
                event["org_path"], current_principal(request).reach(P.VOLUNTEER_CONFIRM)
            ):
                raise Problem(NOT_VOLUNTEER_EVENT)
            where = (YouthServiceHours.event == event_id) & (YouthServiceHours.status == "pending")
            if data.persons is not None:
                if not data.persons:
                    return HoursDecided(decided=0)
                where &= YouthServiceHours.person.is_in(data.persons)
            rows = await YouthServiceHours.select(YouthServiceHours.id).where(where).run()
            status = "confirmed" if data.decision == "confirm" else "rejected"
            ids = [r["id"] for r in rows]
            if ids:
                await (
                    YouthServiceHours.update(
                        {YouthServiceHours.status: status, YouthServiceHours.decided_at: now()}
                    )
                    .where(YouthServiceHours.id.is_in(ids))
                    .run()
                )
            await record_audit(
                "youth.hours.decided",
                resource_type="youth.service_event",
                resource_id=event_id,
                org_path=event["org_path"],
                changes={"decision": data.decision, "hours": ids},
            )
            for row_id in ids:
                await emit(
                    signals.HOURS_CHANGED,
                    signals.HoursChanged(hours_id=str(row_id), event_id=str(event_id), status=status),
                    resource_type="youth.hours",
                    resource_id=row_id,
                    org_path=event["org_path"],
                )
        return HoursDecided(decided=len(ids))

    @get(
        "/totals",
        opt={"permission": P.VOLUNTEER_READ},
        summary="志愿服务统计",
        description="某团组织及下级的注册志愿者人数、参与服务人数与确认、待确认时长合计。",
        summary_en="Volunteer totals",
        description_en="An org subtree's registered volunteers, persons who served and confirmed and pending hours.",
    )
    async def youth_volunteer_totals(
        self,
        request: Request,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
    ) -> HoursTotals:
        org = await org_in_reach(request, org_id, P.VOLUNTEER_READ)
        low, high = subtree_bounds(org["path"])
        volunteers = (
            await YouthVolunteer.count()
            .where((YouthVolunteer.org_path >= low) & (YouthVolunteer.org_path < high))
            .run()
        )
        rows = (
            await YouthServiceHours.select(
                YouthServiceHours.person, YouthServiceHours.hours, YouthServiceHours.status
            )
            .where((YouthServiceHours.org_path >= low) & (YouthServiceHours.org_path < high))
            .run()
        )
        confirmed = [r for r in rows if r["status"] == "confirmed"]
        return HoursTotals(
            org=org_id,
            volunteers=volunteers,
            persons_served=len({r["person"] for r in confirmed}),
            confirmed_hours=str(sum((Decimal(r["hours"]) for r in confirmed), Decimal("0.0"))),
            pending_hours=str(
                sum((Decimal(r["hours"]) for r in rows if r["status"] == "pending"), Decimal("0.0"))
            ),
        )
