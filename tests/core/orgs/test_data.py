"""Import reports (bad rows, encodings, modes), exports safe against formula injection, statistics."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import Callable
from typing import Any

from litestar import Litestar
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from core.identity.tables import Person
from core.members.tables import Membership
from core.orgs.tables import Org, Unit
from core.orgs.validators import credit_code_check, id_number_check
from tests.conftest import ApiClient, open_client
from tests.core.orgs.conftest import Tree
from tests.helpers import AllowAll, problem, with_principal


def id_number(body: str = "33010619900307123") -> str:
    return body + id_number_check(body)


def credit(body: str) -> str:
    return body + credit_code_check(body)


async def upload(api: ApiClient, what: str, content: bytes, name: str = "data.csv", **params: Any) -> Any:
    return await api.post(f"/api/v1/imports/{what}", params=params, files={"file": (name, content)})


def issues(body: dict[str, Any]) -> list[tuple[int, str, str]]:
    """The report's issues, from a 200 report or from the 422 problem of a refused import."""
    report = body["context"]["report"] if "context" in body else body
    return [(i["row"], i["column"], i["code"]) for i in report["issues"]]


async def _base(tree: Tree) -> None:
    await tree.add("city", "party.committee", "city", name="杭州市委", region_code="330100")
    await tree.add("fed", "union.federation", "city", "city", name="杭州市总工会")


ORGS_CSV = (
    "ref,name,kind,level,parent,region_code\n"
    "s1,西湖街道党工委,party.committee,township,{city},330106\n"
    "s2,西湖街道总工会,union.federation,township,s1,330106\n"
    "s2,重复编号,union.federation,township,s1,330106\n"
    "x,无上级,union.grassroots,unit,nowhere,\n"
    "y,错放的团支部,youth.branch,unit,s2,\n"
    "z,区划错,party.committee,township,{city},3301\n"
)


async def test_org_import_all_or_nothing_then_valid_rows(api: ApiClient, tree: Tree) -> None:
    await _base(tree)
    content = ORGS_CSV.format(city=tree.ids["city"]).encode()
    refused = await upload(api, "orgs", content, mode="all")
    problem_body = problem(refused, 422)
    assert problem_body["type"].endswith("/import-refused")
    assert problem_body["errors"][0] == {"pointer": "/rows/4/ref", "code": "duplicate", "message": "重复"}
    body = problem_body["context"]["report"]
    assert body["committed"] is False and body["imported"] == 0 and body["rows"] == 6
    assert issues(body) == [
        (4, "ref", "duplicate"),
        (5, "parent", "unknown_parent"),
        (6, "parent", "parent_kind_not_allowed"),
        (7, "region_code", "region_code"),
    ]
    assert body["issues"][1]["message"] == "上级组织不存在"
    assert await Org.count().run() == 2

    accepted = await upload(api, "orgs", content, mode="valid", headers=None)
    body = accepted.json()
    assert accepted.status_code == 200 and body["committed"] is True and body["imported"] == 2
    names = {
        o["name"] for o in (await api.get("/api/v1/orgs", params={"org": tree.ids["city"]})).json()["items"]
    }
    assert {"西湖街道党工委", "西湖街道总工会"} <= names and "无上级" not in names
    # The same rows again are duplicates of what is now there.
    again = await upload(api, "orgs", content, mode="valid")
    assert (2, "name", "duplicate") in issues(again.json())


async def test_gbk_csv_and_unreadable_bytes(api: ApiClient, tree: Tree) -> None:
    await _base(tree)
    text = f"名称,类型,层级,上级\n拱墅区总工会,union.federation,county,{tree.ids['fed']}\n"
    done = await upload(api, "orgs", text.encode("gbk"), mode="all")
    assert done.status_code == 200, done.text
    assert await Org.exists().where(Org.name == "拱墅区总工会").run()
    bom = await upload(api, "orgs", ("\ufeff" + text.replace("拱墅", "上城")).encode("utf-8"), mode="all")
    assert bom.status_code == 200 and await Org.exists().where(Org.name == "上城区总工会").run()
    broken = await upload(api, "orgs", b"name,kind\n\x80\xff\xfe,x\n")
    assert broken.status_code == 422
    assert issues(broken.json()) == [(1, "", "encoding")]
    unknown = await upload(api, "orgs", "名称,颜色\nx,red\n".encode())
    assert set(issues(unknown.json())) == {
        (1, "颜色", "unknown_column"),
        (1, "kind", "required"),
        (1, "level", "required"),
    }


