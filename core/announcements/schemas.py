"""Request and response bodies of announcements (公告/通知)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec

#: ``public``: anyone, without a token (the public list, page and portal feeds); ``members``: active
#: members of the publishing org's whole subtree (a 团县委's announcement reaches the 团员 of its
#: branches); ``members_direct``: active members of the publishing org itself. Cadres reading
#: announcements within reach see them all.
AnnouncementVisibility = Literal["public", "members", "members_direct"]
#: What the API shows: ``draft``; ``scheduled`` (published, ``publish_at`` not reached); ``published``
#: (shown now); ``expired`` (``expire_at`` passed); ``withdrawn``.
AnnouncementStatus = Literal["draft", "scheduled", "published", "expired", "withdrawn"]
BodyFormat = Literal["text", "markdown"]

#: RFC 3339 date-time with an offset (a time without a zone is refused).
AwareDatetime = Annotated[datetime, msgspec.Meta(tz=True)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Body = Annotated[str, msgspec.Meta(max_length=50000)]


class AnnouncementCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A new announcement of ``org_id``, created as a draft; publish it to show it."""

    org_id: UUID
    title: Title
    body: Body = ""
    #: How ``body`` is written: plain text or Markdown (front ends render it; the API never does).
    body_format: BodyFormat = "text"
    visibility: AnnouncementVisibility = "public"
    #: Show it from this time on once published (default: when it is published).
    publish_at: AwareDatetime | None = None
    #: Stop showing it at this time (default: never).
    expire_at: AwareDatetime | None = None


class AnnouncementUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A change to an announcement; absent fields stay as they are. Send ``If-Match`` with the ETag."""

    title: Title | msgspec.UnsetType = msgspec.UNSET
    body: Body | msgspec.UnsetType = msgspec.UNSET
    body_format: BodyFormat | msgspec.UnsetType = msgspec.UNSET
    visibility: AnnouncementVisibility | msgspec.UnsetType = msgspec.UNSET
    publish_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET
    expire_at: AwareDatetime | msgspec.UnsetType | None = msgspec.UNSET


class Announcement(msgspec.Struct, kw_only=True):
    """An announcement (公告/通知). Times carry the offset of the platform's zone (Asia/Shanghai by default)."""

    id: UUID
    org_id: UUID
    org_name: str
    title: str
    body: str
    body_format: BodyFormat
    visibility: AnnouncementVisibility
    status: AnnouncementStatus
    pinned: bool
    #: When it is (or is to be) shown from; null for a draft with no time set.
    publish_at: datetime | None
    expire_at: datetime | None
    published_at: datetime | None
    withdrawn_at: datetime | None
    #: Its public page (no token needed), for public announcements once shown; null otherwise.
    public_url: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class PublicAnnouncement(msgspec.Struct, kw_only=True):
    """What anyone may read of a public announcement being shown (portal feeds link here). Times carry the
    offset of the platform's zone."""

    id: UUID
    org_id: UUID
    org_name: str
    title: str
    body: str
    body_format: BodyFormat
    pinned: bool
    publish_at: datetime
    expire_at: datetime | None
    url: str
