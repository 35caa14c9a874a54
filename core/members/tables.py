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
