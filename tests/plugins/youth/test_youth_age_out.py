"""超龄离团: found by the periodic check, reported for confirmation, never removed silently."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.integration.jobs import JobContext, periodic_jobs
from core.testkit import assert_problem, audit_entries, signals_emitted
from plugins.youth import checks
from tests.plugins.youth.conftest import League, years_ago

MEMBERS = "/api/v1/youth/members"
AGE_OUTS = "/api/v1/youth/age-outs"


async def scan(lg: League, who: str = "committee", org: str = "committee") -> Any:
    return await lg.client.post(f"{AGE_OUTS}/scan", json={"org": lg.orgs[org]["id"]}, headers=lg.headers[who])


async def test_age_out_found_reported_and_confirmed(league: League, monkeypatch: Any) -> None:
    lg = league
    young = await lg.member("a1", years_ago(25))
    # two years on: 28 and some days is still 28, a member; 29 is past the limit
    on_limit = await lg.member("a1", years_ago(26, days=3))
    aged = await lg.member("a1", years_ago(27, days=3))
    cadre = await lg.member("a2", years_ago(27, days=3), league_post=True)
    party = await lg.member("a2", years_ago(27, days=5), party_member=True)
    elsewhere = await lg.member("b1", years_ago(27, days=3))
    assert (await scan(lg)).json()["found"] == 0
    later = dt.date.today() + dt.timedelta(days=731)
    monkeypatch.setattr(checks, "_today", lambda: later)

    # the periodic job finds them (as the system); a cadre's scan afterwards finds nothing new
    state = lg.client.app.state
    await checks.daily_checks(
        JobContext(settings=state.settings, db=state.db, shared=None, registry=state.registry, jobs=None)  # type: ignore[arg-type]
    )
    found = await scan(lg)
    assert found.status_code == 201 and found.json()["found"] == 0
    pending = await lg.client.get(
        AGE_OUTS, params={"org": lg.orgs["committee"]["id"]}, headers=lg.headers["committee"]
    )
    reported = {r["member"]: r for r in pending.json()["items"]}
    # the post holder is kept, the Party member's retained membership ends at the limit too; 乙县 is not ours
    assert set(reported) == {aged["id"], party["id"]}
    assert cadre["id"] not in reported
    assert young["id"] not in reported and on_limit["id"] not in reported and elsewhere["id"] not in reported
    # nobody left by being found
    still = await lg.client.get(f"{MEMBERS}/{aged['id']}", headers=lg.headers["committee"])
    assert still.json()["status"] == "active"
    assert len(await signals_emitted("youth.age_out_found")) == 3  # the platform-wide job found 乙县’s too

    # out of reach: another county's cadre neither scans here nor decides
    assert_problem(await scan(lg, who="other"), 404)
    report = reported[aged["id"]]
    decide = f"{AGE_OUTS}/{report['id']}/decision"
    assert_problem(
        await lg.client.post(decide, json={"decision": "confirm"}, headers=lg.headers["other"]), 404
    )
    assert_problem(
        await lg.client.post(decide, json={"decision": "keep"}, headers=lg.headers["committee"]), 422
    )
    assert_problem(
        await lg.client.post(decide, json={"decision": "drop"}, headers=lg.headers["committee"]), 422
    )

    confirmed = await lg.client.post(decide, json={"decision": "confirm"}, headers=lg.headers["committee"])
    assert confirmed.status_code == 201 and confirmed.json()["status"] == "confirmed"
    gone = await lg.client.get(f"{MEMBERS}/{aged['id']}", headers=lg.headers["committee"])
    assert gone.json()["status"] == "aged_out"
    assert_problem(
        await lg.client.post(decide, json={"decision": "confirm"}, headers=lg.headers["committee"]), 409
    )
    core_members = await lg.client.get(
        f"/api/v1/orgs/{lg.orgs['a1']['id']}/members", headers=lg.headers["committee"]
    )
    assert aged["person"] not in {
        m["person"] for m in core_members.json()["items"] if m["status"] == "active"
    }
    assert len(await signals_emitted("youth.member_aged_out")) == 1
    assert len(await audit_entries("youth.age_out.decided")) == 1

    kept = await lg.client.post(
        f"{AGE_OUTS}/{reported[party['id']]['id']}/decision",
        json={"decision": "keep", "note": "档案出生日期有误，待核实"},
        headers=lg.headers["committee"],
    )
    assert kept.json()["status"] == "kept"
    assert (await lg.client.get(f"{MEMBERS}/{party['id']}", headers=lg.headers["committee"])).json()[
        "status"
    ] == "active"


def test_the_daily_check_is_periodic() -> None:
    import plugins.youth.checks  # noqa: F401

    assert periodic_jobs()["youth.daily_checks"](None) == 86400.0
