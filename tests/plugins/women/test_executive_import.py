"""A federation's executive committee (执委名单) imported from its workbook through HTTP: every row checked
before anything is written (persons found by ID number within reach, the name theirs, roles, terms,
households), then the members appointed with the households they serve; a repeat, another county's
cadre, a file that is not a table and an org that is no federation are refused."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl

from core.testkit import assert_problem, audit_entries, signals_emitted
from tests.plugins.women.conftest import Women, make_account

HEADER = ["姓名", "身份证号", "职务", "分工", "任期开始", "任期结束", "联系户"]
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(body: str) -> str:
    """A valid 18-digit resident ID number from its first 17 digits (the check character added)."""
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _person(client: Any, headers: dict[str, str], org_id: Any, name: str, number: str) -> str:
    response = await client.post(
        "/api/v1/persons",
        json={"name": name, "home_org": str(org_id), "id_number": number, "gender": "female"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_an_executive_committee_comes_in_from_a_workbook(quntuan_client: Any, women: Women) -> None:
    client, admin, platform = quntuan_client, women.admin_a, women.headers["platform"]
    county_a, fed = women.tree.orgs["county_a"]["id"], women.orgs["county_a_fed"]
    wang_id, li_id, zhao_id = (
        id_number("33010219850308002"),
        id_number("33010219900512004"),
        id_number("33010319880101006"),
    )
    wang = await _person(client, admin, county_a, "王芳", wang_id)
    li = await _person(client, admin, county_a, "李娜", li_id)
    await _person(client, platform, women.tree.orgs["county_b"]["id"], "赵敏", zhao_id)
    url = f"/api/v1/women/orgs/{fed['id']}/executive-imports"

    def post(rows: list[list[Any]], headers: dict[str, str] = admin, name: str = "执委.xlsx") -> Any:
        return client.post(url, files={"file": (name, workbook(rows))}, headers=headers)

    # Every row is checked and each problem named; nothing is written.
    bad = await post(
        [
            HEADER,
            ["王芳", wang_id, "主席", "主持全面工作", "2023-03-08", "2028-03-07", "3组12号；3组15号"],
            ["李四", li_id, "副主席", "", "2023-03-08", "2028-03-07", ""],
            ["赵敏", zhao_id, "执委", "", "2023-03-08", "2028-03-07", ""],
            ["无名", "110101199003070000", "执委", "", "2023-03-08", "2028-03-07", ""],
            ["王芳", wang_id, "执委", "", "2023-03-08", "2028-03-07", ""],
            ["李娜", li_id, "秘书长", "", "2023-03-08", "2022-03-07", ""],
            ["李娜", li_id, "执委", "", "2023-13-01", "", ""],
        ]
    )
    assert bad.status_code == 200, bad.text
    report = bad.json()
    assert not report["committed"] and report["rows"] == 7 and report["appointed"] == 0
    assert [(i["row"], i["column"], i["code"]) for i in report["issues"]] == [
        (3, "name", "women_name_mismatch"),
        (4, "id_number", "women_person_unknown"),  # county B's person is outside reach
        (5, "id_number", "invalid_id_number"),
        (6, "id_number", "duplicate"),
        (7, "role", "enum"),
        (7, "term_end", "women_term_order"),
        (8, "id_number", "duplicate"),  # 李娜 came in row 7 already
        (8, "term_start", "format"),
        (8, "term_end", "required"),
    ]
    assert wang_id not in bad.text and zhao_id not in bad.text  # the report names rows, never the numbers
    listed = await client.get("/api/v1/women/executives", params={"org": str(fed["id"])}, headers=admin)
    assert listed.json()["items"] == []
    missing = (await post([["姓名", "职务"], ["王芳", "主席"]])).json()
    assert [(i["row"], i["column"], i["code"]) for i in missing["issues"]] == [
        (1, "id_number", "women_missing_column"),
        (1, "term_start", "women_missing_column"),
        (1, "term_end", "women_missing_column"),
    ]

    # All rows valid (dates as the spreadsheet's own date cells too): the members are appointed.
    good = [
        HEADER,
        [
            "王芳",
            wang_id,
            "主席",
            "主持全面工作",
            dt.date(2023, 3, 8),
            dt.date(2028, 3, 7),
            "3组12号；3组15号",
        ],
        ["李娜", li_id, "执委", "联系东村", "2023/3/8", "2028年3月7日", "5组2号"],
    ]
    done = await post(good)
    assert done.status_code == 200, done.text
    assert done.json() == {"rows": 2, "committed": True, "appointed": 2, "contacts": 3, "issues": []}
    members = (
        await client.get("/api/v1/women/executives", params={"org": str(fed["id"])}, headers=admin)
    ).json()["items"]
    assert sorted((m["person_id"], m["role"], m["term_start"], m["term_end"]) for m in members) == sorted(
        [(wang, "chair", "2023-03-08", "2028-03-07"), (li, "member", "2023-03-08", "2028-03-07")]
    )
    chair = next(m for m in members if m["person_id"] == wang)
    assert chair["duties"] == "主持全面工作"
    contacts = (await client.get(f"/api/v1/women/executives/{chair['id']}/contacts", headers=admin)).json()
    assert sorted(c["label"] for c in contacts) == ["3组12号", "3组15号"]
    assert all(c["kind"] == "household" and c["since"] == "2023-03-08" for c in contacts)
    assert len(await audit_entries("women.exec_member.imported")) == 1
    assert len(await audit_entries("women.exec_member.appointed")) == 2
    assert len(await signals_emitted("women.exec_member_changed")) == 2
    assert len(await signals_emitted("women.exec_record_added")) == 3

    # A second import of the same committee finds them serving.
    again = (await post(good)).json()
    assert not again["committed"]
    assert {(i["row"], i["code"]) for i in again["issues"]} == {
        (2, "women_already_executive"),
        (3, "women_already_executive"),
    }

    # Another county's cadre, a file that is no table, an org that is no federation.
    admin_b, _ = await make_account(
        client, platform, women.tree.orgs["county_b"]["id"], sorted(client.app.state.registry.permissions)
    )
    assert_problem(await post(good, admin_b), 404)
    unreadable = await client.post(url, files={"file": ("执委.xlsx", b"not a workbook")}, headers=admin)
    assert assert_problem(unreadable, 422)["errors"][0]["pointer"] == "/file"
    party = await client.post(
        f"/api/v1/women/orgs/{county_a}/executive-imports",
        files={"file": ("执委.xlsx", workbook(good))},
        headers=admin,
    )
    assert_problem(party, 422, "women-not-a-federation")
