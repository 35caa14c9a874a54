"""Tables of processes (申请与办理) and notices (公示).

Each process and notice has a stable UUID that other records (attachments, integrators' case numbers)
point at. Org paths are copied onto the rows ("C" collation on PostgreSQL) so the work queue and the
subtree lists are range scans on one table; an org move rewrites them (``quntuan_org_path_columns``).
"""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.identity.tables import Person
from core.orgs.paths import PATH_LENGTH
from core.orgs.tables import Org


class Process(Table, tablename="core_process"):
    """One application or case of a declared type, on an org (its home) and handled at some org."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: A process type code declared by the core or a plugin, e.g. ``union.hardship_aid``.
    type = Varchar(length=64, index=True)
    #: The org applied to (home); the applicant's progress view names it.
    org = ForeignKey(references=Org, index=True)
    org_path = Varchar(length=PATH_LENGTH, index=True)
    #: The org whose cadres act now (the home org, or a higher one after escalation).
    handler_org = ForeignKey(references=Org)
    handler_path = Varchar(length=PATH_LENGTH)
    applicant = ForeignKey(references=Person, index=True)
    #: The account or API client that opened it (the person themself, or a cadre on their behalf).
    opened_by = UUID()
    #: The declared state code.
    state = Varchar(length=40)
    #: open, held (objection under review), referred (handed to another org), closed.
    status = Varchar(length=16, default="open")
    #: The final state's outcome once closed (approved, rejected, withdrawn…).
    outcome = Varchar(length=40, null=True, default=None)
    #: An account the process is assigned to (null: anyone who may act).
    assignee = UUID(null=True, default=None)
    #: The applicant's form, its personal fields masked: what readers without personal-data rights see.
    form = JSON(default={})
    #: The personal fields of the form in clear, as JSON, encrypted (vault field ``process_form``).
    personal_enc = Text(null=True, default=None)
    #: When the current state's deadline passes; a far-future sentinel when none (keyset order).
    due_at = Timestamptz()
    #: Whether the current deadline's reminder was sent (remind happens once per state entry).
    reminded = Integer(default=0)
    #: When the process entered its current state (for time per step).
    state_since = Timestamptz()
    #: The transition that entered the current state (its deadline applies); empty after opening.
    entered_by = Varchar(length=40, default="")
    #: The process this one was referred from (转办) and the one it was referred to.
    referred_from = UUID(null=True, default=None, index=True)
    referred_to = UUID(null=True, default=None)
    #: Bumped on every change; the ETag. Every change is a compare-and-set on it.
    version = Integer(default=1)
    opened_at = Timestamptz(default=TimestamptzNow())
    closed_at = Timestamptz(null=True, default=None)
    updated_at = Timestamptz(default=TimestamptzNow())


class ProcessStep(Table, tablename="core_process_step"):
    """One step of a process's history: who did what, when, with which comment and form."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    process = ForeignKey(references=Process, index=True)
    seq = Integer()
    #: The transition code, or a core step: ``open``, ``escalate``, ``refer``, ``referral_closed``,
    #: ``objection``, ``objection_resolved``, ``remind``.
    action = Varchar(length=40)
    from_state = Varchar(length=40, null=True, default=None)
    to_state = Varchar(length=40)
    actor_kind = Varchar(length=16)
    actor_id = UUID(null=True, default=None)
    #: The handling org's path when the step was taken.
    org_path = Varchar(length=PATH_LENGTH)
    comment = Text(default="")
    form = JSON(default={})
    #: Seconds spent in ``from_state`` before this step (for the median time per step).
    seconds_in_state = Integer(null=True, default=None)
    at = Timestamptz(default=TimestamptzNow())


class Notice(Table, tablename="core_notice"):
    """A public notice (公示) of an org, with a window during which objections may be filed."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = ForeignKey(references=Org, index=True)
    org_path = Varchar(length=PATH_LENGTH, index=True)
    title = Varchar(length=200)
    body = Text(default="")
    #: The process it publishes (null for a notice a plugin or cadre published by itself).
    process = UUID(null=True, default=None, index=True)
    #: A process type or ``<owner>.<name>`` kind code, for filters.
    kind = Varchar(length=64, default="core.notice")
    opens_at = Timestamptz()
    closes_at = Timestamptz(index=True)
    #: published, withdrawn.
    status = Varchar(length=16, default="published")
    objection_count = Integer(default=0)
    published_by = UUID()
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class NoticeEntry(Table, tablename="core_notice_entry"):
    """One line of a notice: a masked name, the unit, a note and an amount (never anything unmasked)."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    notice = ForeignKey(references=Notice, index=True)
    seq = Integer()
    name_masked = Varchar(length=100)
    unit = Varchar(length=200, default="")
    note = Varchar(length=500, default="")
    #: Decimal amount as text (``"1200.00"``), null when the notice has none.
    amount = Varchar(length=32, null=True, default=None)
    id_number_masked = Varchar(length=32, null=True, default=None)
    phone_masked = Varchar(length=16, null=True, default=None)


class Objection(Table, tablename="core_objection"):
    """An objection (异议) a logged-in person filed against a notice during its window."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    notice = ForeignKey(references=Notice, index=True)
    person = ForeignKey(references=Person, index=True)
    account = UUID()
    reason = Text()
    #: pending, upheld, dismissed.
    status = Varchar(length=16, default="pending")
    resolution = Text(default="")
    resolved_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
