"""Request and response bodies of processes, notices and objections."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

TypeCode = Annotated[str, msgspec.Meta(min_length=3, max_length=64)]
StepCode = Annotated[str, msgspec.Meta(min_length=1, max_length=40)]
Comment = Annotated[str, msgspec.Meta(max_length=2000)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Body = Annotated[str, msgspec.Meta(max_length=20000)]
Amount = Annotated[str, msgspec.Meta(pattern=r"^-?\d{1,12}(\.\d{1,2})?$", max_length=16)]
ProcessStatus = Literal["open", "held", "referred", "closed"]
NoticeStatus = Literal["open", "closed", "withdrawn"]


class ProcessCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new application. Without ``applicant_id`` the caller's own person applies; with it a cadre
    holding ``core.process.handle`` on the org applies on the person's behalf. ``form`` follows the
    type's form (see ``GET /api/v1/processes/types``)."""

    type: TypeCode
    org_id: UUID
    applicant_id: UUID | None = None
    form: dict[str, Any] = {}


class TransitionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A step to take (send ``If-Match`` with the process's ETag). ``form`` follows the transition's form."""

    transition: StepCode
    comment: Comment = ""
    form: dict[str, Any] = {}
    #: For a step that publishes a notice: its title and body (defaults from the type).
    notice_title: Title | None = None
    notice_body: Body | None = None


class ReferralCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Hand the process to another org (转办). ``type`` picks the target type when several accept it."""

    org_id: UUID
    type: TypeCode | None = None
    comment: Comment = ""


class AssignmentUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who handles the process (an account id), or null for anyone who may act. Send ``If-Match``."""

    assignee_id: UUID | None


class Step(msgspec.Struct, kw_only=True):
    id: UUID
    seq: int
    action: str
    from_state: str | None
    to_state: str
    actor_kind: str
    actor_id: UUID | None
    comment: str
    form: dict[str, Any]
    at: datetime


class Process(msgspec.Struct, kw_only=True):
    """A process as the API shows it. ``available_transitions`` are those the caller may take now."""

    id: UUID
    type: str
    type_name: str
    org_id: UUID
    handler_org_id: UUID
    applicant_id: UUID
    state: str
    state_name: str
    status: ProcessStatus
    outcome: str | None
    assignee_id: UUID | None
    form: dict[str, Any]
    due_at: datetime | None
    overdue: bool
    referred_from: UUID | None
    referred_to: UUID | None
    version: int
    opened_at: datetime
    closed_at: datetime | None
    updated_at: datetime
    available_transitions: list[str] = []
    #: Whether the caller only sees it (a sender after referral, a reader): no step is offered.
    read_only: bool = False


class ProcessDetail(Process, kw_only=True):
    steps: list[Step] = []


class QueueCount(msgspec.Struct, kw_only=True):
    type: str
    type_name: str
    open: int
    overdue: int


class Queue(msgspec.Struct, kw_only=True):
    """The work queue (待办): a page of processes waiting within reach, and counts per type."""

    items: list[Process]
    next_cursor: str | None = None
    counts: list[QueueCount] = []


class TransitionInfo(msgspec.Struct, kw_only=True):
    code: str
    name: dict[str, str]
    sources: list[str]
    target: str
    applicant: bool
    permission: str | None
    level: str
    post: str | None
    comment_required: bool
    handler: str
    publish_notice: bool
    form_schema: dict[str, Any] | None


class StateInfo(msgspec.Struct, kw_only=True):
    code: str
    name: dict[str, str]
    final: bool
    outcome: str | None
    deadline_days: float | None
    deadline_action: str | None


class ProcessTypeInfo(msgspec.Struct, kw_only=True):
    """A declared type with the JSON Schemas of its forms, so a front end renders any plugin's type."""

    code: str
    plugin: str
    name: dict[str, str]
    org_kinds: list[str]
    initial: str
    states: list[StateInfo]
    transitions: list[TransitionInfo]
    form_schema: dict[str, Any] | None
    personal_fields: list[str]
    referral_from: list[str]
    notice_days: int


class TypeStats(msgspec.Struct, kw_only=True):
    type: str
    opened: int
    open: int
    done: int
    rejected: int
    overdue: int
    #: Median seconds spent in each state before leaving it.
    median_seconds_per_state: dict[str, float]


class ProcessStats(msgspec.Struct, kw_only=True):
    org_id: UUID
    types: list[TypeStats]


# --- notices ------------------------------------------------------------------------------------------


class NoticeEntryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One line of a notice. The name, ID number and phone are stored masked only (张*三, 110101********1234)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=50)]
    unit: Annotated[str, msgspec.Meta(max_length=200)] = ""
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""
    amount: Amount | None = None
    id_number: Annotated[str, msgspec.Meta(max_length=32)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=20)] | None = None


class NoticeCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org_id: UUID
    title: Title
    body: Body = ""
    kind: TypeCode = "core.notice"
    days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 5
    entries: Annotated[list[NoticeEntryIn], msgspec.Meta(max_length=1000)] = []


class NoticeEntry(msgspec.Struct, kw_only=True):
    seq: int
    name: str
    unit: str
    note: str
    amount: str | None
    id_number: str | None
    phone: str | None


class Notice(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    title: str
    body: str
    kind: str
    process_id: UUID | None
    opens_at: datetime
    closes_at: datetime
    status: NoticeStatus
    objection_count: int
    #: Once closed: ``passed`` (no objection upheld), ``objected`` (one upheld), ``pending`` (some open).
    outcome: str | None
    version: int


class NoticeDetail(Notice, kw_only=True):
    entries: list[NoticeEntry] = []


class ObjectionCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


class ObjectionResolve(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    decision: Literal["upheld", "dismissed"]
    resolution: Comment = ""


class Objection(msgspec.Struct, kw_only=True):
    id: UUID
    notice_id: UUID
    person_id: UUID
    reason: str
    status: str
    resolution: str
    created_at: datetime
    resolved_at: datetime | None