async def test_unit_import_checks_credit_codes(api: ApiClient, tree: Tree) -> None:
    await _base(tree)
    good, bad = credit("91330106MA27XQ4L0"), credit("91330106MA27XQ4L1")[:-1] + "0"
    book = Workbook()
    sheet = book.active
    sheet.append(["单位名称", "单位类型", "统一社会信用代码", "职工人数", "所在组织"])
    sheet.append(["甲公司", "non_public_enterprise", good, 30, tree.ids["city"]])
    sheet.append(["乙公司", "non_public_enterprise", bad, 40, tree.ids["city"]])
    sheet.append(["丙公司", "non_public_enterprise", good.lower(), 50, tree.ids["city"]])
    sheet.append(["丁公司", "nonsense", "", "many", tree.ids["city"]])
    out = io.BytesIO()
    book.save(out)
    response = await upload(api, "units", out.getvalue(), name="units.xlsx", mode="valid")
    body = response.json()
    assert issues(body) == [
        (3, "credit_code", "checksum"),
        (4, "credit_code", "duplicate"),
        (5, "kind", "enum"),
        (5, "employees", "type"),
    ]
    assert body["imported"] == 1 and await Unit.count().run() == 1
    coverage = (await api.get(f"/api/v1/orgs/{tree.ids['city']}/coverage")).json()
    assert {r["rule"]: r["required"] for r in coverage["rules"]}["union.formation"] == 1


async def test_member_import_checks_id_numbers(api: ApiClient, tree: Tree) -> None:
    await _base(tree)
    await tree.add("g", "union.grassroots", "unit", "fed", name="甲公司工会")
    good = id_number()
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    rows = [
        "所在组织,姓名,身份证号,手机号码,extra.card_number",
        f"{tree.ids['g']},张三,{good},13800138000,12345678",
        f"{tree.ids['g']},李四,{wrong},,",
        f"{tree.ids['g']},张三,{good},,",
        f"{tree.ids['g']},王五,,12345,",
        f"{tree.ids['g']},赵六,,,12",
        f"{tree.ids['fed']},张三,{good},,",
    ]
    response = await upload(api, "members", "\n".join(rows).encode(), mode="valid", headers=None)
    body = response.json()
    assert issues(body) == [
        (3, "id_number", "checksum"),
        (4, "id_number", "duplicate"),
        (5, "phone", "phone"),
        (6, "extra.card_number", "union_card_number"),
    ]
    assert body["imported"] == 2
    persons = await Person.select(Person.name, Person.id_number_enc).run()
    assert len(persons) == 1 and persons[0]["id_number_enc"] and good not in persons[0]["id_number_enc"]
    assert await Membership.count().run() == 2
    again = await upload(api, "members", "\n".join(rows[:2]).encode(), mode="all")
    assert issues(again.json()) == [(2, "id_number", "duplicate")]


