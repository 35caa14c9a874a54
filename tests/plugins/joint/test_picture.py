"""The region picture: every installed plugin side by side, equal to figures counted by hand."""

from __future__ import annotations

import io
from datetime import date, timedelta

from core.testkit import assert_problem

API = "/api/v1/joint"


async def _post(client, url, body, headers, status=201):
    response = await client.post(url, json=body, headers=headers)
    assert response.status_code == status, response.text
    return response.json()


async def _org(client, headers, parent, kind, name, level="county", **extra):
    body = {"name": name, "kind": kind, "level": level, "parent": str(parent), **extra}
    return await _post(client, "/api/v1/orgs", body, headers)


async def test_region_picture_equals_hand_counts(quntuan_client, quntuan_tree):
    c, h = quntuan_client, quntuan_tree.headers["city"]
    county = quntuan_tree.orgs["county_a"]["id"]
    federation = await _org(c, h, county, "union.federation", "甲县总工会")
    building = await _org(
        c,
        h,
        federation["id"],
        "union.grassroots",
        "大厦楼宇工会",
        level="unit",
        place="building",
        two_new="non_public_enterprise",
    )
    await _org(c, h, federation["id"], "union.grassroots", "机械厂工会", level="unit")
    women = await _org(c, h, county, "women.federation", "甲县妇联")
    village = await _org(c, h, county, "party.committee", "幸福社区党委", level="village")
    persons = [
        await _post(c, "/api/v1/persons", {"name": f"会员{i}", "home_org": str(county)}, h) for i in range(3)
    ]
    for p in persons:
        await _post(c, f"/api/v1/orgs/{building['id']}/members", {"person": p["id"]}, h)
    await _post(c, f"/api/v1/orgs/{women['id']}/members", {"person": persons[0]["id"]}, h)
    await _post(c, f"/api/v1/orgs/{village['id']}/members", {"person": persons[1]["id"]}, h)

    council = await _post(c, f"{API}/councils", {"org_id": str(county), "name": "联席会议"}, h)
    await _post(c, f"{API}/councils/{council['id']}/members", {"org_id": federation["id"]}, h)
    await _post(
        c,
        f"{API}/councils/{council['id']}/decisions",
        {
            "title": "议定",
            "tasks": [
                {"org_id": federation["id"], "title": "任务", "due_on": str(date.today() + timedelta(days=9))}
            ],
        },
        h,
    )

    got = await c.get(f"{API}/picture/{county}", headers=h)
    assert got.status_code == 200, got.text
    pic = got.json()
    columns = {col["plugin"]: col for col in pic["columns"]}
    assert list(columns) == ["core", "union", "women", "joint"]  # every installed plugin, none assumed
    hand = {
        # (orgs, members, processes_open)
        "core": (2, 1, 0),  # 甲县 and 幸福社区党委; one member of the community committee
        "union": (3, 3, 0),
        "women": (1, 1, 0),
        "joint": (0, 0, 1),  # the council's task is a joint.task process on the union federation
    }
    assert {k: (v["orgs"], v["members"], v["processes_open"]) for k, v in columns.items()} == hand
    assert (pic["orgs_total"], pic["members_total"]) == (6, 5)
    union_figures = {f["code"]: f["value"] for f in columns["union"]["figures"]}
    # The union's own figures of this county, as the union plugin's statistics hook gives them (the
    # fixture has building unions and two-new members, no member files, dues or agreements).
    assert {k: union_figures[k] for k in ("union.building_unions", "union.two_new_members")} == {
        "union.building_unions": 1,
        "union.two_new_members": 3,
    }
    assert union_figures["union.dues_arrears"] == 0 and union_figures["union.agreement_enterprises"] == 0
    assert all(col["processes_overdue"] == 0 for col in pic["columns"])
    assert pic["age_seconds"] == 0.0

    again = (await c.get(f"{API}/picture/{county}", headers=h)).json()
    assert again["generated_at"] == pic["generated_at"] and again["age_seconds"] >= 0.0
    await _org(c, h, county, "women.federation", "又一妇联")
    fresh = (await c.get(f"{API}/picture/{county}", params={"fresh": "true"}, headers=h)).json()
    assert {col["plugin"]: col["orgs"] for col in fresh["columns"]}["women"] == 2

    workbook = await c.get(f"{API}/picture/{county}/xlsx", headers=h)
    assert workbook.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(workbook.content)).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == ["党组织及平台", "工会", "妇联", "群团联动"]
    assert [r[1] for r in rows] == [2, 3, 2, 0]

    assert_problem(await c.get(f"{API}/picture/{county}", headers=quntuan_tree.headers["member"]), 403)
    outside = quntuan_tree.orgs["county_b"]["id"]
    assert_problem(await c.get(f"{API}/picture/{outside}", headers=quntuan_tree.headers["county"]), 404)
