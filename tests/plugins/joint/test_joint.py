"""Councils with decisions followed to completion and overdue, referral by rule, the region picture."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import plugins.joint.hooks
from core.testkit import assert_plugin_contract, assert_problem, audit_entries, signals_emitted
from plugins.joint.overdue import flag_overdue

API = "/api/v1/joint"


def _today() -> date:
    """Today where the platform decides what is overdue: the testkit's settings keep the default zone,
    Asia/Shanghai, whose date is not the machine's between 16:00 and 24:00 UTC."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


async def _org(client, headers, parent, kind, name, level="county"):
    response = await client.post(
        "/api/v1/orgs",
        json={"name": name, "kind": kind, "level": level, "parent": str(parent)},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _step(client, headers, process_id, transition, **body):
    current = await client.get(f"/api/v1/processes/{process_id}", headers=headers)
    assert current.status_code == 200, current.text
    response = await client.post(
        f"/api/v1/processes/{process_id}/transitions",
        json={"transition": transition, **body},
        headers={**headers, "If-Match": current.headers["etag"]},
    )
    return response


async def test_keeps_the_contract(quntuan_settings):
    # A bundled plugin's routes are walked against a sibling subtree by the generated permission matrix
    # (tests/core/identity/test_permission_matrix.py, with B's councils, meetings, tasks and rules), so the
    # contract's own sibling check is left to it.
    await assert_plugin_contract("joint", plugins.joint.hooks, quntuan_settings, siblings=False)


async def test_council_decision_followed_to_completion_and_overdue(quntuan_client, quntuan_tree):
    c, h = quntuan_client, quntuan_tree.headers
    county = quntuan_tree.orgs["county_a"]["id"]
    union = await _org(c, h["county"], county, "union.federation", "甲县总工会")
    women = await _org(c, h["county"], county, "women.federation", "甲县妇联")
    outside = quntuan_tree.orgs["county_b"]["id"]

    made = await c.post(
        f"{API}/councils", json={"org_id": str(county), "name": "甲县群团工作联席会议"}, headers=h["county"]
    )
    assert made.status_code == 201, made.text
    council = made.json()
    cid = council["id"]
    assert_problem(
        await c.post(f"{API}/councils", json={"org_id": str(outside), "name": "越权"}, headers=h["county"]),
        404,
    )
    assert_problem(
        await c.post(f"{API}/councils", json={"org_id": str(county), "name": "x"}, headers=h["member"]), 403
    )

    for org, role in ((union, "convenor"), (women, "member")):
        added = await c.post(
            f"{API}/councils/{cid}/members", json={"org_id": org["id"], "role": role}, headers=h["county"]
        )
        assert added.status_code == 201, added.text
    assert_problem(
        await c.post(f"{API}/councils/{cid}/members", json={"org_id": union["id"]}, headers=h["county"]), 409
    )
    wrong = await c.post(f"{API}/councils/{cid}/members", json={"org_id": str(outside)}, headers=h["city"])
    assert assert_problem(wrong, 422)["errors"][0]["code"] == "joint_outside_council"
    detail = (await c.get(f"{API}/councils/{cid}", headers=h["county"])).json()
    assert {(m["org_kind"], m["plugin"], m["role"]) for m in detail["members"]} == {
        ("union.federation", "union", "convenor"),
        ("women.federation", "women", "member"),
    }

    meeting = await c.post(
        f"{API}/councils/{cid}/meetings",
        json={
            "title": "第一次全体会议",
            "starts_at": "2026-12-10T09:00:00+08:00",
            "agenda": ["通报工作", "议定事项"],
        },
        headers=h["county"],
    )
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    no_etag = await c.patch(f"{API}/meetings/{mid}", json={"status": "held"}, headers=h["county"])
    assert_problem(no_etag, 428)
    held = await c.patch(
        f"{API}/meetings/{mid}",
        json={"status": "held", "minutes": "会议议定两项任务。", "attendance": [union["id"]]},
        headers={**h["county"], "If-Match": meeting.headers["etag"]},
    )
    assert held.status_code == 200, held.text
    assert held.json()["attendance_rate"] == 0.5
    stale = await c.patch(
        f"{API}/meetings/{mid}",
        json={"minutes": "x"},
        headers={**h["county"], "If-Match": meeting.headers["etag"]},
    )
    assert_problem(stale, 412)

    soon = _today() + timedelta(days=1)
    bad = await c.post(
        f"{API}/councils/{cid}/decisions",
        json={
            "title": "x",
            "tasks": [{"org_id": str(county), "title": "t", "due_on": str(_today() - timedelta(days=1))}],
        },
        headers=h["county"],
    )
    codes = {e["code"] for e in assert_problem(bad, 422)["errors"]}
    assert codes == {"joint_not_member", "joint_due_past"}
    decided = await c.post(
        f"{API}/councils/{cid}/decisions",
        json={
            "title": "开展新就业形态劳动者入会和家庭关爱行动",
            "meeting_id": mid,
            "tasks": [
                {"org_id": union["id"], "title": "快递骑手集中入会", "due_on": str(soon)},
                {"org_id": women["id"], "title": "骑手家庭关爱走访", "due_on": str(soon)},
            ],
        },
        headers=h["county"],
    )
    assert decided.status_code == 201, decided.text
    union_task, women_task = decided.json()["tasks"]
    assert union_task["state"] == "assigned" and not union_task["overdue"]
    assert len(await signals_emitted("joint.decision_made")) == 1
    assert len(await audit_entries("joint.decision.made")) == 1

    # the union's handler (built-in role at the union) takes its task through the core's process machine;
    # only the council's office (built-in role at the county) confirms or returns it
    office = await quntuan_tree.holder_of(c, "joint.council_office", "county_a")
    handler = await quntuan_tree.holder_of(c, "joint.task_handler", uuid.UUID(union["id"]))
    pid = union_task["process_id"]
    assert (await _step(c, handler, pid, "accept")).status_code == 200
    reported = await _step(c, handler, pid, "report", form={"progress": 40, "note": "已入会 120 人"})
    assert reported.status_code == 200, reported.text
    early = await _step(c, office, pid, "confirm")  # not before completion is reported
    assert early.status_code in (403, 409, 422), early.text
    assert (
        await _step(c, handler, pid, "submit", form={"progress": 100, "note": "入会 300 人"})
    ).status_code == 200
    assert (await _step(c, handler, pid, "confirm")).status_code in (403, 404), (
        "a handler cannot confirm its own"
    )
    returned = await _step(c, office, pid, "return", comment="请补充名册")
    assert returned.status_code == 200, returned.text
    assert (
        await _step(c, handler, pid, "submit", form={"progress": 100, "note": "名册已补"})
    ).status_code == 200
    done = await _step(c, office, pid, "confirm")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "closed"
    task = (await c.get(f"{API}/tasks/{union_task['id']}", headers=h["county"])).json()
    assert task["state"] == "completed" and task["progress"] == 100 and task["closed_at"]
    assert [r["kind"] for r in task["reports"]] == ["progress", "completion", "returned", "completion"]

    # the women's federation's task passes its due date: flagged once, listed as overdue, followed up
    assert await flag_overdue(soon + timedelta(days=1)) == 1
    assert await flag_overdue(soon + timedelta(days=2)) == 0
    assert len(await signals_emitted("joint.task_overdue")) == 1
    urged = await c.post(
        f"{API}/tasks/{women_task['id']}/followups", json={"note": "请本周内完成"}, headers=h["county"]
    )
    assert urged.status_code == 201, urged.text
    assert urged.json()["urged"] == 1
    assert_problem(
        await c.post(f"{API}/tasks/{union_task['id']}/followups", json={"note": "x"}, headers=h["county"]),
        422,
    )
    detail = (await c.get(f"{API}/councils/{cid}", headers=h["county"])).json()
    assert (detail["tasks_open"], detail["tasks_completed"]) == (1, 1)
    listed = (await c.get(f"{API}/councils/{cid}/tasks", headers=h["county"])).json()["items"]
    assert {t["id"] for t in listed} == {union_task["id"], women_task["id"]}
    assert_problem(await c.get(f"{API}/tasks/{women_task['id']}", headers=h["member"]), 404)
    assert_problem(await c.get(f"{API}/councils/{cid}", headers=h["member"]), 403)


async def test_overdue_listed_by_date(quntuan_client, quntuan_tree, monkeypatch):
    c, h = quntuan_client, quntuan_tree.headers
    county = quntuan_tree.orgs["county_a"]["id"]
    union = await _org(c, h["county"], county, "union.federation", "甲县总工会")
    cid = (
        await c.post(f"{API}/councils", json={"org_id": str(county), "name": "联席会议"}, headers=h["county"])
    ).json()["id"]
    await c.post(f"{API}/councils/{cid}/members", json={"org_id": union["id"]}, headers=h["county"])
    made = await c.post(
        f"{API}/councils/{cid}/decisions",
        json={
            "title": "议定",
            "tasks": [{"org_id": union["id"], "title": "今天到期", "due_on": str(_today())}],
        },
        headers=h["county"],
    )
    assert made.status_code == 201, made.text
    import plugins.joint.councils as councils

    monkeypatch.setattr(councils, "today", lambda request: _today() + timedelta(days=1))
    overdue = (
        await c.get(f"{API}/councils/{cid}/tasks", params={"overdue": "true"}, headers=h["county"])
    ).json()
    assert [t["overdue"] for t in overdue["items"]] == [True]
    assert (await c.get(f"{API}/councils/{cid}", headers=h["county"])).json()["tasks_overdue"] == 1


async def test_referral_by_rule(quntuan_client, quntuan_tree):
    c, h = quntuan_client, quntuan_tree.headers
    city, county = quntuan_tree.orgs["city"]["id"], quntuan_tree.orgs["county_a"]["id"]
    union = await _org(c, h["county"], county, "union.federation", "甲县总工会")
    women = await _org(c, h["county"], county, "women.federation", "甲县妇联")
    village = await _org(c, h["county"], county, "party.committee", "幸福社区党委", level="village")

    routed = await c.get(
        f"{API}/referrals/route",
        params={"org_id": village["id"], "request_type": "wage_arrears"},
        headers=h["city"],
    )
    assert routed.status_code == 200, routed.text
    assert (routed.json()["org_id"], routed.json()["plugin"]) == (union["id"], "union")
    violence = await c.get(
        f"{API}/referrals/route",
        params={"org_id": village["id"], "request_type": "domestic_violence"},
        headers=h["city"],
    )
    assert violence.json()["org_id"] == women["id"]
    minor = await c.get(
        f"{API}/referrals/route",
        params={"org_id": village["id"], "request_type": "minor_protection"},
        headers=h["city"],
    )
    assert "youth.*" in assert_problem(minor, 422, "joint-no-owner")["detail"]
    assert_problem(
        await c.get(
            f"{API}/referrals/route",
            params={"org_id": village["id"], "request_type": "disability_need"},
            headers=h["city"],
        ),
        422,
        "joint-no-owner",
    )
    assert_problem(
        await c.get(
            f"{API}/referrals/route",
            params={"org_id": village["id"], "request_type": "lost_cat"},
            headers=h["city"],
        ),
        422,
        "joint-no-rule",
    )
    types = {
        t["code"]: t["installed"] for t in (await c.get(f"{API}/request-types", headers=h["county"])).json()
    }
    assert types["wage_arrears"] and not types["minor_protection"]

    # the city sends a minor's case to the women's federation (children's homes) and adds its own type
    rule = await c.post(
        f"{API}/referral-rules",
        json={"region_id": str(city), "request_type": "minor_protection", "target": "women.*"},
        headers=h["city"],
    )
    assert rule.status_code == 201, rule.text
    assert rule.json()["installed"]
    assert_problem(
        await c.post(
            f"{API}/referral-rules",
            json={"region_id": str(city), "request_type": "minor_protection", "target": "women.*"},
            headers=h["city"],
        ),
        409,
    )
    assert_problem(
        await c.post(
            f"{API}/referral-rules",
            json={"region_id": str(city), "request_type": "x", "target": "nonsense"},
            headers=h["city"],
        ),
        422,
    )
    minor = await c.get(
        f"{API}/referrals/route",
        params={"org_id": village["id"], "request_type": "minor_protection"},
        headers=h["city"],
    )
    assert minor.status_code == 200 and minor.json()["org_id"] == women["id"]
    assert minor.json()["rule_id"] == rule.json()["id"]
    # the county overrides the city with a kind nobody installed: a clear answer, no routing
    county_rule = await c.post(
        f"{API}/referral-rules",
        json={"region_id": str(county), "request_type": "minor_protection", "target": "youth.committee"},
        headers=h["county"],
    )
    assert not county_rule.json()["installed"]
    assert_problem(
        await c.get(
            f"{API}/referrals/route",
            params={"org_id": village["id"], "request_type": "minor_protection"},
            headers=h["city"],
        ),
        422,
        "joint-no-owner",
    )
    changed = await c.patch(
        f"{API}/referral-rules/{county_rule.json()['id']}",
        json={"target": "union.*"},
        headers={**h["county"], "If-Match": county_rule.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    assert (
        await c.get(
            f"{API}/referrals/route",
            params={"org_id": village["id"], "request_type": "minor_protection"},
            headers=h["city"],
        )
    ).json()["org_id"] == union["id"]
    assert (
        await c.delete(f"{API}/referral-rules/{county_rule.json()['id']}", headers=h["county"])
    ).status_code == 204
    assert len(await signals_emitted("joint.referral_rule_removed")) == 1
    assert_problem(await c.delete(f"{API}/referral-rules/{rule.json()['id']}", headers=h["county"]), 404)
    rules = (await c.get(f"{API}/referral-rules", headers=h["county"])).json()
    assert rules == []  # the city's rule is outside the county's reach
    assert_problem(
        await c.get(
            f"{API}/referrals/route",
            params={"org_id": str(quntuan_tree.orgs["county_b"]["id"]), "request_type": "wage_arrears"},
            headers=h["county"],
        ),
        404,
    )
