"""Announcements (公告/通知) through HTTP: drafts, publishing, who sees what, scheduling, expiry, withdrawal,
If-Match, bad input, reach, search, pinning, signals and audit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from core.identity.tables import AuditEntry
from core.integration.tables import OutboxSignal
from tests.conftest import ApiClient
from tests.core.announcements.conftest import (
    URL,
    World,
    draft,
    later,
    make_persons,
    manager,
    member,
    person,
    published,
    reader,
    shift,
    titles,
)
from tests.helpers import problem

PUBLIC = f"{URL}/public"


async def test_a_draft_is_seen_by_its_managers_only_until_published(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.union))
    (pid,) = await make_persons(1)
    someone = world.add("someone", person(pid))
    made = await draft(api, boss, world.union, body_format="markdown", body="**请**按时参加")
    assert made["status"] == "draft" and made["pinned"] is False and made["public_url"] is None
    assert made["org_name"] == "区总工会" and made["body_format"] == "markdown"
    assert made["created_at"].endswith("+08:00")  # the platform's zone, with its offset
    read = await api.get(f"{URL}/{made['id']}", headers=boss)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'

    problem(await api.get(f"{URL}/{made['id']}", headers=someone), 404)
    problem(await api.get(f"{URL}/{made['id']}/public"), 404)
    assert await titles(api, PUBLIC) == []
    assert await titles(api, URL, someone) == []

    done = await api.post(f"{URL}/{made['id']}/publish", headers=boss)
    assert done.status_code == 200, done.text
    shown = done.json()
    assert shown["status"] == "published" and shown["version"] == 2 and done.headers["etag"] == '"2"'
    assert shown["publish_at"].endswith("+08:00") and shown["published_at"].endswith("+08:00")
    assert shown["public_url"].endswith(f"/api/v1/announcements/{made['id']}/public")

    page = await api.get(f"{URL}/{made['id']}/public")  # no token
    assert page.status_code == 200, page.text
    public = page.json()
    assert public["title"] == "关于开展职工体检的通知" and public["body"] == "**请**按时参加"
    assert public["org_name"] == "区总工会" and public["publish_at"] == shown["publish_at"]
    assert public["url"] == shown["public_url"]
    assert "version" not in public and "visibility" not in public
    assert await titles(api, PUBLIC) == ["关于开展职工体检的通知"]
    assert await titles(api, URL, someone) == ["关于开展职工体检的通知"]
    assert (await api.get(f"{URL}/{made['id']}", headers=someone)).status_code == 200

    again = problem(await api.post(f"{URL}/{made['id']}/publish", headers=boss), 409)
    assert again["type"].endswith("/announcement-state-conflict")


async def test_members_and_direct_members_see_what_is_meant_for_them(api: ApiClient, world: World) -> None:
    """``members`` reaches the members of the org's whole subtree; ``members_direct`` its own members."""
    boss = world.add("boss", manager(world.root))
    await published(api, boss, world.root, title="区委全体成员通知", visibility="members")
    await published(api, boss, world.root, title="区委直属成员通知", visibility="members_direct")
    union_only = await published(api, boss, world.union, title="工会会员通知", visibility="members")
    await published(api, boss, world.root, title="公开通知")
    neighbour = world.add("neighbour", manager(world.other))
    await published(api, neighbour, world.other, title="邻区通知", visibility="members")

    below = world.add("below", person(await member(world.union)))  # a member of a union under the root
    own = world.add("own", person(await member(world.root)))  # a member of the root itself
    left = world.add("left", person(await member(world.root, status="left")))
    (pid,) = await make_persons(1)
    outsider = world.add("outsider", person(pid))

    assert sorted(await titles(api, URL, below)) == ["公开通知", "区委全体成员通知", "工会会员通知"]
    assert sorted(await titles(api, URL, own)) == ["公开通知", "区委全体成员通知", "区委直属成员通知"]
    assert await titles(api, URL, left) == ["公开通知"]
    assert await titles(api, URL, outsider) == ["公开通知"]
    problem(await api.get(f"{URL}/{union_only['id']}", headers=own), 404)
    assert (await api.get(f"{URL}/{union_only['id']}", headers=below)).status_code == 200
    problem(await api.get(f"{URL}/{union_only['id']}/public"), 404)  # not public: no public page
    assert await titles(api, PUBLIC) == ["公开通知"]

    # "Mine": the announcements of one's own orgs only (the sibling subtree's public ones are not theirs).
    await published(api, neighbour, world.other, title="邻区公开通知")
    assert sorted(await titles(api, f"{URL}/mine", below)) == ["公开通知", "区委全体成员通知", "工会会员通知"]
    assert sorted(await titles(api, f"{URL}/mine", own)) == [
        "公开通知",
        "区委全体成员通知",
        "区委直属成员通知",
    ]
    assert await titles(api, f"{URL}/mine", outsider) == []
    assert await titles(api, f"{URL}/mine", below, q="工會") == ["工会会员通知"]
    problem(await api.get(f"{URL}/mine"), 401)


