"""Empowerment programs (低收入妇女赋能, 巾帼创业) through HTTP: enrolment against the criteria, attendance
within the sessions even under concurrency, outcomes with If-Match, figures per program and subtree, bad
input and another subtree."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from core.testkit import assert_problem, signals_emitted
from tests.plugins.women.conftest import Women, make_account, make_person

PROGRAM = {
    "kind": "low_income",
    "name": "2026年低收入妇女电商技能培训",
    "criteria": ["low_income", "rural"],
    "sessions": 3,
    "starts_on": "2026-03-01",
    "ends_on": "2026-06-30",
}


async def test_a_program_enrols_trains_and_counts_its_outcomes(quntuan_client: Any, women: Women) -> None:
    client, admin = quntuan_client, women.admin_a
    county_a = women.tree.orgs["county_a"]["id"]
    fed = women.orgs["county_a_fed"]["id"]
    created = await client.post("/api/v1/women/programs", json={**PROGRAM, "org_id": str(fed)}, headers=admin)
    assert created.status_code == 201, created.text
    program = created.json()
    url = f"/api/v1/women/programs/{program['id']}/enrolments"

    women_ids = [await make_person(client, admin, county_a, f"学员{i}") for i in range(3)]
    short = await client.post(
        url, json={"person_id": women_ids[0], "criteria_met": ["low_income"]}, headers=admin
    )
    assert assert_problem(short, 422)["errors"][0]["code"] == "women_criteria_unmet"
    enrolled = []
    for pid in women_ids:
        r = await client.post(
            url, json={"person_id": pid, "criteria_met": ["low_income", "rural", "age_18_55"]}, headers=admin
        )
        assert r.status_code == 201, r.text
        enrolled.append(r.json())
    again = await client.post(
        url, json={"person_id": women_ids[0], "criteria_met": ["low_income", "rural"]}, headers=admin
    )
    assert_problem(again, 409, "women-already-enrolled")

    # Five concurrent check-ins of one participant: three sessions, three counted.
    first = enrolled[0]["id"]
    answers = await asyncio.gather(
        *[
            client.post(
                f"/api/v1/women/enrolments/{first}/attendance",
                json={"attended_on": "2026-04-01"},
                headers=admin,
            )
            for _ in range(5)
        ]
    )
    assert Counter(r.status_code for r in answers) == {201: 3, 409: 2}
    await client.post(
        f"/api/v1/women/enrolments/{enrolled[1]['id']}/attendance",
        json={"attended_on": "2026-04-01"},
        headers=admin,
    )

    done = await client.patch(
        f"/api/v1/women/enrolments/{first}",
        json={"status": "completed", "employment": "self_employed", "monthly_income": 3200},
        headers={**admin, "If-Match": '"4"'},
    )
    assert done.status_code == 200, done.text
    stale = await client.patch(
        f"/api/v1/women/enrolments/{first}", json={"monthly_income": 1}, headers={**admin, "If-Match": '"4"'}
    )
    assert_problem(stale, 412)
    await client.patch(
        f"/api/v1/women/enrolments/{enrolled[2]['id']}",
        json={"status": "dropped"},
        headers={**admin, "If-Match": '"1"'},
    )
    figures = (await client.get(f"/api/v1/women/programs/{program['id']}", headers=admin)).json()["figures"]
    assert figures == {
        "enrolled": 3,
        "completed": 1,
        "dropped": 1,
        "attendance_rate": round(4 / 9, 3),
        "employed": 1,
        "average_monthly_income": 3200,
    }
    stats = (await client.get(f"/api/v1/orgs/{county_a}/statistics", headers=admin)).json()
    by_code = {f["code"]: f["value"] for f in stats["plugins"]}
    assert (
        by_code["women.programs"],
        by_code["women.program_enrolments"],
        by_code["women.program_employed"],
    ) == (1, 3, 1)
    assert len(await signals_emitted("women.enrolment_changed")) >= 8


async def test_bad_program_input_and_another_subtree(quntuan_client: Any, women: Women) -> None:
    client, admin, platform = quntuan_client, women.admin_a, women.headers["platform"]
    fed = str(women.orgs["county_a_fed"]["id"])
    bad = await client.post(
        "/api/v1/women/programs", json={**PROGRAM, "org_id": fed, "criteria": ["rich"]}, headers=admin
    )
    assert assert_problem(bad, 422)["errors"][0]["pointer"].startswith("/criteria")
    backwards = await client.post(
        "/api/v1/women/programs", json={**PROGRAM, "org_id": fed, "ends_on": "2026-01-01"}, headers=admin
    )
    assert assert_problem(backwards, 422)["errors"][0]["pointer"] == "/ends_on"
    program = (
        await client.post("/api/v1/women/programs", json={**PROGRAM, "org_id": fed}, headers=admin)
    ).json()
    admin_b, _ = await make_account(
        client, platform, women.tree.orgs["county_b"]["id"], sorted(client.app.state.registry.permissions)
    )
    assert_problem(await client.get(f"/api/v1/women/programs/{program['id']}", headers=admin_b), 404)
    assert (await client.get("/api/v1/women/programs", headers=admin_b)).json()["items"] == []
    stranger = await make_person(client, admin_b, women.tree.orgs["county_b"]["id"])
    url = f"/api/v1/women/programs/{program['id']}/enrolments"
    outside = await client.post(
        url, json={"person_id": stranger, "criteria_met": PROGRAM["criteria"]}, headers=admin
    )
    assert assert_problem(outside, 422)["errors"][0]["pointer"] == "/person_id"
    in_b = await client.post(
        url, json={"person_id": stranger, "criteria_met": PROGRAM["criteria"]}, headers=admin_b
    )
    assert_problem(in_b, 404)
    no_grant = await client.get("/api/v1/women/programs", headers=women.headers["member"])
    assert_problem(no_grant, 403)
