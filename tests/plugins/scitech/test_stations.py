"""Expert workstations through HTTP: station at a host enterprise, experts, projects, results."""

from __future__ import annotations

import datetime as dt

from core.testkit import assert_problem, signals_emitted

STATIONS = "/api/v1/scitech/stations"


async def test_station_experts_projects_results(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, cadre, a = quntuan_client, scitech_orgs["headers"]["a"], scitech_orgs["a"]
    today = dt.date.today().isoformat()
    made = await client.post(
        STATIONS,
        json={
            "org": a,
            "kind": "academician",
            "name": "甲县院士专家工作站",
            "host": "甲县精密机械有限公司",
            "host_credit_code": "9133010OMA2KIIII1I",
            "established_on": today,
        },
        headers=cadre,
    )
    assert made.status_code == 422  # not a credit code
    made = await client.post(
        STATIONS,
        json={
            "org": a,
            "kind": "academician",
            "name": "甲县院士专家工作站",
            "host": "甲县精密机械有限公司",
            "established_on": today,
        },
        headers=cadre,
    )
    assert made.status_code == 201, made.text
    station = made.json()["id"]
    expert = (
        await client.post(
            "/api/v1/scitech/experts",
            json={"org": a, "name": "陈院士", "disciplines": ["460"]},
            headers=cadre,
        )
    ).json()
    joined = await client.post(
        f"{STATIONS}/{station}/experts",
        json={"expert": expert["id"], "lead": True, "joined_on": today},
        headers=cadre,
    )
    assert joined.status_code == 201, joined.text
    again = await client.post(
        f"{STATIONS}/{station}/experts", json={"expert": expert["id"], "joined_on": today}, headers=cadre
    )
    assert assert_problem(again, 422)["errors"][0]["code"] == "scitech_already_at_station"
    outside = (
        await client.post(
            "/api/v1/scitech/experts",
            json={"org": scitech_orgs["b"], "name": "外县", "disciplines": ["460"]},
            headers=quntuan_tree.headers["city"],
        )
    ).json()
    refused = await client.post(
        f"{STATIONS}/{station}/experts", json={"expert": outside["id"], "joined_on": today}, headers=cadre
    )
    assert assert_problem(refused, 422)["errors"][0]["code"] == "scitech_unknown_expert"

    project = await client.post(
        f"{STATIONS}/{station}/projects", json={"title": "高精度主轴研制", "started_on": today}, headers=cadre
    )
    assert project.status_code == 201, project.text
    results = f"/api/v1/scitech/station-projects/{project.json()['id']}/results"
    early = await client.post(
        results, json={"kind": "patent", "title": "x", "achieved_on": "2001-01-01"}, headers=cadre
    )
    assert_problem(early, 422)
    for kind, title, benefit, finishes in [
        ("patent", "一种主轴轴承预紧装置", "0", False),
        ("product", "HS-200 主轴", "1200000.50", True),
    ]:
        got = await client.post(
            results,
            json={
                "kind": kind,
                "title": title,
                "achieved_on": today,
                "benefit": benefit,
                "finishes": finishes,
            },
            headers=cadre,
        )
        assert got.status_code == 201, got.text
    detail = await client.get(f"{STATIONS}/{station}", headers=cadre)
    body = detail.json()
    assert [(e["name"], e["lead"]) for e in body["experts"]] == [("陈院士", True)]
    assert [(p["status"], len(p["results"])) for p in body["projects"]] == [("finished", 2)]
    assert (body["results"], body["benefit"]) == (2, "1200000.50")

    closed = await client.patch(
        f"{STATIONS}/{station}",
        json={"status": "closed"},
        headers={**cadre, "If-Match": detail.headers["etag"]},
    )
    assert closed.status_code == 200, closed.text
    late = await client.post(
        f"{STATIONS}/{station}/projects", json={"title": "y", "started_on": today}, headers=cadre
    )
    assert assert_problem(late, 422)["errors"][0]["code"] == "scitech_station_closed"
    assert len(await signals_emitted("scitech.station_recorded")) == 4
    assert len(await signals_emitted("scitech.station_changed")) == 2

    # other subtrees see and change nothing; the wrong kind of org keeps no station
    county = quntuan_tree.headers["county"]
    assert_problem(await client.get(f"{STATIONS}/{station}", headers=county), 404)
    assert (await client.get(STATIONS, headers=county)).json()["items"] == []
    assert_problem(
        await client.post(
            results, json={"kind": "paper", "title": "x", "achieved_on": today}, headers=county
        ),
        404,
    )
    assert_problem(
        await client.post(
            STATIONS,
            json={
                "org": scitech_orgs["b"],
                "kind": "service",
                "name": "x",
                "host": "y",
                "established_on": today,
            },
            headers=cadre,
        ),
        404,
    )
    wrong = await client.post(
        STATIONS,
        json={
            "org": scitech_orgs["society"],
            "kind": "service",
            "name": "x",
            "host": "y",
            "established_on": today,
        },
        headers=quntuan_tree.headers["city"],
    )
    assert assert_problem(wrong, 422)["errors"][0]["code"] == "scitech_wrong_org_kind"
