"""Tables of identity and access."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Person(Table, tablename="core_person"):
    """A person (人员/群众). Most never log in; an account, when there is one, points here."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: Full name in any Unicode (names with · and rare characters included).
    name = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
