"""The expert library through HTTP: add, search in both scripts and by pinyin, match, import, reach."""

from __future__ import annotations

import io
import uuid

from openpyxl import Workbook

from core.testkit import assert_problem, audit_entries, signals_emitted

from .conftest import make_person

EXPERTS = "/api/v1/scitech/experts"


def expert(
    org: str, name: str, disciplines: list[str], tags: list[str], **extra: object
) -> dict[str, object]:
    return {"org": org, "name": name, "disciplines": disciplines, "tags": tags, **extra}


async def test_add_search_and_change_experts(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    county = scitech_orgs["headers"]["a"]
    a = scitech_orgs["a"]
    zhang = await quntuan_client.post(
        EXPERTS,
        json=expert(
            a,
            "张三",
            ["52020"],
            ["工业互联网", "机器视觉"],
            title="教授",
            title_grade="senior",
            employer="甲县大学",
        ),
        headers=county,
    )
    assert zhang.status_code == 201, zhang.text
    body = zhang.json()
    assert body["disciplines"] == [{"code": "52020", "name": "人工智能", "parent": "520"}]
    assert body["available"] is True and zhang.headers["etag"] == '"1"'
    li = await quntuan_client.post(EXPERTS, json=expert(a, "李四", ["32024"], ["心血管"]), headers=county)
    assert li.status_code == 201
    assert [e["resource_id"] for e in await audit_entries("scitech.expert.added")] == [
        body["id"],
        li.json()["id"],
    ]
    assert len(await signals_emitted("scitech.expert_added")) == 2

    async def names(**params: object) -> list[str]:
        response = await quntuan_client.get(EXPERTS, params=params, headers=county)
        assert response.status_code == 200, response.text
        return [e["name"] for e in response.json()["items"]]

    assert await names(discipline="520") == ["张三"]  # a first-level code finds what is under it
    assert await names(discipline="52020") == ["张三"]
    assert await names(discipline="52040") == []
    assert await names(tag="工業互聯網") == ["张三"]  # traditional tag, simplified stored
    assert await names(q="張三") == ["张三"]
    assert await names(q="zs") == ["张三"]  # pinyin initials of the name
    assert await names(q="gyhlw") == ["张三"]  # … and of a tag
    assert await names(q="大學") == ["张三"]  # the employer in the other script
    assert await names(q="人工智能") == ["张三"]  # the discipline's name
    assert await names(discipline="520", tag="机器视觉", q="教授") == ["张三"]
    assert await names(discipline="520", tag="心血管") == []
    assert await names(q="ls") == ["李四"]

    # If-Match is required and must be current
    url = f"{EXPERTS}/{body['id']}"
    assert_problem(await quntuan_client.patch(url, json={"willing": False}, headers=county), 428)
    stale = {**county, "If-Match": '"7"'}
    assert_problem(await quntuan_client.patch(url, json={"willing": False}, headers=stale), 412)
    changed = await quntuan_client.patch(
        url, json={"willing": False, "tags": ["人工智能伦理"]}, headers={**county, "If-Match": '"1"'}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["available"] is False and changed.headers["etag"] == '"2"'
    assert await names(tag="机器视觉") == []
    assert await names(tag="人工智能倫理") == ["张三"]
    assert await names(available=True) == ["李四"]
    assert len(await signals_emitted("scitech.expert_changed")) == 1


async def test_bad_input_and_other_subtrees(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    county = scitech_orgs["headers"]["a"]
    city, member = (quntuan_tree.headers[k] for k in ("city", "member"))
    a, b = scitech_orgs["a"], scitech_orgs["b"]
    bad = await quntuan_client.post(
        EXPERTS, json=expert(a, "王五", ["99999", "520", "520"], []), headers=county
    )
    problem = assert_problem(bad, 422)
    assert {(e["pointer"], e["code"]) for e in problem["errors"]} == {
        ("/disciplines/0", "scitech_unknown_discipline"),
        ("/disciplines/2", "scitech_duplicate"),
    }
    dup_tags = await quntuan_client.post(
        EXPERTS, json=expert(a, "王五", ["520"], ["人工智能", "人工智慧", "人工智能"]), headers=county
    )
    assert [e["pointer"] for e in assert_problem(dup_tags, 422)["errors"]] == ["/tags/2"]
    assert_problem(await quntuan_client.post(EXPERTS, json={"org": a, "name": "王五"}, headers=county), 422)
    assert_problem(
        await quntuan_client.post(EXPERTS, json={**expert(a, "王五", ["520"], []), "x": 1}, headers=county),
        422,
    )
    assert_problem(await quntuan_client.get(EXPERTS, params={"discipline": "12"}, headers=county), 422)
    # the tree's own party committees keep no expert library
    wrong_kind = await quntuan_client.post(
        EXPERTS, json=expert(str(quntuan_tree.orgs["city"]["id"]), "王五", ["520"], []), headers=city
    )
    assert assert_problem(wrong_kind, 422)["errors"][0]["code"] == "scitech_wrong_org_kind"

    # county A cannot write into, read or change county B's library; a member without a grant nothing
    assert_problem(
        await quntuan_client.post(EXPERTS, json=expert(b, "赵六", ["520"], []), headers=county), 404
    )
    assert_problem(
        await quntuan_client.post(EXPERTS, json=expert(a, "赵六", ["520"], []), headers=member), 403
    )
    in_b = await quntuan_client.post(EXPERTS, json=expert(b, "赵六", ["520"], ["大数据"]), headers=city)
    assert in_b.status_code == 201
    url = f"{EXPERTS}/{in_b.json()['id']}"
    assert_problem(await quntuan_client.get(url, headers=county), 404)
    assert_problem(
        await quntuan_client.patch(url, json={"bio": "x"}, headers={**county, "If-Match": '"1"'}), 404
    )
    assert (await quntuan_client.get(EXPERTS, params={"q": "zl"}, headers=county)).json()["items"] == []
    assert [
        e["name"]
        for e in (await quntuan_client.get(EXPERTS, params={"q": "zl"}, headers=city)).json()["items"]
    ] == ["赵六"]
    assert_problem(await quntuan_client.get(EXPERTS, params={"org": b}, headers=county), 404)
    match = await quntuan_client.post(
        f"{EXPERTS}/match", json={"org": b, "discipline": "520"}, headers=county
    )
    assert_problem(match, 404)


async def test_match_by_discipline_and_availability(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    city = quntuan_tree.headers["city"]
    org = scitech_orgs["city"]
    for name, codes, tags, extra in [
        ("甲", ["52020"], ["大模型"], {}),
        ("乙", ["52040"], ["大模型", "编译器"], {}),
        ("丙", ["52020"], [], {"willing": False}),
        ("丁", ["52020"], ["大模型"], {"max_engagements": 0}),
        ("戊", ["32024"], ["大模型"], {}),
    ]:
        response = await quntuan_client.post(
            EXPERTS, json=expert(org, name, codes, tags, **extra), headers=city
        )
        assert response.status_code == 201, response.text
    # an expert in a county library below the city is found from the city too
    low = await quntuan_client.post(EXPERTS, json=expert(scitech_orgs["a"], "己", ["520"], []), headers=city)
    assert low.status_code == 201
    matched = await quntuan_client.post(
        f"{EXPERTS}/match", json={"org": org, "discipline": "52020", "tags": ["大模型"]}, headers=city
    )
    assert matched.status_code == 200, matched.text
    found = [(m["expert"]["name"], m["exact_discipline"], m["matched_tags"]) for m in matched.json()]
    assert found == [
        ("甲", True, ["大模型"]),
        ("乙", False, ["大模型"]),
    ]  # 己 sits in the county, not below the city's association
    from_city = await quntuan_client.post(
        f"{EXPERTS}/match",
        json={"org": str(quntuan_tree.orgs["city"]["id"]), "discipline": "52020", "tags": ["大模型"]},
        headers=city,
    )
    assert [m["expert"]["name"] for m in from_city.json()] == ["甲", "乙", "己"]
    assert_problem(
        await quntuan_client.post(f"{EXPERTS}/match", json={"org": org, "discipline": "52"}, headers=city),
        422,
    )


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_import_experts_from_xlsx(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    county = scitech_orgs["headers"]["a"]
    a = scitech_orgs["a"]
    header = ["姓名", "职称", "职称级别", "工作单位", "学科", "专长", "愿意咨询"]
    good = [
        ["孙七", "研究员", "正高", "甲县农科所", "21030、土壤学", "水稻；节水灌溉", "是"],
        ["周八", "", "", "", "520", "", "否"],
    ]
    bad = [
        ["", "", "", "", "520", "", ""],
        ["吴九", "", "", "", "不存在的学科", "", ""],
        ["郑十", "", "", "", "520", "", "也许"],
    ]
    raw = workbook([header, *good, *bad])
    files = {
        "file": ("experts.xlsx", raw, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    }
    refused = await quntuan_client.post(f"{EXPERTS}/import", params={"org": a}, files=files, headers=county)
    assert refused.status_code == 200, refused.text
    report = refused.json()
    assert (report["rows"], report["imported"], report["committed"]) == (5, 0, False)
    assert [(i["row"], i["column"], i["code"]) for i in report["issues"]] == [
        (4, "姓名", "scitech_required"),
        (5, "学科", "scitech_unknown_discipline"),
        (6, "愿意咨询", "scitech_bad_value"),
    ]
    assert (await quntuan_client.get(EXPERTS, headers=county)).json()["items"] == []
    valid = await quntuan_client.post(
        f"{EXPERTS}/import", params={"org": a, "mode": "valid"}, files=files, headers=county
    )
    assert (valid.json()["imported"], valid.json()["committed"]) == (2, True)
    listed = (
        await quntuan_client.get(EXPERTS, params={"discipline": "210", "tag": "水稻"}, headers=county)
    ).json()
    assert [
        (e["name"], e["title_grade"], [d["code"] for d in e["disciplines"]]) for e in listed["items"]
    ] == [("孙七", "senior", ["21030", "21050"])]
    zhou = (await quntuan_client.get(EXPERTS, params={"q": "zb"}, headers=county)).json()["items"]
    assert [(e["name"], e["willing"]) for e in zhou] == [("周八", False)]
    assert len(await audit_entries("scitech.expert.added")) == 2

    # not a workbook; another subtree's library; a member
    junk = {"file": ("x.xlsx", b"PK\x03\x04junk", "application/octet-stream")}
    assert_problem(
        await quntuan_client.post(f"{EXPERTS}/import", params={"org": a}, files=junk, headers=county), 422
    )
    other = await quntuan_client.post(
        f"{EXPERTS}/import", params={"org": scitech_orgs["b"]}, files=files, headers=county
    )
    assert_problem(other, 404)
    member = quntuan_tree.headers["member"]
    assert_problem(
        await quntuan_client.post(f"{EXPERTS}/import", params={"org": a}, files=files, headers=member), 403
    )


async def test_the_discipline_vocabulary(quntuan_client, quntuan_tree) -> None:  # type: ignore[no-untyped-def]
    assert_problem(await quntuan_client.get("/api/v1/scitech/disciplines"), 401)
    response = await quntuan_client.get("/api/v1/scitech/disciplines", headers=quntuan_tree.headers["city"])
    assert response.status_code == 200
    items = response.json()["items"]
    assert len([d for d in items if d["parent"] is None]) == 62
    under = await quntuan_client.get(
        "/api/v1/scitech/disciplines", params={"parent": "520"}, headers=quntuan_tree.headers["city"]
    )
    assert {"code": "52020", "name": "人工智能", "parent": "520"} in under.json()["items"]


async def test_experts_follow_their_org_when_it_moves(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, platform, city = quntuan_client, quntuan_tree.headers["platform"], quntuan_tree.headers["city"]
    made = await client.post(EXPERTS, json=expert(scitech_orgs["a"], "钱学", ["520"], []), headers=city)
    assert made.status_code == 201
    moved = await client.post(
        f"/api/v1/orgs/{scitech_orgs['a']}/move", json={"parent": scitech_orgs["city"]}, headers=platform
    )
    assert moved.status_code == 200, moved.text
    below_city = await client.get(EXPERTS, params={"org": scitech_orgs["city"]}, headers=city)
    assert [e["name"] for e in below_city.json()["items"]] == ["钱学"]
    assert (
        await client.get(EXPERTS, params={"discipline": "520"}, headers=scitech_orgs["headers"]["a"])
    ).json()["items"][0]["name"] == "钱学"


async def test_a_linked_person_must_be_within_reach(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, cadre, platform = quntuan_client, scitech_orgs["headers"]["a"], quntuan_tree.headers["platform"]
    a, b = scitech_orgs["a"], scitech_orgs["b"]
    mine = await make_person(client, platform, a, "周明")
    theirs = await make_person(client, platform, b, "吴亮")
    # a person of county B and an id that names nobody are refused alike, naming the field
    for person in (theirs, str(uuid.uuid4())):
        refused = await client.post(
            EXPERTS, json=expert(a, "吴亮", ["520"], [], person=person), headers=cadre
        )
        assert [(e["pointer"], e["code"]) for e in assert_problem(refused, 422)["errors"]] == [
            ("/person", "scitech_unknown_person")
        ]
    assert_problem(
        await client.post(EXPERTS, json=expert(a, "x", ["520"], [], person="not-a-uuid"), headers=cadre), 422
    )
    assert await signals_emitted("scitech.expert_added") == []
    linked = await client.post(EXPERTS, json=expert(a, "周明", ["520"], [], person=mine), headers=cadre)
    assert linked.status_code == 201, linked.text
    assert linked.json()["person"] == mine
    got = await client.get(f"{EXPERTS}/{linked.json()['id']}", headers=cadre)
    assert got.json()["person"] == mine
    assert len(await signals_emitted("scitech.expert_added")) == 1
