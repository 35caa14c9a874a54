"""Branch life (组织生活, "三会两制一课"): the meetings a League branch holds, their attendance and
minutes, and each branch's compliance per quarter with the rules of ``rules.BRANCH_LIFE_RULES``.

The meetings are the core's events of the League's branch-life types (``event_types.BRANCH_LIFE_TYPES``):
a published one is remembered here (``quntuan_event_published``), a cancelled one stops counting
(``quntuan_event_cancelled``), and each check-in (``quntuan_checked_in``) is an attendance. The minutes
(会议记录) are written after the meeting through this module's routes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, put
from litestar.params import FromPath, JSONBody, QueryParameter

from core.sdk import (
    CheckInInfo,
    EventInfo,
    Org,
    PageParam,
    PageRequest,
    Problem,
    Text,
    current_principal,
    emit,
    encode_cursor,
    paginate,
    record_audit,
    register_field_code,
    register_problem,
    subtree_bounds,
    transaction,
    within,
)
from plugins.youth import permissions as P
from plugins.youth import rules, signals
from plugins.youth.branches import graduated_branches
from plugins.youth.event_types import BRANCH_LIFE_TYPES
from plugins.youth.routes import IfMatch, check_if_match, etag, now, org_in_reach
from plugins.youth.tables import YouthAttendance, YouthMeeting, YouthMember


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


MEETING_CHANGED = register_problem(
    "youth-meeting-changed",
    412,
    _t("会议记录已被修改", "會議記錄已被修改", "The meeting record changed"),
    _t(
        "会议记录已被他人修改，请刷新后重试。",
        "會議記錄已被他人修改，請重新整理後重試。",
        "The meeting record was changed by someone else; reload and try again.",
    ),
)
MEETING_CANCELLED = register_problem(
    "youth-meeting-cancelled",
    409,
    _t("会议已取消", "會議已取消", "The meeting was cancelled"),
    _t(
        "已取消的会议不能填写会议记录。",
        "已取消的會議不能填寫會議記錄。",
        "A cancelled meeting takes no minutes.",
    ),
)
for _code, _text in (
    (
        "youth_meeting_not_held",
        _t("会议尚未开始，会后再填写记录", "會議尚未開始，會後再填寫記錄", "The meeting has not begun"),
    ),
    ("youth_quarter", _t("季度格式应为 2026Q1", "季度格式應為 2026Q1", "A quarter is written 2026Q1")),
    ("youth_future_quarter", _t("季度尚未开始", "季度尚未開始", "The quarter has not begun")),
):
    register_field_code(_code, _text)

Quarter = Annotated[
    str | None,
    QueryParameter(name="quarter", description="YYYYQn, e.g. 2026Q4; the current quarter by default"),
]


def today(request: Request) -> dt.date:
    """The platform's today, in its time zone (Asia/Shanghai by default), not the machine's."""
    return local_now(request).date()


def local_now(request: Request) -> dt.datetime:
    return dt.datetime.now(zone(request))


def zone(request: Request) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(request.app.state.settings.timezone)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(request: Request, quarter: str | None) -> tuple[str, dt.datetime, dt.datetime]:
    """The quarter named (or the current one) and its first and next-quarter's first instants, in the
    platform's zone; a malformed or future quarter is a 422 on ``quarter``."""
    current = quarter_of(today(request))
    text = quarter or current
    if len(text) != 6 or text[4] not in "Qq" or not text[:4].isdigit() or text[5] not in "1234":
        raise Problem.invalid(("/quarter", "youth_quarter"))
    year, number = int(text[:4]), int(text[5])
    text = f"{year}Q{number}"
    if year < 1950 or (year, number) > (int(current[:4]), int(current[5])):
        raise Problem.invalid(("/quarter", "youth_future_quarter"))
    tz = zone(request)
    start = dt.datetime(year, 3 * number - 2, 1, tzinfo=tz)
    end = dt.datetime(year + (number == 4), 1 if number == 4 else 3 * number + 1, 1, tzinfo=tz)
    return text, start, end


# --- remembered from the core's events ------------------------------------------------------------


