"""Portal feeds: JSON Feed and Atom of an org subtree's public events and announcement-like signals."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from litestar import Litestar

from core.events.tables import Event
from core.integration.signals import SignalType, emit
from core.kernel.hookspecs import hookimpl
from core.kernel.i18n import Text
from core.sdk import PluginInfo
from tests.core.integration.support import make_org, running
from tests.core.integration.test_webhooks import CHILD, ROOT, SIBLING
from tests.helpers import AllowNone, problem


class Notice(msgspec.Struct, kw_only=True):
    notice_id: uuid.UUID


NOTICE = SignalType(
    name="feedtest.notice_posted",
    payload=Notice,
    description=Text(zh_hans="发布了通知", en="A notice was posted"),
    public=True,
)
PRIVATE = SignalType(
    name="feedtest.secret_thing", payload=Notice, description=Text(zh_hans="内部", en="Internal")
)


class FeedTestPlugin:
    @hookimpl
    def quntuan_plugin_info(self) -> PluginInfo:
        return PluginInfo(
            slug="feedtest", name=Text(zh_hans="订阅测试", en="Feed test"), version="1.0", core_api=">=1.0,<2"
        )

    @hookimpl
    def quntuan_signals(self) -> list[SignalType]:
        return [NOTICE, PRIVATE]


async def add_event(
    org_id: uuid.UUID, path: str, title: str, *, visibility: str = "public", status: str = "published"
) -> uuid.UUID:
    event_id = uuid.uuid4()
    starts = datetime.now(UTC) + timedelta(days=3)
    await Event.insert(
        Event(
            id=event_id,
            type="core.meeting",
            title=title,
            org=org_id,
            org_path=path,
            organizer_ids=[str(org_id)],
            place="市民中心",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            timezone="Asia/Shanghai",
            visibility=visibility,
            status=status,
        )
    ).run()
    return event_id


async def test_feeds_show_public_items_of_the_subtree_only(
    make_app: Callable[..., Litestar], make_settings: Callable[..., Any]
) -> None:
    from tests.helpers import with_principal

    app = with_principal(
        make_app(plugins={"feedtest": FeedTestPlugin()}, settings_=make_settings(relay_interval=0.05)),
        AllowNone(),
    )
    async with running(app) as client:
        db = client.app.state.db
        root, child, sibling = (
            await make_org(ROOT, name="市总工会"),
            await make_org(CHILD),
            await make_org(SIBLING),
        )
        shown = await add_event(child, CHILD, "劳模座谈会")
        await add_event(child, CHILD, "内部会议", visibility="members")
        await add_event(child, CHILD, "草稿", status="draft")
        await add_event(sibling, SIBLING, "别处的活动")
        async with db.transaction():
            notice = await emit(
                NOTICE,
                Notice(notice_id=uuid.uuid4()),
                resource_type="notice",
                resource_id="n1",
                org_path=CHILD,
            )
            await emit(
                PRIVATE,
                Notice(notice_id=uuid.uuid4()),
                resource_type="notice",
                resource_id="n2",
                org_path=CHILD,
            )
            await emit(
                NOTICE,
                Notice(notice_id=uuid.uuid4()),
                resource_type="notice",
                resource_id="n3",
                org_path=SIBLING,
            )

        response = await client.get(f"/api/v1/feeds/orgs/{root}/feed.json")
        assert response.status_code == 200 and response.headers["content-type"].startswith(
            "application/feed+json"
        )
        feed = response.json()
        assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["title"].startswith("市总工会")
        by_id = {item["id"]: item for item in feed["items"]}
        assert set(by_id) == {f"urn:uuid:{shown}", f"urn:uuid:{notice}"}
        assert by_id[f"urn:uuid:{shown}"]["title"] == "劳模座谈会"
        assert by_id[f"urn:uuid:{notice}"]["title"] == "发布了通知"

        english = (
            await client.get(f"/api/v1/feeds/orgs/{root}/feed.json", headers={"accept-language": "en"})
        ).json()
        assert "A notice was posted" in {i["title"] for i in english["items"]}

        atom = await client.get(f"/api/v1/feeds/orgs/{child}/feed.atom")
        assert atom.headers["content-type"].startswith("application/atom+xml")
        document = ET.fromstring(atom.content)  # noqa: S314 - our own output
        entries = document.findall("{http://www.w3.org/2005/Atom}entry")
        assert {e.findtext("{http://www.w3.org/2005/Atom}id") for e in entries} == set(by_id)

        sibling_feed = (await client.get(f"/api/v1/feeds/orgs/{sibling}/feed.json")).json()
        assert {i["title"] for i in sibling_feed["items"]} == {"别处的活动", "发布了通知"}
        problem(await client.get(f"/api/v1/feeds/orgs/{uuid.uuid4()}/feed.json"), 404)


async def test_events_published_through_the_api_reach_the_feeds(
    integration_app: Callable[..., Litestar],
) -> None:
    """Real data: an event created and published over HTTP is in both feeds (once); a members-only one
    is not. ``event.published`` itself is not a public signal: its event may be members-only, and the
    public events come from the events domain, which applies their visibility."""
    from tests.core.events.conftest import published_event
    from tests.identity_helpers import bearer, make_account
    from tests.identity_helpers import make_org as make_real_org

    async with running(integration_app(None, embedded_worker=True)) as client:
        org = await make_real_org(name="区总工会")
        cadre = await bearer(
            client,
            *await make_account(client.app.state.db, grants=[(org["path"], ["core.event.manage"], True)]),
        )
        shown = await published_event(client, cadre, org, title="职工运动会")
        await published_event(client, cadre, org, title="会员内部座谈", visibility="members")
        assert "event.published" not in {n for n, s in client.app.state.registry.signals.items() if s.public}
        feed = (await client.get(f"/api/v1/feeds/orgs/{org['id']}/feed.json")).json()
        assert [item["title"] for item in feed["items"]] == ["职工运动会"]
        assert feed["items"][0]["id"] == f"urn:uuid:{shown['id']}"
        atom = (await client.get(f"/api/v1/feeds/orgs/{org['id']}/feed.atom")).text
        assert atom.count("<entry>") == 1 and "职工运动会" in atom and "会员内部座谈" not in atom
