"""Announcements (公告/通知): draft, edit, publish (at once or from ``publish_at``), pin, withdraw; who sees them.

Who sees a published announcement while it is shown (``publish_at`` ≤ now < ``expire_at``): anyone for
``public`` (without a token, on the public list and page and in the portal feeds); the active members of
any org in the publishing org's subtree for ``members``; the active members of the publishing org itself
for ``members_direct`` — the visibility rules of events. Callers whose ``core.announcement.read`` reach
covers the org also see it before and after it is shown and once withdrawn; callers whose
``core.announcement.manage`` reach covers it see drafts and may change it. Anything else answers 404.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec

from core.announcements import problems
from core.announcements.permissions import ANNOUNCEMENT_MANAGE, ANNOUNCEMENT_READ
from core.announcements.schemas import Announcement as AnnouncementOut
from core.announcements.schemas import AnnouncementCreate, AnnouncementUpdate, PublicAnnouncement
from core.announcements.signals import (
    ANNOUNCEMENT_CREATED,
    ANNOUNCEMENT_PINNED,
    ANNOUNCEMENT_PUBLISHED,
    ANNOUNCEMENT_UNPINNED,
    ANNOUNCEMENT_UPDATED,
    ANNOUNCEMENT_WITHDRAWN,
    AnnouncementSignal,
)
from core.announcements.tables import Announcement
from core.identity import audit
from core.integration.signals import SignalType, emit
from core.kernel import preconditions
from core.kernel.access import Principal, Reach, reach_clause, within
from core.kernel.errors import Problem
from core.kernel.i18n import to_simplified
from core.kernel.pagination import PageRequest, paginate
from core.kernel.settings import Locale
from core.members.tables import Membership
from core.orgs.paths import ancestor_paths
from core.orgs.tables import Org

#: Columns an announcement's JSON is made of (with the org's name).
COLUMNS = [
    Announcement.id,
    Announcement.org,
    Announcement.org_path,
    Announcement.title,
    Announcement.body,
    Announcement.body_format,
    Announcement.visibility,
    Announcement.status,
    Announcement.publish_at,
    Announcement.expire_at,
    Announcement.pinned,
    Announcement.sort_at,
    Announcement.version,
    Announcement.published_at,
    Announcement.withdrawn_at,
    Announcement.created_at,
    Announcement.updated_at,
    Announcement.org.name.as_alias("org_name"),
]
#: Lists: pinned first, then newest first (``sort_at``), the id breaking ties; keyset-paginated.
LIST_KEY = [Announcement.pinned, Announcement.sort_at, Announcement.id]
#: Portal feeds carry at most this many announcements of a subtree (the newest).
FEED_LIMIT = 50

etag = preconditions.version_etag


# --- conversions ----------------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime) -> datetime:
    """Stored in UTC: an aware time converted, a naive one (as SQLite may give it back) marked UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if value is None else utc(value).astimezone(zone)


def shown_status(row: Mapping[str, Any], moment: datetime) -> str:
    """draft, scheduled, published, expired or withdrawn, at ``moment``."""
    if row["status"] != "published":
        return str(row["status"])
    if row["publish_at"] is not None and moment < utc(row["publish_at"]):
        return "scheduled"
    if row["expire_at"] is not None and moment >= utc(row["expire_at"]):
        return "expired"
    return "published"


def public_url(base_url: str, announcement_id: UUID) -> str:
    """The announcement's public page, readable without a token (portal feeds link here)."""
    return f"{base_url}/api/v1/announcements/{announcement_id}/public"


def to_announcement(row: Mapping[str, Any], zone: ZoneInfo, base_url: str) -> AnnouncementOut:
    """A row of :data:`COLUMNS` as the API shows it, times in ``zone`` with their offset."""
    status = shown_status(row, now())
    return AnnouncementOut(
        id=row["id"],
        org_id=row["org"],
        org_name=row["org_name"],
        title=row["title"],
        body=row["body"],
        body_format=row["body_format"],
        visibility=row["visibility"],
        status=status,  # type: ignore[arg-type]
        pinned=bool(row["pinned"]),
        publish_at=_local(row["publish_at"], zone),
        expire_at=_local(row["expire_at"], zone),
        published_at=_local(row["published_at"], zone),
        withdrawn_at=_local(row["withdrawn_at"], zone),
        public_url=public_url(base_url, row["id"])
        if status == "published" and row["visibility"] == "public"
        else None,
        version=row["version"],
        created_at=_local(row["created_at"], zone),  # type: ignore[arg-type]
        updated_at=_local(row["updated_at"], zone),  # type: ignore[arg-type]
    )


