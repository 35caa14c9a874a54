"""Portal feeds (门户订阅): JSON Feed 1.1 and Atom of an org subtree's public events, places and announcements.

For government portals and WeChat/Weibo bridges, which poll a URL without credentials. Items are the
public events organized in the subtree (read from ``core_event`` through the events domain), the public
announcements (公告/通知) being shown there (through the announcements domain), its public places (阵地,
through the places domain) and the outbox signals whose type is declared ``public`` (announcement-like).
Nothing else is ever included: no members, no persons, no non-public events or announcements. Event and
announcement items link to their public page, readable without a token; every time is local (the
event's zone, else the configured one, Asia/Shanghai by default) with its offset.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import msgspec

from core.integration.tables import OutboxSignal
from core.kernel.access import Reach, reach_clause
from core.kernel.errors import Problem
from core.kernel.settings import Locale
from core.orgs.tables import Org

SIGNAL_ITEMS = 50
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
ATOM_NS = "http://www.w3.org/2005/Atom"

STATUS_PREFIX = {"cancelled": {"zh-Hans": "【已取消】", "zh-Hant": "【已取消】", "en": "[Cancelled] "}}
FEED_TITLE = {
    "zh-Hans": "{name} · 公开活动与公告",
    "zh-Hant": "{name} · 公開活動與公告",
    "en": "{name} · public events and notices",
}


class FeedItem(msgspec.Struct, kw_only=True):
    id: str
    title: str
    content_text: str
    date_published: datetime
    url: str | None = None
    tags: list[str] = msgspec.field(default_factory=list)


class Feed(msgspec.Struct, kw_only=True):
    title: str
    feed_url: str
    org_id: UUID
    items: list[FeedItem]


async def _org(org_id: UUID) -> dict[str, Any]:
    org = await Org.select(Org.id, Org.path, Org.name).where(Org.id == org_id).first().run()
    if org is None:
        raise Problem("not-found")
    return org


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _local(value: datetime, zone: ZoneInfo) -> datetime:
    """A stored time as feeds show it: local, with the zone's offset (RFC 3339)."""
    return _utc(value).astimezone(zone)


async def _event_items(org_path: str, base_url: str, locale: Locale) -> list[FeedItem]:
    try:
        from core.events.calendars import public_events
    except ImportError:  # an installation without the events domain
        return []
    items = []
    for row in await public_events(org_path):
        prefix = STATUS_PREFIX.get(row.get("status", ""), {}).get(locale, "")
        place = f"{row['place']} · " if row.get("place") else ""
        starts = _local(row["starts_at"], ZoneInfo(row["timezone"]))  # the event's own zone
        items.append(
            FeedItem(
                id=f"urn:uuid:{row['id']}",
                title=prefix + row["title"],
                content_text=f"{place}{starts.isoformat()}\n{row.get('description') or ''}".strip(),
                date_published=starts,
                url=f"{base_url}/api/v1/events/{row['id']}/public",  # readable without a token
                tags=[row["type"]],
            )
        )
    return items


async def _announcement_items(org_path: str, base_url: str, zone: ZoneInfo) -> list[FeedItem]:
    """The subtree's public announcements being shown, newest first, each linking to its public page."""
    try:
        from core.announcements.services import feed_rows, public_url
    except ImportError:  # an installation without the announcements domain
        return []
    return [
        FeedItem(
            id=f"urn:uuid:{row['id']}",
            title=row["title"],
            content_text=f"{row['org_name']} · {_local(row['publish_at'], zone).isoformat()}\n{row['body']}".strip(),
            date_published=_local(row["publish_at"], zone),
            url=public_url(base_url, row["id"]),  # readable without a token
            tags=["announcement", *(["pinned"] if row["pinned"] else [])],
        )
        for row in await feed_rows(org_path)
    ]


async def _place_items(org_path: str, base_url: str, zone: ZoneInfo) -> list[FeedItem]:
    """The subtree's public, open places (阵地), newest change first: portals list them as a directory."""
    try:
        from core.places.services import feed_places
    except ImportError:  # an installation without the places domain
        return []
    return [
        FeedItem(
            id=f"urn:uuid:{row['id']}",
            title=row["name"],
            content_text=f"{row['address']}\n{row['description'] or ''}".strip(),
            date_published=_local(row["updated_at"], zone),
            url=f"{base_url}/api/v1/places/{row['id']}",
            tags=["place", row["kind"]],
        )
        for row in await feed_places(org_path)
    ]


