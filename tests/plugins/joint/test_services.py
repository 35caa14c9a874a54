"""The service menu: a service ordered, dispatched, declined, dispatched again, taken, done and rated; by
need type through the referral rules; bad input; a sibling subtree refused; the last place raced for."""

from __future__ import annotations

import asyncio
import uuid

from core.testkit import assert_problem, audit_entries, signals_emitted
from plugins.joint.tables import JointServiceSlot
from tests.plugins.joint.helpers import API, make_org, person, post, step


async def _world(c, tree):
    h = tree.headers["city"]
    county = tree.orgs["county_a"]["id"]
    union = await make_org(c, h, county, "union.federation", "甲县总工会")
    women = await make_org(c, h, county, "women.federation", "甲县妇联")
    village = await make_org(c, h, county, "party.committee", "幸福社区党委", level="village")
    place = await post(
        c,
        "/api/v1/places",
        {"kind": "core.service_center", "org_id": str(county), "name": "甲县党群服务中心"},
        h,
    )
    return {"county": county, "union": union, "women": women, "village": village, "place": place}


async def test_a_service_ordered_dispatched_done_and_rated(quntuan_client, quntuan_tree):
    c, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    w = await _world(c, tree)
    union, women = w["union"], w["women"]
    manager = await tree.holder_of(c, "joint.service_manager", uuid.UUID(union["id"]))

    service = await post(
        c,
        f"{API}/services",
        {
            "org_id": union["id"],
            "title": "职工法律咨询",
            "description": "律师坐班，解答劳动合同、工资与工伤问题",
            "eligibility": "辖区职工",
            "need_type": "wage_arrears",
            "place_id": w["place"]["id"],
            "capacity": 20,
            "period": "month",
        },
        manager,
    )
    assert (service["place_name"], service["status"], service["taken"], service["remaining"]) == (
        "甲县党群服务中心",
        "published",
        0,
        20,
    )
    assert len(service["period_key"]) == 7  # 2026-12
    # bad input: an unknown field, a capacity of 0, a period nobody counts by, a place of another county
    for body in (
        {"org_id": union["id"], "title": "x", "colour": "red"},
        {"org_id": union["id"], "title": "x", "capacity": 0},
        {"org_id": union["id"], "title": "x", "period": "fortnight"},
        {"org_id": union["id"], "title": ""},
    ):
        assert_problem(await c.post(f"{API}/services", json=body, headers=manager), 422)
    other = await post(
        c,
        "/api/v1/places",
        {"kind": "core.service_center", "org_id": str(tree.orgs["county_b"]["id"]), "name": "乙县中心"},
        h,
    )
    wrong = await c.post(
        f"{API}/services",
        json={"org_id": union["id"], "title": "x", "place_id": other["id"]},
        headers=manager,
    )
    assert assert_problem(wrong, 422)["errors"][0]["code"] == "joint_place_elsewhere"
    assert_problem(
        await c.post(f"{API}/services", json={"org_id": women["id"], "title": "越权"}, headers=manager), 404
    )

    partner = await post(
        c,
        f"{API}/partners",
        {
            "org_id": women["id"],
            "name": "阳光家庭服务中心",
            "credit_code": "52330102MJ8765432Y",
            "need_types": ["family_dispute"],
        },
        h,
    )
    assert_problem(
        await c.post(
            f"{API}/partners",
            json={"org_id": women["id"], "name": "重复", "credit_code": "52330102MJ8765432Y"},
            headers=h,
        ),
        409,
        "joint-partner-exists",
    )
    assert_problem(
        await c.post(
            f"{API}/partners", json={"org_id": women["id"], "name": "x", "credit_code": "123"}, headers=h
        ),
        422,
    )

    pid, me = await person(c, h, w["village"]["id"], "王师傅")
    assert_problem(await c.post(f"{API}/services/{service['id']}/orders", json={"note": 1}, headers=me), 422)
    ordered = await c.post(
        f"{API}/services/{service['id']}/orders",
        json={"note": "老板拖欠三个月工资"},
        headers={**me, "Idempotency-Key": "order-1"},
    )
    assert ordered.status_code == 201, ordered.text
    order = ordered.json()
    assert (order["state"], order["service_title"], order["person_id"]) == ("ordered", "职工法律咨询", pid)
    again = await c.post(
        f"{API}/services/{service['id']}/orders",
        json={"note": "老板拖欠三个月工资"},
        headers={**me, "Idempotency-Key": "order-1"},
    )
    assert again.json()["id"] == order["id"] and again.headers.get("idempotent-replayed") == "true"
    assert (await c.get(f"{API}/services/{service['id']}", headers=me)).json()["taken"] == 1
    mine = (await c.get(f"{API}/me/orders", headers=me)).json()["items"]
    assert [o["id"] for o in mine] == [order["id"]]
    assert_problem(
        await c.post(f"{API}/orders/{order['id']}/rating", json={"rating": 5}, headers=me),
        409,
        "joint-order-not-done",
    )
    # an order only through the menu: the process type refuses a direct application
    direct = await c.post(
        "/api/v1/processes",
        json={"type": "joint.service_order", "org_id": union["id"], "form": {"order": str(uuid.uuid4())}},
        headers=me,
    )
    assert assert_problem(direct, 422)["errors"][0]["code"] == "joint_order_via_menu"

    # 派单: the council's office of the county sends it to the women's federation's partner
    office = await tree.holder_of(c, "joint.council_office", "county_a")
    pid_ = order["process_id"]
    outside = await make_org(c, h, tree.orgs["county_b"]["id"], "women.federation", "乙县妇联")
    far = await step(c, office, pid_, "dispatch", form={"org_id": outside["id"]})
    assert assert_problem(far, 422)["errors"][0]["code"] == "joint_dispatch_outside"
    elsewhere = await step(
        c, office, pid_, "dispatch", form={"org_id": union["id"], "partner_id": partner["id"]}
    )
    assert assert_problem(elsewhere, 422)["errors"][0]["code"] == "joint_partner_elsewhere"
    sent = await step(c, office, pid_, "dispatch", form={"org_id": women["id"], "partner_id": partner["id"]})
    assert sent.status_code == 200, sent.text
    assert sent.json()["handler_org_id"] == women["id"]
    detail = (await c.get(f"{API}/orders/{order['id']}", headers=office)).json()
    assert (detail["state"], detail["assignee_org_id"], detail["partner_id"]) == (
        "dispatched",
        women["id"],
        partner["id"],
    )
    # 接单 or not: the federation, for its partner, declines; the order goes back to the union
    women_handler = await tree.holder_of(c, "joint.service_handler", uuid.UUID(women["id"]))
    union_handler = await tree.holder_of(c, "joint.service_handler", uuid.UUID(union["id"]))
    assert (await step(c, union_handler, pid_, "accept")).status_code in (403, 404)
    assert_problem(await step(c, women_handler, pid_, "decline"), 422)  # a reason is needed
    declined = await step(c, women_handler, pid_, "decline", comment="本周人手不足")
    assert declined.status_code == 200, declined.text
    assert declined.json()["handler_org_id"] == union["id"]
    detail = (await c.get(f"{API}/orders/{order['id']}", headers=manager)).json()
    assert (detail["state"], detail["assignee_org_id"], detail["declines"]) == ("ordered", None, 1)
    # the union dispatches it to itself, takes it and serves
    assert (await step(c, manager, pid_, "dispatch", form={"org_id": union["id"]})).status_code == 200
    assert (await step(c, union_handler, pid_, "accept")).status_code == 200
    done = await step(c, union_handler, pid_, "complete", comment="已协助申请劳动仲裁")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "closed"
    assert (await c.get(f"{API}/orders/{order['id']}", headers=me)).json()["state"] == "done"

    # the person rates it, once; nobody else may
    assert_problem(await c.post(f"{API}/orders/{order['id']}/rating", json={"rating": 6}, headers=me), 422)
    assert_problem(
        await c.post(f"{API}/orders/{order['id']}/rating", json={"rating": 5}, headers=office), 403
    )
    rated = await c.post(
        f"{API}/orders/{order['id']}/rating", json={"rating": 5, "comment": "很专业"}, headers=me
    )
    assert rated.status_code == 201, rated.text
    assert (rated.json()["rating"], rated.json()["rating_comment"]) == (5, "很专业")
    assert_problem(
        await c.post(f"{API}/orders/{order['id']}/rating", json={"rating": 1}, headers=me),
        409,
        "joint-already-rated",
    )

    # figures per org and per service, in the statistics and the region picture too
    figures = (await c.get(f"{API}/services/figures", params={"org_id": str(w["county"])}, headers=h)).json()
    assert (figures["ordered"], figures["dispatched"], figures["done"], figures["average_rating"]) == (
        1,
        1,
        1,
        5.0,
    )
    assert [(s["title"], s["ordered"], s["done"], s["average_rating"]) for s in figures["services"]] == [
        ("职工法律咨询", 1, 1, 5.0)
    ]
    assert [(o["org_name"], o["services"], o["ordered"]) for o in figures["orgs"]] == [("甲县总工会", 1, 1)]
    pic = (await c.get(f"{API}/picture/{w['county']}", params={"fresh": "true"}, headers=h)).json()
    own = {
        f["code"]: f["value"] for col in pic["columns"] if col["plugin"] == "joint" for f in col["figures"]
    }
    assert (own["joint.services_published"], own["joint.service_orders_done"]) == (1, 1)
    assert own["joint.service_rating_average"] == 5.0
    assert pic["columns"][-1]["processes_closed"] == 1  # the order, a joint process on the union

    assert len(await signals_emitted("joint.order_placed")) == 1
    assert len(await signals_emitted("joint.order_dispatched")) == 2
    assert len(await signals_emitted("joint.order_rated")) == 1
    assert len(await audit_entries("joint.order.placed")) == 1
    assert len(await audit_entries("joint.order.rated")) == 1

    # withdrawn: no new orders, and it leaves the menu for everyone but its cadres
    current = await c.get(f"{API}/services/{service['id']}", headers=manager)
    withdrawn = await c.patch(
        f"{API}/services/{service['id']}",
        json={"status": "withdrawn"},
        headers={**manager, "If-Match": current.headers["etag"]},
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert_problem(
        await c.patch(
            f"{API}/services/{service['id']}",
            json={"title": "x"},
            headers={**manager, "If-Match": current.headers["etag"]},
        ),
        412,
    )
    assert_problem(await c.post(f"{API}/services/{service['id']}/orders", json={}, headers=me), 404)
    assert_problem(await c.post(f"{API}/services/{service['id']}/orders", json={}, headers=h), 409)
    assert len(await signals_emitted("joint.service_withdrawn")) == 1


async def test_menu_lists_by_audience_and_orders_by_need(quntuan_client, quntuan_tree):
    c, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    w = await _world(c, tree)
    union, women = w["union"], w["women"]
    public = await post(c, f"{API}/services", {"org_id": union["id"], "title": "职工书屋"}, h)
    members = await post(
        c,
        f"{API}/services",
        {
            "org_id": women["id"],
            "title": "家庭教育指导",
            "audience": "members",
            "need_type": "family_dispute",
        },
        h,
    )
    pid, me = await person(c, h, w["village"]["id"], "李女士")
    listed = (await c.get(f"{API}/services", params={"org_id": str(w["county"])}, headers=me)).json()
    assert [s["id"] for s in listed["items"]] == [public["id"]]
    assert_problem(await c.get(f"{API}/services/{members['id']}", headers=me), 404)
    assert_problem(await c.post(f"{API}/services/{members['id']}/orders", json={}, headers=me), 404)
    assert_problem(await c.get(f"{API}/services"), 401)
    # a cadre of the city sees both, but is no member of the federation: not for them to order
    assert len((await c.get(f"{API}/services", headers=h)).json()["items"]) == 2
    assert_problem(
        await c.post(f"{API}/services/{members['id']}/orders", json={}, headers=h), 403, "joint-members-only"
    )

    # by need: the village's family dispute goes by the default rule to the women's federation; the person
    # is no member of it, so the order is the need itself, for the federation to dispatch
    routed = await post(c, f"{API}/orders", {"need_type": "family_dispute", "note": "婆媳矛盾"}, me)
    assert (routed["org_id"], routed["service_id"], routed["need_type"]) == (
        women["id"],
        None,
        "family_dispute",
    )
    assert routed["route"]["org_id"] == women["id"] and routed["route"]["plugin"] == "women"
    # once a member, the federation's matching service is what is ordered
    await post(c, f"/api/v1/orgs/{women['id']}/members", {"person": pid}, h)
    assert {s["id"] for s in (await c.get(f"{API}/services", headers=me)).json()["items"]} == {
        public["id"],
        members["id"],
    }
    routed = await post(c, f"{API}/orders", {"need_type": "family_dispute", "org_id": women["id"]}, me)
    assert routed["service_id"] == members["id"]
    assert_problem(
        await c.post(f"{API}/orders", json={"need_type": "minor_protection"}, headers=me),
        422,
        "joint-no-owner",
    )
    assert_problem(
        await c.post(f"{API}/orders", json={"need_type": "lost_cat"}, headers=me), 422, "joint-no-rule"
    )
    assert_problem(await c.post(f"{API}/orders", json={"need_type": "Bad Type"}, headers=me), 422)
    not_mine = await c.post(
        f"{API}/orders",
        json={"need_type": "wage_arrears", "org_id": str(tree.orgs["county_b"]["id"])},
        headers=me,
    )
    assert assert_problem(not_mine, 422)["errors"][0]["code"] == "joint_not_own_org"
    ledger = (await c.get(f"{API}/orders", params={"org_id": women["id"]}, headers=h)).json()["items"]
    assert len(ledger) == 2


async def test_a_sibling_subtree_is_refused(quntuan_client, quntuan_tree):
    c, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    w = await _world(c, tree)
    union = w["union"]
    service = await post(
        c, f"{API}/services", {"org_id": union["id"], "title": "会员专享体检", "audience": "members"}, h
    )
    partner = await post(c, f"{API}/partners", {"org_id": union["id"], "name": "康健社工"}, h)
    _, me = await person(c, h, w["village"]["id"], "赵师傅")
    order = await post(c, f"{API}/orders", {"need_type": "wage_arrears"}, me)

    b = await tree.holder_of(c, "joint.service_manager", "county_b")
    b_office = await tree.holder_of(c, "joint.council_office", "county_b")
    assert_problem(await c.get(f"{API}/services/{service['id']}", headers=b), 404)
    assert_problem(
        await c.patch(f"{API}/services/{service['id']}", json={"title": "x"}, headers={**b, "If-Match": "*"}),
        404,
    )
    assert_problem(
        await c.post(f"{API}/services", json={"org_id": union["id"], "title": "越界"}, headers=b), 404
    )
    assert_problem(await c.get(f"{API}/partners/{partner['id']}", headers=b), 404)
    assert_problem(
        await c.patch(f"{API}/partners/{partner['id']}", json={"name": "x"}, headers={**b, "If-Match": "*"}),
        404,
    )
    assert_problem(await c.get(f"{API}/orders/{order['id']}", headers=b_office), 404)
    assert (await c.get(f"{API}/orders", headers=b_office)).json()["items"] == []
    assert (await c.get(f"{API}/services", headers=b)).json()["items"] == []
    assert_problem(
        await c.get(f"{API}/services/figures", params={"org_id": str(w["county"])}, headers=b), 404
    )
    assert_problem(
        await c.post(
            f"/api/v1/processes/{order['process_id']}/transitions",
            json={"transition": "dispatch", "form": {"org_id": union["id"]}},
            headers={**b_office, "If-Match": '"1"'},
        ),
        404,
    )
    assert_problem(await c.post(f"{API}/orders/{order['id']}/rating", json={"rating": 3}, headers=b), 404)


async def test_the_last_place_goes_to_one_of_two(quntuan_client, quntuan_tree):
    c, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    w = await _world(c, tree)
    service = await post(
        c,
        f"{API}/services",
        {"org_id": w["union"]["id"], "title": "暑期托管", "capacity": 1, "period": "quarter"},
        h,
    )
    people = [await person(c, h, w["village"]["id"], f"家长{i}") for i in range(3)]
    url = f"{API}/services/{service['id']}/orders"
    first, second = await asyncio.gather(*(c.post(url, json={}, headers=who) for _, who in people[:2]))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [201, 409], (first.text, second.text)
    loser = first if first.status_code == 409 else second
    assert_problem(loser, 409, "joint-service-full")
    slots = await JointServiceSlot.select().where(JointServiceSlot.service == service["id"]).run()
    assert [s["taken"] for s in slots] == [1]
    assert (await c.get(f"{API}/services/{service['id']}", headers=h)).json()["remaining"] == 0
    assert_problem(await c.post(url, json={}, headers=people[2][1]), 409, "joint-service-full")

    # the winner cancels: the place comes back and the third parent gets it
    winner = first if first.status_code == 201 else second
    who = people[0][1] if winner is first else people[1][1]
    cancelled = await step(c, who, winner.json()["process_id"], "cancel")
    assert cancelled.status_code == 200, cancelled.text
    assert (await c.get(f"{API}/services/{service['id']}", headers=h)).json()["remaining"] == 1
    assert (await c.post(url, json={}, headers=people[2][1])).status_code == 201
