"""Read routes over the union's records, through HTTP: a member's dues payments (for cadres in reach and
the member themself), union-fund rows per unit, and wage agreements with their status."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from core.testkit import assert_problem
from tests.plugins.union.conftest import make_person
from tests.plugins.union.test_union_work import county, open_process, register, step

TODAY = datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def pay(client: Any, h: dict[str, str], org: str, person: str, month: str, **more: Any) -> Any:
    assessed = await client.post(
        f"/api/v1/union/orgs/{org}/dues-assessments", json={"month": month}, headers=h
    )
    assert assessed.status_code == 200, assessed.text
    paid = await client.post(
        f"/api/v1/union/orgs/{org}/dues-payments",
        json={"person_id": person, "months": [month], **more},
        headers=h,
    )
    assert paid.status_code == 201, paid.text
    return paid.json()


async def test_a_members_dues_payments(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    ent, ent_b = orgs["ent"]["id"], orgs["ent_b"]["id"]
    worker = await make_person(client, h, ent, "职工甲")
    other = await make_person(client, h, ent, "职工乙")
    for person in (worker, other):
        assert (await register(client, h, ent, person, monthly_wage=600000)).status_code == 201
    first = await pay(client, h, ent, worker, "2026-10", channel="online", reference="wx-0001")
    second = await pay(client, h, ent, worker, "2026-11", channel="cash", reference="收据 12")
    await pay(client, h, ent, other, "2026-11", channel="payroll")
    # Without a month the members list shows this month — Shanghai's, not UTC's (they differ from
    # 16:00 UTC on a month's last day).
    listed = (await client.get("/api/v1/union/members", params={"org": ent}, headers=h)).json()["items"]
    assert {r["month"] for r in listed} == {datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")}
    url = f"/api/v1/union/members/{worker}/dues-payments"
    page = (await client.get(url, headers=h)).json()
    assert [(p["id"], p["months"], p["channel"], p["reference"], p["amount"]) for p in page["items"]] == [
        (second["id"], ["2026-11"], "cash", "收据 12", 3000),
        (first["id"], ["2026-10"], "online", "wx-0001", 3000),
    ]
    assert page["items"][0]["org_name"] == "甲厂工会" and page["next_cursor"] is None
    assert datetime.fromisoformat(page["items"][0]["paid_at"].replace("Z", "+00:00")).tzinfo is not None
    one = (await client.get(url, params={"limit": 1}, headers=h)).json()
    rest = (await client.get(url, params={"limit": 1, "cursor": one["next_cursor"]}, headers=h)).json()
    assert [p["id"] for p in one["items"] + rest["items"]] == [second["id"], first["id"]]
    # 乙县's chair and the member account see none of it.
    b_chair = await tree.holder_of(client, "union.chair", uuid.UUID(orgs["fed_b"]["id"]))
    assert_problem(await client.get(url, headers=b_chair), 404)
    assert_problem(await client.get(url, headers=tree.headers["member"]), 403)
    assert_problem(await client.get(f"/api/v1/union/members/{uuid.uuid4()}/dues-payments", headers=h), 404)
    assert_problem(await client.get(url, params={"cursor": "nope"}, headers=h), 400)

    # The member themself reads their own payments, and nobody else's.
    member = tree.headers["member"]
    assert (await client.get("/api/v1/union/me/dues-payments", headers=member)).json()["items"] == []
    me = (await client.get("/api/v1/me", headers=member)).json()["person"]["id"]
    assert (await register(client, h, ent_b, me, monthly_wage=800000)).status_code == 201
    mine = await pay(client, h, ent_b, me, "2026-11", channel="online", reference="alipay-9")
    items = (await client.get("/api/v1/union/me/dues-payments", headers=member)).json()["items"]
    assert [(p["id"], p["amount"], p["org_name"]) for p in items] == [(mine["id"], 4000, "乙厂工会")]


async def test_fund_rows_per_unit(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    fed, ent, joint = orgs["fed"]["id"], orgs["ent"]["id"], orgs["joint"]["id"]
    made = await client.post(
        "/api/v1/units",
        json={
            "name": "甲厂",
            "kind": "non_public_enterprise",
            "area": str(tree.orgs["county_a"]["id"]),
            "employees": 120,
        },
        headers=h,
    )
    assert made.status_code == 201, made.text
    unit = made.json()["id"]
    url = f"/api/v1/union/orgs/{fed}/funds"
    for org, month, body in (
        (ent, "2026-10", {"unit_id": unit, "payroll": 10000000, "paid": 200000}),
        (ent, "2026-11", {"unit_id": unit, "payroll": 12000000}),
        (joint, "2026-11", {"employer_name": "某快递网点", "payroll": 3000000}),
    ):
        response = await client.post(
            f"/api/v1/union/orgs/{org}/funds", json={"month": month, **body}, headers=h
        )
        assert response.status_code == 201, response.text
    rows = (await client.get(url, params={"unit": unit}, headers=h)).json()["items"]
    assert [(r["month"], r["amount"], r["paid"], r["status"]) for r in rows] == [
        ("2026-11", 240000, 0, "due"),
        ("2026-10", 200000, 200000, "paid"),
    ]
    assert rows[0]["split"]["grassroots"] == 144000 and rows[0]["unit_id"] == unit
    november = (await client.get(url, params={"first": "2026-11", "last": "2026-11"}, headers=h)).json()[
        "items"
    ]
    assert sorted(r["employer_name"] for r in november) == ["", "某快递网点"]
    only_joint = (await client.get(f"/api/v1/union/orgs/{joint}/funds", headers=h)).json()["items"]
    assert [r["employer_name"] for r in only_joint] == ["某快递网点"]
    page = (await client.get(url, params={"limit": 2}, headers=h)).json()
    assert len(page["items"]) == 2 and page["next_cursor"]
    for params, pointer in (
        ({"first": "2026-13"}, "/first"),
        ({"first": "2026-11", "last": "2026-10"}, "/last"),
    ):
        assert (
            assert_problem(await client.get(url, params=params, headers=h), 422)["errors"][0]["pointer"]
            == pointer
        )
    b_chair = await tree.holder_of(client, "union.chair", uuid.UUID(orgs["fed_b"]["id"]))
    assert_problem(await client.get(url, headers=b_chair), 404)
    assert (await client.get(f"/api/v1/union/orgs/{orgs['fed_b']['id']}/funds", headers=b_chair)).json()[
        "items"
    ] == []
    assert_problem(await client.get(url, headers=tree.headers["member"]), 403)


async def test_agreements_with_their_status(quntuan_client: Any, quntuan_tree: Any) -> None:
    from plugins.union.agreements import remind_expiring

    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    fed, ent = orgs["fed"]["id"], orgs["ent"]["id"]
    worker = await make_person(client, h, ent, "职工代表")
    process_ids = []
    for title, days, employees in (("甲厂工资专项集体合同", 20, 120), ("甲县快递行业工资集体协议", 300, 800)):
        form = {
            "scope": "enterprise" if days == 20 else "industry",
            "title": title,
            "employer_side": title[:2],
            "employees": employees,
            "term_start": TODAY.isoformat(),
            "term_end": (TODAY + timedelta(days=days)).isoformat(),
            "wage_increase_permille": 50,
        }
        org = ent if days == 20 else fed
        opened = await open_process(client, h, "union.wage_agreement", org, form, worker)
        assert opened.status_code == 201, opened.text
        assert (await step(client, h, opened.json()["id"], "sign")).status_code == 200
        filed = await step(client, h, opened.json()["id"], "file", form={"filing_number": f"备-{days}"})
        assert filed.status_code == 200, filed.text
        process_ids.append(opened.json()["id"])
    url = f"/api/v1/union/orgs/{fed}/agreements"

    async def statuses(**params: str) -> list[tuple[str, str]]:
        items = (await client.get(url, params=params, headers=h)).json()["items"]
        return [(a["process_id"], a["status"]) for a in items]

    assert await statuses() == [(process_ids[0], "in_force"), (process_ids[1], "in_force")]
    assert await remind_expiring(TODAY) == 1
    assert await statuses() == [(process_ids[0], "reminded"), (process_ids[1], "in_force")]
    assert await remind_expiring(TODAY + timedelta(days=21)) == 1
    assert await statuses(status="expired") == [(process_ids[0], "expired")]
    assert await statuses(status="in_force") == [(process_ids[1], "in_force")]
    items = (await client.get(url, headers=h)).json()["items"]
    assert (
        items[1]["scope"] == "industry"
        and items[1]["employees"] == 800
        and items[1]["filing_number"] == "备-300"
    )
    only_ent = (await client.get(f"/api/v1/union/orgs/{ent}/agreements", headers=h)).json()["items"]
    assert [a["org_name"] for a in only_ent] == ["甲厂工会"]
    assert_problem(await client.get(url, params={"status": "void"}, headers=h), 422)
    b_chair = await tree.holder_of(client, "union.chair", uuid.UUID(orgs["fed_b"]["id"]))
    assert_problem(await client.get(url, headers=b_chair), 404)
    assert_problem(await client.get(url, headers=tree.headers["member"]), 403)
