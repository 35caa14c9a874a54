"""Decision consulting through HTTP: topic → assigned experts → drafts → submitted report → adoption."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from core.testkit import assert_problem, signals_emitted

PROCESSES = "/api/v1/processes"
EXPERTS = "/api/v1/scitech/experts"
CONSULTING = "/api/v1/scitech/consulting"


async def step(
    client: Any, headers: dict[str, str], process: dict[str, Any], transition: str, **form: Any
) -> Any:
    body: dict[str, Any] = {"transition": transition, "form": form}
    if "comment" in form:
        body["comment"] = form.pop("comment")
        body["form"] = form
    return await client.post(
        f"{PROCESSES}/{process['id']}/transitions",
        json=body,
        headers={**headers, "If-Match": f'"{process["version"]}"'},
    )


async def open_topic(client: Any, headers: dict[str, str], org: str, **form: Any) -> dict[str, Any]:
    topic = {
        "title": "关于加快本市人工智能产业发展的建议",
        "source": "government",
        "source_body": "市发改委",
        "discipline": "52020",
        **form,
    }
    response = await client.post(
        PROCESSES, json={"type": "scitech.consulting", "org_id": org, "form": topic}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_topic_to_adoption(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, cadre, a = quntuan_client, scitech_orgs["headers"]["a"], scitech_orgs["a"]
    ids = []
    for name, extra in [("钱一", {}), ("孙二", {"max_engagements": 1}), ("李三", {"willing": False})]:
        made = await client.post(
            EXPERTS, json={"org": a, "name": name, "disciplines": ["52020"], **extra}, headers=cadre
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    in_b = await client.post(
        EXPERTS,
        json={"org": scitech_orgs["b"], "name": "外县专家", "disciplines": ["520"]},
        headers=quntuan_tree.headers["city"],
    )

    # a member of the public proposes a topic to the association: the member applies for themself
    topic = await open_topic(
        client, quntuan_tree.headers["member"], a, source="member", source_body="会员提案"
    )
    assert topic["state"] == "proposed"
    assert_problem(
        await client.post(
            PROCESSES,
            json={
                "type": "scitech.consulting",
                "org_id": a,
                "form": {"title": "x", "source": "member", "discipline": "99999"},
            },
            headers=cadre,
        ),
        422,
    )
    # the party committee above is not a think tank
    wrong = await client.post(
        PROCESSES,
        json={
            "type": "scitech.consulting",
            "org_id": str(quntuan_tree.orgs["city"]["id"]),
            "form": {"title": "x", "source": "member", "discipline": "520"},
        },
        headers=quntuan_tree.headers["city"],
    )
    assert wrong.status_code == 422, wrong.text

    # assigning: unknown, out of reach and unwilling experts are refused; nothing changes
    for experts, pointer in [([ids[0], in_b.json()["id"]], "/form/experts/1"), ([ids[2]], "/form/experts/0")]:
        refused = await step(client, cadre, topic, "assign", experts=experts)
        assert [e["pointer"] for e in assert_problem(refused, 422)["errors"]] == [pointer], refused.text
    lead_outside = await step(client, cadre, topic, "assign", experts=[ids[0]], lead=ids[1])
    assert assert_problem(lead_outside, 422)["errors"][0]["code"] == "scitech_lead_not_assigned"
    # the member cannot assign
    assert_problem(await step(client, quntuan_tree.headers["member"], topic, "assign", experts=[ids[0]]), 403)

    assigned = await step(client, cadre, topic, "assign", experts=[ids[0], ids[1]], lead=ids[1])
    assert assigned.status_code == 200, assigned.text
    topic = assigned.json()
    assert topic["state"] == "researching"
    sun = (await client.get(f"{EXPERTS}/{ids[1]}", headers=cadre)).json()
    assert (sun["engagements"], sun["available"]) == (1, False)
    matched = await client.post(f"{EXPERTS}/match", json={"org": a, "discipline": "52020"}, headers=cadre)
    assert [m["expert"]["name"] for m in matched.json()] == ["钱一"]  # 孙二 is full, 李三 unwilling

    for text in ("初稿：现状与问题", "修改稿：补充对策建议"):
        drafted = await step(client, cadre, topic, "draft", summary=text)
        assert drafted.status_code == 200, drafted.text
        topic = drafted.json()
    submitted = await step(
        client, cadre, topic, "submit", title="人工智能产业发展对策建议", submitted_to="市委办公室"
    )
    assert submitted.status_code == 200, submitted.text
    topic = submitted.json()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    too_soon = await step(
        client, cadre, topic, "adopt", kind="instruction", adopted_by="市委", level="city", adopted_on=future
    )
    assert assert_problem(too_soon, 422)["errors"][0]["pointer"] == "/form/adopted_on"
    today = dt.date.today().isoformat()
    adopted = await step(
        client,
        cadre,
        topic,
        "adopt",
        kind="instruction",
        adopted_by="市委主要领导",
        level="city",
        adopted_on=today,
    )
    assert adopted.status_code == 200, adopted.text
    assert (adopted.json()["state"], adopted.json()["outcome"]) == ("adopted", "approved")

    dossier = (await client.get(f"{CONSULTING}/topics/{topic['id']}", headers=cadre)).json()
    assert [(e["name"], e["lead"], e["released_at"] is not None) for e in dossier["experts"]] == [
        ("钱一", False, True),
        ("孙二", True, True),
    ]
    assert [d["number"] for d in dossier["drafts"]] == [1, 2]
    assert (
        dossier["report"]["adoption"] == "instruction" and dossier["report"]["adopted_by"] == "市委主要领导"
    )
    assert (await client.get(f"{EXPERTS}/{ids[1]}", headers=cadre)).json()["available"] is True  # released

    year = dt.date.today().year
    figures = (await client.get(f"{CONSULTING}/figures", params={"org": a}, headers=cadre)).json()
    assert figures["years"] == [{"year": year, "reports": 1, "adopted": 1, "instructions": 1, "adoptions": 0}]
    city_figures = await client.get(
        f"{CONSULTING}/figures", params={"org": scitech_orgs["city"]}, headers=quntuan_tree.headers["city"]
    )
    assert city_figures.json()["years"] == []  # the county association is not below the city's association
    reports = (
        await client.get(f"{CONSULTING}/reports", params={"year": year, "adopted": True}, headers=cadre)
    ).json()
    assert [r["title"] for r in reports] == ["人工智能产业发展对策建议"]
    stats = (await client.get(f"/api/v1/orgs/{a}/statistics", headers=cadre)).json()
    text = str(stats)
    assert "scitech.consulting_adopted_year" in text and "scitech.experts" in text
    assert [
        json.loads(s["payload"])["adoption"] if isinstance(s["payload"], str) else s["payload"]["adoption"]
        for s in await signals_emitted("scitech.report_adopted")
    ] == ["instruction"]
    assert len(await signals_emitted("scitech.report_submitted")) == 1

    # another subtree's cadre sees none of it
    other = scitech_orgs["headers"]["a"]
    assert (await client.get(f"{CONSULTING}/topics/{topic['id']}", headers=other)).status_code == 200
    county_b_view = await client.get(
        f"{CONSULTING}/figures", params={"org": a}, headers=quntuan_tree.headers["county"]
    )
    assert_problem(county_b_view, 404)
    assert_problem(
        await client.get(f"{CONSULTING}/topics/{topic['id']}", headers=quntuan_tree.headers["county"]), 404
    )


async def test_declined_and_archived_topics(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, cadre, a = quntuan_client, scitech_orgs["headers"]["a"], scitech_orgs["a"]
    expert = (
        await client.post(
            EXPERTS,
            json={"org": a, "name": "周四", "disciplines": ["210"], "max_engagements": 1},
            headers=cadre,
        )
    ).json()
    topic = await open_topic(client, cadre, a, discipline="210")
    assert_problem(await step(client, cadre, topic, "decline"), 422)  # a reason is required
    declined = await step(client, cadre, topic, "decline", comment="不属于本会研究范围")
    assert declined.json()["state"] == "declined"

    topic = await open_topic(client, cadre, a, discipline="210")
    topic = (await step(client, cadre, topic, "assign", experts=[expert["id"]])).json()
    topic = (await step(client, cadre, topic, "submit", title="报告", submitted_to="市农业农村局")).json()
    archived = await step(client, cadre, topic, "archive")
    assert archived.json()["state"] == "archived"
    assert (await client.get(f"{EXPERTS}/{expert['id']}", headers=cadre)).json()["engagements"] == 0
    figures = (await client.get(f"{CONSULTING}/figures", params={"org": a}, headers=cadre)).json()
    assert [(y["reports"], y["adopted"]) for y in figures["years"]] == [(1, 0)]
    stale = await client.post(
        f"{PROCESSES}/{topic['id']}/transitions",
        json={"transition": "archive", "form": {}},
        headers={**cadre, "If-Match": '"1"'},
    )
    assert stale.status_code in (409, 412, 422), stale.text