def to_public(row: Mapping[str, Any], zone: ZoneInfo, base_url: str) -> PublicAnnouncement:
    return PublicAnnouncement(
        id=row["id"],
        org_id=row["org"],
        org_name=row["org_name"],
        title=row["title"],
        body=row["body"],
        body_format=row["body_format"],
        pinned=bool(row["pinned"]),
        publish_at=_local(row["publish_at"], zone),  # type: ignore[arg-type]
        expire_at=_local(row["expire_at"], zone),
        url=public_url(base_url, row["id"]),
    )


def search_text(title: str, body: str) -> str:
    """Lower-case, simplified-script text the ``q`` filter matches (so 工會 finds 工会)."""
    return to_simplified(f"{title} {body}").lower()


def _needle(q: str) -> str:
    return to_simplified(q).lower().replace("%", "").replace("_", "")


async def _emit(signal: SignalType, row: Mapping[str, Any], fields: Sequence[str] = ()) -> None:
    """The signal and the audit entry of a change (``fields``: what it set), seen by the publishing org."""
    await audit.record(
        signal.name,
        resource_type="announcement",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes={
            "status": row["status"],
            "visibility": row["visibility"],
            "version": row["version"],
            "fields": sorted(fields),
        },
    )
    payload = AnnouncementSignal(
        announcement_id=row["id"],
        org_id=row["org"],
        visibility=row["visibility"],
        status=row["status"],
        pinned=bool(row["pinned"]),
        publish_at=row["publish_at"] and utc(row["publish_at"]),
        expire_at=row["expire_at"] and utc(row["expire_at"]),
        version=row["version"],
    )
    await emit(signal, payload, resource_type="announcement", resource_id=row["id"], org_path=row["org_path"])


# --- who sees what ----------------------------------------------------------------------------------------


class MemberOf(msgspec.Struct, frozen=True):
    """The orgs whose members-only announcements a person reads."""

    #: Every org above (and at) their active memberships: ``members`` announcements published there.
    subtree: list[str]
    #: The orgs they are active members of: ``members_direct`` announcements published there.
    direct: list[str]


async def member_of(person_id: UUID | None) -> MemberOf:
    if person_id is None:
        return MemberOf(subtree=[], direct=[])
    rows = await (
        Membership.select(Membership.org.path.as_alias("path"))
        .where((Membership.person == person_id) & (Membership.status == "active"))
        .run()
    )
    direct = sorted({str(r["path"]) for r in rows})
    return MemberOf(subtree=sorted({a for p in direct for a in ancestor_paths(p)}), direct=direct)


def _shown(moment: datetime) -> Any:
    """Published and shown at ``moment``: ``publish_at`` reached, ``expire_at`` not."""
    return (
        (Announcement.status == "published")
        & (Announcement.publish_at <= moment)
        & (Announcement.expire_at.is_null() | (Announcement.expire_at > moment))
    )


def _as_member(members: MemberOf, *, public_too: bool = False) -> Any | None:
    """Announcements a member reads by visibility (not yet narrowed to those shown): ``members`` of the
    orgs above their memberships, ``members_direct`` of the orgs themselves (with ``public_too``, the
    public ones of the orgs above too)."""
    clause: Any = None
    if members.subtree:
        kinds = ["members", "public"] if public_too else ["members"]
        clause = Announcement.visibility.is_in(kinds) & Announcement.org_path.is_in(members.subtree)
    if members.direct:
        direct = (Announcement.visibility == "members_direct") & Announcement.org_path.is_in(members.direct)
        clause = direct if clause is None else clause | direct
    return clause