async def test_scheduled_announcements_wait_for_their_time_and_expired_ones_go(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", manager(world.union))
    looker = world.add("reader", reader(world.union))
    (pid,) = await make_persons(1)
    someone = world.add("someone", person(pid))
    tomorrow = await published(api, boss, world.union, title="明日公告", publish_at=later(days=1))
    assert tomorrow["status"] == "scheduled" and tomorrow["public_url"] is None
    problem(await api.get(f"{URL}/{tomorrow['id']}/public"), 404)
    problem(await api.get(f"{URL}/{tomorrow['id']}", headers=someone), 404)
    assert await titles(api, URL, someone) == []
    assert await titles(api, URL, looker, status="scheduled") == ["明日公告"]  # readers within reach see it

    await shift(tomorrow["id"], publish_at=datetime.now(UTC) - timedelta(minutes=1))  # the day came
    assert await titles(api, PUBLIC) == ["明日公告"]
    assert (await api.get(f"{URL}/{tomorrow['id']}", headers=someone)).json()["status"] == "published"

    await shift(tomorrow["id"], expire_at=datetime.now(UTC) - timedelta(seconds=1))  # and it ended
    problem(await api.get(f"{URL}/{tomorrow['id']}/public"), 404)
    problem(await api.get(f"{URL}/{tomorrow['id']}", headers=someone), 404)
    assert await titles(api, PUBLIC) == []
    assert (await api.get(f"{URL}/{tomorrow['id']}", headers=looker)).json()["status"] == "expired"
    assert await titles(api, URL, boss, status="expired") == ["明日公告"]
    assert await titles(api, URL, boss, status="published") == []

    # A draft whose end has passed cannot be published; a later expire_at lets it go.
    stale = await draft(api, boss, world.union, title="过期草稿", expire_at=later(seconds=1))
    await shift(stale["id"], expire_at=datetime.now(UTC) - timedelta(seconds=1))
    body = problem(await api.post(f"{URL}/{stale['id']}/publish", headers=boss), 422)
    assert body["errors"][0] == {
        "pointer": "/expire_at",
        "code": "already_expired",
        "message": body["errors"][0]["message"],
    }
    fixed = await api.patch(
        f"{URL}/{stale['id']}", json={"expire_at": later(days=3)}, headers={**boss, "If-Match": '"1"'}
    )
    assert fixed.status_code == 200, fixed.text
    assert (await api.post(f"{URL}/{stale['id']}/publish", headers=boss)).json()["status"] == "published"


async def test_withdrawn_announcements_leave_every_list(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.union))
    shown = await published(api, boss, world.union, title="撤回的公告")
    pulled = await api.post(f"{URL}/{shown['id']}/withdraw", headers=boss)
    assert pulled.status_code == 200, pulled.text
    assert pulled.json()["status"] == "withdrawn" and pulled.json()["withdrawn_at"].endswith("+08:00")
    problem(await api.get(f"{URL}/{shown['id']}/public"), 404)
    assert await titles(api, PUBLIC) == []
    feed = (await api.get(f"/api/v1/feeds/orgs/{world.union['id']}/feed.json")).json()
    assert "撤回的公告" not in {i["title"] for i in feed["items"]}
    assert await titles(api, URL, boss, status="withdrawn") == ["撤回的公告"]
    for action in ("withdraw", "publish", "pin"):
        state = problem(await api.post(f"{URL}/{shown['id']}/{action}", headers=boss), 409)
        assert state["type"].endswith("/announcement-state-conflict")
    etag = (await api.get(f"{URL}/{shown['id']}", headers=boss)).headers["etag"]
    problem(
        await api.patch(f"{URL}/{shown['id']}", json={"title": "改"}, headers={**boss, "If-Match": etag}), 409
    )


