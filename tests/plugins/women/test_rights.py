"""Rights protection (妇女儿童维权) through HTTP: intake from the 12338 hotline and a front end, the steps,
protection-order help and referrals out, the sensitive-data permission with every read — and every
refused read — audited, bad input, and attempts across subtrees."""

from __future__ import annotations

import json
from typing import Any

import plugins.women.hooks
from core.testkit import assert_plugin_contract, assert_problem, audit_entries, signals_emitted
from tests.plugins.women.conftest import Women, etag, make_account, make_person

CASE = "women.rights_case"
FORM = {
    "category": "domestic_violence",
    "channel": "hotline_12338",
    "summary": "丈夫多次殴打",
    "urgent": True,
}


async def test_the_plugin_keeps_the_contract(quntuan_settings: Any) -> None:
    # A bundled plugin's routes are walked against a sibling subtree by the generated permission matrix
    # (tests/core/identity/test_permission_matrix.py), so the contract's own sibling check is left to it.
    await assert_plugin_contract("women", plugins.women.hooks, quntuan_settings, siblings=False)


async def open_case(client: Any, headers: dict[str, str], org_id: Any, **extra: Any) -> Any:
    body = {"type": CASE, "org_id": str(org_id), "form": {**FORM, **extra.pop("form", {})}, **extra}
    return await client.post("/api/v1/processes", json=body, headers=headers)


async def step(client: Any, headers: dict[str, str], case: Any, transition: str, **body: Any) -> Any:
    current = await client.get(f"/api/v1/processes/{case['id']}", headers=headers)
    assert current.status_code == 200, current.text
    return await client.post(
        f"/api/v1/processes/{case['id']}/transitions",
        json={"transition": transition, **body},
        headers={**headers, **etag(current)},
    )