def _visible(principal: Principal, members: MemberOf, moment: datetime) -> Any:
    """Announcements the principal may see in lists, as a where-clause."""
    shown = _shown(moment)
    clause: Any = shown & (Announcement.visibility == "public")
    member = _as_member(members)
    if member is not None:
        clause = clause | (shown & member)
    manage = list(principal.reach(ANNOUNCEMENT_MANAGE))
    readable = reach_clause(Announcement.org_path, [*principal.reach(ANNOUNCEMENT_READ), *manage])
    if readable is not None:
        clause = clause | ((Announcement.status != "draft") & readable)
    drafts = reach_clause(Announcement.org_path, manage)
    if drafts is not None:
        clause = clause | drafts
    return clause


async def _row(announcement_id: UUID) -> dict[str, Any] | None:
    return await Announcement.select(*COLUMNS).where(Announcement.id == announcement_id).first().run()  # type: ignore[no-any-return]


async def load(principal: Principal, announcement_id: UUID) -> dict[str, Any]:
    """The announcement, if the principal may see it; else 404."""
    row = await _row(announcement_id)
    if row is None:
        raise Problem("not-found")
    path = row["org_path"]
    if within(path, principal.reach(ANNOUNCEMENT_MANAGE)):
        return row
    if row["status"] != "draft" and within(path, principal.reach(ANNOUNCEMENT_READ)):
        return row
    if shown_status(row, now()) == "published":
        if row["visibility"] == "public":
            return row
        members = await member_of(principal.person_id)
        if row["visibility"] == "members" and path in members.subtree:
            return row
        if row["visibility"] == "members_direct" and path in members.direct:
            return row
    raise Problem("not-found")


async def load_managed(principal: Principal, announcement_id: UUID) -> dict[str, Any]:
    """The announcement, when the principal manages its org's announcements (403 if only visible)."""
    row = await load(principal, announcement_id)
    if not within(row["org_path"], principal.reach(ANNOUNCEMENT_MANAGE)):
        raise Problem("forbidden")
    return row


# --- writes ------------------------------------------------------------------------------------------------


def _check_window(publish_at: datetime | None, expire_at: datetime | None, locale: Locale) -> None:
    if expire_at is not None and publish_at is not None and expire_at <= publish_at:
        raise Problem.invalid(("/expire_at", problems.EXPIRES_BEFORE_PUBLISHED), locale=locale)


async def create(principal: Principal, data: AnnouncementCreate, *, locale: Locale) -> dict[str, Any]:
    """A draft of an org within the caller's manage reach (403 for any other id, existing or not)."""
    org = await Org.select(Org.path).where(Org.id == data.org_id).first().run()
    if org is None or not within(org["path"], principal.reach(ANNOUNCEMENT_MANAGE)):
        raise Problem("forbidden")
    publish_at = data.publish_at and utc(data.publish_at)
    expire_at = data.expire_at and utc(data.expire_at)
    _check_window(publish_at, expire_at, locale)
    moment = now()
    announcement_id = uuid4()
    await Announcement.insert(
        Announcement(
            id=announcement_id,
            org=data.org_id,
            org_path=org["path"],
            title=data.title,
            body=data.body,
            body_format=data.body_format,
            visibility=data.visibility,
            status="draft",
            publish_at=publish_at,
            expire_at=expire_at,
            pinned=False,
            sort_at=moment,
            search_text=search_text(data.title, data.body),
            created_by=principal.id,
            created_at=moment,
            updated_at=moment,
        )
    ).run()
    row = await _row(announcement_id)
    assert row is not None
    given = [f for f in data.__struct_fields__ if getattr(data, f) not in (None, "")]
    await _emit(ANNOUNCEMENT_CREATED, row, given)
    return row


