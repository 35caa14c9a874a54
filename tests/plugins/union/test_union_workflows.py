"""Union workflows the core runs for the plugin, through HTTP: a 劳动模范 selection into the honors
register (and a 工人先锋号 team nomination), a 职工之家 room booked by a member, 网上入会 applied for
and followed by the person themself, a 转会 the member starts, and reconfigured dues exemptions and
funds split against hand-computed figures."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.testkit import assert_problem
from tests.plugins.union.conftest import make_org, make_person
from tests.plugins.union.test_union_work import county, register

SHANGHAI = ZoneInfo("Asia/Shanghai")


async def _stage(client: Any, h: dict[str, str], campaign_id: str, to: str) -> Any:
    current = (await client.get(f"/api/v1/selections/campaigns/{campaign_id}", headers=h)).json()
    return await client.post(
        f"/api/v1/selections/campaigns/{campaign_id}/stage",
        json={"stage": to},
        headers={**h, "If-Match": f'"{current["version"]}"'},
    )


async def _end_notice(notice_id: str) -> None:
    """Let the notice window pass (a front end would wait the days out)."""
    from datetime import UTC

    from core.processes.tables import Notice

    past = datetime.now(UTC) - timedelta(days=1)
    await (
        Notice.update({Notice.opens_at: past - timedelta(days=7), Notice.closes_at: past})
        .where(Notice.id == notice_id)
        .run()
    )


async def test_a_model_worker_selection_ends_in_the_honors_register(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    fed, ent = orgs["fed"]["id"], orgs["ent"]["id"]
    member = tree.headers["member"]
    me = (await client.get("/api/v1/me", headers=member)).json()["person"]["id"]
    rival = await make_person(client, h, ent, "焊工乙")
    made = await client.post(
        "/api/v1/selections/campaigns",
        json={
            "type": "union.model_worker",
            "org_id": fed,
            "title": "2026年度甲县劳动模范评选",
            "honor_title": "甲县劳动模范",
            "year": 2026,
            "levels": [{"quota": 1}, {"quota": 2}],
        },
        headers=h,
    )
    assert made.status_code == 201, made.text
    campaign = made.json()["id"]
    url = f"/api/v1/selections/campaigns/{campaign}/nominations"
    deeds = {"summary": "攻克大型构件焊接难题，带徒 30 名", "unit": "甲厂", "trade": "焊工"}
    # 劳动模范 is for persons, nominated by their union; the deeds form is checked.
    team = await client.post(
        url,
        json={
            "source": "org",
            "org_id": ent,
            "nominee_kind": "team",
            "nominee_name": "焊接一班",
            "form": deeds,
        },
        headers=h,
    )
    assert assert_problem(team, 422)["errors"][0]["pointer"] == "/nominee_kind"
    empty = await client.post(
        url,
        json={"source": "org", "org_id": ent, "nominee_kind": "person", "nominee_person_id": me, "form": {}},
        headers=h,
    )
    assert assert_problem(empty, 422)["errors"][0]["pointer"] == "/form/summary"
    nominations = []
    for person, name in ((me, "测试member"), (rival, "焊工乙")):
        filed = await client.post(
            url,
            json={
                "source": "org",
                "org_id": ent,
                "nominee_kind": "person",
                "nominee_person_id": person,
                "nominee_name": name,
                "form": deeds,
            },
            headers=h,
        )
        assert filed.status_code == 201, filed.text
        nominations.append(filed.json()["id"])
    # 乙县's union chair cannot nominate into 甲县's campaign.
    b_chair = await tree.holder_of(client, "union.chair", uuid.UUID(orgs["fed_b"]["id"]))
    outsider = await client.post(
        url,
        json={
            "source": "org",
            "org_id": orgs["ent_b"]["id"],
            "nominee_kind": "person",
            "nominee_name": "乙",
            "form": deeds,
        },
        headers=b_chair,
    )
    assert outsider.status_code in (403, 404, 422), outsider.text

    # The grassroots union forwards both; the county selects one, publishes, and decides after the notice.
    assert (await _stage(client, h, campaign, "reviewing")).status_code == 200
    for nomination in nominations:
        forwarded = await client.post(
            f"/api/v1/selections/nominations/{nomination}/review", json={"action": "forward"}, headers=h
        )
        assert forwarded.status_code == 200, forwarded.text
    assert (await _stage(client, h, campaign, "selecting")).status_code == 200
    review = f"/api/v1/selections/nominations/{nominations[0]}/review"
    assert (await client.post(review, json={"action": "select"}, headers=h)).status_code == 200
    over = await client.post(
        f"/api/v1/selections/nominations/{nominations[1]}/review", json={"action": "select"}, headers=h
    )
    assert_problem(over, 409)
    noticed = await _stage(client, h, campaign, "notice")
    assert noticed.status_code == 200, noticed.text
    await _end_notice(noticed.json()["notice_id"])
    current = (await client.get(f"/api/v1/selections/campaigns/{campaign}", headers=h)).json()
    decided = await client.post(
        f"/api/v1/selections/campaigns/{campaign}/decision",
        json={},
        headers={**h, "If-Match": f'"{current["version"]}"'},
    )
    assert decided.status_code == 200, decided.text

    honors = (
        await client.get("/api/v1/honors", params={"org": fed, "scope": "subtree", "by": "issuer"}, headers=h)
    ).json()["items"]
    assert [(x["title"], x["level"], x["year"], x["person_id"], x["source"]) for x in honors] == [
        ("甲县劳动模范", "county", 2026, me, "selection")
    ]
    mine = (await client.get("/api/v1/me/honors", headers=member)).json()
    items = mine["items"] if isinstance(mine, dict) else mine
    assert [x["title"] for x in items] == ["甲县劳动模范"]


async def test_a_pioneer_team_is_nominated_as_a_team(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    made = await client.post(
        "/api/v1/selections/campaigns",
        json={
            "type": "union.pioneer_team",
            "org_id": orgs["fed"]["id"],
            "title": "2026年度甲县工人先锋号",
            "honor_title": "甲县工人先锋号",
            "year": 2026,
            "levels": [{"quota": 2}, {"quota": 1}],
        },
        headers=h,
    )
    assert made.status_code == 201, made.text
    url = f"/api/v1/selections/campaigns/{made.json()['id']}/nominations"
    body = {
        "source": "org",
        "org_id": orgs["ent"]["id"],
        "nominee_name": "焊接一班",
        "form": {"summary": "安全生产 1000 天"},
    }
    assert (await client.post(url, json={**body, "nominee_kind": "team"}, headers=h)).status_code == 201
    person = await make_person(client, h, orgs["ent"]["id"], "个人")
    alone = await client.post(
        url, json={**body, "nominee_kind": "person", "nominee_person_id": person}, headers=h
    )
    assert assert_problem(alone, 422)["errors"][0]["pointer"] == "/nominee_kind"
    # 五一劳动奖章 is a national to city honor: a county cannot run it.
    county_medal = await client.post(
        "/api/v1/selections/campaigns",
        json={
            "type": "union.may_day_medal",
            "org_id": orgs["fed"]["id"],
            "title": "五一劳动奖章",
            "honor_title": "五一劳动奖章",
            "year": 2026,
            "levels": [{"quota": 1}],
        },
        headers=h,
    )
    assert_problem(county_medal, 422)


async def test_a_member_books_a_workers_home_room(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    ent_b = orgs["ent_b"]["id"]
    place = await client.post(
        "/api/v1/places",
        json={"kind": "union.workers_home", "org_id": ent_b, "name": "乙厂职工之家", "services": ["reading"]},
        headers=h,
    )
    assert place.status_code == 201, place.text
    room = await client.post(
        f"/api/v1/places/{place.json()['id']}/resources",
        json={"kind": "room", "name": "职工书屋", "seats": 20, "slot_minutes": 60, "who": "members"},
        headers=h,
    )
    assert room.status_code == 201, room.text
    bookings = f"/api/v1/places/resources/{room.json()['id']}/bookings"
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=1)
    slot = {
        "starts_at": datetime(tomorrow.year, tomorrow.month, tomorrow.day, 14, tzinfo=SHANGHAI).isoformat(),
        "ends_at": datetime(tomorrow.year, tomorrow.month, tomorrow.day, 16, tzinfo=SHANGHAI).isoformat(),
        "attendees": 8,
        "purpose": "读书会",
    }
    member = tree.headers["member"]
    # The room is for members of the union: before joining the member account is refused.
    assert_problem(await client.post(bookings, json=slot, headers=member), 403)
    me = (await client.get("/api/v1/me", headers=member)).json()["person"]["id"]
    assert (await register(client, h, ent_b, me)).status_code == 201
    booked = await client.post(bookings, json=slot, headers=member)
    assert booked.status_code == 201, booked.text
    assert booked.json()["status"] == "confirmed" and booked.json()["person_id"] == me
    mine = (await client.get("/api/v1/me/bookings", headers=member)).json()["items"]
    assert [b["id"] for b in mine] == [booked.json()["id"]]
    # The same hours are taken; too many attendees and off-grid times are problems naming the field.
    taken = await client.post(bookings, json={**slot, "org_id": ent_b}, headers=h)
    assert assert_problem(taken, 409)["type"].endswith("resource-unavailable")
    assert_problem(await client.post(bookings, json={**slot, "attendees": 50}, headers=member), 422)
    off_grid = {**slot, "starts_at": slot["starts_at"].replace("14:00", "14:20")}
    assert_problem(await client.post(bookings, json=off_grid, headers=member), 422)


async def test_a_person_joins_online_follows_it_and_transfers_themself(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree

    async def step_as(h: dict[str, str], process_id: str, transition: str) -> Any:
        """A step by ``h`` with the process's current ETag (read by the city, which sees it)."""
        current = await client.get(f"/api/v1/processes/{process_id}", headers=tree.headers["city"])
        return await client.post(
            f"/api/v1/processes/{process_id}/transitions",
            json={"transition": transition},
            headers={**h, "If-Match": current.headers["etag"]},
        )

    orgs = await county(client, tree)
    ent, ent_b = orgs["ent"]["id"], orgs["ent_b"]["id"]
    member = tree.headers["member"]
    me = (await client.get("/api/v1/me", headers=member)).json()["person"]["id"]
    form = {"employer_name": "乙厂", "wage_main_income": True, "monthly_wage": 500000}
    # 网上入会 by the person themself: conditions are checked when applying.
    refused = await client.post(
        "/api/v1/processes",
        json={"type": "union.join", "org_id": ent_b, "form": {**form, "wage_main_income": False}},
        headers=member,
    )
    assert assert_problem(refused, 422)["errors"][0]["code"] == "union_not_wage_earner"
    bad = await client.post(
        "/api/v1/processes",
        json={"type": "union.join", "org_id": ent_b, "form": {**form, "monthly_wage": -1}},
        headers=member,
    )
    assert assert_problem(bad, 422)["errors"][0]["pointer"] == "/form/monthly_wage"
    applied = await client.post(
        "/api/v1/processes", json={"type": "union.join", "org_id": ent_b, "form": form}, headers=member
    )
    assert applied.status_code == 201, applied.text
    pid = applied.json()["id"]

    async def progress() -> list[tuple[str, str, str]]:
        items = (await client.get("/api/v1/me/processes", headers=member)).json()["items"]
        return [(p["type"], p["state"], p["status"]) for p in items if p["id"] == pid]

    assert await progress() == [("union.join", "submitted", "open")]
    own = await client.get(f"/api/v1/processes/{pid}", headers=member)
    assert own.status_code == 200 and own.json()["applicant_id"] == me
    # The applicant cannot decide their own application; 甲县's union chair cannot either.
    assert_problem(await step_as(member, pid, "verify"), 403)
    a_chair = await tree.holder_of(client, "union.chair", uuid.UUID(orgs["fed"]["id"]))
    refused_step = await step_as(a_chair, pid, "verify")
    assert refused_step.status_code in (403, 404), refused_step.text
    b_chair = await tree.holder_of(client, "union.chair", uuid.UUID(orgs["fed_b"]["id"]))
    assert (await step_as(b_chair, pid, "verify")).status_code == 200
    assert await progress() == [("union.join", "verified", "open")]
    assert (await step_as(b_chair, pid, "approve")).status_code == 200
    assert await progress() == [("union.join", "approved", "closed")]
    file = (await client.get(f"/api/v1/union/members/{me}", headers=b_chair)).json()
    assert file["active"] and file["joined_via"] == "application" and file["monthly_wage"] == 500000
    card = file["card_number"]

    # 转会 started by the member on changing jobs: 乙厂 releases, 甲厂 accepts, the card follows.
    memberships = (await client.get("/api/v1/me", headers=member)).json()["memberships"]
    (membership,) = [m for m in memberships if m["org_id"] == ent_b]
    moved = await client.post(
        "/api/v1/me/transfers",
        json={"membership_id": membership["membership_id"], "to_org_id": ent, "reason": "到甲厂就业"},
        headers=member,
    )
    assert moved.status_code == 201, moved.text
    tid = moved.json()["id"]
    # The receiving side cannot release for the sender, nor the sender accept for the receiver.
    early = await step_as(a_chair, tid, "release")
    assert early.status_code in (403, 404), early.text
    assert (await step_as(b_chair, tid, "release")).status_code == 200
    late = await step_as(b_chair, tid, "accept")
    assert late.status_code in (403, 404), late.text
    assert (await step_as(a_chair, tid, "accept")).status_code == 200
    states = {
        p["id"]: p["state"]
        for p in (await client.get("/api/v1/me/processes", headers=member)).json()["items"]
    }
    assert states[tid] == "transferred"
    after = (await client.get(f"/api/v1/union/members/{me}", headers=a_chair)).json()
    assert after["org_id"] == ent and after["card_number"] == card and after["active"]
    assert_problem(await client.get(f"/api/v1/union/members/{me}", headers=b_chair), 404)


