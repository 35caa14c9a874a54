"""Branch life (三会两制一课) through HTTP: meetings as the core's events with attendance from check-ins and
minutes recorded after; per-branch quarterly compliance against the rules; the yearly democratic
evaluation of members (民主评议) counted per branch."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.testkit import assert_problem as problem_of
from core.testkit import audit_entries, signals_emitted
from plugins.youth import rules
from tests.plugins.youth.conftest import League

SHANGHAI = ZoneInfo("Asia/Shanghai")


def assert_problem(response: Any, status: int, pointer: str | None = None) -> dict[str, Any]:
    """The testkit's check, and for a 422 the field it must name."""
    body = problem_of(response, status)
    if pointer is not None:
        assert pointer in [e["pointer"] for e in body.get("errors", [])], body
    return body


def shanghai_today() -> dt.date:
    return dt.datetime.now(SHANGHAI).date()


def previous_quarter() -> tuple[str, int, int]:
    """The last full quarter before today (Asia/Shanghai): its name, year and first month."""
    today = shanghai_today()
    number = (today.month - 1) // 3 + 1
    year, number = (today.year - 1, 4) if number == 1 else (today.year, number - 1)
    return f"{year}Q{number}", year, 3 * number - 2


async def meeting(
    lg: League,
    org: str,
    type_code: str,
    starts: dt.datetime,
    details: dict[str, Any] | None = None,
    *,
    publish: bool = True,
    headers: str = "committee",
) -> dict[str, Any]:
    created = await lg.client.post(
        "/api/v1/events",
        json={
            "type": type_code,
            "title": "组织生活",
            "org_id": lg.orgs[org]["id"] if org in lg.orgs else str(lg.tree.orgs[org]["id"]),
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
            "details": details if details is not None else {"topic": "学习团章", "agenda": ["学习", "讨论"]},
        },
        headers=lg.headers[headers] if headers in lg.headers else lg.tree.headers[headers],
    )
    assert created.status_code == 201, created.text
    event = created.json()
    if publish:
        published = await lg.client.post(
            f"/api/v1/events/{event['id']}/publish",
            headers=lg.headers[headers] if headers in lg.headers else lg.tree.headers[headers],
        )
        assert published.status_code == 200, published.text
    return event


async def attend(lg: League, event: dict[str, Any], person: str) -> None:
    url = f"/api/v1/events/{event['id']}/registrations"
    reg = await lg.client.post(url, json={"person_id": person}, headers=lg.headers["committee"])
    assert reg.status_code == 201, reg.text
    checked = await lg.client.post(
        f"/api/v1/events/{event['id']}/checkins",
        json={"registration_id": reg.json()["id"]},
        headers=lg.headers["committee"],
    )
    assert checked.status_code in (200, 201), checked.text