async def test_changes_need_the_etag_they_were_read_with(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.union))
    made = await published(api, boss, world.union, title="原标题")
    url = f"{URL}/{made['id']}"
    problem(await api.patch(url, json={"title": "新标题"}, headers=boss), 428)
    problem(await api.patch(url, json={"title": "新标题"}, headers={**boss, "If-Match": '"1"'}), 412)
    changed = await api.patch(
        url, json={"title": "新標題", "body": "全文"}, headers={**boss, "If-Match": made_etag(made)}
    )
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"3"' and changed.json()["title"] == "新標題"
    assert await titles(api, PUBLIC, q="新标题") == ["新標題"]  # the search follows the change
    problem(await api.patch(url, json={"title": "再改"}, headers={**boss, "If-Match": made_etag(made)}), 412)

    # Rescheduling a published one: later hides it again until then; null shows it at once.
    later_on = await api.patch(
        url, json={"publish_at": later(days=2)}, headers={**boss, "If-Match": changed.headers["etag"]}
    )
    assert later_on.json()["status"] == "scheduled"
    assert await titles(api, PUBLIC) == []
    now_on = await api.patch(
        url, json={"publish_at": None}, headers={**boss, "If-Match": later_on.headers["etag"]}
    )
    assert now_on.json()["status"] == "published" and now_on.json()["publish_at"] is not None
    assert await titles(api, PUBLIC) == ["新標題"]


def made_etag(made: dict[str, object]) -> str:
    return f'"{made["version"]}"'


async def test_bad_input_is_refused_naming_the_field(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.union))
    org = str(world.union["id"])

    async def refused(body: dict[str, object]) -> dict[str, object]:
        answer = problem(await api.post(URL, json=body, headers=boss), 422)
        return answer["errors"][0]  # type: ignore[no-any-return,index]

    assert (await refused({"org_id": org}))["pointer"] == "/title"
    assert (await refused({"org_id": org, "title": ""}))["pointer"] == "/title"
    assert (await refused({"org_id": org, "title": "x" * 201}))["pointer"] == "/title"
    assert (await refused({"org_id": org, "title": "通知", "visibility": "subtree"}))[
        "pointer"
    ] == "/visibility"
    assert (await refused({"org_id": org, "title": "通知", "body_format": "html"}))[
        "pointer"
    ] == "/body_format"
    naive = await refused({"org_id": org, "title": "通知", "publish_at": "2030-01-01T09:00:00"})
    assert naive["pointer"] == "/publish_at"
    unknown = await refused({"org_id": org, "title": "通知", "colour": "red"})
    assert unknown["pointer"] == "/colour"
    window = await refused(
        {"org_id": org, "title": "通知", "publish_at": later(days=2), "expire_at": later(days=1)}
    )
    assert window["pointer"] == "/expire_at" and window["code"] == "expires_before_published"
    english = problem(
        await api.post(
            URL,
            json={"org_id": org, "title": "通知", "publish_at": later(days=2), "expire_at": later(days=1)},
            headers={**boss, "Accept-Language": "en"},
        ),
        422,
    )
    assert english["errors"][0]["message"] == "Must be later than the time the announcement is published"
    made = await draft(api, boss, world.union, publish_at=later(days=2))
    problem(
        await api.patch(
            f"{URL}/{made['id']}", json={"expire_at": later(days=1)}, headers={**boss, "If-Match": '"1"'}
        ),
        422,
    )
    assert (
        problem(await api.get(URL, params={"status": "lost"}, headers=boss), 422)["errors"][0]["pointer"]
        == "query:/status"
    )
    problem(await api.get(PUBLIC, params={"org": str(uuid.uuid4())}), 404)
    problem(await api.post(URL, json={"title": "通知"}), 401)