async def test_a_hotline_case_is_handled_with_protection_order_help_and_a_referral(
    quntuan_client: Any, women: Women
) -> None:
    client, county = quntuan_client, women.admin_a
    fed = women.orgs["county_a_fed"]
    victim = await make_person(client, county, women.tree.orgs["county_a"]["id"], "李某")
    opened = await open_case(
        client, county, fed["id"], applicant_id=victim, form={"contact_phone": "13800138000"}
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["state"] == "intake" and case["form"]["category"] == "domestic_violence"

    accepted = await step(client, county, case, "accept", form={"danger": "immediate"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["state"] == "handling"
    order = await step(client, county, case, "protection_order", form={"action": "application_assisted"})
    assert order.status_code == 200, order.text
    issued = await step(
        client,
        county,
        case,
        "protection_order",
        form={"action": "issued", "court": "甲县人民法院", "issued_on": "2026-12-01"},
    )
    assert issued.status_code == 200, issued.text
    out = await step(client, county, case, "refer_out", form={"to": "police", "body_name": "甲县公安局"})
    assert out.json()["state"] == "referred_out"
    back = await step(client, county, case, "feedback", comment="已出警并告诫")
    assert back.json()["state"] == "handling"
    done = await step(client, county, case, "resolve", form={"result": "protected"})
    assert done.json()["status"] == "closed" and done.json()["outcome"] == "resolved"

    names = [s["name"] for s in await signals_emitted()]
    assert names.count("women.protection_order_recorded") == 2
    assert {"women.rights_case_opened", "women.rights_referred_out", "process.closed"} <= set(names)
    stats = await client.get(f"/api/v1/orgs/{fed['id']}/statistics", headers=county)
    assert stats.status_code == 200, stats.text
    figures = {f["code"]: f["value"] for f in stats.json()["plugins"]}
    assert figures["women.rights_cases"] == 1
    assert figures["women.domestic_violence_cases"] == 1
    assert figures["women.protection_order_help"] == 2


async def test_a_woman_applies_from_a_front_end_and_may_withdraw(quntuan_client: Any, women: Women) -> None:
    client = quntuan_client
    platform = women.headers["platform"]
    village = women.orgs["county_a_village"]
    headers, _ = await make_account(client, platform, women.tree.orgs["county_a"]["id"])
    opened = await open_case(
        client, headers, village["id"], form={"channel": "front_end", "category": "employment_discrimination"}
    )
    assert opened.status_code == 201, opened.text
    case = opened.json()
    mine = await client.get("/api/v1/me/processes", headers=headers)
    assert [p["id"] for p in mine.json()["items"]] == [case["id"]]
    # She sees her own summary in clear; she may not take a cadre's step.
    assert case["form"]["summary"] == FORM["summary"]
    refused = await step(client, headers, case, "accept", form={})
    assert refused.status_code in (403, 409, 422), refused.text
    withdrawn = await step(client, headers, case, "withdraw")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["outcome"] == "withdrawn"


async def test_only_the_rights_permission_sees_cases_and_every_read_is_audited(
    quntuan_client: Any, women: Women
) -> None:
    client, county = quntuan_client, women.admin_a
    platform = women.headers["platform"]
    county_a = women.tree.orgs["county_a"]["id"]
    case = (await open_case(client, county, women.orgs["county_a_fed"]["id"])).json()

    # A cadre with every process permission on the county but not women.rights.read sees nothing.
    clerk, _ = await make_account(
        client, platform, county_a, ["core.process.read", "core.process.handle", "core.process.personal_data"]
    )
    assert_problem(await client.get(f"/api/v1/processes/{case['id']}", headers=clerk), 404)
    listed = await client.get("/api/v1/processes", headers=clerk)
    assert listed.status_code == 200 and listed.json()["items"] == []
    queue = await client.get("/api/v1/processes/queue", headers=clerk)
    assert queue.status_code == 200 and queue.json()["items"] == []
    denied = await audit_entries("process.read_denied")
    assert [e["resource_id"] for e in denied] == [case["id"]]

    # A reader without personal-data rights on processes sees the summary masked; the read is audited.
    reader, _ = await make_account(client, platform, county_a, ["women.rights.read"])
    shown = await client.get(f"/api/v1/processes/{case['id']}", headers=reader)
    assert shown.status_code == 200, shown.text
    assert (
        shown.json()["form"]["summary"] != FORM["summary"]
        and shown.json()["form"]["category"] == "domestic_violence"
    )
    queue = await client.get(f"/api/v1/processes?type={CASE}", headers=reader)
    assert [p["id"] for p in queue.json()["items"]] == [case["id"]]
    reads = [e for e in await audit_entries("process.read") if e["resource_id"] == case["id"]]
    assert reads and json.loads(reads[-1]["changes"])["permission"] == "women.rights.read"


async def test_cross_subtree_attempts_and_bad_input_are_refused(quntuan_client: Any, women: Women) -> None:
    client, county = quntuan_client, women.admin_a
    other_fed = women.orgs["county_b_fed"]
    victim = await make_person(client, women.headers["platform"], women.tree.orgs["county_b"]["id"])
    # County A's cadre cannot open a case on county B's federation for one of B's persons…
    across = await open_case(client, county, other_fed["id"], applicant_id=victim)
    assert across.status_code in (403, 404, 422), across.text
    assert_problem(across, across.status_code)
    # …nor read one of B's cases: 404, audited as a refused read.
    theirs = (await open_case(client, women.headers["platform"], other_fed["id"])).json()
    assert_problem(await client.get(f"/api/v1/processes/{theirs['id']}", headers=county), 404)
    assert theirs["id"] in {e["resource_id"] for e in await audit_entries("process.read_denied")}

    fed = women.orgs["county_a_fed"]
    bad = await open_case(client, county, fed["id"], form={"category": "gossip"})
    assert assert_problem(bad, 422)["errors"][0]["pointer"] == "/form/category"
    bad = await open_case(client, county, fed["id"], form={"contact_phone": "12345"})
    assert assert_problem(bad, 422)["errors"][0]["pointer"] == "/form/contact_phone"
    bad = await open_case(client, county, fed["id"], form={"summary": ""})
    assert_problem(bad, 422)
    # Rights cases are opened on federations only, not on the party committee above them.
    wrong = await open_case(client, county, women.tree.orgs["county_a"]["id"])
    assert_problem(wrong, 422, "process-org-kind")
    case = (await open_case(client, county, fed["id"])).json()
    accepted = await step(client, county, case, "accept", form={"danger": "maybe"})
    assert assert_problem(accepted, 422)["errors"][0]["pointer"] == "/form/danger"
    assert_problem(await step(client, county, case, "resolve", form={"result": "protected"}), 409)


async def test_referral_to_legal_aid_without_the_union_is_a_clear_problem(
    quntuan_client: Any, women: Women
) -> None:
    client, county = quntuan_client, women.admin_a
    case = (await open_case(client, county, women.orgs["county_a_fed"]["id"])).json()
    current = await client.get(f"/api/v1/processes/{case['id']}", headers=county)
    refused = await client.post(
        f"/api/v1/processes/{case['id']}/referrals",
        json={"org_id": str(women.tree.orgs["county_a"]["id"]), "type": "union.legal_aid"},
        headers={**county, **etag(current)},
    )
    body = assert_problem(refused, 422, "referral-type-missing")
    assert "union.legal_aid" in body["detail"]