async def remember_meeting(event: EventInfo) -> None:
    """``quntuan_event_published``: keep a branch-life event of a League org for attendance and
    compliance (an event of another kind of org is not the League's branch life)."""
    if event.type not in BRANCH_LIFE_TYPES:
        return
    org = await Org.select(Org.path, Org.kind).where(Org.id == event.org_id).first().run()
    if org is None or not org["kind"].startswith("youth."):
        return
    async with transaction():
        if await YouthMeeting.exists().where(YouthMeeting.id == event.id).run():
            await (
                YouthMeeting.update({YouthMeeting.status: "held", YouthMeeting.starts_at: event.starts_at})
                .where(YouthMeeting.id == event.id)
                .run()
            )
            return
        await YouthMeeting.insert(
            YouthMeeting(
                id=event.id,
                type=event.type,
                org=event.org_id,
                org_path=org["path"],
                title=event.title[:200],
                starts_at=event.starts_at,
                status="held",
            )
        ).run()


async def forget_meeting(event: EventInfo) -> None:
    """``quntuan_event_cancelled``: a cancelled meeting no longer counts."""
    if event.type not in BRANCH_LIFE_TYPES:
        return
    async with transaction():
        await YouthMeeting.update({YouthMeeting.status: "cancelled"}).where(YouthMeeting.id == event.id).run()


async def record_attendance(checkin: CheckInInfo) -> None:
    """``quntuan_checked_in``: an attendee checked in to a branch-life meeting attended it (出席)."""
    meeting = (
        await YouthMeeting.select(YouthMeeting.org_path)
        .where(YouthMeeting.id == checkin.event_id)
        .first()
        .run()
    )
    if meeting is None:
        return
    key = f"{checkin.event_id}:{checkin.person_id}"
    async with transaction():
        if await YouthAttendance.exists().where(YouthAttendance.key == key).run():
            return
        await YouthAttendance.insert(
            YouthAttendance(
                event=checkin.event_id,
                person=checkin.person_id,
                key=key,
                org_path=meeting["org_path"],
                checked_in_at=checkin.checked_in_at,
            )
        ).run()


# --- schemas --------------------------------------------------------------------------------------


class MeetingOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID  #: the core event's id
    type: str
    org: uuid.UUID
    title: str
    starts_at: dt.datetime
    #: held or cancelled
    status: str
    #: Persons checked in; of them, the branch's active members; and the branch's active members.
    attended: int
    members_attended: int
    members: int
    #: Share of the branch's members who attended (0–1).
    attendance_rate: float
    minutes: str
    resolutions: list[str]
    minutes_at: dt.datetime | None
    version: int


class MeetingDetail(MeetingOut, kw_only=True):
    #: The persons checked in, in the order they came.
    attendees: list[uuid.UUID]
    #: The branch's active members who did not check in (缺席).
    absent_members: list[uuid.UUID]


class MinutesIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The minutes (会议记录) of a meeting that took place, and its decisions, one line each."""

    minutes: Annotated[str, msgspec.Meta(min_length=1, max_length=20000)]
    resolutions: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=500)]], msgspec.Meta(max_length=50)
    ] = []


class MeetingPage(msgspec.Struct, kw_only=True):
    items: list[MeetingOut]
    next_cursor: str | None


class RuleOut(msgspec.Struct, kw_only=True):
    type: str
    #: monthly (one in every month of the quarter) or quarterly (one in the quarter)
    frequency: str
    #: Periods of the quarter that need a meeting: 3 months, or the quarter.
    periods: int


class TypeFigure(msgspec.Struct, kw_only=True):
    type: str
    #: Meetings of the type held in the quarter.
    held: int
    #: Periods (months, or the quarter) with at least one; and how many the rule asks for.
    periods_met: int
    periods_required: int
    met: bool


class BranchCompliance(msgspec.Struct, kw_only=True):
    org: uuid.UUID
    name: str
    compliant: bool
    #: The required types the branch fell short of over the whole quarter.
    short: list[str]
    #: Of those, the ones already missed: a month of the quarter over without its monthly meeting, or
    #: the quarter over without its quarterly one (for a past quarter, the same as ``short``).
    behind: list[str]
    figures: list[TypeFigure]


class ComplianceReport(msgspec.Struct, kw_only=True):
    """三会两制一课 per branch of a subtree for one quarter: what each held against the rules."""

    org: uuid.UUID
    quarter: str
    starts_on: dt.date
    ends_on: dt.date
    #: The quarter is still running: months to come may still be met.
    in_progress: bool
    rules: list[RuleOut]
    #: Over the whole subtree (not only this page): branches, and those meeting every rule.
    branches: int
    compliant: int
    items: list[BranchCompliance]
    next_cursor: str | None


# --- reading --------------------------------------------------------------------------------------


async def _branch_members(org_ids: list[Any]) -> dict[Any, set[Any]]:
    rows = (
        await YouthMember.select(YouthMember.org, YouthMember.person)
        .where(YouthMember.org.is_in(org_ids or [uuid.uuid4()]) & (YouthMember.status == "active"))
        .run()
    )
    found: dict[Any, set[Any]] = {}
    for r in rows:
        found.setdefault(r["org"], set()).add(r["person"])
    return found


async def _attendance(event_ids: list[Any]) -> dict[Any, list[Any]]:
    rows = (
        await YouthAttendance.select(YouthAttendance.event, YouthAttendance.person)
        .where(YouthAttendance.event.is_in(event_ids or [uuid.uuid4()]))
        .order_by(YouthAttendance.checked_in_at)
        .run()
    )
    found: dict[Any, list[Any]] = {}
    for r in rows:
        found.setdefault(r["event"], []).append(r["person"])
    return found


def _meeting_out(row: dict[str, Any], attendees: list[Any], members: set[Any]) -> dict[str, Any]:
    present = sum(1 for p in attendees if p in members)
    return {
        "id": row["id"],
        "type": row["type"],
        "org": row["org"],
        "title": row["title"],
        "starts_at": row["starts_at"],
        "status": row["status"],
        "attended": len(attendees),
        "members_attended": present,
        "members": len(members),
        "attendance_rate": round(present / len(members), 4) if members else 0.0,
        "minutes": row["minutes"],
        "resolutions": list(row["resolutions"] or []),
        "minutes_at": row["minutes_at"],
        "version": row["version"],
    }


async def _meeting(request: Request, event_id: uuid.UUID, permission: str) -> dict[str, Any]:
    row = await YouthMeeting.select().where(YouthMeeting.id == event_id).first().run()
    if row is None or not within(row["org_path"], current_principal(request).reach(permission)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def _detail(row: dict[str, Any]) -> MeetingDetail:
    attendees = (await _attendance([row["id"]])).get(row["id"], [])
    members = (await _branch_members([row["org"]])).get(row["org"], set())
    seen = set(attendees)
    return MeetingDetail(
        **_meeting_out(row, attendees, members),
        attendees=attendees,
        absent_members=sorted((p for p in members if p not in seen), key=str),
    )


def compliance_of(
    meetings: list[dict[str, Any]], start: dt.datetime, tz: Any, moment: dt.datetime
) -> tuple[list[TypeFigure], list[str], list[str]]:
    """One branch's figures for the quarter beginning at ``start`` from its held meetings, the required
    types it fell short of over the whole quarter, and those already behind at ``moment`` (a month of
    the quarter over without its monthly meeting, or the quarter over without its quarterly one)."""
    figures, short, behind = [], [], []
    months = [dt.datetime(start.year, start.month + i, 1, tzinfo=tz) for i in range(3)]
    quarter_end = dt.datetime(
        start.year + (start.month == 10), 1 if start.month == 10 else start.month + 3, 1, tzinfo=tz
    )
    month_ends = [*months[1:], quarter_end]
    for type_code, frequency in rules.BRANCH_LIFE_RULES.items():
        mine = [m for m in meetings if m["type"] == type_code]
        if frequency == "monthly":
            held_in = {m["starts_at"].astimezone(tz).month for m in mine}
            required, met = 3, len(held_in & {m.month for m in months})
            late = any(
                end <= moment and first.month not in held_in
                for first, end in zip(months, month_ends, strict=True)
            )
        else:
            required, met = 1, min(len(mine), 1)
            late = quarter_end <= moment and met < 1
        figures.append(
            TypeFigure(
                type=type_code,
                held=len(mine),
                periods_met=met,
                periods_required=required,
                met=met >= required,
            )
        )
        if met < required:
            short.append(type_code)
        if late:
            behind.append(type_code)
    return figures, short, behind


class YouthMeetingController(Controller):
    path = "/meetings"

    @get(
        "/",
        opt={"permission": P.LIFE_READ},
        summary="组织生活会议",
        description="某团组织及下级某季度（默认本季度）召开的支部大会、支委会、团小组会、团课与主题团日，"
        "按开始时间排列，附出席人数与会议记录；可按类型筛选。",
        summary_en="Branch-life meetings",
        description_en="The branch-life meetings (general meetings, committee and group meetings, lectures, "
        "theme days) of an org's subtree in a quarter (the current one by default), by start, with attendance "
        "and minutes; filter by type.",
    )
    async def youth_list_meetings(
        self,
        request: Request,
        page: PageParam,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
        quarter: Quarter = None,
        type_code: Annotated[str | None, QueryParameter(name="type", max_length=40)] = None,
    ) -> MeetingPage:
        org = await org_in_reach(request, org_id, P.LIFE_READ)
        _, start, end = quarter_bounds(request, quarter)
        if type_code is not None and type_code not in BRANCH_LIFE_TYPES:
            raise Problem.invalid(("/type", "invalid"))
        low, high = subtree_bounds(org["path"])
        where = (
            (YouthMeeting.org_path >= low)
            & (YouthMeeting.org_path < high)
            & (YouthMeeting.starts_at >= start)
            & (YouthMeeting.starts_at < end)
        )
        if type_code is not None:
            where &= YouthMeeting.type == type_code
        rows, cursor = await paginate(
            YouthMeeting.select().where(where), [YouthMeeting.starts_at, YouthMeeting.id], page
        )
        attendance = await _attendance([r["id"] for r in rows])
        members = await _branch_members(list({r["org"] for r in rows}))
        return MeetingPage(
            items=[
                MeetingOut(**_meeting_out(r, attendance.get(r["id"], []), members.get(r["org"], set())))
                for r in rows
            ],
            next_cursor=cursor,
        )

    @get(
        "/{event_id:uuid}",
        opt={"permission": P.LIFE_READ},
        summary="查看组织生活会议",
        description="一次组织生活会议：出席者、缺席的本支部团员、出席率与会议记录（ETag 供填写记录时使用）。",
        summary_en="A branch-life meeting",
        description_en="One meeting: who attended, the branch members absent, the attendance rate and the "
        "minutes (its ETag for recording them).",
    )
    async def youth_get_meeting(
        self, request: Request, event_id: FromPath[uuid.UUID]
    ) -> Response[MeetingDetail]:
        row = await _meeting(request, event_id, P.LIFE_READ)
        return Response(await _detail(row), headers={"ETag": etag(row["version"])})

    @put(
        "/{event_id:uuid}/minutes",
        opt={"permission": P.LIFE_MANAGE},
        summary="填写会议记录（须 If-Match）",
        description="会后填写会议记录与决议；会议开始前或已取消的会议不能填写；须带 If-Match，写入审计并发出信号。",
        summary_en="Record the minutes (If-Match)",
        description_en="Records the minutes and decisions after the meeting began; not for a cancelled or "
        "future meeting; needs If-Match; audited and signalled.",
    )
    async def youth_record_minutes(
        self,
        request: Request,
        event_id: FromPath[uuid.UUID],
        data: JSONBody[MinutesIn],
        if_match: IfMatch = None,
    ) -> Response[MeetingDetail]:
        async with transaction():
            row = await _meeting(request, event_id, P.LIFE_MANAGE)
            check_if_match(row["version"], if_match, MEETING_CHANGED)
            if row["status"] == "cancelled":
                raise Problem(MEETING_CANCELLED)
            if row["starts_at"] > now():
                raise Problem.invalid(("/minutes", "youth_meeting_not_held"))
            stamp = now()
            row = {
                **row,
                "minutes": data.minutes,
                "resolutions": list(data.resolutions),
                "minutes_at": stamp,
                "version": row["version"] + 1,
            }
            await (
                YouthMeeting.update(
                    {
                        YouthMeeting.minutes: data.minutes,
                        YouthMeeting.resolutions: list(data.resolutions),
                        YouthMeeting.minutes_at: stamp,
                        YouthMeeting.version: row["version"],
                    }
                )
                .where(YouthMeeting.id == event_id)
                .run()
            )
            await record_audit(
                "youth.meeting.minutes_recorded",
                resource_type="youth.meeting",
                resource_id=event_id,
                org_path=row["org_path"],
                changes={"resolutions": len(data.resolutions)},
            )
            await emit(
                signals.MINUTES_RECORDED,
                signals.MeetingChanged(event_id=str(event_id), org_id=str(row["org"]), type=row["type"]),
                resource_type="youth.meeting",
                resource_id=event_id,
                org_path=row["org_path"],
            )
        return Response(await _detail(row), headers={"ETag": etag(row["version"])})

    @get(
        "/compliance",
        opt={"permission": P.LIFE_READ},
        summary="三会两制一课落实情况",
        description="某团组织下级各团支部某季度（默认本季度）召开各类组织生活会议的次数与规定要求的对照"
        "（如支委会、团小组会每月一次，支部大会、团课每季度一次），列出未达标的类型；short=true 只列未达标的团支部。",
        summary_en="Branch-life compliance",
        description_en="Per branch of an org's subtree, the meetings of each type held in a quarter (the current "
        "one by default) against the rules (e.g. committee and group meetings monthly, general meetings and "
        "lectures quarterly) and the types fallen short of; short=true lists only the branches that fall short.",
    )
    async def youth_compliance(
        self,
        request: Request,
        page: PageParam,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
        quarter: Quarter = None,
        short_only: Annotated[bool, QueryParameter(name="short")] = False,
    ) -> ComplianceReport:
        org = await org_in_reach(request, org_id, P.LIFE_READ)
        text, start, end = quarter_bounds(request, quarter)
        report = await branch_compliance(org["path"], start, end, zone(request))
        rows = [(path, r) for path, r in report if not (short_only and r.compliant)]
        return ComplianceReport(
            org=org_id,
            quarter=text,
            starts_on=start.date(),
            ends_on=(end - dt.timedelta(days=1)).date(),
            in_progress=local_now(request) < end,
            rules=[
                RuleOut(type=t, frequency=f, periods=3 if f == "monthly" else 1)
                for t, f in rules.BRANCH_LIFE_RULES.items()
            ],
            branches=len(report),
            compliant=sum(r.compliant for _, r in report),
            **page_by_path(rows, page),
        )


async def branch_compliance(
    org_path: str, start: dt.datetime, end: dt.datetime, tz: Any
) -> list[tuple[str, BranchCompliance]]:
    """Every branch of the subtree at ``org_path`` (with its path) and its figures for the quarter, by
    path: a few reads (the branches, the quarter's held meetings, the graduated ones) however large the
    subtree. A meeting counts once it has begun; one still to come this quarter does not. Graduated
    branches are left out."""
    low, high = subtree_bounds(org_path)
    branches = (
        await Org.select(Org.id, Org.name, Org.path)
        .where(
            (Org.path >= low) & (Org.path < high) & (Org.kind == "youth.branch") & (Org.status == "active")
        )
        .order_by(Org.path)
        .run()
    )
    held = (
        await YouthMeeting.select(YouthMeeting.org, YouthMeeting.type, YouthMeeting.starts_at)
        .where(
            (YouthMeeting.org_path >= low)
            & (YouthMeeting.org_path < high)
            & (YouthMeeting.status == "held")
            & (YouthMeeting.starts_at >= start)
            & (YouthMeeting.starts_at < min(end, now()))
        )
        .run()
    )
    by_org: dict[Any, list[dict[str, Any]]] = {}
    for m in held:
        by_org.setdefault(m["org"], []).append(m)
    graduated = await graduated_branches([b["id"] for b in branches])
    out = []
    for b in branches:
        if b["id"] in graduated:
            continue  # a graduated class's branch holds no more branch life
        figures, short, behind = compliance_of(by_org.get(b["id"], []), start, tz, dt.datetime.now(tz))
        out.append(
            (
                b["path"],
                BranchCompliance(
                    org=b["id"],
                    name=b["name"],
                    compliant=not short,
                    short=short,
                    behind=behind,
                    figures=figures,
                ),
            )
        )
    return out


def page_by_path(rows: list[tuple[str, Any]], page: PageRequest) -> dict[str, Any]:
    """One page of a report computed whole, keyed by org path: ``items`` and ``next_cursor``."""
    after = page.after
    if after is not None and (len(after) != 1 or not isinstance(after[0], str)):
        raise Problem("invalid-cursor")
    rest = [(path, item) for path, item in rows if after is None or path > after[0]]
    items = rest[: page.limit]
    cursor = encode_cursor([items[-1][0]]) if len(rest) > page.limit else None
    return {"items": [item for _, item in items], "next_cursor": cursor}
