"""The membership table: who belongs to which org, in what role, since when and until when."""

from __future__ import annotations

import uuid

from piccolo.columns import JSON, UUID, ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.identity.tables import Person
from core.orgs.tables import Org


class Membership(Table, tablename="core_membership"):
    """A person's membership of one org. Rows are never deleted: leaving or transferring closes them.

    A transfer (组织关系转接) closes the old row with status ``transferred`` and opens a new one whose
    ``previous`` points back, in one transaction, so the history reads as a chain.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    org = ForeignKey(references=Org, index=True)
    person = ForeignKey(references=Person, index=True)
    #: member, or a role a plugin names (chair, secretary, …).
    role = Varchar(length=32, default="member")
    #: active, transferred or left. Not indexed: nearly every row is active, so queries narrow by org or
    #: person, and an index would only cost every write.
    status = Varchar(length=16, default="active")
    #: Fields plugins add (a union member-card number, …), validated by their hooks.
    extra = JSON(default={})
    joined_at = Timestamptz(default=TimestamptzNow())
    left_at = Timestamptz(null=True, default=None)
    #: The membership this one continues after a transfer. Indexed: PostgreSQL checks the reference of
    #: every deleted membership through it (without, a scan of the table per row).
    previous = ForeignKey(references="self", null=True, index=True)
    updated_at = Timestamptz(default=TimestamptzNow())


class PersonLink(Table, tablename="core_person_link"):
    """A proposal that a person outside the proposer's reach join one of the proposer's orgs (人员关联申请).

    A person enters a cadre's reach only by being registered there, by their own application, or by the
    answer to one of these: approved by the person or by a cadre of the org keeping their file, it
    creates the membership (see :mod:`core.members.links`). ``person`` is the id as the proposer named
    it — no foreign key, because a proposal naming nobody is stored exactly like one naming somebody, so
    that the answer never tells whether a person exists outside the proposer's reach.
    """

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: The person named (perhaps nobody: see the class docstring).
    person = UUID(index=True)
    #: The org the person would join.
    org = ForeignKey(references=Org, index=True)
    role = Varchar(length=32, default="member")
    #: The membership's plugin fields, validated by the plugins' hooks when the membership is made.
    extra = JSON(default={})
    #: Where the proposal came from: ``member`` (adding a member), ``person`` (registering a person whose
    #: ID number is already registered elsewhere) or ``import``.
    source = Varchar(length=16, default="member")
    #: pending, approved, rejected, withdrawn or expired.
    status = Varchar(length=16, default="pending")
    #: account or client, and its id: who proposed (and who may withdraw).
    requested_by_kind = Varchar(length=16)
    requested_by = UUID(index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(index=True)
    decided_at = Timestamptz(null=True, default=None)
    #: person (the person themself), custody (a cadre of their home org), requester (withdrawn) or system.
    decided_as = Varchar(length=16, null=True, default=None)
    decided_by = UUID(null=True, default=None)
    #: The membership the approval made (null when the person already was a member).
    membership = UUID(null=True, default=None)