async def update(
    principal: Principal,
    announcement_id: UUID,
    data: AnnouncementUpdate,
    *,
    if_match: str | None,
    locale: Locale,
) -> dict[str, Any]:
    """Change a draft or a published announcement under ``If-Match`` (412 when it changed since read).

    On a published one, a later ``publish_at`` schedules it again and ``null`` shows it now."""
    if if_match is None:
        raise Problem("precondition-required")
    row = await load_managed(principal, announcement_id)
    preconditions.check_if_match(etag(row["version"]), if_match)
    if row["status"] == "withdrawn":
        raise Problem(problems.ANNOUNCEMENT_STATE, status=row["status"])
    given = {f: getattr(data, f) for f in data.__struct_fields__ if getattr(data, f) is not msgspec.UNSET}
    changes: dict[Any, Any] = {}
    for name in ("title", "body", "body_format", "visibility"):
        if name in given:
            changes[getattr(Announcement, name)] = given[name]
    published = row["status"] == "published"
    publish_at = row["publish_at"] and utc(row["publish_at"])
    if "publish_at" in given:
        publish_at = given["publish_at"] and utc(given["publish_at"])
        if published and publish_at is None:
            publish_at = now()
        changes[Announcement.publish_at] = publish_at
        if published:
            changes[Announcement.sort_at] = publish_at
    expire_at = row["expire_at"] and utc(row["expire_at"])
    if "expire_at" in given:
        expire_at = given["expire_at"] and utc(given["expire_at"])
        changes[Announcement.expire_at] = expire_at
    _check_window(publish_at, expire_at, locale)
    if "title" in given or "body" in given:
        changes[Announcement.search_text] = search_text(
            given.get("title", row["title"]), given.get("body", row["body"])
        )
    changes[Announcement.version] = row["version"] + 1
    changes[Announcement.updated_at] = now()
    updated = (
        await Announcement.update(changes)
        .where(
            (Announcement.id == announcement_id)
            & (Announcement.version == row["version"])
            & (Announcement.status != "withdrawn")
        )
        .returning(Announcement.id)
        .run()
    )
    if not updated:
        raise Problem("precondition-failed")
    new = await _row(announcement_id)
    assert new is not None
    await _emit(ANNOUNCEMENT_UPDATED, new, sorted(given))
    return new


async def publish(principal: Principal, announcement_id: UUID, *, locale: Locale) -> dict[str, Any]:
    """Publish a draft: shown from its ``publish_at`` if that is later, else from now (409 unless a draft;
    422 when its ``expire_at`` has passed already)."""
    row = await load_managed(principal, announcement_id)
    if row["status"] != "draft":
        raise Problem(problems.ANNOUNCEMENT_STATE, status=shown_status(row, now()))
    moment = now()
    publish_at = max(utc(row["publish_at"]), moment) if row["publish_at"] is not None else moment
    if row["expire_at"] is not None and utc(row["expire_at"]) <= publish_at:
        raise Problem.invalid(("/expire_at", problems.ALREADY_EXPIRED), locale=locale)
    return await _transition(
        row,
        {
            Announcement.status: "published",
            Announcement.publish_at: publish_at,
            Announcement.sort_at: publish_at,
            Announcement.published_at: moment,
        },
        Announcement.status == "draft",
        ANNOUNCEMENT_PUBLISHED,
    )


async def withdraw(principal: Principal, announcement_id: UUID) -> dict[str, Any]:
    """Withdraw a published announcement (scheduled, shown or expired) or shelve a draft: nobody but its
    readers and managers within reach sees it afterwards (409 once withdrawn)."""
    row = await load_managed(principal, announcement_id)
    if row["status"] == "withdrawn":
        raise Problem(problems.ANNOUNCEMENT_STATE, status="withdrawn")
    return await _transition(
        row,
        {Announcement.status: "withdrawn", Announcement.withdrawn_at: now(), Announcement.pinned: False},
        Announcement.status.is_in(["draft", "published"]),
        ANNOUNCEMENT_WITHDRAWN,
    )


async def pin(principal: Principal, announcement_id: UUID, pinned: bool) -> dict[str, Any]:
    """Pin (置顶) or unpin a draft or published announcement; pinned ones head every list. Asking for what
    already holds changes nothing (no new version, no signal)."""
    row = await load_managed(principal, announcement_id)
    if row["status"] == "withdrawn":
        raise Problem(problems.ANNOUNCEMENT_STATE, status="withdrawn")
    if bool(row["pinned"]) == pinned:
        return row
    return await _transition(
        row,
        {Announcement.pinned: pinned},
        (Announcement.pinned == (not pinned)) & (Announcement.status != "withdrawn"),
        ANNOUNCEMENT_PINNED if pinned else ANNOUNCEMENT_UNPINNED,
    )


