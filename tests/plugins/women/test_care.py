"""Care files (关爱帮扶) for left-behind children and single-parent families through HTTP: care contacts
and visits, the file's own read permission with every read and refused read audited, bad input and
another subtree."""

from __future__ import annotations

from typing import Any

from core.testkit import assert_problem, audit_entries
from tests.plugins.women.conftest import Women, make_account, make_person
from tests.plugins.women.test_rights import step

CARE = "women.care_file"
FORM = {
    "kind": "left_behind_child",
    "guardian": "grandparent",
    "needs": ["study", "psychological"],
    "note": "父母在外务工，随祖母生活",
    "guardian_phone": "13700137000",
}


async def _open(client: Any, headers: dict[str, str], org_id: Any, applicant: str, **form: Any) -> Any:
    body = {"type": CARE, "org_id": str(org_id), "applicant_id": applicant, "form": {**FORM, **form}}
    return await client.post("/api/v1/processes", json=body, headers=headers)


async def test_a_left_behind_child_gets_a_care_contact_and_visits(quntuan_client: Any, women: Women) -> None:
    client, admin, platform = quntuan_client, women.admin_a, women.headers["platform"]
    county_a = women.tree.orgs["county_a"]["id"]
    village = women.orgs["county_a_village"]["id"]
    child = await make_person(client, admin, county_a, "小明")
    opened = await _open(client, admin, village, child)
    assert opened.status_code == 201, opened.text
    case = opened.json()
    assert case["form"]["guardian_phone"] == "13700137000"  # the admin holds core.process.personal_data

    volunteer = await make_person(client, admin, county_a, "志愿者")
    contact = await step(
        client, admin, case, "assign_contact", form={"contact_person_id": volunteer, "relation": "volunteer"}
    )
    assert contact.status_code == 200, contact.text
    for day in ("2026-03-01", "2026-06-01"):
        visited = await step(client, admin, case, "visit", form={"visited_on": day, "help": ["study"]})
        assert visited.status_code == 200, visited.text
    detail = (await client.get(f"/api/v1/processes/{case['id']}", headers=admin)).json()
    assert [s["action"] for s in detail["steps"]][-3:] == ["assign_contact", "visit", "visit"]
    closed = await step(client, admin, case, "close", form={"reason": "parents_returned"})
    assert closed.json()["status"] == "closed"

    # Rights-case readers do not see care files: each permission opens its own kind of file.
    rights_reader, _ = await make_account(
        client, platform, county_a, ["women.rights.read", "core.process.read"]
    )
    assert_problem(await client.get(f"/api/v1/processes/{case['id']}", headers=rights_reader), 404)
    assert (await client.get("/api/v1/processes", headers=rights_reader)).json()["items"] == []
    care_reader, _ = await make_account(client, platform, county_a, ["women.care.read"])
    seen = await client.get(f"/api/v1/processes/{case['id']}", headers=care_reader)
    assert seen.status_code == 200, seen.text
    assert seen.json()["form"]["guardian_phone"] != "13700137000"  # masked without personal-data rights
    assert case["id"] in {e["resource_id"] for e in await audit_entries("process.read_denied")}
    assert case["id"] in {e["resource_id"] for e in await audit_entries("process.read")}


async def test_bad_care_input_and_another_subtree(quntuan_client: Any, women: Women) -> None:
    client, admin = quntuan_client, women.admin_a
    village = women.orgs["county_a_village"]["id"]
    child = await make_person(client, admin, women.tree.orgs["county_a"]["id"], "小红")
    bad = await _open(client, admin, village, child, kind="orphan")
    assert assert_problem(bad, 422)["errors"][0]["pointer"] == "/form/kind"
    bad = await _open(client, admin, village, child, needs=["money"])
    assert assert_problem(bad, 422)["errors"][0]["pointer"].startswith("/form/needs")
    case = (await _open(client, admin, village, child)).json()
    no_date = await step(client, admin, case, "visit", form={"way": "phone"})
    assert assert_problem(no_date, 422)["errors"][0]["pointer"] == "/form/visited_on"
    admin_b, _ = await make_account(
        client,
        women.headers["platform"],
        women.tree.orgs["county_b"]["id"],
        sorted(client.app.state.registry.permissions),
    )
    assert_problem(await client.get(f"/api/v1/processes/{case['id']}", headers=admin_b), 404)
    other_child = await make_person(client, admin_b, women.tree.orgs["county_b"]["id"])
    across = await _open(client, admin_b, village, other_child)
    assert across.status_code in (403, 404, 422), across.text