async def test_meeting_attendance_and_minutes(league: League) -> None:
    lg = league
    members = [await lg.member("a1") for _ in range(3)]
    guest = await lg.person("a1", "2000-01-01", name="列席")
    # a meeting under way (began an hour ago): registration is open until it ends, minutes may be taken
    began = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)

    bad = await lg.client.post(
        "/api/v1/events",
        json={
            "type": "youth.branch_assembly",
            "title": "支部大会",
            "org_id": lg.orgs["a1"]["id"],
            "starts_at": began.isoformat(),
            "ends_at": (began + dt.timedelta(hours=3)).isoformat(),
            "details": {"agenda": ["无主题"]},
        },
        headers=lg.headers["committee"],
    )
    assert_problem(bad, 422)

    event = await meeting(
        lg, "a1", "youth.branch_assembly", began, {"topic": "换届选举", "agenda": ["述职", "选举"]}
    )
    for m in members[:2]:
        await attend(lg, event, m["person"])
    await attend(lg, event, guest)

    url = f"/api/v1/youth/meetings/{event['id']}"
    got = await lg.client.get(url, headers=lg.headers["branch"])
    assert got.status_code == 200, got.text
    body = got.json()
    assert (body["type"], body["status"], body["attended"], body["members_attended"], body["members"]) == (
        "youth.branch_assembly",
        "held",
        3,
        2,
        3,
    )
    assert body["attendance_rate"] == round(2 / 3, 4)
    assert body["absent_members"] == [members[2]["person"]]
    assert set(body["attendees"]) == {members[0]["person"], members[1]["person"], guest}
    assert got.headers["etag"] == '"1"'
    assert_problem(await lg.client.get(url, headers=lg.headers["other"]), 404)

    minutes = {"minutes": "到会团员2名，列席1名。选举产生新一届支委会。", "resolutions": ["通过换届选举结果"]}
    assert_problem(await lg.client.put(f"{url}/minutes", json=minutes, headers=lg.headers["branch"]), 428)
    assert_problem(
        await lg.client.put(
            f"{url}/minutes", json=minutes, headers={**lg.headers["branch"], "If-Match": '"7"'}
        ),
        412,
    )
    assert_problem(
        await lg.client.put(
            f"{url}/minutes", json={"minutes": ""}, headers={**lg.headers["branch"], "If-Match": '"1"'}
        ),
        422,
        pointer="/minutes",
    )
    assert_problem(
        await lg.client.put(
            f"{url}/minutes",
            json={**minutes, "extra": 1},
            headers={**lg.headers["branch"], "If-Match": '"1"'},
        ),
        422,
    )
    assert_problem(
        await lg.client.put(
            f"{url}/minutes", json=minutes, headers={**lg.headers["other"], "If-Match": '"1"'}
        ),
        404,
    )
    recorded = await lg.client.put(
        f"{url}/minutes", json=minutes, headers={**lg.headers["branch"], "If-Match": '"1"'}
    )
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["minutes"] == minutes["minutes"]
    assert recorded.json()["resolutions"] == ["通过换届选举结果"] and recorded.headers["etag"] == '"2"'
    assert len(await signals_emitted("youth.minutes_recorded")) == 1
    assert len(await audit_entries("youth.meeting.minutes_recorded")) == 1

    # a meeting still to come takes no minutes; a cancelled one takes none either
    later = await meeting(lg, "a1", "youth.committee_meeting", dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert_problem(
        await lg.client.put(
            f"/api/v1/youth/meetings/{later['id']}/minutes",
            json=minutes,
            headers={**lg.headers["branch"], "If-Match": '"1"'},
        ),
        422,
        pointer="/minutes",
    )
    cancelled = await lg.client.post(f"/api/v1/events/{later['id']}/cancel", headers=lg.headers["committee"])
    assert cancelled.status_code == 200, cancelled.text
    assert (
        await lg.client.get(f"/api/v1/youth/meetings/{later['id']}", headers=lg.headers["branch"])
    ).json()["status"] == "cancelled"

    # an event that is not branch life is no meeting; nor is a draft
    draft = await meeting(lg, "a1", "youth.theme_day", began, {"theme": "五四"}, publish=False)
    assert_problem(
        await lg.client.get(f"/api/v1/youth/meetings/{draft['id']}", headers=lg.headers["branch"]), 404
    )

    listed = await lg.client.get(
        "/api/v1/youth/meetings",
        params={"org": lg.orgs["committee"]["id"], "type": "youth.branch_assembly"},
        headers=lg.headers["committee"],
    )
    assert listed.status_code == 200, listed.text
    assert [m["id"] for m in listed.json()["items"]] == [event["id"]]
    assert_problem(
        await lg.client.get(
            "/api/v1/youth/meetings",
            params={"org": lg.orgs["committee"]["id"], "type": "youth.volunteer_service"},
            headers=lg.headers["committee"],
        ),
        422,
    )
    assert_problem(
        await lg.client.get(
            "/api/v1/youth/meetings", params={"org": lg.orgs["committee"]["id"]}, headers=lg.headers["other"]
        ),
        404,
    )


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 19, 30, tzinfo=SHANGHAI)


def figures(item: dict[str, Any]) -> dict[str, tuple[int, int, int, bool]]:
    return {
        f["type"]: (f["held"], f["periods_met"], f["periods_required"], f["met"]) for f in item["figures"]
    }


