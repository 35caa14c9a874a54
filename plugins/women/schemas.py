"""Request and response bodies of the women plugin's routes."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Role = Literal["chair", "vice_chair", "member"]
Duties = Annotated[str, msgspec.Meta(max_length=500)]
Label = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Note = Annotated[str, msgspec.Meta(max_length=2000)]
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]
ActivityKind = Literal["visit", "meeting", "training", "mediation", "publicity", "service", "other"]
Grade = Literal["excellent", "competent", "basically_competent", "incompetent"]


class WomenExecMemberCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Appoint a person an executive member (执委) of a federation for a term."""

    org_id: UUID
    person_id: UUID
    role: Role = "member"
    duties: Duties = ""
    term_start: dt.date
    term_end: dt.date


class WomenExecMemberUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields to change (send ``If-Match``); ``status`` ``ended`` ends the term early (卸任)."""

    role: Role | msgspec.UnsetType = msgspec.UNSET
    duties: Duties | msgspec.UnsetType = msgspec.UNSET
    term_end: dt.date | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "ended"] | msgspec.UnsetType = msgspec.UNSET


class WomenExecMember(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    person_id: UUID
    role: Role
    duties: str
    term_start: dt.date
    term_end: dt.date
    status: str
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class WomenContactCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Someone the member is responsible for (联系服务): a household (named by its label, e.g. 3组12号),
    a person (``person_id``) or an org (``org_id``)."""

    kind: Literal["household", "person", "org"]
    label: Label
    person_id: UUID | None = None
    org_id: UUID | None = None
    since: dt.date | None = None


class WomenContact(msgspec.Struct, kw_only=True):
    id: UUID
    member_id: UUID
    kind: str
    label: str
    person_id: UUID | None
    org_id: UUID | None
    since: dt.date


class WomenRecordCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An activity of the year (履职活动: ``code`` its kind, ``held_on`` its day) or the year's
    evaluation (年度评价: ``code`` the grade; one per member and year)."""

    year: Year
    kind: Literal["activity", "evaluation"]
    code: ActivityKind | Grade
    held_on: dt.date | None = None
    note: Note = ""


class WomenRecord(msgspec.Struct, kw_only=True):
    id: UUID
    member_id: UUID
    year: int
    kind: str
    code: str
    held_on: dt.date | None
    note: str
    created_at: dt.datetime


class WomenYearSummary(msgspec.Struct, kw_only=True):
    year: int
    activities: int
    by_kind: dict[str, int]
    evaluation: str | None


class WomenExecRecords(msgspec.Struct, kw_only=True):
    items: list[WomenRecord]
    years: list[WomenYearSummary]


class WomenShapeCount(msgspec.Struct, kw_only=True):
    kind: str
    level: str
    place: str
    count: int


class WomenOrgShape(msgspec.Struct, kw_only=True):
    """A subtree in the "1+10+95+N" form: the federation itself, the federations below it (streets,
    townships), the village and community federations, and the others (buildings, enterprises, parks,
    social organizations, women's groups). ``formula`` writes it out, e.g. ``1+10+95+23``."""

    org_id: UUID
    name: str
    federation: int
    federations_below: int
    communities: int
    others: int
    formula: str
    executives: int
    breakdown: list[WomenShapeCount]


Criterion = Literal[
    "low_income",  # 低收入
    "rural",  # 农村妇女
    "unemployed",  # 失业
    "age_18_55",  # 18–55 岁
    "disabled",  # 残疾
    "single_parent",  # 单亲母亲
    "returning_migrant",  # 返乡
]


class WomenProgramCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An empowerment program: who may enrol (``criteria``, all required), how many training sessions."""

    org_id: UUID
    kind: Literal["low_income", "entrepreneurship", "skills", "digital"]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    criteria: Annotated[list[Criterion], msgspec.Meta(max_length=7)] = []
    sessions: Annotated[int, msgspec.Meta(ge=1, le=500)] = 1
    starts_on: dt.date
    ends_on: dt.date


class WomenProgramFigures(msgspec.Struct, kw_only=True):
    enrolled: int
    completed: int
    dropped: int
    attendance_rate: float
    employed: int
    average_monthly_income: int | None


class WomenProgram(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    kind: str
    name: str
    criteria: list[str]
    sessions: int
    starts_on: dt.date
    ends_on: dt.date
    figures: WomenProgramFigures | None = None


class WomenEnrolmentCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Enrol a woman; ``criteria_met`` are the criteria the cadre confirmed, and must cover the program's."""

    person_id: UUID
    criteria_met: Annotated[list[Criterion], msgspec.Meta(max_length=7)] = []


class WomenAttendanceCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    attended_on: dt.date


class WomenEnrolmentUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The outcome (send ``If-Match``): employment after the program, monthly income in yuan, status."""

    employment: Literal["employed", "self_employed", "business", "none"] | msgspec.UnsetType = msgspec.UNSET
    monthly_income: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)] | msgspec.UnsetType = msgspec.UNSET
    status: Literal["enrolled", "completed", "dropped"] | msgspec.UnsetType = msgspec.UNSET


class WomenEnrolment(msgspec.Struct, kw_only=True):
    id: UUID
    program_id: UUID
    person_id: UUID
    criteria_met: list[str]
    attended: int
    last_attended: dt.date | None
    employment: str
    monthly_income: int | None
    status: str
    version: int
