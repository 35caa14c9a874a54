"""The union's work through HTTP on a fixture county: members, online joining, dues and funds, hardship."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

import plugins.union.hooks
from core.testkit import assert_plugin_contract, assert_problem, audit_entries, signals_emitted
from tests.plugins.union.conftest import make_org, make_person


async def test_contract(quntuan_settings: Any) -> None:
    # A bundled plugin's routes are walked against a sibling subtree by the generated permission matrix
    # (tests/core/identity/test_permission_matrix.py), so the contract's own sibling check is left to it.
    await assert_plugin_contract("union", plugins.union.hooks, quntuan_settings, siblings=False)


async def county(client: Any, tree: Any) -> dict[str, Any]:
    """甲县总工会 with two grassroots unions (an enterprise one and a joint one); 乙县 with one."""
    h = tree.headers["city"]
    fed = await make_org(client, h, tree.orgs["county_a"]["id"], "union.federation", "county", "甲县总工会")
    ent = await make_org(client, h, fed["id"], "union.grassroots", "unit", "甲厂工会")
    joint = await make_org(client, h, fed["id"], "union.grassroots", "unit", "甲县快递行业联合工会")
    hb = tree.headers["city"]
    fed_b = await make_org(
        client, hb, tree.orgs["county_b"]["id"], "union.federation", "county", "乙县总工会"
    )
    ent_b = await make_org(client, hb, fed_b["id"], "union.grassroots", "unit", "乙厂工会")
    return {"fed": fed, "ent": ent, "joint": joint, "fed_b": fed_b, "ent_b": ent_b}


async def register(client: Any, h: dict[str, str], org: str, person: str, **extra: Any) -> Any:
    return await client.post(
        "/api/v1/union/members", json={"org_id": org, "person_id": person, **extra}, headers=h
    )


async def test_members_dues_and_funds_on_a_fixture_county(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    ent = orgs["ent"]["id"]
    wages = [812345, 500000, 1000050]  # fen: 8123.45, 5000.00, 10000.50 yuan
    persons = [await make_person(client, h, ent, f"职工{i}") for i in range(4)]
    for person, wage in zip(persons, wages, strict=False):
        r = await register(client, h, ent, person, monthly_wage=wage)
        assert r.status_code == 201, r.text
        assert len(r.json()["card_number"]) == 18
    exempt = await register(client, h, ent, persons[3], dues_exemption="hardship", card_number="12345678")
    assert exempt.status_code == 201, exempt.text
    # The card number is unique nationwide: another person cannot take it, even in another county.
    hb = tree.headers["platform"]
    other = await make_person(client, hb, orgs["ent_b"]["id"], "乙职工")
    taken = await register(client, hb, orgs["ent_b"]["id"], other, card_number="12345678")
    body = assert_problem(taken, 422)
    assert body["errors"][0]["code"] == "union_card_taken"
    # One union membership at a time: registering a member elsewhere asks for a transfer.
    again = await register(client, tree.headers["city"], orgs["joint"]["id"], persons[0])
    assert assert_problem(again, 422)["errors"][0]["code"] == "union_member_elsewhere"

    # Dues at 0.5%, rounded half-up to the fen: 40.62 (40.617…), 25.00, 50.00 (50.0025); exempt: 0.
    assessed = await client.post(
        f"/api/v1/union/orgs/{ent}/dues-assessments", json={"month": "2026-11"}, headers=h
    )
    assert assessed.status_code == 200, assessed.text
    assert assessed.json() == {
        "month": "2026-11",
        "assessed": 4,
        "exempt": 1,
        "without_wage": 0,
        "due": 4062 + 2500 + 5000,
    }
    paid = await client.post(
        f"/api/v1/union/orgs/{ent}/dues-payments",
        json={"person_id": persons[0], "months": ["2026-11"], "channel": "online", "reference": "wx-1"},
        headers=h,
    )
    assert paid.status_code == 201, paid.text
    assert paid.json()["amount"] == 4062
    twice = await client.post(
        f"/api/v1/union/orgs/{ent}/dues-payments",
        json={"person_id": persons[0], "months": ["2026-11"], "channel": "online"},
        headers=h,
    )
    assert assert_problem(twice, 422)["errors"][0]["code"] == "union_nothing_due"

    page = await client.get(
        "/api/v1/union/members", params={"org": orgs["fed"]["id"], "month": "2026-11"}, headers=h
    )
    assert page.status_code == 200, page.text
    rows = {r["person_id"]: r for r in page.json()["items"]}
    assert len(rows) == 4
    assert rows[persons[0]]["dues_status"] == "paid"
    assert rows[persons[1]]["dues_status"] == "due" and rows[persons[1]]["arrears_amount"] == 2500
    assert rows[persons[3]]["dues_status"] == "exempt"
    # 20 a page, in card-number order, with a cursor.
    first = await client.get(
        "/api/v1/union/members", params={"org": orgs["fed"]["id"], "limit": 3}, headers=h
    )
    second = await client.get(
        "/api/v1/union/members",
        params={"org": orgs["fed"]["id"], "limit": 3, "cursor": first.json()["next_cursor"]},
        headers=h,
    )
    cards = [r["card_number"] for r in first.json()["items"] + second.json()["items"]]
    assert cards == sorted(cards) and len(cards) == 4

    # Funds: 2% of a payroll of 123456.78 yuan = 2469.14 (2469.1356), split 60/25/5/7.5/2.5.
    fund = await client.post(
        f"/api/v1/union/orgs/{ent}/funds",
        json={"month": "2026-11", "payroll": 12345678, "employer_name": "甲厂", "paid": 246914},
        headers=h,
    )
    assert fund.status_code == 201, fund.text
    split = fund.json()["split"]
    assert fund.json()["amount"] == 246914 and sum(split.values()) == 246914
    assert (
        split["county"] == 61728
        and split["city"] == 12345
        and split["province"] == 18518
        and split["national"] == 6172
    )
    assert split["grassroots"] == 246914 - 61728 - 12345 - 18518 - 6172

    summary = await client.get(
        f"/api/v1/union/orgs/{orgs['fed']['id']}/finance-summary",
        params={"first": "2026-11", "last": "2026-11"},
        headers=h,
    )
    assert summary.status_code == 200, summary.text
    (month,) = summary.json()["months"]
    assert month["dues_due"] == 11562 and month["dues_paid"] == 4062 and month["dues_arrears"] == 7500
    assert month["exempt"] == 1 and month["funds_due"] == 246914 and month["funds_paid"] == 246914
    workbook = await client.get(
        f"/api/v1/union/orgs/{orgs['fed']['id']}/finance-summary.xlsx",
        params={"first": "2026-11", "last": "2026-11"},
        headers=h,
    )
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert [c.value for c in sheet[3]][:5] == ["2026-11", 4, 115.62, 40.62, 75.0]

    # Another county's cadre sees none of it; a member who is a cadre nowhere is refused.
    for path in (f"/api/v1/union/members/{persons[0]}", f"/api/v1/union/orgs/{ent}/finance-summary"):
        assert (await client.get(path, headers=tree.headers["member"])).status_code == 403
    b_cadre = await make_org(client, hb, orgs["fed_b"]["id"], "union.grassroots", "unit", "乙二厂工会")
    assert b_cadre
    leave = await client.post(
        f"/api/v1/union/members/{persons[1]}/leave", json={"reason": "retired"}, headers=h
    )
    assert leave.status_code == 200 and leave.json()["active"] is False
    assert assert_problem(
        await client.post(f"/api/v1/union/members/{persons[1]}/leave", json={"reason": "retired"}, headers=h),
        409,
    )
    assert [s["name"] for s in await signals_emitted("union.member_left")] == ["union.member_left"]
    assert await audit_entries("union.dues.paid")


async def test_rules_change_the_figures_and_bad_input_is_a_problem(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    fed, ent = orgs["fed"]["id"], orgs["ent"]["id"]
    rules = (await client.get(f"/api/v1/union/orgs/{ent}/rules", headers=h)).json()
    assert rules["rules"]["dues_permille"] == 5 and rules["set_by_org_id"] is None
    bad = await client.put(
        f"/api/v1/union/orgs/{fed}/rules",
        json={**rules["rules"], "funds_split": {"grassroots": 500}},
        headers=h,
    )
    assert assert_problem(bad, 422)["errors"][0]["code"] == "union_split_total"
    new = {**rules["rules"], "dues_rounding_unit": "jiao", "dues_rounding": "up"}
    assert (await client.put(f"/api/v1/union/orgs/{fed}/rules", json=new, headers=h)).status_code == 200
    stale = await client.put(f"/api/v1/union/orgs/{fed}/rules", json=new, headers={**h, "If-Match": '"9"'})
    assert_problem(stale, 412)
    assert_problem(await client.put(f"/api/v1/union/orgs/{fed}/rules", json=new, headers=h), 428)
    inherited = (await client.get(f"/api/v1/union/orgs/{ent}/rules", headers=h)).json()
    assert inherited["set_by_org_id"] == fed
    person = await make_person(client, h, ent, "职工甲")
    assert (await register(client, h, ent, person, monthly_wage=812345)).status_code == 201
    assessed = await client.post(
        f"/api/v1/union/orgs/{ent}/dues-assessments", json={"month": "2026-10"}, headers=h
    )
    assert assessed.json()["due"] == 4070  # 40.617… rounded up to the jiao
    for body in ({"month": "2026-13"}, {"month": 202610}, {}):
        assert_problem(
            await client.post(f"/api/v1/union/orgs/{ent}/dues-assessments", json=body, headers=h), 422
        )
    assert_problem(
        await client.get("/api/v1/union/members", params={"org": fed, "month": "nope"}, headers=h), 422
    )
    # 乙县's union is outside the reach of 甲县's cadre: 404, as if it did not exist.
    a = tree.headers["county"]
    assert_problem(
        await client.post(
            f"/api/v1/union/orgs/{orgs['ent_b']['id']}/dues-assessments", json={"month": "2026-10"}, headers=a
        ),
        404,
    )
    assert_problem(
        await client.get("/api/v1/union/members", params={"org": orgs["fed_b"]["id"]}, headers=a), 404
    )
    assert_problem(await client.get(f"/api/v1/union/orgs/{ent}/rules", headers=a), 404)


async def open_process(
    client: Any,
    h: dict[str, str],
    type_code: str,
    org: str,
    form: dict[str, Any],
    applicant: str | None = None,
) -> Any:
    body: dict[str, Any] = {"type": type_code, "org_id": org, "form": form}
    if applicant:
        body["applicant_id"] = applicant
    return await client.post("/api/v1/processes", json=body, headers=h)


async def step(client: Any, h: dict[str, str], process_id: str, transition: str, **body: Any) -> Any:
    current = await client.get(f"/api/v1/processes/{process_id}", headers=h)
    return await client.post(
        f"/api/v1/processes/{process_id}/transitions",
        json={"transition": transition, **body},
        headers={**h, "If-Match": current.headers["etag"]},
    )


async def test_online_joining_and_transfer(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    rider = await make_person(client, h, orgs["fed"]["id"], "外卖骑手")
    form = {
        "employment": "delivery_rider",
        "employer_name": "某配送站",
        "wage_main_income": True,
        "monthly_wage": 600000,
    }
    # A rider joins through a joint union, not an enterprise one; and only a wage earner may join.
    refused = await open_process(client, h, "union.join", orgs["ent"]["id"], form, rider)
    assert assert_problem(refused, 422)["errors"][0]["code"] == "union_new_form_union"
    assert (
        await client.put(
            f"/api/v1/union/orgs/{orgs['joint']['id']}/profile", json={"form": "joint"}, headers=h
        )
    ).status_code == 200
    not_wage = await open_process(
        client, h, "union.join", orgs["joint"]["id"], {**form, "wage_main_income": False}, rider
    )
    assert assert_problem(not_wage, 422)["errors"][0]["code"] == "union_not_wage_earner"
    opened = await open_process(client, h, "union.join", orgs["joint"]["id"], form, rider)
    assert opened.status_code == 201, opened.text
    pid = opened.json()["id"]
    assert (await step(client, h, pid, "verify")).status_code == 200
    approved = await step(client, h, pid, "approve")
    assert approved.status_code == 200, approved.text
    file = (await client.get(f"/api/v1/union/members/{rider}", headers=h)).json()
    assert file["active"] and file["employment"] == "delivery_rider" and file["joined_via"] == "application"
    card = file["card_number"]
    # 转会 through the core's transfer process, opened by a cadre for the member: the card follows.
    membership = (await client.get(f"/api/v1/orgs/{orgs['joint']['id']}/members", headers=h)).json()["items"][
        0
    ]
    moved = await open_process(
        client,
        h,
        "core.transfer",
        orgs["joint"]["id"],
        {"membership_id": membership["id"], "to_org_id": orgs["ent"]["id"]},
        rider,
    )
    assert moved.status_code == 201, moved.text
    assert (await step(client, h, moved.json()["id"], "release")).status_code == 200
    assert (await step(client, h, moved.json()["id"], "accept")).status_code == 200
    after = (await client.get(f"/api/v1/union/members/{rider}", headers=h)).json()
    assert after["org_id"] == orgs["ent"]["id"] and after["card_number"] == card and after["active"]


async def test_legal_aid_and_hardship(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    ent = orgs["ent"]["id"]
    worker = await make_person(client, h, ent, "困难职工")
    case = await open_process(
        client,
        h,
        "union.legal_aid",
        orgs["fed"]["id"],
        {"category": "wages", "summary": "欠薪三个月", "contact_phone": "13800138000"},
        worker,
    )
    assert case.status_code == 201, case.text
    assert (await step(client, h, case.json()["id"], "accept")).status_code == 200
    done = await step(
        client, h, case.json()["id"], "resolve", form={"result": "mediated", "recovered": 1500000}
    )
    assert done.status_code == 200 and done.json()["status"] == "closed"

    hardship = {
        "category": "deep",
        "household_size": 3,
        "household_income": 150000,
        "causes": ["illness"],
        "id_number": "11010519491231002X",
    }
    assert (
        assert_problem(await open_process(client, h, "union.hardship", ent, hardship, worker), 422)["errors"][
            0
        ]["code"]
        == "union_not_member"
    )
    assert (await register(client, h, ent, worker, monthly_wage=300000)).status_code == 201
    opened = await open_process(client, h, "union.hardship", ent, hardship, worker)
    assert opened.status_code == 201, opened.text
    pid = opened.json()["id"]
    assert (await step(client, h, pid, "verify")).status_code == 200
    approved = await step(client, h, pid, "approve", form={"amount": 200000})
    assert approved.status_code == 200, approved.text
    notices = (await client.get("/api/v1/notices", headers=h)).json()["items"]
    notice = next(n for n in notices if n["kind"] == "union.hardship")
    entry = (await client.get(f"/api/v1/notices/{notice['id']}", headers=h)).json()["entries"][0]
    assert entry["name"] != "困难职工" and entry["amount"] == "2000.00" and "1949" not in entry["id_number"]
    # The notice window must pass before the file opens.
    assert_problem(await step(client, h, pid, "file"), 422)
    from datetime import UTC, datetime, timedelta

    from plugins.union.tables import UnionHardshipFile

    await (
        UnionHardshipFile.update(
            {UnionHardshipFile.notice_closes_at: datetime.now(UTC) - timedelta(minutes=1)}
        )
        .where(UnionHardshipFile.process == pid)
        .run()
    )
    assert (await step(client, h, pid, "file")).status_code == 200
    helped = await client.post(
        f"/api/v1/union/hardship/{pid}/help",
        json={"kind": "money", "programme": "warmth", "amount": 80000},
        headers=h,
    )
    assert helped.status_code == 201, helped.text
    assert_problem(
        await client.post(
            f"/api/v1/union/hardship/{pid}/help", json={"kind": "cash", "programme": "warmth"}, headers=h
        ),
        422,
    )
    figures = (await client.get(f"/api/v1/union/orgs/{orgs['fed']['id']}/hardship-figures", headers=h)).json()
    assert figures["open_by_category"] == {"deep": 1} and figures["help_by_programme"] == {"warmth": 80000}
    assert (
        await client.get(f"/api/v1/union/hardship/{pid}/help", headers=tree.headers["member"])
    ).status_code == 403
    assert (await step(client, h, pid, "close", comment="已就业，家庭收入稳定")).status_code == 200
    assert_problem(
        await client.post(
            f"/api/v1/union/hardship/{pid}/help", json={"kind": "money", "programme": "warmth"}, headers=h
        ),
        422,
    )
    stats = (await client.get(f"/api/v1/orgs/{orgs['fed']['id']}/statistics", headers=h)).json()
    assert stats


async def test_formation_and_membership_rates_against_hand_counts(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    area = str(tree.orgs["county_a"]["id"])

    async def unit(name: str, employees: int) -> str:
        r = await client.post(
            "/api/v1/units",
            json={"name": name, "kind": "non_public_enterprise", "area": area, "employees": employees},
            headers=h,
        )
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    big, _uncovered, small = await unit("甲厂", 30), await unit("乙厂", 40), await unit("丙店", 10)
    assert (
        await client.post(f"/api/v1/units/{big}/links", json={"org": orgs["ent"]["id"]}, headers=h)
    ).status_code in (200, 201)
    for i, where in enumerate([big, big, big, small]):
        person = await make_person(client, h, orgs["ent"]["id"], f"会员{i}")
        assert (
            await register(client, h, orgs["ent"]["id"], person, employer_unit_id=where)
        ).status_code == 201
    figures = (await client.get(f"/api/v1/union/orgs/{area}/formation", headers=h)).json()
    # Required: 甲厂 and 乙厂 (25 or more); covered: 甲厂. Employees 80, members in the units 4.
    assert (
        figures["units_required"] == 2 and figures["units_covered"] == 1 and figures["formation_rate"] == 50.0
    )
    assert (
        figures["employees"] == 80 and figures["members_in_units"] == 4 and figures["membership_rate"] == 5.0
    )
    units = {
        u["name"]: u
        for u in (await client.get(f"/api/v1/union/orgs/{area}/units", headers=h)).json()["items"]
    }
    assert (
        units["甲厂"]["members"] == 3
        and units["甲厂"]["membership_rate"] == 10.0
        and units["甲厂"]["covered"]
    )
    assert units["丙店"]["required"] is False and units["丙店"]["recommended_form"] == "organizer_or_joint"
    uncovered = (
        await client.get(f"/api/v1/union/orgs/{area}/units", params={"uncovered": "true"}, headers=h)
    ).json()["items"]
    assert [(u["name"], u["recommended_form"]) for u in uncovered] == [("乙厂", "committee")]
    stats = (await client.get(f"/api/v1/orgs/{area}/statistics", headers=h)).json()
    flat = {f["code"]: f["value"] for f in stats["plugins"] if f["plugin"] == "union"}
    assert (
        flat["union.formation_rate"] == 50.0
        and flat["union.membership_rate"] == 5.0
        and flat["union.members"] == 4
    )
    assert_problem(await client.get(f"/api/v1/union/orgs/{area}/units", headers=tree.headers["member"]), 403)
    assert_problem(
        await client.get(
            f"/api/v1/union/orgs/{tree.orgs['county_b']['id']}/formation", headers=tree.headers["county"]
        ),
        404,
    )


async def test_builtin_roles_are_seeded(quntuan_client: Any, quntuan_tree: Any) -> None:
    roles = (await quntuan_client.get("/api/v1/roles", headers=quntuan_tree.headers["platform"])).json()[
        "items"
    ]
    by_code = {r["code"]: r for r in roles}
    assert by_code["union.chair"]["builtin_of"] == "union" and by_code["union.chair"]["name"] == "工会主席"
    assert "union.hardship.approve" in by_code["union.chair"]["permissions"]
    officer = by_code["union.officer"]["permissions"]
    assert "union.dues.manage" in officer and "union.rules.manage" not in officer
    assert "union.hardship.approve" not in officer


async def test_wage_agreement_is_filed_and_reminded_before_it_ends(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    from datetime import date, timedelta

    from plugins.union.agreements import remind_expiring

    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    worker = await make_person(client, h, orgs["ent"]["id"], "职工代表")
    today = date.today()
    form = {
        "scope": "enterprise",
        "title": "甲厂 2026 年工资专项集体合同",
        "employer_side": "甲厂",
        "employees": 120,
        "term_start": today.isoformat(),
        "term_end": (today + timedelta(days=20)).isoformat(),
        "wage_increase_permille": 60,
    }
    backwards = {**form, "term_end": (today - timedelta(days=1)).isoformat()}
    assert (
        assert_problem(
            await open_process(client, h, "union.wage_agreement", orgs["ent"]["id"], backwards, worker), 422
        )["errors"][0]["code"]
        == "union_term"
    )
    opened = await open_process(client, h, "union.wage_agreement", orgs["ent"]["id"], form, worker)
    assert opened.status_code == 201, opened.text
    pid = opened.json()["id"]
    assert (await step(client, h, pid, "sign")).status_code == 200
    assert_problem(await step(client, h, pid, "file", form={}), 422)
    filed = await step(client, h, pid, "file", form={"filing_number": "人社备 2026-001"})
    assert filed.status_code == 200 and filed.json()["status"] == "closed"
    stats = (await client.get(f"/api/v1/orgs/{orgs['fed']['id']}/statistics", headers=h)).json()
    flat = {f["code"]: f["value"] for f in stats["plugins"] if f["plugin"] == "union"}
    assert flat["union.agreement_enterprises"] == 1 and flat["union.agreement_employees"] == 120
    # Twenty days before the end: announced once; after the end: expired, no longer counted.
    assert await remind_expiring(today) == 1
    assert await remind_expiring(today) == 0
    assert [s["name"] for s in await signals_emitted("union.agreement_expiring")] == [
        "union.agreement_expiring"
    ]
    assert await remind_expiring(today + timedelta(days=21)) == 1
    assert len(await signals_emitted("union.agreement_expired")) == 1
    stats = (await client.get(f"/api/v1/orgs/{orgs['fed']['id']}/statistics", headers=h)).json()
    flat = {f["code"]: f["value"] for f in stats["plugins"] if f["plugin"] == "union"}
    assert flat["union.agreement_enterprises"] == 0


async def test_representatives_report_and_are_evaluated_by_members(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["platform"]
    orgs = await county(client, tree)
    fed_b, ent_b = orgs["fed_b"]["id"], orgs["ent_b"]["id"]
    rep = await make_person(client, h, ent_b, "代表甲")
    outsider = await make_person(client, h, ent_b, "非会员")
    term = {"constituency": "一车间", "term_start": "2026-01-01", "term_end": "2030-12-31"}
    url = f"/api/v1/union/orgs/{fed_b}/representatives"
    refused = await client.post(url, json={"person_id": outsider, **term}, headers=h)
    assert assert_problem(refused, 422)["errors"][0]["code"] == "union_not_member"
    assert (await register(client, h, ent_b, rep)).status_code == 201
    assert (await client.post(url, json={"person_id": rep, **term}, headers=h)).status_code == 201
    again = await client.post(url, json={"person_id": rep, **term}, headers=h)
    assert assert_problem(again, 422)["errors"][0]["code"] == "union_already_representative"
    report = {"year": 2026, "summary": "收集职工意见 12 条，推动食堂改造"}
    assert (await client.post(f"{url}/{rep}/reports", json=report, headers=h)).status_code == 201
    assert_problem(await client.post(f"{url}/{rep}/reports", json=report, headers=h), 422)
    # The member account (a cadre nowhere) evaluates once it is a member of a union under 乙县总工会.
    member = tree.headers["member"]
    evaluation = {"year": 2026, "rating": "satisfied"}
    assert_problem(await client.post(f"{url}/{rep}/evaluations", json=evaluation, headers=member), 404)
    me = (await client.get("/api/v1/me", headers=member)).json()["person"]["id"]
    assert (await register(client, h, ent_b, me)).status_code == 201
    assert (await client.post(f"{url}/{rep}/evaluations", json=evaluation, headers=member)).status_code == 201
    assert_problem(await client.post(f"{url}/{rep}/evaluations", json=evaluation, headers=member), 422)
    assert_problem(
        await client.post(f"{url}/{rep}/evaluations", json={"year": 2026, "rating": "great"}, headers=member),
        422,
    )
    (listed,) = (await client.get(url, headers=h)).json()
    assert listed["reported_years"] == [2026] and listed["evaluations"] == {"satisfied": 1}
    assert_problem(await client.get(url, headers=tree.headers["county"]), 404)
    assert_problem(await client.post(f"{url}/{rep}/reports", json=report, headers=member), 403)


def workbook(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def test_members_through_the_core_import_and_dues_from_a_workbook(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["platform"]
    orgs = await county(client, tree)
    ent = orgs["ent"]["id"]
    csv = (
        "组织,姓名,身份证号,extra.card_number,extra.employment,extra.floating\n"
        f"{ent},导入甲,11010519491231002X,33010000000001,employee,否\n"
        f"{ent},导入乙,,33010000000002,courier,是\n"
    )
    imported = await client.post(
        "/api/v1/imports/members", files={"file": ("m.csv", csv.encode())}, headers=h
    )
    assert imported.status_code == 200 and imported.json()["committed"], imported.text
    page = (await client.get("/api/v1/union/members", params={"org": ent}, headers=h)).json()["items"]
    assert [(r["card_number"], r["employment"], r["floating"]) for r in page] == [
        ("33010000000001", "employee", False),
        ("33010000000002", "courier", True),
    ]
    url = f"/api/v1/union/orgs/{ent}/dues-imports"
    header = ["会员证号", "月份", "月工资（元）", "实缴（元）"]
    bad = workbook([header, ["33010000000001", "2026-13", "8000", "40"], ["99999999", "2026-10", "x", ""]])
    response = await client.post(url, files={"file": ("d.xlsx", bad)}, headers=h)
    assert response.status_code == 200, response.text
    report = response.json()
    assert not report["committed"]
    assert [(i["row"], i["column"], i["code"]) for i in report["issues"]] == [
        (2, "month", "union_month"),
        (3, "card", "union_not_member"),
        (3, "wage", "invalid"),
    ]
    good = workbook(
        [header, ["33010000000001", "2026-10", "8000.00", "40"], ["33010000000002", "2026-10", "5000.01", ""]]
    )
    report = (await client.post(url, files={"file": ("d.xlsx", good)}, headers=h)).json()
    assert (
        report["committed"]
        and report["dues_lines"] == 2
        and report["paid"] == 4000
        and report["members_updated"] == 2
    )
    rows = {
        r["card_number"]: r
        for r in (
            await client.get("/api/v1/union/members", params={"org": ent, "month": "2026-10"}, headers=h)
        ).json()["items"]
    }
    assert rows["33010000000001"]["dues_status"] == "paid" and rows["33010000000001"]["dues_due"] == 4000
    assert rows["33010000000002"]["dues_status"] == "due" and rows["33010000000002"]["dues_due"] == 2500
    assert_problem(
        await client.post(url, files={"file": ("d.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")}, headers=h), 422
    )
    assert_problem(
        await client.post(
            f"/api/v1/union/orgs/{ent}/dues-imports",
            files={"file": ("d.xlsx", good)},
            headers=tree.headers["county"],
        ),
        404,
    )


async def test_demo_seed_gives_the_union_members_dues_and_funds(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    from core.orgs.demo import seed

    client, h = quntuan_client, quntuan_tree.headers["platform"]
    result = await seed(client.app.state.db, client.app.state.plugin_manager, "small", seed=3)
    root = str(result.root)
    page = (
        await client.get("/api/v1/union/members", params={"org": root, "month": "2026-06"}, headers=h)
    ).json()
    assert len(page["items"]) == 20 and page["next_cursor"]
    assert all(r["dues_status"] in ("paid", "due") and r["dues_due"] > 0 for r in page["items"])
    months = (
        await client.get(
            f"/api/v1/union/orgs/{root}/finance-summary",
            params={"first": "2026-04", "last": "2026-06"},
            headers=h,
        )
    ).json()["months"]
    assert [m["month"] for m in months] == ["2026-04", "2026-05", "2026-06"]
    assert all(0 < m["dues_arrears"] < m["dues_due"] for m in months) and months[-1]["funds_due"] > 0
