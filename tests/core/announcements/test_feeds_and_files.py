"""Announcements in the portal feeds (linking to their public page, in local time) and their attachments."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from tests.conftest import ApiClient
from tests.core.announcements.conftest import URL, World, draft, later, manager, member, person, published
from tests.core.events.conftest import cadre, published_event
from tests.core.files.conftest import png
from tests.helpers import problem

ATOM = "{http://www.w3.org/2005/Atom}"
LOCAL = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+08:00")


async def test_feeds_carry_public_announcements_linking_to_their_public_page(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", manager(world.root))
    shown = await published(api, boss, world.union, title="工会公开公告", body="全文在此")
    await published(api, boss, world.union, title="会员公告", visibility="members")
    await published(api, boss, world.union, title="定时公告", publish_at=later(days=1))
    await draft(api, boss, world.union, title="草稿公告")
    await published(api, boss, world.youth, title="团委公告")
    organizer = world.add("organizer", cadre(world.union))
    await published_event(api, organizer, world.union, title="职工运动会")

    feed = (await api.get(f"/api/v1/feeds/orgs/{world.union['id']}/feed.json")).json()
    by_title = {item["title"]: item for item in feed["items"]}
    assert set(by_title) == {"工会公开公告", "职工运动会"}
    item = by_title["工会公开公告"]
    assert item["id"] == f"urn:uuid:{shown['id']}"
    assert item["url"] == shown["public_url"] and "announcement" in item["tags"]
    assert LOCAL.fullmatch(item["date_published"]), item["date_published"]  # local time, with offset
    assert item["content_text"].startswith("区总工会 · ") and item["content_text"].endswith("全文在此")
    assert LOCAL.fullmatch(by_title["职工运动会"]["date_published"])
    assert by_title["职工运动会"]["url"].endswith("/public")

    # The link is the public page: readable without a token.
    path = item["url"].split("://", 1)[1].split("/", 1)[1]
    page = await api.get(f"/{path}")
    assert page.status_code == 200 and page.json()["title"] == "工会公开公告"

    root_feed = (await api.get(f"/api/v1/feeds/orgs/{world.root['id']}/feed.atom")).content
    entries = ET.fromstring(root_feed).findall(f"{ATOM}entry")  # noqa: S314 - our own output
    titles = {e.findtext(f"{ATOM}title"): e for e in entries}
    assert {"工会公开公告", "团委公告", "职工运动会"} <= set(titles) and "会员公告" not in titles
    entry = titles["工会公开公告"]
    assert entry.find(f"{ATOM}link").get("href") == shown["public_url"]  # type: ignore[union-attr]
    assert LOCAL.fullmatch(entry.findtext(f"{ATOM}published") or "")


async def test_attachments_follow_the_announcement(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.union))
    notice = await draft(api, boss, world.union, title="附件公告", visibility="members")
    form = {"owner_kind": "announcement", "owner_id": notice["id"]}
    upload = await api.post(
        "/api/v1/files", data=form, files={"file": ("通知原文.png", png(), "image/png")}, headers=boss
    )
    assert upload.status_code == 201, upload.text
    listing = {"owner_kind": "announcement", "owner_id": notice["id"]}
    fellow = world.add("fellow", person(await member(world.union)))
    problem(await api.get("/api/v1/files", params=listing, headers=fellow), 404)  # a draft: not theirs yet
    await api.post(f"{URL}/{notice['id']}/publish", headers=boss)
    files = (await api.get("/api/v1/files", params=listing, headers=fellow)).json()["items"]
    assert [f["id"] for f in files] == [upload.json()["id"]]
    problem(
        await api.post(
            "/api/v1/files", data=form, files={"file": ("x.png", png(), "image/png")}, headers=fellow
        ),
        403,
    )
    other = world.add("other", person(await member(world.youth)))
    problem(await api.get("/api/v1/files", params=listing, headers=other), 404)


async def test_moving_a_subtree_carries_its_announcements_along(api: ApiClient, world: World) -> None:
    """The announcement's copy of its org's path is rewritten by a move: reach and lists follow the org."""
    from core.announcements.tables import Announcement
    from core.orgs.tables import Org
    from tests.helpers import AllowAll

    boss = world.add("boss", manager(world.root))
    made = await published(api, boss, world.union, title="随组织迁移的公告", visibility="members")
    moved = await api.post(
        f"/api/v1/orgs/{world.union['id']}/move",
        json={"parent": str(world.other["id"])},
        headers=world.add("admin", AllowAll()),
    )
    assert moved.status_code == 200, moved.text
    union = await Org.select(Org.path).where(Org.id == world.union["id"]).first().run()
    row = await Announcement.select(Announcement.org_path).first().run()
    assert row is not None and union is not None and row["org_path"] == union["path"]
    problem(await api.get(f"{URL}/{made['id']}", headers=boss), 404)  # the old place no longer reaches it
    there = world.add("there", manager(world.other))
    assert (await api.get(f"{URL}/{made['id']}", headers=there)).status_code == 200
    moved_member = world.add("moved_member", person(await member(world.union)))
    assert (await api.get(f"{URL}/{made['id']}", headers=moved_member)).status_code == 200