async def test_quarterly_compliance(league: League, monkeypatch: pytest.MonkeyPatch) -> None:
    lg = league
    quarter, year, first = previous_quarter()
    m1, m2, m3 = first, first + 1, first + 2
    # 甲县一中团支部 (a1): 支委会 every month; 团小组会 twice in the first month and once in the third (the
    # second month missed); one 支部大会; its only 团课 cancelled; a 主题团日 (recorded, not required).
    for month in (m1, m2, m3):
        await meeting(lg, "a1", "youth.committee_meeting", at(year, month, 10))
    for month, day in ((m1, 5), (m1, 20), (m3, 8)):
        await meeting(
            lg, "a1", "youth.group_meeting", at(year, month, day), {"topic": "学习", "group": "一组"}
        )
    await meeting(lg, "a1", "youth.branch_assembly", at(year, m2, 15))
    lecture = await meeting(lg, "a1", "youth.league_lecture", at(year, m3, 12), {"topic": "团史"})
    assert (
        await lg.client.post(f"/api/v1/events/{lecture['id']}/cancel", headers=lg.headers["committee"])
    ).status_code == 200
    await meeting(lg, "a1", "youth.theme_day", at(year, m1, 4), {"theme": "五四青年节"})
    # outside the quarter, outside the subtree, or not a League org: none of it counts for a1 or a2
    await meeting(
        lg, "a1", "youth.league_lecture", at(year, m1, 1) - dt.timedelta(days=2), {"topic": "前一季度"}
    )
    await meeting(lg, "b1", "youth.league_lecture", at(year, m2, 1), {"topic": "乙县"}, headers="other")
    await meeting(
        lg, "county_a", "youth.league_lecture", at(year, m2, 2), {"topic": "非团组织"}, headers="platform"
    )

    url = "/api/v1/youth/meetings/compliance"
    params = {"org": lg.orgs["committee"]["id"], "quarter": quarter}
    report = await lg.client.get(url, params=params, headers=lg.headers["committee"])
    assert report.status_code == 200, report.text
    body = report.json()
    assert (body["quarter"], body["branches"], body["compliant"], body["in_progress"]) == (
        quarter,
        2,
        0,
        False,
    )
    assert body["starts_on"] == dt.date(year, m1, 1).isoformat()
    assert {r["type"]: (r["frequency"], r["periods"]) for r in body["rules"]} == {
        "youth.committee_meeting": ("monthly", 3),
        "youth.group_meeting": ("monthly", 3),
        "youth.branch_assembly": ("quarterly", 1),
        "youth.league_lecture": ("quarterly", 1),
    }
    by_org = {i["org"]: i for i in body["items"]}
    a1, a2 = by_org[lg.orgs["a1"]["id"]], by_org[lg.orgs["a2"]["id"]]
    assert len(body["items"]) == 2
    assert figures(a1) == {
        "youth.committee_meeting": (3, 3, 3, True),
        "youth.group_meeting": (3, 2, 3, False),
        "youth.branch_assembly": (1, 1, 1, True),
        "youth.league_lecture": (0, 0, 1, False),
    }
    assert a1["short"] == ["youth.group_meeting", "youth.league_lecture"] and not a1["compliant"]
    assert a1["behind"] == a1["short"]  # a past quarter: what fell short is missed
    assert a2["short"] == list(rules.BRANCH_LIFE_RULES) and all(f[0] == 0 for f in figures(a2).values())

    # the missing group meeting and a lecture make a1 whole; only a2 is left short
    await meeting(lg, "a1", "youth.group_meeting", at(year, m2, 25), {"topic": "补开"})
    await meeting(lg, "a1", "youth.league_lecture", at(year, m3, 20), {"topic": "团史"})
    body = (await lg.client.get(url, params=params, headers=lg.headers["committee"])).json()
    assert (body["branches"], body["compliant"]) == (2, 1)
    assert figures(next(i for i in body["items"] if i["org"] == lg.orgs["a1"]["id"]))[
        "youth.group_meeting"
    ] == (4, 3, 3, True)
    short = (
        await lg.client.get(url, params={**params, "short": "true"}, headers=lg.headers["committee"])
    ).json()
    assert [i["org"] for i in short["items"]] == [lg.orgs["a2"]["id"]] and short["branches"] == 2

    first_page = (
        await lg.client.get(url, params={**params, "limit": 1}, headers=lg.headers["committee"])
    ).json()
    # pages go by org path: both branches, one a page, neither twice
    assert len(first_page["items"]) == 1 and first_page["next_cursor"]
    second = (
        await lg.client.get(
            url,
            params={**params, "limit": 1, "cursor": first_page["next_cursor"]},
            headers=lg.headers["committee"],
        )
    ).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert {first_page["items"][0]["org"], second["items"][0]["org"]} == {
        lg.orgs["a1"]["id"],
        lg.orgs["a2"]["id"],
    }

    # the rules are the deployment's: with 主题团日 quarterly the only rule, a1 (which held one) complies
    monkeypatch.setattr(rules, "BRANCH_LIFE_RULES", {"youth.theme_day": "quarterly"})
    body = (await lg.client.get(url, params=params, headers=lg.headers["committee"])).json()
    assert {i["org"]: (i["compliant"], i["short"]) for i in body["items"]} == {
        lg.orgs["a1"]["id"]: (True, []),
        lg.orgs["a2"]["id"]: (False, ["youth.theme_day"]),
    }
    monkeypatch.undo()

    # the branch's own cadre sees its branch only; another county's cadre sees nothing of this one
    mine = (
        await lg.client.get(
            url, params={"org": lg.orgs["a1"]["id"], "quarter": quarter}, headers=lg.headers["branch"]
        )
    ).json()
    assert [i["org"] for i in mine["items"]] == [lg.orgs["a1"]["id"]]
    assert_problem(await lg.client.get(url, params=params, headers=lg.headers["branch"]), 404)
    assert_problem(await lg.client.get(url, params=params, headers=lg.headers["other"]), 404)
    assert_problem(
        await lg.client.get(url, params={**params, "quarter": "2026Q5"}, headers=lg.headers["committee"]),
        422,
        pointer="/quarter",
    )
    future = f"{shanghai_today().year + 1}Q1"
    assert_problem(
        await lg.client.get(url, params={**params, "quarter": future}, headers=lg.headers["committee"]),
        422,
        pointer="/quarter",
    )

    # the current quarter is reported while it runs
    current = (
        await lg.client.get(url, params={"org": lg.orgs["committee"]["id"]}, headers=lg.headers["committee"])
    ).json()
    today = shanghai_today()
    assert (
        current["quarter"] == f"{today.year}Q{(today.month - 1) // 3 + 1}" and current["in_progress"] is True
    )
    # while it runs, a branch with nothing held is behind on the monthly rules once a month of it is over,
    # and on the quarterly ones not before the quarter ends
    months_over = (today.month - 1) % 3
    quiet = next(i for i in current["items"] if i["org"] == lg.orgs["a2"]["id"])
    assert quiet["short"] == list(rules.BRANCH_LIFE_RULES)
    assert quiet["behind"] == (["youth.committee_meeting", "youth.group_meeting"] if months_over else [])


