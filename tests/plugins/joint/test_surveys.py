"""Needs surveys: a quarterly run answered once per person (a double submit at the same moment counts
once), results per subtree equal to hand counts, text answers only for their readers and never with
names, the workbook, services citing the needs, bad input, a sibling subtree refused."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from core.testkit import assert_problem, audit_entries, signals_emitted
from tests.plugins.joint.helpers import API, make_org, person, post

QUESTIONS = [
    {
        "code": "need",
        "kind": "single",
        "text": "您最需要哪类服务",
        "options": [
            {"code": "legal", "label": "法律援助"},
            {"code": "care", "label": "托幼托老"},
            {"code": "jobs", "label": "就业帮扶"},
        ],
    },
    {
        "code": "time",
        "kind": "multiple",
        "text": "方便的服务时间",
        "options": [
            {"code": "weekday", "label": "工作日白天"},
            {"code": "weekend", "label": "周末"},
            {"code": "evening", "label": "晚上"},
        ],
    },
    {"code": "satisfaction", "kind": "rating", "text": "对现有服务的满意度"},
    {"code": "advice", "kind": "text", "text": "其他建议", "required": False},
]


def _quarter() -> str:
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _answers(need: str, times: list[str], rating: int, advice: str | None = None) -> dict:
    answers = [
        {"question": "need", "option": need},
        {"question": "time", "options": times},
        {"question": "satisfaction", "rating": rating},
    ]
    if advice is not None:
        answers.append({"question": "advice", "text": advice})
    return {"answers": answers}


def _question(results: dict, code: str) -> dict:
    return next(q for q in results["questions"] if q["code"] == code)


def _counts(results: dict, code: str) -> dict[str, int]:
    return {o["code"]: o["count"] for o in _question(results, code)["options"]}


async def test_a_quarterly_survey_counted_per_subtree(quntuan_client, quntuan_tree):
    c, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    county = tree.orgs["county_a"]["id"]
    v1 = await make_org(c, h, county, "party.committee", "东街社区党委", level="village")
    v2 = await make_org(c, h, county, "party.committee", "西街社区党委", level="village")
    union = await make_org(c, h, county, "union.federation", "甲县总工会")
    office = await tree.holder_of(c, "joint.council_office", "county_a")

    # bad input: repeated codes, a choice of one option, a rating with options, an unknown field
    for questions in (
        [QUESTIONS[2], QUESTIONS[2]],
        [{**QUESTIONS[0], "options": QUESTIONS[0]["options"][:1]}],
        [{**QUESTIONS[2], "options": QUESTIONS[0]["options"]}],
        [{**QUESTIONS[2], "weight": 2}],
        [],
    ):
        bad = await c.post(
            f"{API}/surveys",
            json={"org_id": str(county), "title": "x", "questions": questions},
            headers=office,
        )
        assert_problem(bad, 422)
    survey = await post(
        c,
        f"{API}/surveys",
        {"org_id": str(county), "title": "2026年第四季度群众需求调查", "questions": QUESTIONS},
        office,
    )
    assert survey["audience"] == "region" and [q["code"] for q in survey["questions"]] == [
        "need",
        "time",
        "satisfaction",
        "advice",
    ]
    assert_problem(
        await c.post(f"{API}/surveys/{survey['id']}/runs", json={"period": "2026Q5"}, headers=office), 422
    )
    run = await post(c, f"{API}/surveys/{survey['id']}/runs", {}, office)
    assert (run["period"], run["status"], run["responses"]) == (_quarter(), "open", 0)
    assert_problem(
        await c.post(f"{API}/surveys/{survey['id']}/runs", json={}, headers=office), 409, "joint-run-open"
    )

    people = {}
    for key, org in (("p1", v1), ("p2", v1), ("p3", v1), ("p4", v2), ("p5", v2)):
        people[key] = await person(c, h, org["id"], f"居民{key}")
    _, outsider = await person(c, h, tree.orgs["county_b"]["id"], "乙县居民")
    url = f"{API}/survey-runs/{run['id']}/responses"

    # bad answers: no such question, a single choice given two, an option not offered, a rating of 6, a
    # required question left out, one question twice, an empty text
    p1 = people["p1"][1]
    for body in (
        {"answers": [*_answers("legal", ["weekday"], 5)["answers"], {"question": "mood", "rating": 3}]},
        {
            "answers": [
                {"question": "need", "options": ["legal", "care"]},
                *_answers("legal", ["weekday"], 5)["answers"][1:],
            ]
        },
        _answers("legal", ["weekday", "never"], 5),
        _answers("legal", ["weekday"], 6),
        {"answers": _answers("legal", ["weekday"], 5)["answers"][:2]},
        {"answers": [*_answers("legal", ["weekday"], 5)["answers"], {"question": "need", "option": "care"}]},
        _answers("legal", ["weekday"], 5, advice="   "),
        _answers("legal", ["weekday", "weekday"], 5),
    ):
        assert_problem(await c.post(url, json=body, headers=p1), 422)
    assert_problem(await c.post(url, json=_answers("legal", ["weekday"], 5), headers=outsider), 404)
    assert_problem(
        await c.post(url, json=_answers("legal", ["weekday"], 5), headers=h), 403, "joint-survey-not-for-you"
    )

    answered = [
        ("p1", _answers("legal", ["weekday", "evening"], 5, advice="希望增加法律讲座")),
        ("p2", _answers("legal", ["weekend"], 4)),
        ("p3", _answers("care", ["weekend", "evening"], 3, advice="=SUM(A1)")),
        ("p4", _answers("jobs", ["weekday"], 2)),
    ]
    for key, body in answered:
        response = await c.post(url, json=body, headers=people[key][1])
        assert response.status_code == 201, response.text
    # the fifth answers twice at the same moment: one counts
    twice = await asyncio.gather(
        *(c.post(url, json=_answers("legal", ["evening"], 5), headers=people["p5"][1]) for _ in range(2))
    )
    assert sorted(r.status_code for r in twice) == [201, 409], [r.text for r in twice]
    assert_problem(next(r for r in twice if r.status_code == 409), 409, "joint-already-responded")
    assert_problem(
        await c.post(url, json=_answers("care", ["weekday"], 1), headers=p1), 409, "joint-already-responded"
    )

    mine = (await c.get(f"{API}/me/survey-runs", headers=p1)).json()
    assert [(r["id"], r["answered"]) for r in mine] == [(run["id"], True)]
    assert (await c.get(f"{API}/me/survey-runs", headers=outsider)).json() == []

    # hand counts: the county, then each community
    res = (await c.get(f"{API}/survey-runs/{run['id']}/results", headers=office)).json()
    assert res["responses"] == 5 and res["texts_shown"]
    assert _counts(res, "need") == {"legal": 3, "care": 1, "jobs": 1}
    assert [o["share"] for o in _question(res, "need")["options"]] == [0.6, 0.2, 0.2]
    assert _counts(res, "time") == {"weekday": 2, "weekend": 2, "evening": 3}
    rating = _question(res, "satisfaction")
    assert (rating["ratings"], rating["average_rating"], rating["answered"]) == ([0, 1, 1, 1, 2], 3.8, 5)
    assert _question(res, "advice")["texts"] == ["=SUM(A1)", "希望增加法律讲座"]
    assert _question(res, "advice")["answered"] == 2
    east = (
        await c.get(f"{API}/survey-runs/{run['id']}/results", params={"org_id": v1["id"]}, headers=office)
    ).json()
    assert east["responses"] == 3
    assert _counts(east, "need") == {"legal": 2, "care": 1, "jobs": 0}
    assert _counts(east, "time") == {"weekday": 1, "weekend": 2, "evening": 2}
    assert _question(east, "satisfaction")["average_rating"] == 4.0
    west = (
        await c.get(f"{API}/survey-runs/{run['id']}/results", params={"org_id": v2["id"]}, headers=office)
    ).json()
    assert (west["responses"], _counts(west, "need"), _question(west, "satisfaction")["average_rating"]) == (
        2,
        {"legal": 1, "care": 0, "jobs": 1},
        3.5,
    )
    assert _question(west, "advice")["texts"] == []
    # no names anywhere; text answers only for their readers
    for name in ("居民p1", "居民p3"):
        assert name not in str(res)
    reader = await tree.holder_of(c, "joint.service_manager", "county_a")
    counted = (await c.get(f"{API}/survey-runs/{run['id']}/results", headers=reader)).json()
    assert not counted["texts_shown"] and _question(counted, "advice")["texts"] is None
    assert _counts(counted, "need") == {"legal": 3, "care": 1, "jobs": 1}
    assert_problem(
        await c.get(
            f"{API}/survey-runs/{run['id']}/results",
            params={"org_id": str(tree.orgs["county_b"]["id"])},
            headers=h,
        ),
        422,
    )

    # the menu's planning: a service citing the legal-aid need; the results count it
    service = await post(
        c,
        f"{API}/services",
        {
            "org_id": union["id"],
            "title": "社区法律服务日",
            "answers": [{"survey_id": survey["id"], "question": "need", "option": "legal"}],
        },
        h,
    )
    assert service["answers"] == [{"survey_id": survey["id"], "question": "need", "option": "legal"}]
    for cite in (
        {"survey_id": survey["id"], "question": "need", "option": "pets"},
        {"survey_id": survey["id"], "question": "mood"},
        {"survey_id": survey["id"], "question": "satisfaction", "option": "legal"},
        {"survey_id": str(uuid.uuid4()), "question": "need"},
    ):
        wrong = await c.post(
            f"{API}/services", json={"org_id": union["id"], "title": "x", "answers": [cite]}, headers=h
        )
        assert assert_problem(wrong, 422)["errors"][0]["code"] == "joint_need_unknown"
    far = await make_org(c, h, tree.orgs["county_b"]["id"], "union.federation", "乙县总工会")
    beyond = await c.post(
        f"{API}/services",
        json={
            "org_id": far["id"],
            "title": "x",
            "answers": [{"survey_id": survey["id"], "question": "need"}],
        },
        headers=tree.headers["province"],
    )
    assert beyond.status_code == 201  # the province reads the county's survey: it may plan with it
    res = (await c.get(f"{API}/survey-runs/{run['id']}/results", headers=office)).json()
    legal = next(o for o in _question(res, "need")["options"] if o["code"] == "legal")
    assert (legal["count"], legal["services"]) == (3, 1)
    assert _question(res, "need")["services"] == 0  # the other county's service is not in this region

    # the workbook: the same counts; formula-like texts stay text
    book = await c.get(f"{API}/survey-runs/{run['id']}/results/xlsx", headers=office)
    assert book.status_code == 200, book.text
    sheets = load_workbook(io.BytesIO(book.content)).worksheets
    rows = [[cell.value for cell in row] for row in sheets[0].iter_rows()]
    assert rows[0] == ["2026年第四季度群众需求调查", None, None, None, None]
    assert rows[1][:4] == ["期次", _quarter(), "答卷数", 5]
    assert ["您最需要哪类服务", "法律援助", 3, 0.6, 1] in rows
    assert ["方便的服务时间", "晚上", 3, 0.6, 0] in rows
    assert ["对现有服务的满意度", "平均分", 3.8, None, None] in rows
    texts = [[cell.value for cell in row] for row in sheets[1].iter_rows(min_row=2)]
    assert texts == [["其他建议", "'=SUM(A1)"], ["其他建议", "希望增加法律讲座"]]
    plain = await c.get(f"{API}/survey-runs/{run['id']}/results/xlsx", headers=reader)
    assert len(load_workbook(io.BytesIO(plain.content)).worksheets) == 1

    # closing: no more answers; the quarter is taken; the questions are fixed now
    closed = await post(c, f"{API}/survey-runs/{run['id']}/close", {}, office, status=200)
    assert (closed["status"], closed["responses"]) == ("closed", 5)
    _, late = await person(c, h, v2["id"], "晚到居民")
    assert_problem(
        await c.post(url, json=_answers("legal", ["weekday"], 5), headers=late), 409, "joint-run-closed"
    )
    assert_problem(await c.post(f"{API}/survey-runs/{run['id']}/close", json={}, headers=office), 409)
    assert_problem(
        await c.post(f"{API}/surveys/{survey['id']}/runs", json={"period": _quarter()}, headers=office),
        409,
        "joint-run-exists",
    )
    current = await c.get(f"{API}/surveys/{survey['id']}", headers=office)
    assert_problem(
        await c.patch(
            f"{API}/surveys/{survey['id']}",
            json={"questions": QUESTIONS[:1]},
            headers={**office, "If-Match": current.headers["etag"]},
        ),
        409,
        "joint-questions-fixed",
    )
    runs = (await c.get(f"{API}/surveys/{survey['id']}/runs", headers=office)).json()["items"]
    assert [(r["period"], r["responses"]) for r in runs] == [(_quarter(), 5)]

    # the statistics: this quarter's responses of the region
    pic = (await c.get(f"{API}/picture/{county}", params={"fresh": "true"}, headers=h)).json()
    own = {
        f["code"]: f["value"] for col in pic["columns"] if col["plugin"] == "joint" for f in col["figures"]
    }
    assert (own["joint.surveys_active"], own["joint.survey_responses_quarter"]) == (1, 5)

    assert len(await signals_emitted("joint.survey_run_opened")) == 1
    assert len(await signals_emitted("joint.survey_run_closed")) == 1
    assert len(await audit_entries("joint.survey.responded")) == 5


async def test_a_members_survey_and_a_sibling_subtree(quntuan_client, quntuan_tree):
    c, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    county = tree.orgs["county_a"]["id"]
    federation = await make_org(c, h, county, "union.federation", "甲县总工会")
    grassroots = await make_org(c, h, federation["id"], "union.grassroots", "机械厂工会", level="unit")
    survey = await post(
        c,
        f"{API}/surveys",
        {
            "org_id": federation["id"],
            "title": "职工需求调查",
            "audience": "members",
            "questions": [QUESTIONS[2]],
        },
        h,
    )
    run = await post(c, f"{API}/surveys/{survey['id']}/runs", {"period": "2026Q4"}, h)
    pid, worker = await person(c, h, county, "职工甲")
    url = f"{API}/survey-runs/{run['id']}/responses"
    body = {"answers": [{"question": "satisfaction", "rating": 4}]}
    assert_problem(await c.post(url, json=body, headers=worker), 404)  # not a member: not asked
    assert_problem(await c.get(f"{API}/survey-runs/{run['id']}", headers=worker), 404)
    await post(c, f"/api/v1/orgs/{grassroots['id']}/members", {"person": pid}, h)
    assert (await c.get(f"{API}/survey-runs/{run['id']}", headers=worker)).json()["answered"] is False
    assert (await c.post(url, json=body, headers=worker)).status_code == 201
    res = (
        await c.get(f"{API}/survey-runs/{run['id']}/results", params={"org_id": grassroots["id"]}, headers=h)
    ).json()
    assert res["responses"] == 1  # counted under the grassroots union it is a member of

    b = await tree.holder_of(c, "joint.council_office", "county_b")
    assert (await c.get(f"{API}/surveys", headers=b)).json()["items"] == []
    assert_problem(await c.get(f"{API}/surveys/{survey['id']}", headers=b), 404)
    assert_problem(await c.get(f"{API}/surveys/{survey['id']}/runs", headers=b), 404)
    assert_problem(
        await c.patch(f"{API}/surveys/{survey['id']}", json={"title": "x"}, headers={**b, "If-Match": "*"}),
        404,
    )
    assert_problem(await c.post(f"{API}/surveys/{survey['id']}/runs", json={}, headers=b), 404)
    assert_problem(await c.get(f"{API}/survey-runs/{run['id']}", headers=b), 404)
    assert_problem(await c.get(f"{API}/survey-runs/{run['id']}/results", headers=b), 404)
    assert_problem(await c.get(f"{API}/survey-runs/{run['id']}/results/xlsx", headers=b), 404)
    assert_problem(await c.post(f"{API}/survey-runs/{run['id']}/close", json={}, headers=b), 404)
    assert_problem(await c.post(url, json=body, headers=b), 404)
    assert_problem(
        await c.post(
            f"{API}/surveys",
            json={"org_id": federation["id"], "title": "越界", "questions": [QUESTIONS[2]]},
            headers=b,
        ),
        404,
    )
