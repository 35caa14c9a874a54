"""Org kinds' placement and academic societies' members (individual and group) with terms and dues."""

from __future__ import annotations

import asyncio
import datetime as dt

from core.testkit import assert_problem, audit_entries, signals_emitted

from .conftest import decoded, make_person


async def test_kinds_sit_where_they_may(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, platform = quntuan_client, quntuan_tree.headers["platform"]
    county = quntuan_tree.orgs["county_a"]["id"]

    async def place(parent: object, kind: str, level: str) -> int:
        response = await client.post(
            "/api/v1/orgs",
            json={"parent": str(parent), "kind": kind, "level": level, "name": "试"},
            headers=platform,
        )
        return response.status_code

    a, society = scitech_orgs["a"], scitech_orgs["society"]
    assert await place(a, "scitech.association", "township") == 201  # 乡镇科协 under the county's
    assert await place(society, "scitech.society", "city") == 201  # a branch (分会) of a society
    assert await place(a, "scitech.enterprise_association", "unit") == 201
    assert await place(county, "scitech.university_association", "unit") == 201
    assert await place(society, "scitech.popularization_base", "unit") == 201
    assert await place(county, "scitech.society", "county") == 422  # a society hangs on an association
    assert await place(a, "scitech.society", "township") == 422  # no township societies
    assert await place(county, "scitech.popularization_base", "unit") == 422
    assert await place(a, "scitech.enterprise_association", "county") == 422


async def test_members_terms_and_dues(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, city = quntuan_client, quntuan_tree.headers["city"]
    society = scitech_orgs["society"]
    url = f"/api/v1/scitech/societies/{society}/members"
    year = dt.date.today().year
    term = {
        "joined_on": f"{year - 1}-03-01",
        "term_start": f"{year - 1}-03-01",
        "term_end": f"{year + 3}-02-28",
    }
    wang = await client.post(
        url,
        json={
            "kind": "individual",
            "name": "王 小明",
            "member_no": "CS-0001",
            "grade": "senior",
            "dues": "200",
            **term,
        },
        headers=city,
    )
    assert wang.status_code == 201, wang.text
    assert (wang.json()["name"], wang.json()["current"]) == ("王 小明", True)
    unit = await client.post(
        url,
        json={
            "kind": "group",
            "name": "测试市软件有限公司",
            "member_no": "CS-U001",
            "grade": "council",
            "dues": "5000",
            **term,
        },
        headers=city,
    )
    assert unit.status_code == 201, unit.text
    taken = await client.post(
        url,
        json={"kind": "individual", "name": "李", "member_no": "CS-0001", "grade": "member", **term},
        headers=city,
    )
    assert assert_problem(taken, 422)["errors"][0]["code"] == "scitech_member_no_taken"
    wrong_grade = await client.post(
        url,
        json={"kind": "group", "name": "某厂", "member_no": "CS-U2", "grade": "fellow", **term},
        headers=city,
    )
    assert assert_problem(wrong_grade, 422)["errors"][0]["code"] == "scitech_grade_for_kind"
    backwards = {**term, "term_end": f"{year - 2}-01-01"}
    bad_term = await client.post(
        url,
        json={"kind": "individual", "name": "李", "member_no": "CS-3", "grade": "member", **backwards},
        headers=city,
    )
    assert assert_problem(bad_term, 422)["errors"][0]["code"] == "scitech_bad_term"
    assert_problem(
        await client.post(
            url,
            json={"kind": "individual", "name": "李", "member_no": "有空格 1", "grade": "member", **term},
            headers=city,
        ),
        422,
    )

    assert [
        m["name"] for m in (await client.get(url, params={"q": "wxm"}, headers=city)).json()["items"]
    ] == ["王 小明"]
    assert [
        m["kind"] for m in (await client.get(url, params={"q": "軟件"}, headers=city)).json()["items"]
    ] == ["group"]
    assert len((await client.get(url, params={"kind": "group"}, headers=city)).json()["items"]) == 1

    member = wang.json()["id"]
    dues = f"/api/v1/scitech/society-members/{member}/dues"
    paid = await client.post(
        dues, json={"year": year, "amount": "200", "paid_on": dt.date.today().isoformat()}, headers=city
    )
    assert paid.status_code == 201, paid.text
    again = await client.post(
        dues, json={"year": year, "amount": "200", "paid_on": dt.date.today().isoformat()}, headers=city
    )
    assert assert_problem(again, 422)["errors"][0]["code"] == "scitech_dues_paid"
    outside = await client.post(
        dues, json={"year": year + 9, "amount": "200", "paid_on": dt.date.today().isoformat()}, headers=city
    )
    assert assert_problem(outside, 422)["errors"][0]["code"] == "scitech_year_out_of_term"
    got = await client.get(f"/api/v1/scitech/society-members/{member}", headers=city)
    assert (got.json()["paid_through"], got.headers["etag"]) == (year, '"2"')
    summary = (
        await client.get(f"/api/v1/scitech/societies/{society}/dues", params={"year": year}, headers=city)
    ).json()
    assert (summary["members"], summary["paid"], summary["unpaid"], summary["amount"]) == (2, 1, 1, "200.00")

    change = f"/api/v1/scitech/society-members/{member}"
    assert_problem(
        await client.patch(change, json={"grade": "fellow"}, headers={**city, "If-Match": '"1"'}), 412
    )
    renewed = await client.patch(
        change, json={"grade": "fellow", "term_end": f"{year + 5}-02-28"}, headers={**city, "If-Match": '"2"'}
    )
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["grade"] == "fellow"
    withdrawn = await client.patch(change, json={"status": "withdrawn"}, headers={**city, "If-Match": '"3"'})
    assert withdrawn.json()["current"] is False
    summary = (
        await client.get(f"/api/v1/scitech/societies/{society}/dues", params={"year": year}, headers=city)
    ).json()
    assert (summary["members"], summary["paid"]) == (1, 0)
    assert len(await signals_emitted("scitech.society_member_joined")) == 2
    changed = await signals_emitted("scitech.society_member_changed")
    assert [s["resource_id"] for s in changed] == [member, member]
    assert {decoded(s["payload"])["org"] for s in changed} == {society}
    assert [
        decoded(e["changes"])["fields"] for e in await audit_entries("scitech.society_member.changed")
    ] == [
        ["grade", "term_end"],
        ["status"],
    ]
    assert len(await signals_emitted("scitech.dues_paid")) == 1

    # other subtrees and other kinds of org
    cadre_a = scitech_orgs["headers"]["a"]
    assert_problem(await client.get(url, headers=cadre_a), 404)
    assert_problem(await client.get(change, headers=cadre_a), 404)
    assert_problem(
        await client.post(
            dues,
            json={"year": year + 1, "amount": "1", "paid_on": dt.date.today().isoformat()},
            headers=cadre_a,
        ),
        404,
    )
    not_society = await client.get(f"/api/v1/scitech/societies/{scitech_orgs['city']}/members", headers=city)
    assert assert_problem(not_society, 422)["errors"][0]["code"] == "scitech_wrong_org_kind"
    assert_problem(await client.get(url, headers=quntuan_tree.headers["member"]), 403)


async def test_an_individual_member_links_only_a_person_within_reach(  # type: ignore[no-untyped-def]
    quntuan_client, quntuan_tree, scitech_orgs
) -> None:
    client, city, platform = quntuan_client, quntuan_tree.headers["city"], quntuan_tree.headers["platform"]
    url = f"/api/v1/scitech/societies/{scitech_orgs['society']}/members"
    year = dt.date.today().year
    base = {
        "grade": "member",
        "joined_on": f"{year}-01-01",
        "term_start": f"{year}-01-01",
        "term_end": f"{year + 2}-12-31",
    }
    inside = await make_person(client, platform, scitech_orgs["society"], "陈静")
    above = await make_person(client, platform, quntuan_tree.orgs["province"]["id"], "林涛")
    for n, person in enumerate((above, "00000000-0000-4000-8000-000000000000")):
        refused = await client.post(
            url,
            json={"kind": "individual", "name": "林涛", "member_no": f"P-{n}", "person": person, **base},
            headers=city,
        )
        assert [(e["pointer"], e["code"]) for e in assert_problem(refused, 422)["errors"]] == [
            ("/person", "scitech_unknown_person")
        ]
    group = await client.post(
        url,
        json={
            "kind": "group",
            "name": "某公司",
            "member_no": "G-1",
            "person": inside,
            **base,
            "grade": "unit",
        },
        headers=city,
    )
    assert assert_problem(group, 422)["errors"][0]["code"] == "scitech_person_for_group"
    assert await signals_emitted("scitech.society_member_joined") == []
    linked = await client.post(
        url,
        json={"kind": "individual", "name": "陈静", "member_no": "P-9", "person": inside, **base},
        headers=city,
    )
    assert linked.status_code == 201, linked.text
    assert linked.json()["person"] == inside

    # two cadres renewing the same member at once from the same read: exactly one change lands
    change = f"/api/v1/scitech/society-members/{linked.json()['id']}"
    both = await asyncio.gather(
        *[
            client.patch(change, json={"term_end": f"{year + k}-12-31"}, headers={**city, "If-Match": '"1"'})
            for k in (3, 4)
        ]
    )
    assert sorted(r.status_code for r in both) == [200, 412]
    got = await client.get(change, headers=city)
    assert got.headers["etag"] == '"2"'
    assert len(await signals_emitted("scitech.society_member_changed")) == 1