async def _transition(
    row: Mapping[str, Any], changes: dict[Any, Any], condition: Any, signal: SignalType
) -> dict[str, Any]:
    """A conditional update (a racing change loses with 409), its new version, signal and audit entry."""
    updated = (
        await Announcement.update(
            {**changes, Announcement.version: Announcement.version + 1, Announcement.updated_at: now()}
        )
        .where((Announcement.id == row["id"]) & condition)
        .returning(Announcement.id)
        .run()
    )
    if not updated:
        current = await _row(row["id"])
        raise Problem(problems.ANNOUNCEMENT_STATE, status=shown_status(current or row, now()))
    new = await _row(row["id"])
    assert new is not None
    await _emit(signal, new, [c._meta.name for c in changes])
    return new


# --- lists -------------------------------------------------------------------------------------------------


class Filters(msgspec.Struct, kw_only=True):
    #: Only announcements of this org's subtree (or, with ``subtree`` false, of the org alone).
    org_path: str | None = None
    subtree: bool = True
    status: str | None = None
    visibility: str | None = None
    pinned: bool | None = None
    q: str | None = None


def _status_clause(status: str, moment: datetime) -> Any:
    if status == "published":
        return _shown(moment)
    published = Announcement.status == "published"
    if status == "scheduled":
        return published & (Announcement.publish_at > moment)
    if status == "expired":
        return published & (Announcement.expire_at <= moment)
    return Announcement.status == status


def _filtered(clause: Any, filters: Filters, moment: datetime) -> Any:
    if filters.org_path is not None:
        scope = reach_clause(Announcement.org_path, [Reach(path=filters.org_path, subtree=filters.subtree)])
        clause = clause & scope
    if filters.status is not None:
        clause = clause & _status_clause(filters.status, moment)
    if filters.visibility is not None:
        clause = clause & (Announcement.visibility == filters.visibility)
    if filters.pinned is not None:
        clause = clause & (Announcement.pinned == filters.pinned)
    if filters.q:
        needle = _needle(filters.q)
        if needle:
            clause = clause & Announcement.search_text.like(f"%{needle}%")
    return clause


async def org_path(org_id: UUID) -> str:
    """The path of the org a list is filtered by (404 when there is none)."""
    row = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if row is None:
        raise Problem("not-found")
    return str(row["path"])


async def _page(clause: Any, page: PageRequest) -> tuple[list[dict[str, Any]], str | None]:
    return await paginate(Announcement.select(*COLUMNS).where(clause), LIST_KEY, page, descending=True)


async def list_visible(
    principal: Principal, filters: Filters, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """What the caller may see (managers: drafts and all within reach too), pinned first, newest first."""
    moment = now()
    clause = _visible(principal, await member_of(principal.person_id), moment)
    return await _page(_filtered(clause, filters, moment), page)


async def list_mine(
    person_id: UUID | None, filters: Filters, page: PageRequest
) -> tuple[list[dict[str, Any]], str | None]:
    """The announcements of the person's orgs being shown now: public and ``members`` ones of every org
    above (and at) their active memberships, ``members_direct`` ones of the orgs they belong to."""
    members = await member_of(person_id)
    mine = _as_member(members, public_too=True)
    if mine is None:
        return [], None
    moment = now()
    return await _page(_filtered(_shown(moment) & mine, filters, moment), page)


async def list_public(filters: Filters, page: PageRequest) -> tuple[list[dict[str, Any]], str | None]:
    """Public announcements being shown now (of a subtree when ``filters.org_path``), for anyone."""
    moment = now()
    clause = _shown(moment) & (Announcement.visibility == "public")
    return await _page(_filtered(clause, filters, moment), page)


async def public_row(announcement_id: UUID) -> dict[str, Any]:
    """A public announcement being shown now; anything else 404 (drafts, scheduled, expired, withdrawn)."""
    row = (
        await Announcement.select(*COLUMNS)
        .where((Announcement.id == announcement_id) & (Announcement.visibility == "public") & _shown(now()))
        .first()
        .run()
    )
    if row is None:
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def feed_rows(path: str) -> list[dict[str, Any]]:
    """The newest public announcements being shown in the subtree at ``path``, for the portal feeds."""
    clause = (
        _shown(now())
        & (Announcement.visibility == "public")
        & reach_clause(Announcement.org_path, [Reach(path=path, subtree=True)])
    )
    return await (  # type: ignore[no-any-return]
        Announcement.select(*COLUMNS)
        .where(clause)
        .order_by(Announcement.sort_at, Announcement.id, ascending=False)
        .limit(FEED_LIMIT)
        .run()
    )
