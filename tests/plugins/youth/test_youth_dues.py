"""团费 through HTTP: a provincial scheme of tiers, payments by tier, arrears and the shares kept and passed up."""

from __future__ import annotations

import datetime as dt
from typing import Any

from core.testkit import assert_problem, signals_emitted
from tests.plugins.youth.conftest import League

DUES = "/api/v1/youth/dues"
SCHEME = {
    "wage_bands": [
        {"up_to": "3000", "rate": "0.005"},
        {"up_to": "10000", "rate": "0.01"},
        {"up_to": None, "rate": "0.02"},
    ],
    "student_amount": "0.20",
    "no_income_amount": "0.50",
    "kept_share": "0.5",
}


async def pay(
    lg: League, member: dict[str, Any], month: str, category: str, who: str = "branch", **more: Any
) -> Any:
    body = {"member": member["id"], "month": month, "category": category, "channel": "cash", **more}
    return await lg.client.post(DUES, json=body, headers=lg.headers[who])


async def test_dues_by_tier_arrears_and_shares(league: League) -> None:
    lg = league
    month = dt.date.today().strftime("%Y-%m")
    worker, student, jobless = await lg.member("a1"), await lg.member("a1"), await lg.member("a1")
    party, unpaid = await lg.member("a1", party_member=True), await lg.member("a1")
    no_scheme = await pay(lg, worker, month, "student")
    assert_problem(no_scheme, 409)

    url = f"{DUES}/schemes/{lg.orgs['committee']['id']}"
    bad = {
        **SCHEME,
        "wage_bands": [
            {"up_to": "3000", "rate": "0.005"},
            {"up_to": "2000", "rate": "0.01"},
            {"up_to": None, "rate": "0.02"},
        ],
    }
    assert (
        assert_problem(await lg.client.put(url, json=bad, headers=lg.headers["committee"]), 422)["errors"][0][
            "code"
        ]
        == "youth_bands"
    )
    assert_problem(
        await lg.client.put(url, json={**SCHEME, "kept_share": "1.5"}, headers=lg.headers["committee"]), 422
    )
    assert_problem(await lg.client.put(url, json=SCHEME, headers=lg.headers["branch"]), 404)
    set_ = await lg.client.put(url, json=SCHEME, headers=lg.headers["committee"])
    assert set_.status_code == 201, set_.text
    applies = await lg.client.get(f"{DUES}/schemes/{lg.orgs['a1']['id']}", headers=lg.headers["branch"])
    assert applies.json()["id"] == set_.json()["id"]
    assert_problem(await lg.client.put(url, json=SCHEME, headers=lg.headers["committee"]), 428)

    assert_problem(await pay(lg, worker, month, "wage"), 422)  # the income is needed
    low = await pay(lg, worker, month, "wage", monthly_income="2800")
    assert low.status_code == 201, low.text
    assert (low.json()["amount"], low.json()["kept"], low.json()["passed_up"]) == ("14.00", "7.00", "7.00")
    assert_problem(await pay(lg, worker, month, "wage", monthly_income="2800"), 409)  # once a month
    previous = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    mid = await pay(lg, worker, previous, "wage", monthly_income="8000.50")
    assert mid.json()["amount"] == "80.01"
    assert (await pay(lg, student, month, "student")).json()["amount"] == "0.20"
    online = await pay(lg, jobless, month, "no_income", channel="online")
    assert assert_problem(online, 422)["errors"][0]["code"] == "youth_payment_ref"
    paid = await pay(lg, jobless, month, "no_income", channel="online", payment_ref="WX20261204001")
    assert paid.json()["amount"] == "0.50" and paid.json()["payment_ref"] == "WX20261204001"
    future = (dt.date.today().replace(day=28) + dt.timedelta(days=5)).strftime("%Y-%m")
    assert_problem(await pay(lg, student, future, "student"), 422)
    assert_problem(await pay(lg, student, "2026-13", "student"), 422)
    assert_problem(await pay(lg, student, month, "student", who="other"), 404)

    arrears = await lg.client.get(
        f"{DUES}/arrears",
        params={"org": lg.orgs["committee"]["id"], "month": month},
        headers=lg.headers["committee"],
    )
    assert [a["member"] for a in arrears.json()["items"]] == [
        unpaid["id"]
    ]  # the Party member pays Party dues
    assert party["id"] not in {a["member"] for a in arrears.json()["items"]}
    summary = await lg.client.get(
        f"{DUES}/summary",
        params={"org": lg.orgs["committee"]["id"], "period": month},
        headers=lg.headers["committee"],
    )
    assert summary.json() == {
        "org": lg.orgs["committee"]["id"],
        "period": month,
        "payments": 3,
        "total": "14.70",
        "kept": "7.35",
        "passed_up": "7.35",
    }
    year = await lg.client.get(
        f"{DUES}/summary",
        params={"org": lg.orgs["committee"]["id"], "period": month[:4]},
        headers=lg.headers["committee"],
    )
    assert year.json()["payments"] == (4 if previous[:4] == month[:4] else 3)
    assert_problem(
        await lg.client.get(
            f"{DUES}/summary",
            params={"org": lg.orgs["committee"]["id"], "period": month},
            headers=lg.headers["other"],
        ),
        404,
    )
    assert len(await signals_emitted("youth.dues_recorded")) == 4
