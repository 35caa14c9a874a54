"""Processes through HTTP as a front end uses them: two-level approval, rejection, deadlines, referral,
notices with objections, concurrent steps, personal fields, plugin failures and bad input."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import timedelta
from io import BytesIO
from typing import Any

from openpyxl import load_workbook

from core.identity.tables import AuditEntry, Person
from core.integration.tables import OutboxSignal
from core.kernel.vault import Vault
from core.members.tables import Membership
from core.processes.deadlines import apply_due_deadlines
from core.processes.machine import Env, now
from core.processes.personal_data import reencrypt_process_forms
from core.processes.tables import Process, ProcessStep
from tests.conftest import ApiClient
from tests.core.processes.conftest import (
    AID_FORM,
    APPROVE,
    PROCESS_PERSONAL_DATA,
    REVIEW,
    STAFF,
    World,
    act,
    apply,
    grant,
    make_persons,
    person,
)
from tests.fixtures import process_plugin
from tests.helpers import problem


async def _get(api: ApiClient, headers: dict[str, str], process_id: str) -> dict[str, Any]:
    response = await api.get(f"/api/v1/processes/{process_id}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    return response.json()  # type: ignore[no-any-return]


async def _deadlines(api: ApiClient, days: float) -> int:
    state = api.app.state
    return await apply_due_deadlines(state.db, Env.of(state), moment=now() + timedelta(days=days))


async def test_approval_across_two_levels_publishes_a_notice_and_the_window_ends_it(
    api: ApiClient, world: World
) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    upper = world.add("upper", grant(world.federation, APPROVE))

    process = await apply(api, me, world.grassroots)
    assert process["state"] == "submitted" and process["handler_org_id"] == str(world.grassroots["id"])
    assert process["available_transitions"] == ["withdraw"]
    # The upper level cannot approve what the grassroots has not forwarded (wrong state), nor forward it.
    assert problem(await act(api, upper, process, "approve", form={"granted": "1"}), 409)["type"].endswith(
        "transition-not-allowed"
    )
    assert (await act(api, upper, process, "forward")).status_code == 403

    forwarded = await act(api, base, process, "forward", comment="情况属实")
    assert forwarded.status_code == 200, forwarded.text
    process = forwarded.json()
    assert process["state"] == "upper_review" and process["handler_org_id"] == str(world.federation["id"])
    # Now handled above, the grassroots reviewer has no step to take; the federation does.
    assert (await _get(api, base, process["id"]))["available_transitions"] == []
    assert "approve" in (await _get(api, upper, process["id"]))["available_transitions"]

    # The plugin's validate vetoes a grant above the amount applied for, naming the field.
    vetoed = problem(await act(api, upper, process, "approve", form={"granted": "9000"}), 422)
    assert vetoed["errors"][0]["pointer"] == "/form/granted"
    approved = await act(
        api, upper, process, "approve", form={"granted": "3000"}, notice_title="困难帮扶公示"
    )
    assert approved.status_code == 200, approved.text
    process = approved.json()
    assert process["state"] == "publicizing" and process["status"] == "open"
    assert [process["id"]] == process_plugin.APPROVED
    assert [s["action"] for s in process["steps"]] == ["open", "forward", "approve"]
    assert process["steps"][2]["form"] == {"granted": "3000"}

    notices = (await api.get("/api/v1/notices", params={"org": str(world.root["id"])}, headers=me)).json()
    (notice,) = notices["items"]
    assert notice["process_id"] == process["id"] and notice["status"] == "open"
    detail = (await api.get(f"/api/v1/notices/{notice['id']}", headers=me)).json()
    assert detail["entries"][0]["name"].count("*") >= 1  # the applicant's name is masked

    assert await _deadlines(api, 6) == 1  # the notice window passed: the type moves it on
    done = await _get(api, me, process["id"])
    assert done["state"] == "approved" and done["status"] == "closed" and done["outcome"] == "approved"
    assert done["steps"][-1]["actor_kind"] == "system"
    mine = (await api.get("/api/v1/me/processes", headers=me)).json()
    assert [p["outcome"] for p in mine["items"]] == ["approved"]
    names = {r["name"] for r in await OutboxSignal.select(OutboxSignal.name).run()}
    assert {"process.opened", "process.stepped", "process.closed", "notice.published"} <= names
    actions = {r["action"] for r in await AuditEntry.select(AuditEntry.action).run()}
    assert {
        "process.open",
        "process.forward",
        "process.approve",
        "process.finalize",
        "notice.published",
    } <= actions


async def test_rejection_needs_a_reason_and_shows_in_my_processes(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    process = await apply(api, me, world.grassroots)
    missing = problem(await act(api, base, process, "reject"), 422)
    assert missing["errors"][0]["pointer"] == "/comment"
    rejected = await act(api, base, process, "reject", comment="不符合帮扶条件")
    assert rejected.status_code == 200, rejected.text
    assert (
        rejected.json()["outcome"] == "rejected"
        and rejected.json()["steps"][-1]["comment"] == "不符合帮扶条件"
    )
    # A final state takes no more steps.
    again = await act(api, me, rejected.json(), "withdraw")
    assert problem(again, 409)["type"].endswith("transition-not-allowed")
    mine = (await api.get("/api/v1/me/processes", headers=me)).json()["items"]
    assert [(p["state"], p["status"]) for p in mine] == [("rejected", "closed")]


async def test_a_passed_deadline_escalates_to_the_parent_org(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    upper = world.add("upper", grant(world.federation, REVIEW, APPROVE))
    process = await apply(api, me, world.grassroots)
    queue = (await api.get("/api/v1/processes/queue", params={"counts": "true"}, headers=base)).json()
    assert [p["id"] for p in queue["items"]] == [process["id"]]
    assert queue["counts"] == [
        {"type": "proctest.hardship_aid", "type_name": "困难帮扶申请", "open": 1, "overdue": 0}
    ]

    assert await _deadlines(api, 2) == 0  # not due yet
    assert await _deadlines(api, 4) == 1
    assert await _deadlines(api, 4) == 0  # applied once
    escalated = await _get(api, upper, process["id"])
    assert escalated["handler_org_id"] == str(world.federation["id"]) and escalated["state"] == "submitted"
    assert escalated["steps"][-1]["action"] == "escalate"
    assert escalated["due_at"] is not None  # the clock restarted at the parent
    upper_queue = (
        await api.get(
            "/api/v1/processes/queue",
            params={"org": str(world.federation["id"]), "scope": "org"},
            headers=upper,
        )
    ).json()
    assert [p["id"] for p in upper_queue["items"]] == [process["id"]]
    # The grassroots no longer sees it in its queue (it is handled above now).
    assert (await api.get("/api/v1/processes/queue", headers=base)).json()["items"] == []
    signals = [r["name"] for r in await OutboxSignal.select(OutboxSignal.name).run()]
    assert "process.escalated" in signals


async def test_referral_to_another_plugins_org_and_the_outcome_back(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    women = world.add("women", grant(world.women, "core.process.handle"))
    process = await apply(api, me, world.grassroots)
    # An org of a kind that runs neither the type nor a mapped one does not accept it.
    refused = await api.post(
        f"/api/v1/processes/{process['id']}/referrals",
        json={"org_id": str(world.root["id"])},
        headers={**base, "If-Match": '"1"'},
    )
    problem(refused, 403)  # handling the process needs core.process.handle: the reviewer lacks it
    base = world.add("base2", grant(world.grassroots, REVIEW, "core.process.handle"))
    refused = await api.post(
        f"/api/v1/processes/{process['id']}/referrals",
        json={"org_id": str(world.root["id"])},
        headers={**base, "If-Match": '"1"'},
    )
    assert problem(refused, 422)["type"].endswith("referral-not-accepted")
    referred = await api.post(
        f"/api/v1/processes/{process['id']}/referrals",
        json={"org_id": str(world.women["id"]), "comment": "转妇联办理"},
        headers={**base, "If-Match": '"1"'},
    )
    assert referred.status_code == 200, referred.text
    source = referred.json()
    assert source["status"] == "referred" and source["referred_to"]
    target_id = source["referred_to"]
    target = await _get(api, women, target_id)
    assert target["type"] == "proctest.consult" and target["referred_from"] == process["id"]
    assert target["form"]["reason"] == "家中遭遇火灾"  # the form came along (personal fields masked)
    assert target["form"]["phone"] == "138****8000"
    # The sender sees the target read-only, and cannot act on it.
    seen = await _get(api, base, target_id)
    assert seen["read_only"] is True and seen["available_transitions"] == []
    assert (await act(api, base, target, "resolve")).status_code == 403

    resolved = await act(api, women, target, "resolve", comment="已协调解决")
    assert resolved.status_code == 200, resolved.text
    back = await _get(api, base, process["id"])
    assert back["status"] == "closed" and back["outcome"] == "resolved"
    assert [s["action"] for s in back["steps"]] == ["open", "refer", "referral_closed"]
    assert [s["action"] for s in (await _get(api, women, target_id))["steps"]] == ["referred_in", "resolve"]
    mine = {p["id"]: p["status"] for p in (await api.get("/api/v1/me/processes", headers=me)).json()["items"]}
    assert mine == {process["id"]: "closed", target_id: "closed"}
    assert "process.referred" in {r["name"] for r in await OutboxSignal.select(OutboxSignal.name).run()}


async def test_an_objection_to_the_notice_reopens_the_process(api: ApiClient, world: World) -> None:
    applicant, objector = await make_persons(2)
    me = world.add("me", person(applicant))
    neighbour = world.add("neighbour", person(objector))
    base = world.add("base", grant(world.grassroots, REVIEW))
    upper = world.add("upper", grant(world.federation, APPROVE, "core.notice.manage"))
    process = await apply(api, me, world.grassroots)
    process = (await act(api, base, process, "forward")).json()
    process = (await act(api, upper, process, "approve", form={"granted": "100"})).json()
    notice_id = (await api.get("/api/v1/notices", headers=me)).json()["items"][0]["id"]

    empty = await api.post(f"/api/v1/notices/{notice_id}/objections", json={"reason": ""}, headers=neighbour)
    problem(empty, 400 if empty.status_code == 400 else 422)
    filed = await api.post(
        f"/api/v1/notices/{notice_id}/objections", json={"reason": "申请人家庭条件较好"}, headers=neighbour
    )
    assert filed.status_code == 201, filed.text
    reopened = await _get(api, upper, process["id"])
    assert reopened["state"] == "upper_review" and reopened["status"] == "open"
    assert reopened["steps"][-1]["action"] == "objection_reopened"
    # The reopened process is reviewed again: a reasoned rejection this time.
    rejected = await act(
        api, world.add("rev", grant(world.federation, REVIEW)), reopened, "reject", comment="经核实"
    )
    assert rejected.status_code == 200, rejected.text
    resolved = await api.post(
        f"/api/v1/notices/{notice_id}/objections/{filed.json()['id']}/resolve",
        json={"decision": "upheld", "resolution": "异议属实"},
        headers=upper,
    )
    assert resolved.status_code == 200, resolved.text
    again = await api.post(
        f"/api/v1/notices/{notice_id}/objections/{filed.json()['id']}/resolve",
        json={"decision": "dismissed"},
        headers=upper,
    )
    assert problem(again, 409)["type"].endswith("objection-resolved")
    # The neighbour sees their own objection; after the window the notice is archived as objected.
    own = (await api.get(f"/api/v1/notices/{notice_id}/objections", headers=neighbour)).json()["items"]
    assert [o["status"] for o in own] == ["upheld"]
    notice = (await api.get(f"/api/v1/notices/{notice_id}", headers=neighbour)).json()
    assert notice["objection_count"] == 1 and notice["status"] == "open"


async def test_twenty_concurrent_conflicting_steps_exactly_one_wins(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    cadres = [world.add(f"c{i}", grant(world.grassroots, REVIEW)) for i in range(20)]
    for round_ in range(3):
        process = await apply(api, me, world.grassroots)
        calls = [
            act(api, h, process, "reject" if i % 2 else "forward", comment=f"意见{i}")
            for i, h in enumerate(cadres)
        ]
        responses = await asyncio.gather(*calls)
        outcomes = Counter(r.status_code for r in responses)
        assert outcomes == {200: 1, 412: 19}, (round_, outcomes)
        for r in responses:
            if r.status_code == 412:
                assert problem(r, 412)["type"].endswith("process-changed")
        steps = await ProcessStep.select(ProcessStep.seq).where(ProcessStep.process == process["id"]).run()
        assert sorted(s["seq"] for s in steps) == [1, 2]
        row = await Process.select(Process.version).where(Process.id == process["id"]).first().run()
        assert row is not None and row["version"] == 2


async def test_a_failing_after_action_rolls_the_step_back_and_stays_in_its_plugin(
    api: ApiClient, world: World
) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    upper = world.add("upper", grant(world.federation, APPROVE))
    process = (await act(api, base, await apply(api, me, world.grassroots), "forward")).json()
    process_plugin.BREAK_AFTER["on"] = True
    failed = problem(await act(api, upper, process, "approve", form={"granted": "10"}), 422)
    assert failed["type"].endswith("process-action-failed") and "proctest" in failed["detail"]
    unchanged = await _get(api, upper, process["id"])
    assert unchanged["state"] == "upper_review" and unchanged["version"] == process["version"]
    assert (await api.get("/api/v1/notices", headers=me)).json()["items"] == []  # the notice rolled back too
    # Another type's processes are unaffected: the core's join type still works.
    process_plugin.BREAK_AFTER["on"] = False
    joined = await api.post(
        "/api/v1/processes",
        json={
            "type": "core.join",
            "org_id": str(world.grassroots["id"]),
            "form": {"statement": "自愿加入工会"},
        },
        headers=me,
    )
    assert joined.status_code == 201, joined.text
    cadre = world.add("cadre", grant(world.grassroots, "core.process.handle"))
    approved = await act(api, cadre, joined.json(), "approve")
    assert approved.status_code == 200, approved.text
    member = (
        await Membership.select()
        .where((Membership.person == pid) & (Membership.org == world.grassroots["id"]))
        .run()
    )
    assert len(member) == 1


async def test_personal_fields_are_encrypted_and_masked_unless_permitted(
    api: ApiClient, world: World
) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    reader = world.add("reader", grant(world.grassroots, REVIEW))
    officer = world.add("officer", grant(world.grassroots, REVIEW, PROCESS_PERSONAL_DATA))
    process = await apply(api, me, world.grassroots)
    assert process["form"]["phone"] == "13800138000"  # the applicant sees their own data
    assert (await _get(api, reader, process["id"]))["form"]["phone"] == "138****8000"
    assert (await _get(api, reader, process["id"]))["form"]["id_number"] == "110105********002X"
    assert (await _get(api, officer, process["id"]))["form"]["phone"] == "13800138000"
    # That answer carried the applicant's phone in clear: recorded (the person, never the value).
    reads = await AuditEntry.select().where(AuditEntry.action == "person.personal_data.read").run()
    assert [r["resource_id"] for r in reads] == [str(pid)]  # the reader without the permission: none
    assert "13800138000" not in str(reads)
    # It names the org through whose grant the officer read it, for the applicant's "who read my data".
    changes = reads[0]["changes"]
    changes = json.loads(changes) if isinstance(changes, str) else changes
    assert changes["via_orgs"] == [str(world.grassroots["id"])]
    row = (
        await Process.select(Process.form, Process.personal_enc)
        .where(Process.id == process["id"])
        .first()
        .run()
    )
    assert (
        row is not None and "13800138000" not in str(row["form"]) and "13800138000" not in row["personal_enc"]
    )
    payloads = " ".join(r["payload"] for r in await OutboxSignal.select(OutboxSignal.payload).run())
    assert "13800138000" not in payloads and "138****" not in payloads
    # A stranger outside the reach gets 404, not 403.
    stranger = world.add("stranger", grant(world.women, REVIEW))
    problem(await api.get(f"/api/v1/processes/{process['id']}", headers=stranger), 404)


async def test_idempotency_key_on_create_and_if_match_on_steps(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    body = {
        "type": "proctest.hardship_aid",
        "org_id": str(world.grassroots["id"]),
        "form": {"reason": "病", "amount": "1", "phone": "13800138000"},
    }
    first = await api.post("/api/v1/processes", json=body, headers={**me, "Idempotency-Key": "k-1"})
    second = await api.post("/api/v1/processes", json=body, headers={**me, "Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and second.headers.get("idempotent-replayed") == "true"
    assert await Process.count().run() == 1
    url = f"/api/v1/processes/{first.json()['id']}/transitions"
    problem(await api.post(url, json={"transition": "forward"}, headers=base), 428)
    stale = await api.post(url, json={"transition": "forward"}, headers={**base, "If-Match": '"7"'})
    assert problem(stale, 412)["type"].endswith("process-changed")


async def test_bad_input_at_every_step_answers_problems(api: ApiClient, world: World) -> None:
    pid, someone_else = await make_persons(2)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    manager = world.add("manager", grant(world.grassroots, "core.notice.manage"))
    org = str(world.grassroots["id"])
    create = "/api/v1/processes"
    cases = [
        (create, {"type": "nope.x", "org_id": org}, 422),
        (create, {"type": "proctest.hardship_aid", "org_id": org, "form": {"reason": "x"}}, 422),
        (
            create,
            {
                "type": "proctest.hardship_aid",
                "org_id": org,
                "form": {**{"reason": "x", "amount": "abc", "phone": "1"}},
            },
            422,
        ),
        (
            create,
            {
                "type": "proctest.hardship_aid",
                "org_id": org,
                "form": {"reason": "x", "amount": "1", "phone": "1", "extra": 1},
            },
            422,
        ),
        (
            create,
            {
                "type": "proctest.hardship_aid",
                "org_id": str(world.women["id"]),
                "form": {"reason": "x", "amount": "1", "phone": "1"},
            },
            422,
        ),
        (create, {"type": "proctest.hardship_aid", "org_id": "not-a-uuid"}, 422),
        (create, {"type": "proctest.hardship_aid", "org_id": org, "unknown": True}, 422),
        (
            create,
            {
                "type": "proctest.hardship_aid",
                "org_id": org,
                "applicant_id": str(someone_else),
                "form": AID_FORM,
            },
            403,
        ),
    ]
    for url, body, status in cases:
        response = await api.post(url, json=body, headers=me)
        # Malformed values are 422 with a pointer (the project's validation problem), refusals as listed.
        assert response.status_code == status, (body, response.text)
        problem(response, status)
    assert (
        await api.post(create, content=b"{", headers={**me, "content-type": "application/json"})
    ).status_code == 400

    process = await apply(api, me, world.grassroots)
    step_url = f"/api/v1/processes/{process['id']}/transitions"
    tagged = {**base, "If-Match": '"1"'}
    for body, status in [
        ({"transition": "teleport"}, 422),
        ({"transition": "forward", "form": {"x": 1}}, 422),
        ({"transition": "forward", "comment": "x" * 3000}, 422),
        ({"transition": ""}, 422),
        ({}, 422),
    ]:
        response = await api.post(step_url, json=body, headers=tagged)
        assert response.status_code == status, (body, response.text)
        problem(response, status)
    problem(await api.get("/api/v1/processes/00000000-0000-0000-0000-000000000000", headers=base), 404)
    problem(await api.get("/api/v1/processes/queue", params={"limit": 0}, headers=base), 422)
    problem(await api.get("/api/v1/processes/queue", params={"cursor": "!!"}, headers=base), 400)
    problem(await api.get("/api/v1/processes/queue", params={"overdue": "maybe"}, headers=base), 422)
    referral = f"/api/v1/processes/{process['id']}/referrals"
    problem(await api.post(referral, json={"org_id": "x"}, headers=tagged), 422)
    problem(await api.put(f"/api/v1/processes/{process['id']}/assignee", json={}, headers=tagged), 422)
    for body in [
        {"org_id": org, "title": ""},
        {"org_id": org, "title": "t", "days": 0},
        {"org_id": org, "title": "t", "entries": [{"name": "张三", "amount": "1,000"}]},
        {"org_id": org, "title": "t", "entries": [{"name": "张三", "id_number": "123"}]},
    ]:
        response = await api.post("/api/v1/notices", json=body, headers=manager)
        assert 400 <= response.status_code < 500, (body, response.text)
        problem(response, response.status_code)
    problem(await api.post("/api/v1/notices", json={"org_id": org, "title": "t"}, headers=me), 403)
    problem(
        await api.post(
            "/api/v1/notices/00000000-0000-0000-0000-000000000000/objections",
            json={"reason": "x"},
            headers=me,
        ),
        404,
    )


async def test_notices_mask_entries_and_close_after_their_window(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    manager = world.add("manager", grant(world.federation, "core.notice.manage"))
    created = await api.post(
        "/api/v1/notices",
        json={
            "org_id": str(world.grassroots["id"]),
            "title": "2026年度困难职工帮扶名单公示",
            "days": 3,
            "entries": [
                {
                    "name": "欧阳小明",
                    "unit": "某公司",
                    "amount": "1200.00",
                    "id_number": "11010519491231002X",
                    "phone": "13800138000",
                }
            ],
        },
        headers=manager,
    )
    assert created.status_code == 201, created.text
    entry = created.json()["entries"][0]
    assert entry == {
        "seq": 1,
        "name": "欧**明",
        "unit": "某公司",
        "note": "",
        "amount": "1200.00",
        "id_number": "110105********002X",
        "phone": "138****8000",
    }
    listed = await api.get(
        "/api/v1/notices", params={"org": str(world.federation["id"]), "status": "open"}, headers=me
    )
    assert [n["id"] for n in listed.json()["items"]] == [created.json()["id"]]
    other = await api.get("/api/v1/notices", params={"org": str(world.women["id"])}, headers=me)
    assert other.json()["items"] == []
    # The notice is announcement-like: the portal feeds of the subtree carry it (JSON Feed and Atom).
    for suffix in ("feed.json", "feed.atom"):
        feed = await api.get(f"/api/v1/feeds/orgs/{world.root['id']}/{suffix}")
        assert feed.status_code == 200, feed.text
        assert "2026年度困难职工帮扶名单公示" in feed.text, suffix


async def test_statistics_per_type_and_subtree(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    staff = world.add("staff", grant(world.root, *STAFF))
    a = await apply(api, me, world.grassroots)
    await apply(api, me, world.grassroots)
    assert (await act(api, staff, a, "reject", comment="不符合")).status_code == 200
    stats = (
        await api.get(
            "/api/v1/processes/statistics", params={"org": str(world.federation["id"])}, headers=staff
        )
    ).json()
    (aid,) = stats["types"]
    assert (aid["type"], aid["opened"], aid["open"], aid["rejected"], aid["done"]) == (
        "proctest.hardship_aid",
        2,
        1,
        1,
        0,
    )
    assert set(aid["median_seconds_per_state"]) == {"submitted"}
    # The same counts are part of the org statistics, JSON and XLSX.
    org_stats = world.add("stats", grant(world.root, "core.stats.read"))
    body = (await api.get(f"/api/v1/orgs/{world.federation['id']}/statistics", headers=org_stats)).json()
    figures = {f["code"]: f["value"] for f in body["plugins"] if f["plugin"] == "core"}
    assert figures["core.process.proctest.hardship_aid.opened"] == 2
    assert figures["core.process.proctest.hardship_aid.rejected"] == 1
    workbook = await api.get(f"/api/v1/orgs/{world.federation['id']}/statistics.xlsx", headers=org_stats)
    assert workbook.status_code == 200
    sheets = load_workbook(BytesIO(workbook.content)).worksheets
    cells = {str(c.value) for ws in sheets for row in ws.iter_rows() for c in row}
    assert any("proctest.hardship_aid" in c for c in cells)
    women = (
        await api.get("/api/v1/processes/statistics", params={"org": str(world.women["id"])}, headers=staff)
    ).json()
    assert women["types"] == []
    problem(
        await api.get(
            "/api/v1/processes/statistics", params={"org": str(world.federation["id"])}, headers=me
        ),
        403,
    )


async def test_the_queue_pages_by_due_time_and_filters(api: ApiClient, world: World) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    base = world.add("base", grant(world.grassroots, REVIEW))
    opened = [await apply(api, me, world.grassroots) for _ in range(5)]
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (await api.get("/api/v1/processes/queue", params=params, headers=base)).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [p["id"] for p in opened]  # due in the order they were opened, no gap, no repeat
    overdue = await api.get("/api/v1/processes/queue", params={"overdue": "true"}, headers=base)
    assert overdue.json()["items"] == []
    by_state = await api.get("/api/v1/processes/queue", params={"state": "upper_review"}, headers=base)
    assert by_state.json()["items"] == []
    me_only = await api.get("/api/v1/processes/queue", params={"assigned": "me"}, headers=base)
    assert me_only.json()["items"] == []
    tag = {**base, "If-Match": f'"{opened[0]["version"]}"'}
    assigned = await api.put(
        f"/api/v1/processes/{opened[0]['id']}/assignee",
        json={"assignee_id": str(world.principals["base"].id)},
        headers=tag,
    )
    assert assigned.status_code == 200, assigned.text
    me_only = await api.get("/api/v1/processes/queue", params={"assigned": "me"}, headers=base)
    assert [p["id"] for p in me_only.json()["items"]] == [opened[0]["id"]]


async def test_personal_form_fields_are_in_the_pipl_export_and_cleared_on_erasure(
    api: ApiClient, world: World
) -> None:
    (pid,) = await make_persons(1)
    await Person.update({Person.home_org: world.grassroots["id"]}).where(Person.id == pid).run()
    me = world.add("me", person(pid))
    dpo = world.add("dpo", grant(world.root, "core.person.export", "core.person.erase"))
    process = await apply(api, me, world.grassroots)
    exported = await api.get(f"/api/v1/persons/{pid}/export", headers=dpo)
    assert exported.status_code == 200, exported.text
    (row,) = exported.json()["tables"]["core_process"]
    assert "13800138000" in row["process_form"]  # decrypted for the person's own copy
    erased = await api.delete(f"/api/v1/persons/{pid}", headers=dpo)
    assert erased.status_code == 204, erased.text
    kept = (
        await Process.select(Process.form, Process.personal_enc, Process.state)
        .where(Process.id == process["id"])
        .first()
        .run()
    )
    assert kept is not None and kept["personal_enc"] is None and kept["state"] == "submitted"
    assert "138****8000" not in str(kept["form"]) and "家中遭遇火灾" not in str(kept["form"])


async def test_key_rotation_reencrypts_personal_form_fields(
    api: ApiClient, world: World, make_settings: Any
) -> None:
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    process = await apply(api, me, world.grassroots)
    await apply(api, me, world.grassroots, id_number=None)
    rotated = Vault.from_settings(make_settings(personal_data_keys=("k2:" + "A" * 43,)))
    assert await reencrypt_process_forms(api.app.state.db, rotated) == 2
    row = await Process.select(Process.personal_enc).where(Process.id == process["id"]).first().run()
    assert row is not None and row["personal_enc"].startswith("v1.k2.")
    assert "13800138000" in rotated.decrypt("process_form", row["personal_enc"])
    assert await reencrypt_process_forms(api.app.state.db, rotated) == 0


async def test_the_deadline_job_is_registered_and_runs_in_the_worker_context(
    api: ApiClient, world: World
) -> None:
    from core.integration.jobs import registered_jobs
    from core.processes.deadlines import DEADLINE_JOB

    (pid,) = await make_persons(1)
    await apply(api, world.add("me", person(pid)), world.grassroots)
    context = api.app.state.integration.context
    assert context.extra["plugin_manager"] is api.app.state.plugin_manager
    assert await registered_jobs()[DEADLINE_JOB](context) == 0  # nothing is due yet