async def test_exports_are_safe_against_formula_injection(api: ApiClient, tree: Tree) -> None:
    await _base(tree)
    await tree.add("evil", "union.grassroots", "unit", "fed", name='=HYPERLINK("http://x","y")')
    await tree.add("minus", "union.grassroots", "unit", "fed", name="-2+3", address="@SUM(A1)")
    csv_response = await api.get("/api/v1/exports/orgs", params={"org": tree.ids["city"]})
    assert csv_response.status_code == 200
    text = csv_response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'-2+3" in text and "'@SUM(A1)" in text
    assert "杭州市总工会" in text and len(text.strip().splitlines()) == 5
    xlsx = await api.get("/api/v1/exports/orgs", params={"org": tree.ids["city"], "format": "xlsx"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    names = [r[2] for r in rows[1:]]
    assert '\'=HYPERLINK("http://x","y")' in names and not any(str(n).startswith("=") for n in names)
    members = await api.get("/api/v1/exports/members", params={"org": tree.ids["city"], "header": "field"})
    assert members.content.decode("utf-8-sig").startswith("id,org,org_name,person,name,role")


async def test_export_headers_follow_the_callers_language(api: ApiClient, tree: Tree) -> None:
    await _base(tree)
    params = {"org": tree.ids["city"]}
    for language, start in (
        ("zh-CN", "编号,上级组织,名称,类型,层级,行政区划代码"),
        ("zh-TW", "編號,上級組織,名稱,類型,層級,行政區劃代碼"),
        ("en", "ID,Parent org,Name,Kind,Level,Region code"),
    ):
        exported = await api.get("/api/v1/exports/orgs", params=params, headers={"Accept-Language": language})
        assert exported.headers["content-type"].startswith("text/csv")
        assert exported.content.decode("utf-8-sig").startswith(start), language
    members = await api.get("/api/v1/exports/members", params=params, headers={"Accept-Language": "zh-CN"})
    assert members.content.decode("utf-8-sig").startswith("编号,组织,组织名称,人员编号,姓名,角色")


async def test_an_exported_file_imports_again_whatever_its_language(api: ApiClient, tree: Tree) -> None:
    """Headers in any of the three languages are accepted; orgs named by their full name are found."""
    await _base(tree)
    for language, header in (
        ("zh-Hant", "名稱,類型,層級,上級組織"),
        ("en", "Name,Kind,Level,Parent org"),
    ):
        rows = f"{header}\n{language}街道党工委,party.committee,township,杭州市委\n"
        response = await upload(api, "orgs", rows.encode())
        assert response.status_code == 200, response.text
        assert response.json()["imported"] == 1
    parents = await Org.select(Org.parent).where(Org.name.like("%街道党工委")).run()
    assert {p["parent"] for p in parents} == {uuid.UUID(tree.ids["city"])}


async def test_orgs_named_in_imports_by_id_or_full_name_ambiguous_names_refused(
    api: ApiClient, tree: Tree
) -> None:
    await _base(tree)
    await tree.add("g1", "union.grassroots", "unit", "fed", name="甲公司工会")
    await tree.add("d1", "union.grassroots", "unit", "fed", name="同名工会")
    await tree.add("d2", "union.grassroots", "unit", "fed", name="同名工会")
    rows = [
        "组织,姓名",
        "甲公司工会,张三",
        f"{tree.ids['d1']},李四",
        "同名工会,王五",
        "没有的工会,赵六",
    ]
    response = await upload(api, "members", "\n".join(rows).encode(), mode="valid")
    body = response.json()
    assert issues(body) == [(4, "org", "ambiguous_org"), (5, "org", "unknown_org")]
    assert body["imported"] == 2
    message = next(i["message"] for i in body["issues"] if i["code"] == "ambiguous_org")
    assert "组织编号" in message
    orgs = {r["org"] for r in await Membership.select(Membership.org).run()}
    assert orgs == {uuid.UUID(tree.ids["g1"]), uuid.UUID(tree.ids["d1"])}
    # Units name their area the same way.
    units = "单位名称,单位类型,所在组织\n甲公司,non_public_enterprise,甲公司工会\n乙公司,non_public_enterprise,同名工会\n"
    refused = await upload(api, "units", units.encode(), mode="all")
    assert issues(refused.json()) == [(3, "area", "ambiguous_org")]


async def test_import_templates_in_the_callers_language(api: ApiClient, tree: Tree) -> None:
    for what, language, first, required in (
        ("orgs", "zh-CN", ["名称", "类型", "层级"], "是"),
        ("units", "en", ["Name", "Kind", "Area org"], "yes"),
        ("members", "zh-TW", ["組織", "姓名"], "是"),
    ):
        response = await api.get(f"/api/v1/imports/{what}/template", headers={"Accept-Language": language})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
        assert f"{what}-template.xlsx" in response.headers["content-disposition"]
        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        header = book.get_sheet_by_index(0).to_python()[0]
        assert header[: len(first)] == first, (what, header)
        notes = book.get_sheet_by_index(1).to_python()
        assert [n[0] for n in notes[1:]] == header  # one note per column
        assert {n[2] for n in notes[1 : len(first) + 1]} == {required}
        # The template's own header row imports as it is (here: no rows, every column known).
        empty = io.BytesIO()
        sheet = Workbook()
        sheet.active.append(header)  # type: ignore[union-attr]
        sheet.save(empty)
        answered = await upload(api, what, empty.getvalue(), name="t.xlsx")
        assert not [i for i in issues(answered.json()) if i[2] == "unknown_column"], answered.text


async def test_statistics_json_and_xlsx(api: ApiClient, tree: Tree) -> None:
    await _base(tree)
    await tree.add("g1", "union.grassroots", "unit", "fed", name="楼宇工会", place="building")
    await tree.add(
        "g2", "union.grassroots", "unit", "fed", name="甲公司工会", two_new="non_public_enterprise"
    )
    await tree.add("league", "youth.committee", "city", "city", name="团市委")
    pid = (await Person.insert(Person(name="张三")).returning(Person.id).run())[0]["id"]
    # A member of one union (one union membership at a time) who also sits on another's committee.
    for org, role in (("g1", "member"), ("g2", "committee")):
        r = await api.post(f"/api/v1/orgs/{tree.ids[org]}/members", json={"person": str(pid), "role": role})
        assert r.status_code == 201
    await api.post(
        "/api/v1/units",
        json={"name": "甲公司", "kind": "non_public_enterprise", "area": tree.ids["city"], "employees": 80},
    )
    stats = (await api.get(f"/api/v1/orgs/{tree.ids['city']}/statistics")).json()
    assert stats["orgs_total"] == 5
    counts = {(o["kind"], o["level"]): o["count"] for o in stats["orgs"]}
    assert counts[("union.grassroots", "unit")] == 2 and counts[("youth.committee", "city")] == 1
    assert stats["members_total"] == 2 and stats["persons_total"] == 1
    assert stats["units"] == [{"kind": "non_public_enterprise", "count": 1}]
    union = {r["rule"]: (r["required"], r["covered"]) for r in stats["coverage"]}["union.formation"]
    assert union == (1, 0)
    figures = {f["code"]: f["value"] for f in stats["plugins"]}
    union_figures = {code: value for code, value in figures.items() if code.startswith("union.")}
    assert union_figures["union.building_unions"] == 1 and union_figures["union.two_new_members"] == 1
    assert union_figures["union.members"] == 1
    # The core's own figures (places) stand beside the plugins'; nothing is booked in this tree.
    assert figures["core.place.places"] == 0 and figures["core.place.bookings_30d"] == 0
    workbook = await api.get(
        f"/api/v1/orgs/{tree.ids['city']}/statistics.xlsx", headers={"Accept-Language": "zh-Hant"}
    )
    assert workbook.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(workbook.content))
    assert book.sheet_names[:2] == ["組織", "成員"]
    first = book.get_sheet_by_index(0).to_python()
    assert first[0] == ["類型", "類型代碼", "層級", "數量"] and [
        "基層工會",
        "union.grassroots",
        "unit",
        2,
    ] in [[r[0], r[1], r[2], int(r[3])] for r in first[1:]]


async def test_large_imports_run_as_background_jobs(
    make_app: Callable[..., Litestar], make_settings: Any
) -> None:
    app = make_app(settings_=make_settings(embedded_worker=True))
    async for api in open_client(with_principal(app, AllowAll())):
        tree = Tree(api)
        await _base(tree)
        text = "名称,类型,层级,上级\n" + "".join(
            f"基层工会{i},union.grassroots,unit,{tree.ids['fed']}\n" for i in range(30)
        )
        queued = await upload(api, "orgs", text.encode(), background="true")
        assert queued.status_code == 202, queued.text
        job = queued.json()
        for _ in range(200):
            job = (await api.get(f"/api/v1/imports/{job['id']}")).json()
            if job["status"] in ("done", "failed"):
                break
            await asyncio.sleep(0.05)
        assert job["status"] == "done" and job["report"]["imported"] == 30
        assert await Org.count().where(Org.kind == "union.grassroots").run() == 30


async def test_league_member_import_judges_age_by_the_id_number(api: ApiClient, tree: Tree) -> None:
    """A new person's birth date is the one their ID number states (kept on the person); a birth date in
    ``extra`` is not believed, and the age rule holds for every role."""
    from datetime import date

    await _base(tree)
    await tree.add("league", "youth.committee", "city", "city", name="团市委")
    await tree.add("branch", "youth.branch", "unit", "league", name="某团支部")
    young_year = date.today().year - 20
    young = id_number(f"330106{young_year}0307123")
    old = id_number("33010619800307123")
    rows = [
        "所在组织,姓名,身份证号,角色,extra.birth_date",
        f"{tree.ids['branch']},张三,{young},member,",
        f"{tree.ids['branch']},李四,{old},member,{young_year}-03-07",
        f"{tree.ids['branch']},王五,{id_number('33010619810307123')},secretary,",
    ]
    response = await upload(api, "members", "\n".join(rows).encode(), mode="valid", headers=None)
    body = response.json()
    assert sorted((n, code) for n, _, code in issues(body)) == [(3, "youth_age"), (4, "youth_age")]
    assert body["imported"] == 1
    stored = await Person.select(Person.name, Person.birth_date).run()
    assert [(p["name"], p["birth_date"]) for p in stored] == [("张三", date(young_year, 3, 7))]


async def test_member_exports_leave_out_who_left_and_show_local_times(api: ApiClient, tree: Tree) -> None:
    await _base(tree)
    await tree.add("g", "union.grassroots", "unit", "fed", name="甲公司工会")
    rows = "组织,姓名\n" + "".join(f"{tree.ids['g']},{n}\n" for n in ("在册", "已离开"))
    assert (await upload(api, "members", rows.encode())).json()["imported"] == 2
    await (
        Membership.update({Membership.status: "left"})
        .where(Membership.person.is_in(Person.select(Person.id).where(Person.name == "已离开")))
        .run()
    )
    params = {"org": tree.ids["g"], "header": "field"}
    current = (await api.get("/api/v1/exports/members", params=params)).content.decode("utf-8-sig")
    assert "在册" in current and "已离开" not in current
    joined = current.splitlines()[1].split(",")[7]
    assert joined.endswith("+08:00"), joined  # Asia/Shanghai, with its offset
    everyone = await api.get("/api/v1/exports/members", params={**params, "include_left": "true"})
    assert "已离开" in everyone.content.decode("utf-8-sig")
