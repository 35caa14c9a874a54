"""Tables of the organization tree."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, ForeignKey, SmallInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.orgs.paths import PATH_LENGTH


class Org(Table, tablename="core_org"):
    """An organization (组织) of any kind: a Party committee, a 基层工会, a 团支部, a 妇联, a 学会…"""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: The org above this one; null for a root.
    parent = ForeignKey(references="self", null=True)
    #: Materialized path (see core.orgs.paths); a subtree is one range scan on it. "C" collation on PostgreSQL.
    path = Varchar(length=PATH_LENGTH, unique=True)
    #: 1 for a root.
    depth = SmallInt()
    #: An org kind code registered by the core or a plugin, e.g. ``union.grassroots``.
    kind = Varchar(length=64, index=True)
    #: Administrative level (层级): national, province, city, county, township, village, unit.
    level = Varchar(length=16)
    name = Varchar(length=200)
    #: active or dissolved (dissolving keeps history).
    status = Varchar(length=16, default="active")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
