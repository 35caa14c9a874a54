"""The League register and the joining pipeline (发展团员), through HTTP, with the core and youth only."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import plugins.youth.hooks
from core.testkit import assert_plugin_contract, assert_problem, audit_entries, signals_emitted
from plugins.youth import rules
from tests.plugins.youth.conftest import League, years_ago

PROCESSES = "/api/v1/processes"
MEMBERS = "/api/v1/youth/members"


async def test_keeps_the_contract(quntuan_settings: Any) -> None:
    # A bundled plugin's routes are walked against a sibling subtree by the generated permission matrix
    # (tests/core/identity/test_permission_matrix.py), so the contract's own sibling check is left to it.
    await assert_plugin_contract("youth", plugins.youth.hooks, quntuan_settings, siblings=False)


async def step(lg: League, process: dict[str, Any], who: str, transition: str, **body: Any) -> Any:
    current = await lg.client.get(f"{PROCESSES}/{process['id']}", headers=lg.headers[who])
    tag = current.headers.get("ETag", f'"{process.get("version", 1)}"')
    return await lg.client.post(
        f"{PROCESSES}/{process['id']}/transitions",
        json={"transition": transition, **body},
        headers={**lg.headers[who], "If-Match": tag},
    )


async def open_application(lg: League, birth: str, branch: str = "a1", who: str = "branch") -> Any:
    person = await lg.person(branch, birth, name="申请人")
    return await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.join",
            "org_id": str(lg.orgs[branch]["id"]),
            "applicant_id": person,
            "form": {"statement": "我志愿加入中国共产主义青年团"},
        },
        headers=lg.headers[who],
    )


async def test_joining_pipeline_end_to_end(league: League) -> None:
    lg = league
    introducers = [(await lg.member("a1"))["person"], (await lg.member("a2"))["person"]]
    opened = await open_application(lg, years_ago(16))
    assert opened.status_code == 201, opened.text
    process = opened.json()

    # the branch confirms the activist; becoming a candidate waits for the training period
    since = (dt.date.today() - dt.timedelta(days=rules.ACTIVIST_MIN_DAYS - 10)).isoformat()
    assert (await step(lg, process, "branch", "confirm_activist", form={"since": since})).status_code == 200
    early = await step(lg, process, "branch", "make_candidate", form={"introducers": introducers})
    assert_problem(early, 422)
    assert early.json()["errors"][0]["code"] == "youth_activist_too_early"

    # a second try, with the activist confirmed long enough ago (a fresh application)
    await step(lg, process, "branch", "withdraw")  # the branch may not withdraw for the applicant
    opened = await open_application(lg, years_ago(17))
    process = opened.json()
    since = (dt.date.today() - dt.timedelta(days=rules.ACTIVIST_MIN_DAYS + 5)).isoformat()
    assert (await step(lg, process, "branch", "confirm_activist", form={"since": since})).status_code == 200
    one = await step(lg, process, "branch", "make_candidate", form={"introducers": introducers[:1]})
    assert one.json()["errors"][0]["code"] == "youth_introducers"
    outsider = await lg.person("a1", years_ago(20))
    stranger = await step(
        lg, process, "branch", "make_candidate", form={"introducers": [introducers[0], outsider]}
    )
    assert stranger.json()["errors"][0]["code"] == "youth_introducers"
    ok = await step(lg, process, "branch", "make_candidate", form={"introducers": introducers})
    assert ok.status_code == 200, ok.text

    # the branch meeting: no quorum, votes not adding up, too few in favour — then admitted
    today = dt.date.today().isoformat()
    meeting = {"date": today, "entitled": 20, "present": 10, "in_favour": 10}
    no_quorum = await step(lg, process, "branch", "branch_admit", form=meeting)
    assert no_quorum.json()["errors"][0]["code"] == "youth_quorum"
    wrong = {**meeting, "present": 15, "in_favour": 11, "against": 1}
    assert (await step(lg, process, "branch", "branch_admit", form=wrong)).json()["errors"][0][
        "code"
    ] == "youth_votes"
    few = {**meeting, "present": 15, "in_favour": 10, "against": 5}
    assert (await step(lg, process, "branch", "branch_admit", form=few)).json()["errors"][0][
        "code"
    ] == "youth_not_passed"
    passed = {**meeting, "present": 15, "in_favour": 13, "against": 1, "abstained": 1}
    assert (await step(lg, process, "branch", "branch_admit", form=passed)).status_code == 200

    # the branch cannot approve its own admission; the committee above does, within its plan
    assert_problem(await step(lg, process, "branch", "approve", form={}), 403)
    plan = await lg.client.put(
        f"/api/v1/youth/plans/{lg.orgs['committee']['id']}",
        json={"year": dt.date.today().year, "quota": 0},
        headers=lg.headers["committee"],
    )
    assert plan.status_code == 201, plan.text
    full = await step(lg, process, "committee", "approve", form={})
    assert full.json()["errors"][0]["code"] == "youth_quota"
    raised = await lg.client.put(
        f"/api/v1/youth/plans/{lg.orgs['committee']['id']}",
        json={"year": dt.date.today().year, "quota": 5},
        headers={**lg.headers["committee"], "If-Match": plan.headers["ETag"]},
    )
    assert raised.status_code == 200, raised.text
    assert raised.json()["left"] == 5
    approved = await step(lg, process, "committee", "approve", form={"oath_date": today})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"

    members = await lg.client.get(MEMBERS, params={"org": lg.orgs["a1"]["id"]}, headers=lg.headers["branch"])
    new = [m for m in members.json()["items"] if m["person"] == process["applicant_id"]]
    assert len(new) == 1 and new[0]["number"].startswith(f"Y{dt.date.today().year}")
    assert new[0]["oath_date"] == today and new[0]["status"] == "active"
    assert [e["resource_id"] for e in await audit_entries("youth.member.admitted")] == [new[0]["id"]]
    assert len(await signals_emitted("youth.member_admitted")) == 1
    core_members = await lg.client.get(
        f"/api/v1/orgs/{lg.orgs['a1']['id']}/members", headers=lg.headers["committee"]
    )
    assert process["applicant_id"] in {m["person"] for m in core_members.json()["items"]}
    left = await lg.client.get(
        f"/api/v1/youth/plans/{lg.orgs['committee']['id']}",
        params={"year": dt.date.today().year},
        headers=lg.headers["committee"],
    )
    assert left.json()["left"] == 4

    # a member applies no second time
    again = await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.join",
            "org_id": str(lg.orgs["a1"]["id"]),
            "applicant_id": process["applicant_id"],
            "form": {"statement": "再次申请"},
        },
        headers=lg.headers["branch"],
    )
    assert again.json()["errors"][0]["code"] == "youth_already"


async def test_age_and_reach_on_applications(league: League) -> None:
    lg = league
    too_old = await open_application(lg, years_ago(30))
    assert too_old.json()["errors"][0]["code"] == "youth_join_age"
    too_young = await open_application(lg, years_ago(13))
    assert too_young.json()["errors"][0]["code"] == "youth_join_age"
    # another county's committee cannot open applications in this county's branches
    person = await lg.person("a1", years_ago(16))
    foreign = await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.join",
            "org_id": str(lg.orgs["a1"]["id"]),
            "applicant_id": person,
            "form": {"statement": "越权"},
        },
        headers=lg.headers["other"],
    )
    assert foreign.status_code in (403, 404, 422)
    # only branches take applications
    wrong_kind = await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.join",
            "org_id": str(lg.orgs["committee"]["id"]),
            "applicant_id": person,
            "form": {"statement": "x"},
        },
        headers=lg.headers["committee"],
    )
    assert_problem(wrong_kind, wrong_kind.status_code)
    assert wrong_kind.status_code in (409, 422)


async def test_register_reads_and_changes(league: League) -> None:
    lg = league
    member = await lg.member("a1")
    assert_problem(await lg.client.get(f"{MEMBERS}/{member['id']}", headers=lg.headers["other"]), 404)
    assert_problem(
        await lg.client.get(MEMBERS, params={"org": lg.orgs["a1"]["id"]}, headers=lg.headers["other"]), 404
    )
    got = await lg.client.get(f"{MEMBERS}/{member['id']}", headers=lg.headers["branch"])
    assert got.status_code == 200
    assert_problem(
        await lg.client.patch(
            f"{MEMBERS}/{member['id']}", json={"party_member": True}, headers=lg.headers["branch"]
        ),
        428,
    )
    changed = await lg.client.patch(
        f"{MEMBERS}/{member['id']}",
        json={"party_member": True},
        headers={**lg.headers["branch"], "If-Match": got.headers["ETag"]},
    )
    assert changed.status_code == 200 and changed.json()["retained"] is True
    stale = await lg.client.patch(
        f"{MEMBERS}/{member['id']}",
        json={"league_post": True},
        headers={**lg.headers["branch"], "If-Match": got.headers["ETag"]},
    )
    assert_problem(stale, 412)
    # bad input: unknown fields, a taken number, a future joining day, a 40-year-old, a committee as branch
    assert_problem(
        await lg.client.patch(f"{MEMBERS}/{member['id']}", json={"x": 1}, headers=lg.headers["branch"]), 422
    )
    person = await lg.person("a1", years_ago(20))
    body = {"person": person, "org": lg.orgs["a1"]["id"], "joined_on": years_ago(1)}
    taken = await lg.client.post(
        MEMBERS, json={**body, "number": member["number"]}, headers=lg.headers["committee"]
    )
    assert taken.json()["errors"][0]["code"] == "youth_number_taken"
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert_problem(
        await lg.client.post(MEMBERS, json={**body, "joined_on": future}, headers=lg.headers["committee"]),
        422,
    )
    old = await lg.person("a1", years_ago(40))
    assert_problem(
        await lg.client.post(MEMBERS, json={**body, "person": old}, headers=lg.headers["committee"]), 422
    )
    assert_problem(
        await lg.client.post(
            MEMBERS, json={**body, "org": lg.orgs["committee"]["id"]}, headers=lg.headers["committee"]
        ),
        422,
    )
    assert_problem(await lg.client.post(MEMBERS, json=body, headers=lg.headers["other"]), 404)


async def test_built_in_roles_split_development_and_approval(league: League) -> None:
    lg = league
    secretary = await lg.tree.holder_of(
        lg.client, "youth.branch_secretary", uuid.UUID(lg.orgs["a1"]["id"]), subtree=False
    )
    committee = await lg.tree.holder_of(
        lg.client, "youth.committee_secretary", uuid.UUID(lg.orgs["committee"]["id"])
    )
    person = await lg.person("a1", years_ago(16))
    opened = await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.join",
            "org_id": lg.orgs["a1"]["id"],
            "applicant_id": person,
            "form": {"statement": "我志愿加入中国共产主义青年团"},
        },
        headers=secretary,
    )
    assert opened.status_code == 201, opened.text
    process = opened.json()
    lg.headers["secretary"], lg.headers["secretary_of_committee"] = secretary, committee
    since = (dt.date.today() - dt.timedelta(days=rules.ACTIVIST_MIN_DAYS + 1)).isoformat()
    assert (
        await step(lg, process, "secretary", "confirm_activist", form={"since": since})
    ).status_code == 200
    introducers = [(await lg.member("a1"))["person"], (await lg.member("a1"))["person"]]
    assert (
        await step(lg, process, "secretary", "make_candidate", form={"introducers": introducers})
    ).status_code == 200
    meeting = {"date": dt.date.today().isoformat(), "entitled": 9, "present": 9, "in_favour": 9}
    assert (await step(lg, process, "secretary", "branch_admit", form=meeting)).status_code == 200
    assert_problem(await step(lg, process, "secretary", "approve", form={}), 403)
    approved = await step(lg, process, "secretary_of_committee", "approve", form={})
    assert approved.status_code == 200, approved.text


async def test_honors_are_selection_types(league: League) -> None:
    types = await league.client.get("/api/v1/selections/types", headers=league.headers["committee"])
    assert types.status_code == 200, types.text
    body = types.json()
    codes = {t["code"] for t in (body["items"] if isinstance(body, dict) else body)}
    assert {"youth.outstanding_member", "youth.outstanding_cadre", "youth.may_fourth_red_flag"} <= codes
