"""Request and response bodies of the joint plugin (schema names carry the ``Joint`` prefix)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Long = Annotated[str, msgspec.Meta(max_length=5000)]
Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,63}$")]


class JointCouncilIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    name: Name
    description: Long = ""


class JointCouncilUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | None = None
    description: Long | None = None
    status: Literal["active", "dissolved"] | None = None


class JointRepresentativeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    person_id: UUID
    #: the post the person holds in the member org today (工会主席, 团委书记, 妇联主席…).
    post_title: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class JointMemberIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    role: Literal["convenor", "member"] = "member"
    representative: JointRepresentativeIn | None = None


class JointMember(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    org_name: str
    org_kind: str
    #: the plugin owning the member org's kind (``core`` for the Party's own).
    plugin: str
    role: str
    representative_id: UUID | None
    post_title: str


class JointCouncil(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    name: str
    description: str
    status: str
    version: int
    created_at: datetime


class JointCouncilDetail(JointCouncil, kw_only=True):
    members: list[JointMember]
    tasks_open: int
    tasks_overdue: int
    tasks_completed: int


class JointMeetingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name
    starts_at: datetime
    place: Annotated[str, msgspec.Meta(max_length=300)] = ""
    agenda: Annotated[list[Name], msgspec.Meta(max_length=50)] = msgspec.field(default_factory=list)


class JointMeetingUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name | None = None
    starts_at: datetime | None = None
    place: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    agenda: Annotated[list[Name], msgspec.Meta(max_length=50)] | None = None
    minutes: Annotated[str, msgspec.Meta(max_length=20000)] | None = None
    #: the member orgs (org ids) that attended.
    attendance: Annotated[list[UUID], msgspec.Meta(max_length=200)] | None = None
    status: Literal["scheduled", "held", "cancelled"] | None = None


class JointMeeting(msgspec.Struct, kw_only=True):
    id: UUID
    council_id: UUID
    title: str
    starts_at: datetime
    place: str
    agenda: list[str]
    minutes: str
    attendance: list[UUID]
    #: attended member orgs / all member orgs, when the meeting was held.
    attendance_rate: float | None
    status: str
    version: int


class JointTaskIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    title: Name
    due_on: date


class JointDecisionIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name
    content: Long = ""
    meeting_id: UUID | None = None
    tasks: Annotated[list[JointTaskIn], msgspec.Meta(min_length=1, max_length=100)]


class JointTask(msgspec.Struct, kw_only=True):
    id: UUID
    decision_id: UUID
    council_id: UUID
    org_id: UUID
    title: str
    due_on: date
    process_id: UUID
    state: str
    progress: int
    overdue: bool
    urged: int
    closed_at: datetime | None


class JointReport(msgspec.Struct, kw_only=True):
    id: UUID
    kind: str
    progress: int | None
    note: str
    created_at: datetime


class JointTaskDetail(JointTask, kw_only=True):
    reports: list[JointReport]


class JointDecision(msgspec.Struct, kw_only=True):
    id: UUID
    council_id: UUID
    meeting_id: UUID | None
    title: str
    content: str
    created_at: datetime
    tasks: list[JointTask]


class JointFollowUpIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class JointRuleIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    region_id: UUID
    request_type: Code
    #: an org kind (``union.grassroots``) or every kind of a plugin (``union.*``).
    target: Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
    note: Annotated[str, msgspec.Meta(max_length=300)] = ""


class JointRuleUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    target: Annotated[str, msgspec.Meta(min_length=3, max_length=64)] | None = None
    note: Annotated[str, msgspec.Meta(max_length=300)] | None = None


class JointRule(msgspec.Struct, kw_only=True):
    id: UUID
    region_id: UUID
    request_type: str
    target: str
    note: str
    #: whether a plugin owning the target kind is installed.
    installed: bool
    version: int


class JointRouteIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: where the request arose (the person's community, the inbox's org, the integrator's region).
    org_id: UUID
    request_type: Code


class JointRoute(msgspec.Struct, kw_only=True):
    request_type: str
    rule_id: UUID
    #: the region whose rule applied (the nearest one above the org).
    region_id: UUID
    target: str
    plugin: str
    org_id: UUID
    org_name: str
    org_kind: str


class JointRequestType(msgspec.Struct, kw_only=True):
    code: str
    name: dict[str, str]
    default_target: str
    installed: bool
