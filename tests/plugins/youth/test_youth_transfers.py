"""组织关系转接, 失联团员, graduation, 团员报到 and 团籍注册, through HTTP."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from core.processes.deadlines import apply_due_deadlines
from core.processes.machine import Env
from core.testkit import assert_problem, audit_entries, signals_emitted
from plugins.youth import rules
from plugins.youth.tables import YouthMember
from tests.identity_helpers import bearer, make_account
from tests.plugins.youth.conftest import League, years_ago

PROCESSES = "/api/v1/processes"
MEMBERS = "/api/v1/youth/members"


async def step(lg: League, process_id: str, who: str, transition: str, **body: Any) -> Any:
    current = await lg.client.get(f"{PROCESSES}/{process_id}", headers=lg.headers[who])
    assert current.status_code == 200, current.text
    return await lg.client.post(
        f"{PROCESSES}/{process_id}/transitions",
        json={"transition": transition, **body},
        headers={**lg.headers[who], "If-Match": current.headers["ETag"]},
    )


async def start(lg: League, member: dict[str, Any], to: str, who: str = "branch") -> Any:
    return await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.transfer",
            "org_id": member["org"],
            "applicant_id": member["person"],
            "form": {"member_id": member["id"], "to_org_id": lg.orgs[to]["id"], "reason": "升学"},
        },
        headers=lg.headers[who],
    )


async def start_in(lg: League, member: dict[str, Any], to: str, who: str = "other", **form: Any) -> Any:
    """The receiving branch ``to`` asks for ``member`` (团员编号, name and branch from the 团员证)."""
    return await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.transfer_in",
            "org_id": lg.orgs[to]["id"],
            "form": {
                "number": member["number"],
                "name": "团员",
                "from_org_id": member["org"],
                "reason": "就业",
                **form,
            },
        },
        headers=lg.headers[who],
    )


async def test_a_transfer_started_by_the_receiving_branch(league: League) -> None:
    lg = league
    member = await lg.member("a1")
    # what the receiving side sends must match the member's 团员证: one answer for any mismatch
    for wrong in ({"name": "张三"}, {"number": "Y0000000001"}, {"from_org_id": lg.orgs["a2"]["id"]}):
        refused = await start_in(lg, member, "b1", **wrong)
        assert_problem(refused, 422)
        assert refused.json()["errors"][0]["code"] == "youth_member_unknown", refused.text
    assert_problem(await start_in(lg, member, "b1", number="12"), 422)
    # the member's own branch does not ask to receive its own member
    own = await start_in(lg, member, "a1", who="committee")
    assert own.json()["errors"][0]["code"] == "youth_bad_target"

    opened = await start_in(lg, member, "b1")
    assert opened.status_code == 201, opened.text
    pid = opened.json()["id"]
    assert opened.json()["state"] == "receiving_review"
    assert opened.json()["handler_org_id"] == lg.orgs["b1"]["id"]
    # the sending side has nothing to release until the receiving side confirmed
    assert (await lg.client.get(f"{PROCESSES}/{pid}", headers=lg.headers["branch"])).status_code in (403, 404)
    forwarded = await step(lg, pid, "other", "forward")
    assert forwarded.status_code == 200, forwarded.text
    assert (forwarded.json()["state"], forwarded.json()["handler_org_id"]) == (
        "sending_review",
        member["org"],
    )
    # the receiving side cannot release on the sending side's behalf
    assert (await step(lg, pid, "other", "release")).status_code in (403, 404)
    released = await step(lg, pid, "branch", "release")
    assert released.status_code == 200, released.text
    assert released.json()["state"] == "transferred"
    moved = await lg.client.get(f"{MEMBERS}/{member['id']}", headers=lg.headers["other"])
    assert moved.json()["org"] == lg.orgs["b1"]["id"] and moved.json()["number"] == member["number"]
    assert_problem(await lg.client.get(f"{MEMBERS}/{member['id']}", headers=lg.headers["branch"]), 404)
    assert [e["resource_id"] for e in await audit_entries("youth.member.transferred")] == [member["id"]]
    assert len(await signals_emitted("youth.member_transferred")) == 1
    core_members = await lg.client.get(
        f"/api/v1/orgs/{lg.orgs['b1']['id']}/members", headers=lg.headers["other"]
    )
    assert member["person"] in {m["person"] for m in core_members.json()["items"]}

    # a second request, refused by the sending side with a reason; a third left to expire
    second = await lg.member("a2")
    pid = (await start_in(lg, second, "b1")).json()["id"]
    assert (await step(lg, pid, "other", "forward")).status_code == 200
    assert_problem(await step(lg, pid, "committee", "reject"), 422)
    rejected = await step(lg, pid, "committee", "reject", comment="该团员仍在本校就读")
    assert rejected.json()["state"] == "rejected"
    stays = await lg.client.get(f"{MEMBERS}/{second['id']}", headers=lg.headers["committee"])
    assert stays.json()["org"] == lg.orgs["a2"]["id"]
    pid = (await start_in(lg, second, "b1")).json()["id"]
    state = lg.client.app.state
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(days=rules.TRANSFER_DAYS + 1)
    assert await apply_due_deadlines(state.db, Env.of(state), moment=moment) == 1
    expired = await lg.client.get(f"{PROCESSES}/{pid}", headers=lg.headers["other"])
    assert expired.json()["state"] == "expired"


async def test_a_transfer_approved_by_both_sides(league: League) -> None:
    lg = league
    member = await lg.member("a1")
    opened = await start(lg, member, "b1")
    assert opened.status_code == 201, opened.text
    pid = opened.json()["id"]
    # the receiving side cannot act before the sending side released the member
    early = await lg.client.get(f"{PROCESSES}/{pid}", headers=lg.headers["other"])
    assert early.status_code in (403, 404)
    released = await step(lg, pid, "branch", "release")
    assert released.status_code == 200, released.text
    assert released.json()["handler_org_id"] == lg.orgs["b1"]["id"]
    left = await lg.client.get(f"{MEMBERS}/{member['id']}", headers=lg.headers["branch"])
    assert left.json()["left_branch_at"] is not None
    accepted = await step(lg, pid, "other", "accept")
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "transferred"
    moved = await lg.client.get(f"{MEMBERS}/{member['id']}", headers=lg.headers["other"])
    assert moved.json()["org"] == lg.orgs["b1"]["id"] and moved.json()["left_branch_at"] is None
    assert_problem(await lg.client.get(f"{MEMBERS}/{member['id']}", headers=lg.headers["branch"]), 404)
    assert [e["resource_id"] for e in await audit_entries("youth.member.transferred")] == [member["id"]]
    assert len(await signals_emitted("youth.member_transferred")) == 1
    core_members = await lg.client.get(
        f"/api/v1/orgs/{lg.orgs['b1']['id']}/members", headers=lg.headers["other"]
    )
    assert member["person"] in {m["person"] for m in core_members.json()["items"]}


async def test_a_transfer_rejected_and_one_timed_out(league: League) -> None:
    lg = league
    member = await lg.member("a1")
    pid = (await start(lg, member, "a2", who="committee")).json()["id"]
    assert (await step(lg, pid, "branch", "release")).status_code == 200
    no_reason = await step(lg, pid, "committee", "reject")
    assert_problem(no_reason, 422)
    rejected = await step(lg, pid, "committee", "reject", comment="该团员未在本校就读")
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    stays = await lg.client.get(f"{MEMBERS}/{member['id']}", headers=lg.headers["branch"])
    assert stays.json()["org"] == lg.orgs["a1"]["id"]

    second = await lg.member("a1")
    pid = (await start(lg, second, "b1")).json()["id"]
    state = lg.client.app.state
    moment = dt.datetime.now(dt.UTC) + dt.timedelta(days=rules.TRANSFER_DAYS + 1)
    assert await apply_due_deadlines(state.db, Env.of(state), moment=moment) == 1
    expired = await lg.client.get(f"{PROCESSES}/{pid}", headers=lg.headers["branch"])
    assert expired.json()["state"] == "expired"


async def test_bad_transfers_and_cross_subtree(league: League) -> None:
    lg = league
    member = await lg.member("a1")
    to_committee = await start(lg, member, "committee")
    assert to_committee.json()["errors"][0]["code"] == "youth_bad_target"
    to_self = await start(lg, member, "a1")
    assert to_self.json()["errors"][0]["code"] == "youth_bad_target"
    # another county's cadre cannot open a transfer on this county's branch: the receiving side starts one
    # on its own branch (youth.transfer_in, test_a_transfer_started_by_the_receiving_branch) instead
    foreign = await start(lg, member, "b1", who="other")
    assert foreign.status_code in (403, 404)
    # nor see one once started, before the sending side released the member
    pid = (await start(lg, member, "b1")).json()["id"]
    assert (await lg.client.get(f"{PROCESSES}/{pid}", headers=lg.headers["other"])).status_code in (403, 404)
    # a request to receive, on a branch outside the caller's reach, is refused whatever it names: 乙县's
    # cadre asking on a2 for a1's member, a1's cadre asking on b1
    assert (await start_in(lg, member, "a2", who="other")).status_code in (403, 404)
    assert (await start_in(lg, member, "b1", who="branch")).status_code in (403, 404)


async def test_member_starts_a_transfer_and_reports_in(league: League) -> None:
    lg = league
    person = await lg.person("a1", years_ago(19))
    account = await make_account(lg.client.app.state.db, person=person)
    me = await bearer(lg.client, *account)
    created = await lg.client.post(
        MEMBERS,
        json={"person": person, "org": lg.orgs["a1"]["id"], "joined_on": years_ago(3)},
        headers=lg.headers["committee"],
    )
    member = created.json()
    mine = await lg.client.get("/api/v1/youth/me/memberships", headers=me)
    assert [m["id"] for m in mine.json()] == [member["id"]]
    reported = await lg.client.post("/api/v1/youth/me/report-in", json={"member": member["id"]}, headers=me)
    assert reported.status_code == 201 and reported.json()["reported_at"]
    someone = await lg.member("a1")
    assert_problem(
        await lg.client.post("/api/v1/youth/me/report-in", json={"member": someone["id"]}, headers=me), 404
    )
    opened = await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.transfer",
            "org_id": member["org"],
            "form": {"member_id": member["id"], "to_org_id": lg.orgs["a2"]["id"]},
        },
        headers=me,
    )
    assert opened.status_code == 201, opened.text
    others = await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.transfer",
            "org_id": someone["org"],
            "form": {"member_id": someone["id"], "to_org_id": lg.orgs["a2"]["id"]},
        },
        headers=me,
    )
    assert others.json()["errors"][0]["code"] == "youth_not_your_membership"


async def test_graduation_and_six_month_flagging(league: League) -> None:
    lg = league
    graduates = [await lg.member("a2") for _ in range(3)]
    staying = await lg.member("a1")
    url = f"/api/v1/youth/branches/{lg.orgs['a2']['id']}/graduation"
    assert_problem(await lg.client.post(url, json={}, headers=lg.headers["branch"]), 404)
    assert_problem(
        await lg.client.post(
            f"/api/v1/youth/branches/{lg.orgs['committee']['id']}/graduation",
            json={},
            headers=lg.headers["committee"],
        ),
        422,
    )
    marked = await lg.client.post(url, json={}, headers=lg.headers["committee"])
    assert marked.status_code == 201 and sorted(marked.json()["marked"]) == sorted(g["id"] for g in graduates)
    assert (await lg.client.post(url, json={}, headers=lg.headers["committee"])).json()["marked"] == []
    assert len(await signals_emitted("youth.member_left_branch")) == 3

    scan = "/api/v1/youth/age-outs/scan"
    await lg.client.post(scan, json={"org": lg.orgs["committee"]["id"]}, headers=lg.headers["committee"])
    lost = await lg.client.get(
        MEMBERS,
        params={"org": lg.orgs["committee"]["id"], "lost_contact": True},
        headers=lg.headers["committee"],
    )
    assert lost.json()["items"] == []  # not six months yet
    # two of them left seven months ago; the third was transferred in the meantime
    ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=rules.LOST_CONTACT_DAYS + 30)
    await (
        YouthMember.update({YouthMember.left_branch_at: ago})
        .where(YouthMember.id.is_in([g["id"] for g in graduates[:2]]))
        .run()
    )
    await lg.client.post(scan, json={"org": lg.orgs["committee"]["id"]}, headers=lg.headers["committee"])
    lost = await lg.client.get(
        MEMBERS,
        params={"org": lg.orgs["committee"]["id"], "lost_contact": True},
        headers=lg.headers["committee"],
    )
    assert sorted(m["id"] for m in lost.json()["items"]) == sorted(g["id"] for g in graduates[:2])
    assert staying["id"] not in {m["id"] for m in lost.json()["items"]}
    assert len(await signals_emitted("youth.member_lost_contact")) == 2
    await lg.client.post(scan, json={"org": lg.orgs["committee"]["id"]}, headers=lg.headers["committee"])
    assert len(await signals_emitted("youth.member_lost_contact")) == 2  # flagged once


async def test_annual_registration(league: League) -> None:
    lg = league
    members = [await lg.member("a1"), await lg.member("a1"), await lg.member("a2"), await lg.member("a2")]
    today = dt.date.today()
    year = today.year
    body = {
        "org": lg.orgs["committee"]["id"],
        "year": year,
        "opens_on": (today - dt.timedelta(days=1)).isoformat(),
        "closes_on": (today + dt.timedelta(days=30)).isoformat(),
    }
    assert_problem(
        await lg.client.post("/api/v1/youth/campaigns", json=body, headers=lg.headers["branch"]), 404
    )
    assert_problem(
        await lg.client.post(
            "/api/v1/youth/campaigns",
            json={**body, "closes_on": "2000-01-01"},
            headers=lg.headers["committee"],
        ),
        422,
    )
    opened = await lg.client.post("/api/v1/youth/campaigns", json=body, headers=lg.headers["committee"])
    assert opened.status_code == 201, opened.text
    campaign = opened.json()
    assert campaign["members"] == 4 and campaign["registered"] == 0
    assert_problem(
        await lg.client.post("/api/v1/youth/campaigns", json=body, headers=lg.headers["committee"]), 409
    )

    url = f"/api/v1/youth/campaigns/{campaign['id']}/registrations"
    # the branch registers its own members; another branch's member is refused, the other county sees nothing
    own = await lg.client.post(
        url, json={"members": [members[0]["id"], members[1]["id"]]}, headers=lg.headers["branch"]
    )
    assert own.status_code == 201, own.text
    assert sorted(own.json()["registered"]) == sorted([members[0]["id"], members[1]["id"]])
    theirs = await lg.client.post(url, json={"members": [members[2]["id"]]}, headers=lg.headers["branch"])
    assert_problem(theirs, 404)
    mixed = await lg.client.post(
        url, json={"members": [members[0]["id"], members[2]["id"]]}, headers=lg.headers["branch"]
    )
    assert assert_problem(mixed, 422)["errors"][0]["pointer"] == "/members/1"
    assert_problem(
        await lg.client.post(url, json={"members": [members[2]["id"]]}, headers=lg.headers["other"]), 404
    )
    again = await lg.client.post(url, json={"members": [members[0]["id"]]}, headers=lg.headers["branch"])
    assert again.json() == {"registered": [], "already": [members[0]["id"]]}
    figures = await lg.client.get(
        f"/api/v1/youth/campaigns/{campaign['id']}", headers=lg.headers["committee"]
    )
    assert figures.json()["registered"] == 2 and figures.json()["completion"] == 0.5
    listed = await lg.client.get(
        MEMBERS,
        params={"org": lg.orgs["committee"]["id"], "registered_in": year},
        headers=lg.headers["committee"],
    )
    assert len(listed.json()["items"]) == 2

    closed_body = {
        **body,
        "year": year - 1,
        "opens_on": f"{year - 1}-03-01",
        "closes_on": f"{year - 1}-06-30",
    }
    closed = (
        await lg.client.post("/api/v1/youth/campaigns", json=closed_body, headers=lg.headers["committee"])
    ).json()
    late = await lg.client.post(
        f"/api/v1/youth/campaigns/{closed['id']}/registrations",
        json={"members": [members[3]["id"]]},
        headers=lg.headers["committee"],
    )
    assert late.json()["errors"][0]["code"] == "youth_registration_window"


async def test_a_graduating_branch_becomes_graduated(league: League) -> None:
    lg = league
    branch = f"/api/v1/youth/branches/{lg.orgs['a2']['id']}"
    fresh = await lg.client.get(branch, headers=lg.headers["committee"])
    assert fresh.status_code == 200, fresh.text
    assert (fresh.json()["category"], fresh.json()["members"], fresh.json()["version"]) == (None, 0, 0)
    assert_problem(await lg.client.get(branch, headers=lg.headers["other"]), 404)
    assert_problem(
        await lg.client.get(
            f"/api/v1/youth/branches/{lg.orgs['committee']['id']}", headers=lg.headers["committee"]
        ),
        404,
    )

    url = f"{branch}/category"
    set_up = await lg.client.put(url, json={"category": "graduating"}, headers=lg.headers["committee"])
    assert set_up.status_code == 200, set_up.text
    assert (set_up.json()["category"], set_up.json()["category_name"], set_up.headers["etag"]) == (
        "graduating",
        "毕业班团支部",
        '"1"',
    )
    by_hand = await lg.client.put(url, json={"category": "graduated"}, headers=lg.headers["committee"])
    assert by_hand.json()["errors"][0]["pointer"] == "/category"
    assert_problem(
        await lg.client.put(url, json={"category": "school"}, headers=lg.headers["committee"]), 422
    )
    assert_problem(
        await lg.client.put(url, json={"category": "student"}, headers=lg.headers["committee"]), 428
    )
    assert_problem(
        await lg.client.put(
            url, json={"category": "student"}, headers={**lg.headers["committee"], "If-Match": '"9"'}
        ),
        412,
    )
    assert_problem(
        await lg.client.put(
            url, json={"category": "student"}, headers={**lg.headers["other"], "If-Match": '"1"'}
        ),
        404,
    )
    assert_problem(
        await lg.client.put(
            f"/api/v1/youth/branches/{lg.orgs['committee']['id']}/category",
            json={"category": "student"},
            headers=lg.headers["committee"],
        ),
        422,
    )

    graduates = [await lg.member("a2") for _ in range(3)]
    mark = f"{branch}/graduation"
    first = await lg.client.post(
        mark, json={"members": [graduates[0]["id"]]}, headers=lg.headers["committee"]
    )
    assert first.json() == {"marked": [graduates[0]["id"]], "graduated": False}
    partway = (await lg.client.get(branch, headers=lg.headers["committee"])).json()
    assert (partway["category"], partway["members"], partway["marked_for_transfer"]) == ("graduating", 3, 1)

    rest = await lg.client.post(mark, json={}, headers=lg.headers["committee"])
    assert rest.status_code == 201, rest.text
    assert rest.json()["graduated"] is True
    assert sorted(rest.json()["marked"]) == sorted(g["id"] for g in graduates[1:])
    done = await lg.client.get(branch, headers={**lg.headers["committee"], "Accept-Language": "en"})
    body = done.json()
    assert (body["category"], body["previous_category"], body["category_name"]) == (
        "graduated",
        "graduating",
        "Graduated branch",
    )
    assert body["graduated_at"] is not None and done.headers["etag"] == '"2"'
    again = await lg.client.post(mark, json={}, headers=lg.headers["committee"])
    assert again.json() == {"marked": [], "graduated": False}
    changed = await signals_emitted("youth.branch_category_changed")
    payloads = [json.loads(s["payload"]) if isinstance(s["payload"], str) else s["payload"] for s in changed]
    assert [p["category"] for p in payloads] == [
        "graduating",
        "graduated",
    ]
    assert len(await audit_entries("youth.branch.category_set")) == 2

    # a graduated branch holds no more branch life: the compliance report leaves it out
    report = await lg.client.get(
        "/api/v1/youth/meetings/compliance",
        params={"org": lg.orgs["committee"]["id"]},
        headers=lg.headers["committee"],
    )
    assert [i["org"] for i in report.json()["items"]] == [lg.orgs["a1"]["id"]]

    # a mistaken graduation is put back by setting the category again
    back = await lg.client.put(
        url, json={"category": "graduating"}, headers={**lg.headers["committee"], "If-Match": '"2"'}
    )
    assert (back.json()["category"], back.json()["previous_category"], back.json()["graduated_at"]) == (
        "graduating",
        None,
        None,
    )