async def _signal_items(org_path: str, registry: Any, locale: Locale, zone: ZoneInfo) -> list[FeedItem]:
    public = {name: s for name, s in registry.signals.items() if getattr(s, "public", False)}
    if not public:
        return []
    rows = await (
        OutboxSignal.select()
        .where(
            OutboxSignal.name.is_in(sorted(public)) & reach_clause(OutboxSignal.org_path, [Reach(org_path)])
        )
        .order_by(OutboxSignal.seq, ascending=False)
        .limit(SIGNAL_ITEMS)
        .run()
    )
    return [
        FeedItem(
            id=f"urn:uuid:{row['id']}",
            title=public[row["name"]].description.get(locale),
            content_text=row["payload"]
            if isinstance(row["payload"], str)
            else msgspec.json.encode(row["payload"]).decode(),
            date_published=_local(row["occurred_at"], zone),
            tags=[row["name"]],
        )
        for row in rows
    ]


async def build(
    org_id: UUID,
    registry: Any,
    base_url: str,
    feed_url: str,
    locale: Locale,
    timezone: str = "Asia/Shanghai",
) -> Feed:
    """The feed of the org's subtree; ``timezone`` (the settings' zone) is how times without a zone of
    their own (announcements, places, signals) are shown."""
    org = await _org(org_id)
    zone = ZoneInfo(timezone)
    items = (
        await _event_items(org["path"], base_url, locale)
        + await _announcement_items(org["path"], base_url, zone)
        + await _place_items(org["path"], base_url, zone)
        + await _signal_items(org["path"], registry, locale, zone)
    )
    items.sort(key=lambda i: (i.date_published, i.id), reverse=True)
    return Feed(
        title=FEED_TITLE[locale].format(name=org["name"]), feed_url=feed_url, org_id=org_id, items=items
    )


def to_json_feed(feed: Feed, locale: Locale) -> bytes:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    document = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "feed_url": feed.feed_url,
        "language": {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW", "en": "en"}[locale],
        "items": [
            {
                "id": item.id,
                "title": item.title,
                "content_text": item.content_text,
                "date_published": item.date_published.isoformat(),
                "tags": item.tags,
                **({"url": item.url} if item.url else {}),
            }
            for item in feed.items
        ],
    }
    return msgspec.json.encode(document)


def to_atom(feed: Feed) -> bytes:
    """Atom 1.0 (RFC 4287)."""
    ET.register_namespace("", ATOM_NS)
    root = ET.Element(f"{{{ATOM_NS}}}feed")
    ET.SubElement(root, f"{{{ATOM_NS}}}id").text = f"urn:uuid:{feed.org_id}"
    ET.SubElement(root, f"{{{ATOM_NS}}}title").text = feed.title
    updated = feed.items[0].date_published if feed.items else datetime.now(UTC)
    ET.SubElement(root, f"{{{ATOM_NS}}}updated").text = updated.isoformat()
    ET.SubElement(root, f"{{{ATOM_NS}}}link", rel="self", href=feed.feed_url)
    author = ET.SubElement(root, f"{{{ATOM_NS}}}author")
    ET.SubElement(author, f"{{{ATOM_NS}}}name").text = "quntuan"
    for item in feed.items:
        entry = ET.SubElement(root, f"{{{ATOM_NS}}}entry")
        ET.SubElement(entry, f"{{{ATOM_NS}}}id").text = item.id
        ET.SubElement(entry, f"{{{ATOM_NS}}}title").text = item.title
        ET.SubElement(entry, f"{{{ATOM_NS}}}updated").text = item.date_published.isoformat()
        ET.SubElement(entry, f"{{{ATOM_NS}}}published").text = item.date_published.isoformat()
        ET.SubElement(entry, f"{{{ATOM_NS}}}content", type="text").text = item.content_text
        for tag in item.tags:
            ET.SubElement(entry, f"{{{ATOM_NS}}}category", term=tag)
        if item.url:
            ET.SubElement(entry, f"{{{ATOM_NS}}}link", rel="alternate", href=item.url)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8")
