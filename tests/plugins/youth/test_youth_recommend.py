"""推优入党 through HTTP: eligibility, the branch vote, the ratio cap, the notice with an objection, the
Party org's outcome and the validity period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.processes.deadlines import apply_due_deadlines
from core.processes.machine import Env
from core.testkit import assert_problem
from plugins.youth import rules
from tests.identity_helpers import bearer, make_account
from tests.plugins.youth.conftest import League, years_ago

PROCESSES = "/api/v1/processes"


async def step(lg: League, pid: str, headers: dict[str, str], transition: str, **body: Any) -> Any:
    current = await lg.client.get(f"{PROCESSES}/{pid}", headers=headers)
    assert current.status_code == 200, current.text
    return await lg.client.post(
        f"{PROCESSES}/{pid}/transitions",
        json={"transition": transition, **body},
        headers={**headers, "If-Match": current.headers["ETag"]},
    )


async def recommend(lg: League, member: dict[str, Any], applied_days: int = 200, party: Any = None) -> Any:
    return await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.recommend",
            "org_id": member["org"],
            "applicant_id": member["person"],
            "form": {
                "member_id": member["id"],
                "party_org_id": str(party or lg.tree.orgs["county_a"]["id"]),
                "party_application_on": (dt.date.today() - dt.timedelta(days=applied_days)).isoformat(),
            },
        },
        headers=lg.headers["branch"],
    )


def vote(**over: int) -> dict[str, Any]:
    return {
        "form": {
            "date": dt.date.today().isoformat(),
            "entitled": 10,
            "present": 8,
            "in_favour": 7,
            "against": 1,
            **over,
        }
    }


async def later(lg: League, days: float) -> int:
    state = lg.client.app.state
    return await apply_due_deadlines(
        state.db, Env.of(state), moment=dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    )


async def test_eligibility(league: League) -> None:
    lg = league
    young = await lg.member("a1", years_ago(17))
    fresh = await lg.member("a1", joined_on=(dt.date.today() - dt.timedelta(days=100)).isoformat())
    party = await lg.member("a1", party_member=True)
    ok = await lg.member("a1")
    for member, days, code in (
        (young, 200, "youth_recommend_age"),
        (fresh, 200, "youth_recommend_tenure"),
        (ok, 90, "youth_recommend_application"),
        (ok, -3, "youth_recommend_application"),
        (party, 200, "youth_recommend_party"),
    ):
        refused = await recommend(lg, member, days)
        assert assert_problem(refused, 422)["errors"][0]["code"] == code, (member, code)
    wrong_org = await recommend(lg, ok, party=lg.orgs["committee"]["id"])
    assert wrong_org.json()["errors"][0]["code"] == "youth_recommend_party_org"
    assert (await recommend(lg, ok)).status_code == 201
    assert (await recommend(lg, ok)).json()["errors"][0]["code"] == "youth_recommend_pending"
    # another county's cadre cannot recommend this branch's members
    foreign = await lg.client.post(
        PROCESSES,
        json={
            "type": "youth.recommend",
            "org_id": ok["org"],
            "applicant_id": ok["person"],
            "form": {
                "member_id": ok["id"],
                "party_org_id": str(lg.tree.orgs["county_a"]["id"]),
                "party_application_on": years_ago(1),
            },
        },
        headers=lg.headers["other"],
    )
    assert foreign.status_code in (403, 404, 422)


async def test_vote_ratio_notice_outcome(league: League) -> None:
    lg = league
    first, second = await lg.member("a1"), await lg.member("a1")
    for _ in range(2):
        await lg.member("a1")
    # four members, a 30% share: one recommendation this year
    pid = (await recommend(lg, first)).json()["id"]
    no_quorum = await step(lg, pid, lg.headers["branch"], "vote", **vote(present=5, in_favour=5, against=0))
    assert no_quorum.json()["errors"][0]["code"] == "youth_quorum"
    too_few = await step(lg, pid, lg.headers["branch"], "vote", **vote(in_favour=5, against=3))
    assert too_few.json()["errors"][0]["code"] == "youth_not_passed"
    voted = await step(lg, pid, lg.headers["branch"], "vote", **vote())
    assert voted.status_code == 200, voted.text
    assert voted.json()["state"] == "publicizing"

    other = (await recommend(lg, second)).json()["id"]
    capped = await step(lg, other, lg.headers["branch"], "vote", **vote())
    assert capped.json()["errors"][0]["code"] == "youth_recommend_ratio"

    notices = (await lg.client.get("/api/v1/notices", headers=lg.headers["committee"])).json()["items"]
    assert len(notices) == 1
    deadline = dt.datetime.fromisoformat(notices[0]["closes_at"].replace("Z", "+00:00")) - dt.datetime.now(
        dt.UTC
    )
    assert deadline >= dt.timedelta(days=3) - dt.timedelta(minutes=1)

    assert await later(lg, 2) == 0  # the notice runs
    assert await later(lg, rules.RECOMMEND_NOTICE_DAYS + 1) == 1
    party = lg.tree.headers["county"]
    sent = (await lg.client.get(f"{PROCESSES}/{pid}", headers=party)).json()
    assert sent["state"] == "sent" and sent["handler_org_id"] == str(lg.tree.orgs["county_a"]["id"])
    assert_problem(await step(lg, pid, party, "decline"), 422)  # a reason is required
    accepted = await step(lg, pid, party, "accept", form={"note": "列为入党积极分子"})
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"


async def test_objection_holds_and_validity_expires(league: League, monkeypatch: Any) -> None:
    lg = league
    monkeypatch.setattr(rules, "RECOMMEND_BRANCH_RATIO", 1.0)
    first, second = await lg.member("a1"), await lg.member("a1")
    held = (await recommend(lg, first)).json()["id"]
    assert (await step(lg, held, lg.headers["branch"], "vote", **vote())).status_code == 200
    notice_id = (await lg.client.get("/api/v1/notices", headers=lg.headers["committee"])).json()["items"][0][
        "id"
    ]
    objector = await bearer(
        lg.client, *await make_account(lg.client.app.state.db, home_org=lg.tree.orgs["county_a"]["id"])
    )
    filed = await lg.client.post(
        f"/api/v1/notices/{notice_id}/objections", json={"reason": "该团员近期受过处分"}, headers=objector
    )
    assert filed.status_code == 201, filed.text

    lapsing = (await recommend(lg, second)).json()["id"]
    assert (await step(lg, lapsing, lg.headers["branch"], "vote", **vote())).status_code == 200
    await later(lg, rules.RECOMMEND_NOTICE_DAYS + 1)
    assert (await lg.client.get(f"{PROCESSES}/{held}", headers=lg.headers["branch"])).json()[
        "state"
    ] == "publicizing"
    assert (await lg.client.get(f"{PROCESSES}/{lapsing}", headers=lg.tree.headers["county"])).json()[
        "state"
    ] == "sent"
    await later(lg, rules.RECOMMEND_NOTICE_DAYS + rules.RECOMMEND_VALID_DAYS + 2)
    expired = await lg.client.get(f"{PROCESSES}/{lapsing}", headers=lg.tree.headers["county"])
    assert expired.json()["state"] == "expired"
