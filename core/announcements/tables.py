"""Tables of announcements (公告/通知)."""

from __future__ import annotations

import uuid

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.orgs.paths import PATH_LENGTH
from core.orgs.tables import Org


class Announcement(Table, tablename="core_announcement"):
    """An announcement (公告/通知) of one org: drafted, published (at once or from ``publish_at``), pinned,
    withdrawn; listed pinned first, then newest first by ``sort_at``."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    #: The publishing org.
    org = ForeignKey(references=Org, index=True)
    #: The org's path ("C" collation on PostgreSQL): subtree lists, reach and members' visibility.
    org_path = Varchar(length=PATH_LENGTH, index=True)
    title = Varchar(length=200)
    #: Plain text or Markdown (``body_format``), shown as written.
    body = Text(default="")
    #: text or markdown.
    body_format = Varchar(length=16, default="text")
    #: Who may read it once published: public (anyone, no token), members (active members of the org's
    #: whole subtree), members_direct (active members of the org itself).
    visibility = Varchar(length=16, default="public")
    #: draft, published, withdrawn. A published announcement is shown from ``publish_at`` until
    #: ``expire_at`` (scheduled before, expired after).
    status = Varchar(length=16, default="draft", index=True)
    #: Stored in UTC. Set on publishing (now, or the later time asked for); a draft may carry the time it
    #: is to go out at.
    publish_at = Timestamptz(null=True, default=None)
    #: When it stops being shown (null: never).
    expire_at = Timestamptz(null=True, default=None)
    pinned = Boolean(default=False)
    #: The list order after ``pinned``: ``publish_at`` once published, the creation time before.
    sort_at = Timestamptz(index=True)
    #: Lower-case, simplified-script title and body, for text search (工會 finds 工会).
    search_text = Text(default="")
    #: Bumped on every change; the ETag.
    version = Integer(default=1)
    published_at = Timestamptz(null=True, default=None)
    withdrawn_at = Timestamptz(null=True, default=None)
    created_by = UUID(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