async def test_reach_ends_at_the_subtree(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.union))
    league = world.add("league", manager(world.youth))
    theirs = await draft(api, league, world.youth, title="团委草稿")
    members = await published(api, league, world.youth, title="团员通知", visibility="members")
    mine = await draft(api, boss, world.union, title="工会草稿")

    problem(await api.post(URL, json={"org_id": str(world.youth["id"]), "title": "越权"}, headers=boss), 403)
    problem(await api.post(URL, json={"org_id": str(uuid.uuid4()), "title": "无此组织"}, headers=boss), 403)
    for target in (theirs, members):
        problem(await api.get(f"{URL}/{target['id']}", headers=boss), 404)
        problem(await api.post(f"{URL}/{target['id']}/publish", headers=boss), 404)
        problem(await api.post(f"{URL}/{target['id']}/withdraw", headers=boss), 404)
        problem(
            await api.patch(
                f"{URL}/{target['id']}", json={"title": "改"}, headers={**boss, "If-Match": '"1"'}
            ),
            404,
        )
    assert await titles(api, URL, boss) == ["工会草稿"]
    assert await titles(api, URL, boss, org=str(world.youth["id"])) == []
    # A member of the union sees the youth's members announcement? No: it is the youth's members'.
    union_member = world.add("union_member", person(await member(world.union)))
    problem(await api.get(f"{URL}/{members['id']}", headers=union_member), 404)
    # A member who may see an announcement still may not change it.
    youth_member = world.add("youth_member", person(await member(world.youth)))
    assert (await api.get(f"{URL}/{members['id']}", headers=youth_member)).status_code == 200
    problem(await api.post(f"{URL}/{members['id']}/withdraw", headers=youth_member), 403)
    # A root manager reaches both subtrees, drafts included.
    top = world.add("top", manager(world.root))
    assert sorted(await titles(api, URL, top)) == ["团员通知", "团委草稿", "工会草稿"]
    assert await titles(api, URL, top, org=str(world.union["id"])) == [mine["title"]]


async def test_search_finds_either_script(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.root))
    await published(api, boss, world.union, title="區總工會年度表彰", body="表彰先進")
    await published(api, boss, world.youth, title="团区委换届公告", body="选举产生新一届委员会")
    assert await titles(api, PUBLIC, q="总工会") == ["區總工會年度表彰"]
    assert await titles(api, PUBLIC, q="先进") == ["區總工會年度表彰"]
    assert await titles(api, PUBLIC, q="換屆") == ["团区委换届公告"]
    assert await titles(api, PUBLIC, q="%") == ["团区委换届公告", "區總工會年度表彰"]
    assert await titles(api, PUBLIC, org=str(world.youth["id"])) == ["团区委换届公告"]
    assert await titles(api, PUBLIC, org=str(world.root["id"]), scope="org") == []


async def test_pinned_first_then_newest_across_pages(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.union))
    made = [await published(api, boss, world.union, title=f"第{i}号通知") for i in range(1, 5)]
    for i, item in enumerate(made):  # distinct publication times, oldest first
        await shift(item["id"], publish_at=datetime.now(UTC) - timedelta(hours=10 - i))
    pinned = await api.post(f"{URL}/{made[0]['id']}/pin", headers=boss)
    assert pinned.status_code == 200 and pinned.json()["pinned"] is True
    again = await api.post(f"{URL}/{made[0]['id']}/pin", headers=boss)  # already: nothing changes
    assert again.json()["version"] == pinned.json()["version"]

    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await api.get(PUBLIC, params=params)).json()
        seen += [i["title"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["第1号通知", "第4号通知", "第3号通知", "第2号通知"]
    assert await titles(api, URL, boss, pinned=True) == ["第1号通知"]
    unpinned = await api.post(f"{URL}/{made[0]['id']}/unpin", headers=boss)
    assert unpinned.json()["pinned"] is False
    assert await titles(api, PUBLIC) == ["第4号通知", "第3号通知", "第2号通知", "第1号通知"]
    problem(await api.get(PUBLIC, params={"cursor": "bm90IGEgY3Vyc29y"}), 400)


async def test_each_change_leaves_a_signal_and_an_audit_entry(api: ApiClient, world: World) -> None:
    boss = world.add("boss", manager(world.union))
    made = await draft(api, boss, world.union, visibility="members")
    await api.post(f"{URL}/{made['id']}/publish", headers=boss)
    await api.post(f"{URL}/{made['id']}/pin", headers=boss)
    await api.post(f"{URL}/{made['id']}/withdraw", headers=boss)
    signals = (
        await OutboxSignal.select(OutboxSignal.name, OutboxSignal.org_path, OutboxSignal.payload)
        .where(OutboxSignal.resource_id == made["id"])
        .order_by(OutboxSignal.seq)
        .run()
    )
    assert [s["name"] for s in signals] == [
        "announcement.created",
        "announcement.published",
        "announcement.pinned",
        "announcement.withdrawn",
    ]
    assert {s["org_path"] for s in signals} == {world.union["path"]}
    assert "关于" not in str(signals[1]["payload"])  # ids and codes, not the text
    entries = (
        await AuditEntry.select(AuditEntry.action)
        .where(AuditEntry.resource_id == made["id"])
        .order_by(AuditEntry.seq)
        .run()
    )
    assert {e["action"] for e in entries} == {s["name"] for s in signals}