async def test_reconfigured_exemptions_and_a_custom_funds_split(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    fed, ent = orgs["fed"]["id"], orgs["ent"]["id"]
    street = await make_org(client, h, fed, "union.grassroots", "unit", "甲街道工会")
    rules = (await client.get(f"/api/v1/union/orgs/{fed}/rules", headers=h)).json()["rules"]
    # 甲县 honours only the retired exemption and keeps 70% of the funds at the grassroots.
    new = {
        **rules,
        "dues_exemptions": ["retired"],
        "funds_split": {"grassroots": 700, "county": 200, "city": 100},
    }
    put = await client.put(f"/api/v1/union/orgs/{fed}/rules", json=new, headers=h)
    assert put.status_code == 200, put.text
    assert put.json()["rules"]["funds_split"] == {"grassroots": 700, "county": 200, "city": 100}
    bad = await client.put(
        f"/api/v1/union/orgs/{fed}/rules",
        json={**new, "dues_exemptions": ["on_holiday"]},
        headers={**h, "If-Match": put.headers["etag"]},
    )
    assert assert_problem(bad, 422)["errors"][0]["pointer"].startswith("/dues_exemptions")
    persons = {}
    for name, wage, exemption in (
        ("困难职工", 300000, "hardship"),
        ("退休返聘", 400000, "retired"),
        ("普通职工", 612345, ""),
    ):
        persons[name] = await make_person(client, h, ent, name)
        made = await register(client, h, ent, persons[name], monthly_wage=wage, dues_exemption=exemption)
        assert made.status_code == 201, made.text
    assessed = await client.post(
        f"/api/v1/union/orgs/{ent}/dues-assessments", json={"month": "2026-10"}, headers=h
    )
    assert assessed.status_code == 200, assessed.text
    # hardship is no longer honoured: 3000.00 × 0.5% = 15.00; retired: exempt; 6123.45 × 0.5% = 30.62 (30.617…).
    assert assessed.json() == {
        "month": "2026-10",
        "assessed": 3,
        "exempt": 1,
        "without_wage": 0,
        "due": 1500 + 3062,
    }
    rows = {
        r["name"]: r
        for r in (
            await client.get("/api/v1/union/members", params={"org": ent, "month": "2026-10"}, headers=h)
        ).json()["items"]
    }
    assert (rows["困难职工"]["dues_status"], rows["困难职工"]["dues_due"]) == ("due", 1500)
    assert rows["退休返聘"]["dues_status"] == "exempt"

    # Funds of a payroll of 12345.67 yuan: 2% = 246.91 (246.9134); county 20% = 49.38, city 10% = 24.69,
    # and the grassroots keeps the rest (what rounding leaves): 172.84.
    fund = await client.post(
        f"/api/v1/union/orgs/{street['id']}/funds",
        json={"month": "2026-10", "payroll": 1234567, "employer_name": "甲街道某店"},
        headers=h,
    )
    assert fund.status_code == 201, fund.text
    assert fund.json()["amount"] == 24691
    assert fund.json()["split"] == {"grassroots": 17284, "county": 4938, "city": 2469}
    summary = await client.get(
        f"/api/v1/union/orgs/{fed}/finance-summary", params={"first": "2026-10", "last": "2026-10"}, headers=h
    )
    (month,) = summary.json()["months"]
    assert month["funds_due"] == 24691 and month["dues_due"] == 4562 and month["exempt"] == 1
