"""Selections through HTTP as a front end uses them: a three-level campaign with quotas enforced at each
level under concurrency, the public vote exact under concurrency, the notice whose objection holds the
result, the honors it writes, reach across subtrees, and bad input answered with problem details."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta
from io import BytesIO
from typing import Any
from uuid import uuid4

from openpyxl import load_workbook

from core.identity.tables import AuditEntry
from core.integration.tables import OutboxSignal
from core.processes.tables import Notice
from core.selections.common import now
from core.selections.permissions import HONOR_READ
from core.selections.tables import Honor, Nomination, Quota, Vote
from tests.conftest import ApiClient
from tests.core.selections.conftest import (
    SELECTION_REVIEW,
    World,
    cadre,
    campaign,
    make_persons,
    nominate,
    person,
    review,
    stage,
)
from tests.helpers import problem


async def _end_notice(notice_id: str) -> None:
    """Let the notice window pass (the notices' clock is the database's rows)."""
    past = now() - timedelta(days=1)
    await (
        Notice.update({Notice.opens_at: past - timedelta(days=3), Notice.closes_at: past})
        .where(Notice.id == notice_id)
        .run()
    )


async def _decide(api: ApiClient, headers: dict[str, str], camp_id: str, **body: Any) -> Any:
    current = (await api.get(f"/api/v1/selections/campaigns/{camp_id}", headers=headers)).json()
    return await api.post(
        f"/api/v1/selections/campaigns/{camp_id}/decision",
        json=body,
        headers={**headers, "If-Match": f'"{current["version"]}"'},
    )


def _statuses(responses: list[Any]) -> Counter[int]:
    return Counter(r.status_code for r in responses)


async def test_a_three_level_selection_enforces_each_quota_under_concurrency(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.county))
    t1 = world.add("t1", cadre(world.t1))
    t2 = world.add("t2", cadre(world.t2))
    g11 = world.add("g11", cadre(world.g11))
    g12 = world.add("g12", cadre(world.g12))
    g21 = world.add("g21", cadre(world.g21))
    # The county selects 2; each township passes up 2; each community 2 (甲二 gets 1 of its own).
    camp = await campaign(api, boss, world.county, [2, 2, 2])
    assert camp["stage"] == "nominating" and camp["levels"] == [{"quota": 2}] * 3
    quota = await api.put(
        f"/api/v1/selections/campaigns/{camp['id']}/quotas",
        json={"org_id": str(world.g12["id"]), "quota": 1},
        headers=boss,
    )
    assert quota.status_code == 200, quota.text
    assert quota.json() == {"org_id": str(world.g12["id"]), "level": 2, "quota": 1, "used": 0}

    people = await make_persons(7)
    filed: dict[str, list[str]] = {"g11": [], "g12": [], "g21": []}
    plan = [("g11", g11, world.g11)] * 3 + [("g12", g12, world.g12)] * 2 + [("g21", g21, world.g21)] * 2
    for (key, headers, org), pid in zip(plan, people, strict=True):
        response = await nominate(api, headers, camp, org, nominee_person_id=str(pid))
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["level"] == 2 and body["org_id"] == str(org["id"]) and body["source"] == "org"
        filed[key].append(body["id"])

    # 甲一: three concurrent forwards against a quota of two.
    results = await asyncio.gather(*[review(api, g11, n, "forward") for n in filed["g11"]])
    assert _statuses(results) == {200: 2, 409: 1}
    full = next(r for r in results if r.status_code == 409)
    assert problem(full, 409)["type"].endswith("selection-quota-full")
    up = [r.json() for r in results if r.status_code == 200]
    assert {n["org_id"] for n in up} == {str(world.t1["id"])} and {n["level"] for n in up} == {1}
    # 甲二: its own quota of one.
    results = await asyncio.gather(*[review(api, g12, n, "forward") for n in filed["g12"]])
    assert _statuses(results) == {200: 1, 409: 1}
    # 乙一 forwards both; a cadre of 乙 cannot touch 甲's nominations (outside the subtree: 404).
    assert _statuses(await asyncio.gather(*[review(api, g21, n, "forward") for n in filed["g21"]])) == {
        200: 2
    }
    assert (await review(api, t2, up[0]["id"], "forward")).status_code == 404
    assert (await api.get(f"/api/v1/selections/nominations/{up[0]['id']}", headers=t2)).status_code == 404
    listed = await api.get(f"/api/v1/selections/campaigns/{camp['id']}/nominations", headers=t2)
    assert {n["entry_org_id"] for n in listed.json()["items"]} == {str(world.g21["id"])}
    # A community reviewer cannot act on what now sits at the township.
    assert problem(await review(api, g11, up[0]["id"], "forward"), 403)["status"] == 403

    # 甲 township: three arrived, two may go up — concurrently.
    at_t1 = await api.get(
        f"/api/v1/selections/campaigns/{camp['id']}/nominations",
        params={"org": str(world.t1["id"]), "status": "pending"},
        headers=t1,
    )
    waiting = [n["id"] for n in at_t1.json()["items"]]
    assert len(waiting) == 3
    assert _statuses(await asyncio.gather(*[review(api, t1, n, "forward") for n in waiting])) == {
        200: 2,
        409: 1,
    }
    at_t2 = await api.get(
        f"/api/v1/selections/campaigns/{camp['id']}/nominations",
        params={"org": str(world.t2["id"]), "status": "pending"},
        headers=t2,
    )
    assert _statuses(
        await asyncio.gather(*[review(api, t2, n["id"], "forward") for n in at_t2.json()["items"]])
    ) == {200: 2}
    rows = await Quota.select(Quota.org, Quota.used, Quota.quota).where(Quota.campaign == camp["id"]).run()
    assert all(r["used"] <= r["quota"] for r in rows)
    assert {r["org"]: r["used"] for r in rows}[world.t1["id"]] == 2

    # Selection at the county: four candidates, two places, taken concurrently.
    assert problem(await review(api, boss, waiting[0], "select"), 409)["type"].endswith("selection-stage")
    await stage(api, boss, camp, "reviewing")
    skipped = await api.post(
        f"/api/v1/selections/campaigns/{camp['id']}/stage",
        json={"stage": "voting"},  # the generic type has no vote
        headers={**boss, "If-Match": '"2"'},
    )
    assert problem(skipped, 409)["type"].endswith("selection-stage")
    await stage(api, boss, camp, "selecting")
    top = await api.get(
        f"/api/v1/selections/campaigns/{camp['id']}/nominations", params={"level": 0}, headers=boss
    )
    candidates = [n["id"] for n in top.json()["items"]]
    assert len(candidates) == 4
    picks = await asyncio.gather(*[review(api, boss, n, "select") for n in candidates])
    assert _statuses(picks) == {200: 2, 409: 2}
    selected = [r.json() for r in picks if r.status_code == 200]
    assert {n["status"] for n in selected} == {"selected"}

    # The notice (公示) of the two; the result waits for its window.
    noticed = await stage(api, boss, camp, "notice")
    notice = (await api.get(f"/api/v1/notices/{noticed['notice_id']}", headers=boss)).json()
    assert notice["kind"] == "core.selection" and len(notice["entries"]) == 2
    assert all("*" in e["name"] for e in notice["entries"])
    early = problem(await _decide(api, boss, camp["id"]), 409)
    assert early["type"].endswith("selection-notice-running")
    await _end_notice(noticed["notice_id"])
    decided = await _decide(api, boss, camp["id"])
    assert decided.status_code == 200, decided.text
    assert decided.json()["stage"] == "decided"

    # Results and honors: the two awarded are in the register, each person sees their own.
    results = (await api.get(f"/api/v1/selections/campaigns/{camp['id']}/results", headers=boss)).json()
    assert Counter(c["status"] for c in results["candidates"]) == {"awarded": 2, "not_selected": 2}
    honors = await Honor.select().run()
    assert len(honors) == 2 and {h["source"] for h in honors} == {"selection"}
    winner = honors[0]["person"]
    me = world.add("winner", person(winner))
    mine = (await api.get("/api/v1/me/honors", headers=me)).json()["items"]
    assert [(h["title"], h["level"], h["year"]) for h in mine] == [("2026年度区级先进个人", "county", 2026)]
    by_county = (
        await api.get("/api/v1/honors", params={"org": str(world.county["id"])}, headers=boss)
    ).json()
    assert len(by_county["items"]) == 2
    workbook = await api.get(
        "/api/v1/honors/export.xlsx", params={"org": str(world.county["id"])}, headers=boss
    )
    assert workbook.status_code == 200
    sheet = load_workbook(BytesIO(workbook.content)).active
    assert [c.value for c in sheet[1]][:3] == ["荣誉名称", "级别", "年度"] and sheet.max_row == 3

    actions = {r["action"] for r in await AuditEntry.select(AuditEntry.action).run()}
    assert {
        "selection.campaign_created",
        "selection.quota_set",
        "selection.nomination_filed",
        "selection.nomination_forwarded",
        "selection.nomination_selected",
        "selection.stage_changed",
        "selection.decided",
        "honor.awarded",
        "notice.published",
    } <= actions
    names = {r["name"] for r in await OutboxSignal.select(OutboxSignal.name).run()}
    assert {
        "selection.campaign_created",
        "selection.nomination_changed",
        "selection.decided",
        "honor.awarded",
    } <= names


async def _voting_campaign(
    api: ApiClient, world: World, boss: dict[str, str], type: str, n: int
) -> tuple[dict[str, Any], list[str]]:
    camp = await campaign(api, boss, world.county, [3], type=type)
    ids = []
    for pid in await make_persons(n):
        form = {"summary": "家风好"} if type == "seltest.best_family" else {}
        response = await nominate(api, boss, camp, world.county, nominee_person_id=str(pid), form=form)
        assert response.status_code == 201, response.text
        assert response.json()["level"] == 0
        ids.append(response.json()["id"])
    await stage(api, boss, camp, "reviewing")
    await stage(api, boss, camp, "voting")
    return camp, ids


async def test_200_concurrent_votes_by_50_persons_count_one_per_person(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.county))
    camp, (first, second) = await _voting_campaign(api, world, boss, "seltest.best_family", 2)
    voters = [world.add(f"v{i}", person(pid)) for i, pid in enumerate(await make_persons(50))]
    url = f"/api/v1/selections/campaigns/{camp['id']}/votes"
    responses = await asyncio.gather(
        *[api.post(url, json={"nomination_id": first}, headers=v) for v in voters for _ in range(4)]
    )
    assert _statuses(responses) == {201: 50, 409: 150}
    assert {problem(r, 409)["type"].rsplit("/", 1)[-1] for r in responses if r.status_code == 409} == {
        "vote-duplicate"
    }
    assert await Vote.count().where(Vote.nomination == first).run() == 50
    row = await Nomination.select(Nomination.votes).where(Nomination.id == first).first().run()
    assert row["votes"] == 50
    # Another candidate is another vote of the same person.
    assert (await api.post(url, json={"nomination_id": second}, headers=voters[0])).status_code == 201
    mine = (await api.get(f"{url}/mine", headers=voters[0])).json()
    assert sorted(mine["nomination_ids"]) == sorted([first, second]) and mine["votes_left"] is None

    # Hidden while the vote runs — from cadres too; shown once it closed.
    during = (await api.get(f"/api/v1/selections/campaigns/{camp['id']}/results", headers=boss)).json()
    assert during["results_hidden"] and {c["votes"] for c in during["candidates"]} == {None}
    assert during["candidates"][0]["form"] == {"summary": "家风好"}
    detail = (await api.get(f"/api/v1/selections/nominations/{first}", headers=boss)).json()
    assert detail["votes"] is None
    await stage(api, boss, camp, "selecting")
    after = (await api.get(f"/api/v1/selections/campaigns/{camp['id']}/results", headers=boss)).json()
    assert [c["votes"] for c in after["candidates"]] == [50, 1]
    late = await api.post(url, json={"nomination_id": first}, headers=voters[1])
    assert problem(late, 409)["type"].endswith("selection-stage")


async def test_a_vote_budget_holds_under_concurrency_and_requests_are_throttled(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.county))
    camp, ids = await _voting_campaign(api, world, boss, "seltest.star", 3)
    (pid,) = await make_persons(1)
    me = world.add("me", person(pid))
    url = f"/api/v1/selections/campaigns/{camp['id']}/votes"
    responses = await asyncio.gather(*[api.post(url, json={"nomination_id": n}, headers=me) for n in ids])
    assert _statuses(responses) == {201: 2, 409: 1}
    refused = next(r for r in responses if r.status_code == 409)
    assert problem(refused, 409)["type"].endswith("vote-budget-used")
    assert sorted(r.json()["votes_left"] for r in responses if r.status_code == 201) == [0, 1]
    assert await Vote.count().where(Vote.voter == pid).run() == 2
    # Shown while the vote runs (the type says so).
    results = (await api.get(f"/api/v1/selections/campaigns/{camp['id']}/results", headers=me)).json()
    assert not results["results_hidden"] and sum(c["votes"] for c in results["candidates"]) == 2
    # Five requests a minute: the sixth of this person is answered 429 with Retry-After.
    for _ in range(2):
        await api.post(url, json={"nomination_id": ids[0]}, headers=me)
    throttled = await api.post(url, json={"nomination_id": ids[0]}, headers=me)
    assert problem(throttled, 429)["type"].endswith("rate-limited")
    assert int(throttled.headers["retry-after"]) >= 1
    other = world.add("other", person((await make_persons(1))[0]))
    assert (await api.post(url, json={"nomination_id": ids[0]}, headers=other)).status_code == 201


async def test_an_objection_during_the_notice_holds_the_result_until_resolved(
    api: ApiClient, world: World
) -> None:
    boss = world.add("boss", cadre(world.county))
    camp = await campaign(api, boss, world.county, [2])
    ids = []
    for pid in await make_persons(2):
        ids.append((await nominate(api, boss, camp, world.county, nominee_person_id=str(pid))).json()["id"])
    await stage(api, boss, camp, "reviewing")
    await stage(api, boss, camp, "selecting")
    for n in ids:
        assert (await review(api, boss, n, "select")).status_code == 200
    noticed = await stage(api, boss, camp, "notice")
    objector = world.add("objector", person((await make_persons(1))[0]))
    objection = await api.post(
        f"/api/v1/notices/{noticed['notice_id']}/objections",
        json={"reason": "其中一人事迹不实"},
        headers=objector,
    )
    assert objection.status_code == 201, objection.text
    campaign_now = (await api.get(f"/api/v1/selections/campaigns/{camp['id']}", headers=objector)).json()
    assert campaign_now["result_held"] is True
    await _end_notice(noticed["notice_id"])
    held = problem(await _decide(api, boss, camp["id"]), 409)
    assert held["type"].endswith("selection-result-held")
    assert await Honor.count().run() == 0

    resolved = await api.post(
        f"/api/v1/notices/{noticed['notice_id']}/objections/{objection.json()['id']}/resolve",
        json={"decision": "upheld", "resolution": "经核实，取消其中一人"},
        headers=boss,
    )
    assert resolved.status_code == 200, resolved.text
    assert (await api.get(f"/api/v1/selections/campaigns/{camp['id']}", headers=boss)).json()[
        "result_held"
    ] is False
    bad = problem(await _decide(api, boss, camp["id"], exclude=[camp["id"]]), 422)
    assert bad["errors"][0]["pointer"] == "/exclude/0"
    decided = await _decide(api, boss, camp["id"], exclude=[ids[1]], comment="异议成立")
    assert decided.status_code == 200, decided.text
    statuses = {
        str(r["id"]): r["status"] for r in await Nomination.select(Nomination.id, Nomination.status).run()
    }
    assert statuses == {ids[0]: "awarded", ids[1]: "not_awarded"}
    assert await Honor.count().run() == 1


async def test_cancelling_a_campaign_withdraws_its_public_notice(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.county))
    camp = await campaign(api, boss, world.county, [1])
    (pid,) = await make_persons(1)
    nid = (await nominate(api, boss, camp, world.county, nominee_person_id=str(pid))).json()["id"]
    await stage(api, boss, camp, "reviewing")
    await stage(api, boss, camp, "selecting")
    assert (await review(api, boss, nid, "select")).status_code == 200
    noticed = await stage(api, boss, camp, "notice")
    notice_url = f"/api/v1/notices/{noticed['notice_id']}"
    assert (await api.get(notice_url, headers=boss)).json()["status"] == "open"
    cancelled = await stage(api, boss, noticed, "cancelled")
    assert cancelled["stage"] == "cancelled"
    assert (await api.get(notice_url, headers=boss)).json()["status"] == "withdrawn"
    withdrawn = await AuditEntry.count().where(
        (AuditEntry.action == "notice.withdrawn") & (AuditEntry.resource_id == noticed["notice_id"])
    )
    assert withdrawn == 1


async def test_persons_nominate_themselves_and_others_and_may_withdraw(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.county))
    reviewer = world.add("reviewer", cadre(world.g11, SELECTION_REVIEW))
    me_id, friend_id = await make_persons(2)
    me = world.add("me", person(me_id))
    camp = await campaign(api, boss, world.county, [1, 1, 1], type="seltest.best_family")
    url = f"/api/v1/selections/campaigns/{camp['id']}/nominations"
    own = await api.post(
        url,
        json={
            "source": "self",
            "nominee_kind": "family",
            "nominee_name": "张三家庭",
            "org_id": str(world.g11["id"]),
            "form": {"summary": "孝老爱亲", "members": 4},
        },
        headers=me,
    )
    assert own.status_code == 201, own.text
    assert own.json()["nominee_person_id"] == str(me_id) and own.json()["nominee_name"] == "张三家庭"
    again = await api.post(
        url,
        json={
            "source": "self",
            "nominee_kind": "family",
            "nominee_name": "又一家",
            "org_id": str(world.g11["id"]),
            "form": {"summary": "x"},
        },
        headers=me,
    )
    assert problem(again, 409)["type"].endswith("nominee-duplicate")
    other = await api.post(
        url,
        json={
            "source": "person",
            "nominee_kind": "person",
            "nominee_person_id": str(friend_id),
            "org_id": str(world.g11["id"]),
            "form": {"summary": "热心邻里"},
        },
        headers=me,
    )
    assert other.status_code == 201, other.text
    mine = (await api.get("/api/v1/me/nominations", headers=me)).json()["items"]
    assert len(mine) == 2
    # The reviewer of the unit sees both; the nominee's friend sees the one naming them.
    listed = (await api.get(url, headers=reviewer)).json()["items"]
    assert len(listed) == 2
    friend = world.add("friend", person(friend_id))
    assert (
        await api.get(f"/api/v1/selections/nominations/{other.json()['id']}", headers=friend)
    ).status_code == 200
    assert (
        await api.get(f"/api/v1/selections/nominations/{own.json()['id']}", headers=friend)
    ).status_code == 404
    # Withdrawn, the family may be nominated again.
    withdrawn = await api.post(f"/api/v1/selections/nominations/{own.json()['id']}/withdraw", headers=me)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert (
        await api.post(
            url,
            json={
                **{
                    "source": "self",
                    "nominee_kind": "family",
                    "nominee_name": "张三家庭",
                    "org_id": str(world.g11["id"]),
                },
                "form": {"summary": "再报"},
            },
            headers=me,
        )
    ).status_code == 201


async def test_bad_input_is_answered_with_problem_details(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.county))
    outsider = world.add("outsider", cadre(world.t2))
    nobody = world.add("nobody", cadre(world.county, SELECTION_REVIEW))
    base = {
        "type": "core.generic",
        "org_id": str(world.county["id"]),
        "title": "评选",
        "honor_title": "先进",
        "levels": [{"quota": 1}],
    }
    url = "/api/v1/selections/campaigns"
    assert problem(await api.post(url, json={**base, "type": "nope.none"}, headers=boss), 422)[
        "type"
    ].endswith("unknown-selection-type")
    assert (
        problem(await api.post(url, json={**base, "levels": []}, headers=boss), 422)["errors"][0]["pointer"]
        == "/levels"
    )
    assert (
        problem(await api.post(url, json={**base, "notice_days": 2}, headers=boss), 422)["errors"][0][
            "pointer"
        ]
        == "/notice_days"
    )
    assert problem(await api.post(url, json={**base, "levels": [{"quota": -1}]}, headers=boss), 422)
    assert (
        problem(await api.post(url, json={**base, "extra": 1}, headers=boss), 422)["errors"][0]["pointer"]
        == "/extra"
    )
    too_deep = {**base, "type": "seltest.best_family", "levels": [{"quota": 1}] * 4}
    assert problem(await api.post(url, json=too_deep, headers=boss), 422)["errors"][0]["pointer"] == "/levels"
    # Another subtree's org, and a caller without the permission.
    assert problem(await api.post(url, json=base, headers=outsider), 404)
    assert problem(await api.post(url, json=base, headers=nobody), 403)
    assert problem(await api.post(url, json=base), 401)
    assert problem(
        await api.post(url, content=b"{not json", headers={**boss, "content-type": "application/json"}), 400
    )

    camp = await campaign(api, boss, world.county, [1, 1])
    (pid,) = await make_persons(1)
    bad_form = await nominate(api, boss, camp, world.g11, nominee_person_id=str(pid), form={"summary": ""})
    assert problem(bad_form, 422)["errors"][0]["pointer"] == "/form/summary"
    unknown_field = await nominate(
        api, boss, camp, world.g11, nominee_person_id=str(pid), form={"summary": "x", "y": 1}
    )
    assert problem(unknown_field, 422)["errors"][0]["pointer"] == "/form/y"
    other_tree = await make_org_outside(api)
    assert (
        problem(await nominate(api, boss, camp, other_tree, nominee_person_id=str(pid)), 422)["errors"][0][
            "pointer"
        ]
        == "/org_id"
    )
    assert (
        problem(await nominate(api, boss, camp, world.g11, nominee_person_id=str(camp["id"])), 422)["errors"][
            0
        ]["pointer"]
        == "/nominee_person_id"
    )
    assert (
        problem(await nominate(api, boss, camp, world.g11), 422)["errors"][0]["pointer"]
        == "/nominee_person_id"
    )
    assert problem(await nominate(api, outsider, camp, world.g11, nominee_person_id=str(pid)), 403)
    no_person = await nominate(api, boss, camp, world.g11, source="self")
    assert problem(no_person, 403)["type"].endswith("selection-no-person")
    missing = await api.post(
        f"/api/v1/selections/campaigns/{camp['id']}/stage", json={"stage": "reviewing"}, headers=boss
    )
    assert problem(missing, 428)
    stale = await api.post(
        f"/api/v1/selections/campaigns/{camp['id']}/stage",
        json={"stage": "reviewing"},
        headers={**boss, "If-Match": '"99"'},
    )
    assert problem(stale, 412)
    wrong = await api.post(
        f"/api/v1/selections/campaigns/{camp['id']}/stage",
        json={"stage": "notice"},
        headers={**boss, "If-Match": '"1"'},
    )
    assert problem(wrong, 409)["type"].endswith("selection-stage")
    vote = await api.post(
        f"/api/v1/selections/campaigns/{camp['id']}/votes",
        json={"nomination_id": str(pid)},
        headers=world.add("p", person(pid)),
    )
    assert problem(vote, 409)["type"].endswith("selection-stage")
    assert problem(await api.get(f"/api/v1/selections/campaigns/{pid}", headers=boss), 404)
    assert problem(await api.get("/api/v1/selections/campaigns", params={"limit": 0}, headers=boss), 422)
    assert problem(await api.get("/api/v1/honors", params={"year": 1800}, headers=boss), 422)


async def make_org_outside(api: ApiClient) -> dict[str, Any]:
    from tests.core.events.conftest import make_org

    return await make_org("邻区", None, "z00000", "party.committee")


async def test_honors_entered_directly_follow_reach(api: ApiClient, world: World) -> None:
    t1 = world.add("t1", cadre(world.t1))
    t2 = world.add("t2", cadre(world.t2))
    (pid,) = await make_persons(1)
    body = {
        "recipient_kind": "person",
        "person_id": str(pid),
        "issuing_org_id": str(world.t1["id"]),
        "title": "优秀志愿者",
        "year": 2025,
    }
    entered = await api.post("/api/v1/honors", json=body, headers=t1)
    assert entered.status_code == 201, entered.text
    honor = entered.json()
    assert (
        honor["source"] == "direct"
        and honor["level"] == "county"
        and honor["recipient_name"].startswith("群众")
    )
    team = await api.post(
        "/api/v1/honors",
        json={
            "recipient_kind": "team",
            "name": "甲一志愿服务队",
            "org_id": str(world.g11["id"]),
            "issuing_org_id": str(world.t1["id"]),
            "title": "优秀团队",
            "year": 2025,
        },
        headers=t1,
    )
    assert team.status_code == 201, team.text
    assert problem(await api.post("/api/v1/honors", json=body, headers=t2), 404)
    assert (
        problem(await api.post("/api/v1/honors", json={**body, "person_id": None}, headers=t1), 422)[
            "errors"
        ][0]["pointer"]
        == "/person_id"
    )
    assert (
        problem(await api.post("/api/v1/honors", json={**body, "recipient_kind": "team"}, headers=t1), 422)[
            "errors"
        ][0]["pointer"]
        == "/name"
    )
    # 乙 sees nothing of 甲's honors.
    assert (await api.get(f"/api/v1/honors/{honor['id']}", headers=t2)).status_code == 404
    assert (await api.get("/api/v1/honors", headers=t2)).json()["items"] == []
    listed = (await api.get("/api/v1/honors", params={"org": str(world.g11["id"])}, headers=t1)).json()[
        "items"
    ]
    assert [h["recipient_name"] for h in listed] == ["甲一志愿服务队"]
    issued = (
        await api.get("/api/v1/honors", params={"org": str(world.t1["id"]), "by": "issuer"}, headers=t1)
    ).json()
    assert len(issued["items"]) == 2
    me = world.add("me", person(pid))
    assert [h["id"] for h in (await api.get("/api/v1/me/honors", headers=me)).json()["items"]] == [
        honor["id"]
    ]
    assert (await api.get(f"/api/v1/honors/{honor['id']}", headers=me)).status_code == 200
    assert problem(await api.post(f"/api/v1/honors/{honor['id']}/revoke", json={}, headers=t2), 404)
    revoked = await api.post(f"/api/v1/honors/{honor['id']}/revoke", json={"reason": "撤销"}, headers=t1)
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    assert (await api.get("/api/v1/me/honors", headers=me)).json()["items"] == []


async def test_cancelling_a_campaign_in_its_notice_withdraws_the_notice(api: ApiClient, world: World) -> None:
    boss = world.add("boss", cadre(world.county))
    camp = await campaign(api, boss, world.county, [1])
    (pid,) = await make_persons(1)
    nomination = (await nominate(api, boss, camp, world.county, nominee_person_id=str(pid))).json()
    await stage(api, boss, camp, "reviewing")
    await stage(api, boss, camp, "selecting")
    assert (await review(api, boss, nomination["id"], "select")).status_code == 200
    noticed = await stage(api, boss, camp, "notice")
    notice_url = f"/api/v1/notices/{noticed['notice_id']}"
    assert (await api.get(notice_url, headers=boss)).json()["status"] == "open"

    cancelled = await stage(api, boss, camp, "cancelled")
    assert cancelled["stage"] == "cancelled"
    assert (await api.get(notice_url, headers=boss)).json()["status"] == "withdrawn"
    # Nobody objects to a notice that is no longer up, and no honor is awarded.
    objector = world.add("objector", person((await make_persons(1))[0]))
    late = await api.post(f"{notice_url}/objections", json={"reason": "事迹不实"}, headers=objector)
    assert late.status_code in (404, 409), late.text
    assert await Honor.count().run() == 0


async def test_a_cadre_sees_the_honors_of_persons_within_reach(api: ApiClient, world: World) -> None:
    t1 = world.add("t1", cadre(world.t1))
    t2 = world.add("t2", cadre(world.t2))
    (pid,) = await make_persons(1, home=world.g11)
    (stranger,) = await make_persons(1)
    body = {
        "recipient_kind": "person",
        "person_id": str(pid),
        "issuing_org_id": str(world.t1["id"]),
        "title": "优秀志愿者",
        "year": 2025,
    }
    first = (await api.post("/api/v1/honors", json=body, headers=t1)).json()
    second = (await api.post("/api/v1/honors", json={**body, "year": 2026}, headers=t1)).json()
    # An honor of somebody else is not listed with this person's.
    await api.post("/api/v1/honors", json={**body, "person_id": str(stranger)}, headers=t1)
    url = f"/api/v1/persons/{pid}/honors"

    listed = await api.get(url, headers=t1)
    assert listed.status_code == 200, listed.text
    assert [h["id"] for h in listed.json()["items"]] == [second["id"], first["id"]]
    paged = (await api.get(url, params={"limit": 1}, headers=t1)).json()
    assert [h["id"] for h in paged["items"]] == [second["id"]] and paged["next_cursor"]
    rest = (await api.get(url, params={"limit": 1, "cursor": paged["next_cursor"]}, headers=t1)).json()
    assert [h["id"] for h in rest["items"]] == [first["id"]]
    # The county reaches the person from above; a revoked honor stays listed for cadres, and filters.
    county = world.add("county", cadre(world.county, HONOR_READ))
    await api.post(f"/api/v1/honors/{first['id']}/revoke", json={"reason": "撤销"}, headers=t1)
    assert len((await api.get(url, headers=county)).json()["items"]) == 2
    active = (await api.get(url, params={"status": "active"}, headers=county)).json()["items"]
    assert [h["id"] for h in active] == [second["id"]]

    # The sibling township does not learn that the person exists: the same 404 as for nobody.
    outside = problem(await api.get(url, headers=t2), 404)
    nobody = problem(await api.get(f"/api/v1/persons/{uuid4()}/honors", headers=t1), 404)
    assert outside["type"] == nobody["type"]
    # A person outside t1's reach (no home org, no membership) is not found either.
    assert problem(await api.get(f"/api/v1/persons/{stranger}/honors", headers=t1), 404)
    # Reading honors needs the honors read permission: other permissions on the person's org do not do.
    reviewer = world.add("reviewer", cadre(world.t1, SELECTION_REVIEW))
    assert problem(await api.get(url, headers=reviewer), 403)
    # A plain member (even the person themself, who has /me/honors) holds no permission; anonymous is 401.
    member = world.add("member", person(pid))
    assert problem(await api.get(url, headers=member), 403)
    assert (await api.get(url)).status_code == 401
    assert problem(await api.get(url, params={"status": "lost"}, headers=t1), 422)


async def test_a_types_nomination_check_refuses_or_fails_without_filing(api: ApiClient, world: World) -> None:
    """``validate_nomination`` (the fixture's 服务之星 checks team names): its Problem is the answer; an
    exception of its own answers 422 ``selection-check-failed``; either way nothing is filed."""
    boss = world.add("boss", cadre(world.county))
    camp = await campaign(api, boss, world.county, [3], type="seltest.star")
    team = {"nominee_kind": "team", "form": {}}
    refused = problem(await nominate(api, boss, camp, world.county, nominee_name="拒绝队", **team), 422)
    assert refused["errors"][0]["pointer"] == "/nominee_name"
    failed = problem(await nominate(api, boss, camp, world.county, nominee_name="故障队", **team), 422)
    assert failed["type"].endswith("/selection-check-failed") and "seltest" in failed["detail"]
    assert await Nomination.count().where(Nomination.campaign == camp["id"]).run() == 0
    filed = await nominate(api, boss, camp, world.county, nominee_name="志愿服务队", **team)
    assert filed.status_code == 201, filed.text