async def test_democratic_evaluation(league: League) -> None:
    lg = league
    year = shanghai_today().year
    a = [await lg.member("a1") for _ in range(3)]
    b = await lg.member("a2")
    other = await lg.member("b1")
    url = "/api/v1/youth/evaluations"

    def body(org: str, *grades: tuple[dict[str, Any], str, str], at_year: int = year) -> dict[str, Any]:
        return {
            "org": lg.orgs[org]["id"],
            "year": at_year,
            "grades": [{"member": m["id"], "grade": g, "note": n} for m, g, n in grades],
        }

    full = body("a1", (a[0], "excellent", ""), (a[1], "qualified", ""), (a[2], "unqualified", ""))
    assert_problem(
        await lg.client.post(url, json=full, headers=lg.headers["branch"]), 422, pointer="/grades/2/note"
    )
    assert_problem(
        await lg.client.post(url, json=body("a1", (a[0], "good", "")), headers=lg.headers["branch"]), 422
    )
    assert_problem(
        await lg.client.post(
            url,
            json=body("a1", (a[0], "qualified", ""), (a[0], "excellent", "")),
            headers=lg.headers["branch"],
        ),
        422,
        pointer="/grades/1/member",
    )
    assert_problem(
        await lg.client.post(url, json=body("a1", (b, "qualified", "")), headers=lg.headers["committee"]),
        422,
        pointer="/grades/0/member",
    )
    assert_problem(
        await lg.client.post(
            url, json=body("a1", (a[0], "qualified", ""), at_year=year + 1), headers=lg.headers["branch"]
        ),
        422,
        pointer="/year",
    )
    assert_problem(
        await lg.client.post(
            url, json=body("committee", (a[0], "qualified", "")), headers=lg.headers["committee"]
        ),
        422,
        pointer="/org",
    )
    assert_problem(
        await lg.client.post(url, json=body("a1", (a[0], "qualified", "")), headers=lg.headers["other"]), 404
    )
    assert_problem(
        await lg.client.post(url, json=body("a2", (b, "qualified", "")), headers=lg.headers["branch"]), 404
    )

    full["grades"][2]["note"] = "无故不参加组织生活超过六个月"
    recorded = await lg.client.post(url, json=full, headers=lg.headers["branch"])
    assert recorded.status_code == 201, recorded.text
    items = recorded.json()["items"]
    assert [(i["member"], i["grade"], i["number"]) for i in items] == [
        (a[0]["id"], "excellent", a[0]["number"]),
        (a[1]["id"], "qualified", a[1]["number"]),
        (a[2]["id"], "unqualified", a[2]["number"]),
    ]
    # one grade per member and year: a second is refused whole, even beside a fresh one
    assert_problem(
        await lg.client.post(url, json=body("a1", (a[0], "qualified", "")), headers=lg.headers["branch"]), 409
    )
    assert (
        await lg.client.post(
            url, json=body("a2", (b, "basically_qualified", "")), headers=lg.headers["committee"]
        )
    ).status_code == 201
    assert (
        await lg.client.post(url, json=body("b1", (other, "excellent", "")), headers=lg.headers["other"])
    ).status_code == 201
    # last year's evaluation is its own
    assert (
        await lg.client.post(
            url, json=body("a1", (a[2], "qualified", ""), at_year=year - 1), headers=lg.headers["branch"]
        )
    ).status_code == 201

    summary_url = f"{url}/summary"
    params = {"org": lg.orgs["committee"]["id"], "year": year}
    summary = (await lg.client.get(summary_url, params=params, headers=lg.headers["committee"])).json()
    assert {
        k: summary[k] for k in ("evaluated", "excellent", "qualified", "basically_qualified", "unqualified")
    } == {
        "evaluated": 4,
        "excellent": 1,
        "qualified": 1,
        "basically_qualified": 1,
        "unqualified": 1,
    }
    assert [
        (
            i["org"],
            i["members"],
            i["evaluated"],
            i["excellent"],
            i["qualified"],
            i["basically_qualified"],
            i["unqualified"],
        )
        for i in sorted(summary["items"], key=lambda i: i["org"] != lg.orgs["a1"]["id"])
    ] == [(lg.orgs["a1"]["id"], 3, 3, 1, 1, 0, 1), (lg.orgs["a2"]["id"], 1, 1, 0, 0, 1, 0)]
    assert_problem(await lg.client.get(summary_url, params=params, headers=lg.headers["other"]), 404)
    assert_problem(
        await lg.client.get(summary_url, params={"org": params["org"]}, headers=lg.headers["committee"]), 400
    )

    # a correction takes If-Match and moves the counts
    target = f"{url}/{items[2]['id']}"
    shown = await lg.client.get(target, headers=lg.headers["branch"])
    assert (shown.json()["grade"], shown.headers["etag"]) == ("unqualified", '"1"')
    assert_problem(await lg.client.get(target, headers=lg.headers["other"]), 404)
    assert_problem(
        await lg.client.patch(target, json={"grade": "qualified"}, headers=lg.headers["branch"]), 428
    )
    assert_problem(
        await lg.client.patch(
            target, json={"grade": "unqualified"}, headers={**lg.headers["branch"], "If-Match": '"1"'}
        ),
        422,
        pointer="/note",
    )
    assert_problem(
        await lg.client.patch(
            target, json={"grade": "qualified"}, headers={**lg.headers["other"], "If-Match": '"1"'}
        ),
        404,
    )
    fixed = await lg.client.patch(
        target, json={"grade": "qualified"}, headers={**lg.headers["branch"], "If-Match": '"1"'}
    )
    assert fixed.status_code == 200, fixed.text
    assert (fixed.json()["grade"], fixed.headers["etag"]) == ("qualified", '"2"')
    assert_problem(
        await lg.client.patch(
            target, json={"grade": "excellent"}, headers={**lg.headers["branch"], "If-Match": '"1"'}
        ),
        412,
    )
    summary = (await lg.client.get(summary_url, params=params, headers=lg.headers["committee"])).json()
    a1_grades = next(i for i in summary["items"] if i["org"] == lg.orgs["a1"]["id"])
    assert (summary["qualified"], summary["unqualified"], a1_grades["qualified"]) == (2, 0, 2)

    listed = await lg.client.get(
        url, params={**params, "grade": "qualified"}, headers=lg.headers["committee"]
    )
    assert sorted(i["member"] for i in listed.json()["items"]) == sorted([a[1]["id"], a[2]["id"]])
    assert_problem(await lg.client.get(url, params=params, headers=lg.headers["other"]), 404)
    # the grades are the member's personal data: exported with the person's records
    exported = await lg.client.get(
        f"/api/v1/persons/{a[0]['person']}/export", headers=lg.headers["committee"]
    )
    assert exported.status_code == 200, exported.text
    assert [(r["year"], r["grade"]) for r in exported.json()["tables"]["youth_evaluation"]] == [
        (year, "excellent")
    ]
    assert len(await signals_emitted("youth.member_evaluated")) == 3 + 1 + 1 + 1 + 1
    assert len(await audit_entries("youth.member.evaluated")) == 6
