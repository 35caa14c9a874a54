"""The women's honors — 三八红旗手, 三八红旗集体, 巾帼建功标兵 — through HTTP from an org's nomination to the
core's honors register: forwarded by the village federation, selected by the county, a notice of the
type's days before the decision, the honor in the register and on the honoree's own page; bad input and
another county's cadre refused."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from core.testkit import assert_problem, audit_entries, end_notice, signals_emitted
from tests.plugins.women.conftest import (
    Women,
    campaign,
    decide,
    make_account,
    move_stage,
    review,
)

#: (type, nominee kind, honor title, notice days the type declares)
HONORS = [
    ("women.red_banner_woman", "person", "2026年度甲县三八红旗手", 7),
    ("women.red_banner_collective", "org", "2026年度甲县三八红旗集体", 7),
    ("women.merit_model", "person", "2026年度甲县巾帼建功标兵", 5),
]


@pytest.mark.parametrize(("type_code", "kind", "title", "notice_days"), HONORS)
async def test_an_honor_goes_from_the_villages_nomination_to_the_register(
    quntuan_client: Any, women: Women, type_code: str, kind: str, title: str, notice_days: int
) -> None:
    client, admin, platform = quntuan_client, women.admin_a, women.headers["platform"]
    county_fed, village = women.orgs["county_a_fed"], women.orgs["county_a_village"]
    types = {t["code"]: t for t in (await client.get("/api/v1/selections/types", headers=admin)).json()}
    assert types[type_code]["sources"] == ["org"] and types[type_code]["vote"] is None
    assert '"rural"' in json.dumps(types[type_code]["form_schema"])  # the form's fields are published

    camp = await campaign(client, admin, county_fed["id"], type_code, [1, 2], honor_title=title)
    assert camp["notice_days"] == notice_days and camp["vote"] is False
    honoree, person_id = await make_account(client, platform, women.tree.orgs["county_a"]["id"])
    url = f"/api/v1/selections/campaigns/{camp['id']}/nominations"
    body: dict[str, Any] = {
        "source": "org",
        "nominee_kind": kind,
        "org_id": str(village["id"]),
        "form": {"summary": "带领妇女发展特色种植，带动增收", "field": "rural"},
    }
    if kind == "person":
        body["nominee_person_id"] = person_id
    else:
        body["nominee_org_id"] = str(village["id"])

    # Bad input: only orgs nominate; the form's field is one of the listed ones; the kind is the type's.
    refused_self = await client.post(url, json={**body, "source": "self"}, headers=honoree)
    assert assert_problem(refused_self, 422)["errors"][0]["pointer"] == "/source"
    bad_field = await client.post(url, json={**body, "form": {"summary": "好", "field": "x"}}, headers=admin)
    assert assert_problem(bad_field, 422)["errors"][0]["pointer"] == "/form/field"
    wrong_kind = await client.post(url, json={**body, "nominee_kind": "family"}, headers=admin)
    assert assert_problem(wrong_kind, 422)["errors"][0]["pointer"] == "/nominee_kind"

    # Another county's cadre can neither nominate into county A's campaign nor move it on.
    admin_b, _ = await make_account(
        client, platform, women.tree.orgs["county_b"]["id"], sorted(client.app.state.registry.permissions)
    )
    foreign = await client.post(url, json=body, headers=admin_b)
    assert foreign.status_code in (403, 404), foreign.text
    assert_problem(foreign, foreign.status_code)

    filed = await client.post(url, json=body, headers=admin)
    assert filed.status_code == 201, filed.text
    nomination = filed.json()
    assert nomination["level"] == 1 and nomination["org_id"] == str(village["id"])
    if kind == "org":
        assert nomination["nominee_org_id"] == str(village["id"])
        assert nomination["nominee_name"] == village["name"]
    forwarded = await review(client, admin, nomination["id"], "forward")
    assert forwarded.status_code == 200, forwarded.text
    assert forwarded.json()["org_id"] == str(county_fed["id"]) and forwarded.json()["level"] == 0

    # No public vote for these honors: reviewing goes straight to selecting.
    assert (await move_stage(client, admin, camp, "reviewing")).status_code == 200
    assert_problem(await move_stage(client, admin, camp, "voting"), 409, "selection-stage")
    assert (await move_stage(client, admin_b, camp, "selecting")).status_code in (403, 404)
    assert (await move_stage(client, admin, camp, "selecting")).status_code == 200
    assert (await review(client, admin, nomination["id"], "select")).status_code == 200
    noticed = await move_stage(client, admin, camp, "notice")
    assert noticed.status_code == 200, noticed.text
    notice = (await client.get(f"/api/v1/notices/{noticed.json()['notice_id']}", headers=admin)).json()
    opens, closes = (datetime.fromisoformat(notice[k]) for k in ("opens_at", "closes_at"))
    assert (closes - opens).days >= notice_days
    assert_problem(await decide(client, admin, camp), 409, "selection-notice-running")

    # The notice ran its days: the county decides, and the honor is in the register.
    await end_notice(noticed.json()["notice_id"])
    assert (await decide(client, admin_b, camp)).status_code in (403, 404)
    decided = await decide(client, admin, camp, comment="经公示无异议")
    assert decided.status_code == 200, decided.text
    assert decided.json()["stage"] == "decided"
    listed = await client.get(
        "/api/v1/honors", params={"org": str(county_fed["id"]), "by": "issuer"}, headers=admin
    )
    assert listed.status_code == 200, listed.text
    (honor,) = listed.json()["items"]
    assert (honor["title"], honor["level"], honor["year"], honor["source"]) == (
        title,
        "county",
        2026,
        "selection",
    )
    assert honor["recipient_kind"] == kind and honor["campaign_id"] == camp["id"]
    assert honor["issuing_org_id"] == str(county_fed["id"])
    if kind == "person":
        assert honor["person_id"] == person_id
        mine = (await client.get("/api/v1/me/honors", headers=honoree)).json()["items"]
        assert [h["id"] for h in mine] == [honor["id"]]
    else:
        assert honor["recipient_org_id"] == str(village["id"])
        assert honor["recipient_name"] == village["name"]
    result = await client.get(f"/api/v1/selections/nominations/{nomination['id']}", headers=admin)
    assert result.json()["status"] == "awarded"
    assert {s["action"] for s in result.json()["steps"]} >= {"filed", "forwarded", "selected", "awarded"}
    assert [e["resource_id"] for e in await audit_entries("honor.awarded")] == [honor["id"]]
    assert {"selection.decided", "honor.awarded"} <= {s["name"] for s in await signals_emitted()}

    # County B's cadre sees none of county A's honors.
    theirs = await client.get("/api/v1/honors", params={"by": "issuer"}, headers=admin_b)
    assert theirs.status_code == 200 and theirs.json()["items"] == []
