"""Technology contests and awards through HTTP: a contest event, its placings; award campaigns."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

import plugins.scitech.hooks
from core.processes.tables import Notice
from core.sdk import EventInfo
from core.testkit import assert_problem, audit_entries, signals_emitted

from .conftest import decoded, make_person

CONTESTS = "/api/v1/scitech/contests"


async def test_contest_results(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, cadre, a = quntuan_client, scitech_orgs["headers"]["a"], scitech_orgs["a"]
    starts = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    made = await client.post(
        "/api/v1/events",
        json={
            "type": "scitech.tech_contest",
            "title": "数控车工技术比武",
            "org_id": a,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=6)).isoformat(),
            "details": {"field": "数控加工", "level": "county"},
        },
        headers=cadre,
    )
    assert made.status_code == 201, made.text
    event = made.json()["id"]
    assert (await client.post(f"/api/v1/events/{event}/publish", headers=cadre)).status_code == 200
    listed = (await client.get(CONTESTS, headers=cadre)).json()["items"]
    assert [(c["title"], c["field"], c["status"]) for c in listed] == [
        ("数控车工技术比武", "数控加工", "scheduled")
    ]
    contest = listed[0]["id"]
    url = f"{CONTESTS}/{contest}/results"
    placings = {
        "results": [
            {"entrant": "张工", "rank": 1, "award": "first", "score": "96.5"},
            {"entrant": "精工班组", "rank": 2, "award": "second"},
        ]
    }
    assert_problem(await client.put(url, json=placings, headers=cadre), 428)
    dup = {
        "results": [
            {"entrant": "甲", "rank": 1, "award": "first"},
            {"entrant": "乙", "rank": 1, "award": "first"},
        ]
    }
    assert [
        e["pointer"]
        for e in assert_problem(await client.put(url, json=dup, headers={**cadre, "If-Match": '"1"'}), 422)[
            "errors"
        ]
    ] == ["/results/1/rank"]
    assert_problem(
        await client.put(
            url,
            json={"results": [{"entrant": "甲", "rank": 1, "award": "gold"}]},
            headers={**cadre, "If-Match": '"1"'},
        ),
        422,
    )
    # a placing may name a person of the core: one within reach, not one of county B or nobody
    platform = quntuan_tree.headers["platform"]
    zhang = await make_person(client, platform, a, "张工")
    elsewhere = await make_person(client, platform, scitech_orgs["b"], "钱工")
    for person in (elsewhere, "00000000-0000-4000-8000-000000000000"):
        someone = {"results": [{"entrant": "钱工", "rank": 1, "award": "first", "person": person}]}
        refused = await client.put(url, json=someone, headers={**cadre, "If-Match": '"1"'})
        assert [(e["pointer"], e["code"]) for e in assert_problem(refused, 422)["errors"]] == [
            ("/results/0/person", "scitech_unknown_person")
        ]
    placings["results"][0]["person"] = zhang
    done = await client.put(url, json=placings, headers={**cadre, "If-Match": '"1"'})
    assert done.status_code == 200, done.text
    assert [(r["entrant"], r["award"], r["person"]) for r in done.json()["results"]] == [
        ("张工", "first", zhang),
        ("精工班组", "second", None),
    ]
    assert done.json()["status"] == "decided"
    again = await client.put(
        url, json={"results": placings["results"][:1]}, headers={**cadre, "If-Match": done.headers["etag"]}
    )
    assert [r["entrant"] for r in again.json()["results"]] == ["张工"]  # corrected: replaces
    assert len(await signals_emitted("scitech.contest_decided")) == 2
    assert len(await signals_emitted("scitech.contest_recorded")) == 1

    county = quntuan_tree.headers["county"]
    assert_problem(await client.get(f"{CONTESTS}/{contest}", headers=county), 404)
    assert_problem(await client.put(url, json=placings, headers={**county, "If-Match": '"3"'}), 404)
    assert (await client.get(CONTESTS, headers=county)).json()["items"] == []

    # a cancelled contest takes no placings
    assert (await client.post(f"/api/v1/events/{event}/cancel", headers=cadre)).status_code == 200
    now_tag = (await client.get(f"{CONTESTS}/{contest}", headers=cadre)).headers["etag"]
    cancelled = await client.put(url, json=placings, headers={**cadre, "If-Match": now_tag})
    assert assert_problem(cancelled, 422)["errors"][0]["code"] == "scitech_contest_cancelled"
    [signal] = await signals_emitted("scitech.contest_cancelled")
    assert (signal["resource_id"], decoded(signal["payload"])["org"]) == (contest, a)
    assert [e["resource_id"] for e in await audit_entries("scitech.contest.cancelled")] == [contest]
    # the hook delivered again writes nothing; the event brought back under a new title schedules
    # the contest again with its placings, audited and signalled
    event_body = (await client.get(f"/api/v1/events/{event}", headers=cadre)).json()
    await plugins.scitech.hooks.quntuan_event_cancelled(msgspec.convert(event_body, EventInfo))
    assert len(await signals_emitted("scitech.contest_cancelled")) == 1
    info = msgspec.convert({**event_body, "status": "published", "title": "数控铣工技术比武"}, EventInfo)
    await plugins.scitech.hooks.quntuan_event_published(info)
    await plugins.scitech.hooks.quntuan_event_published(info)
    back = (await client.get(f"{CONTESTS}/{contest}", headers=cadre)).json()
    assert (back["status"], back["title"], [r["entrant"] for r in back["results"]]) == (
        "scheduled",
        "数控铣工技术比武",
        ["张工"],
    )
    [signal] = await signals_emitted("scitech.contest_changed")
    assert signal["resource_id"] == contest
    [entry] = await audit_entries("scitech.contest.republished")
    assert decoded(entry["changes"])["fields"] == ["status", "title"]


async def test_award_campaigns_run_on_the_core(quntuan_client, quntuan_tree, scitech_orgs) -> None:  # type: ignore[no-untyped-def]
    client, city = quntuan_client, quntuan_tree.headers["city"]
    types = {t["code"] for t in (await client.get("/api/v1/selections/types", headers=city)).json()}
    assert {"scitech.innovation_award", "scitech.young_scientist_award"} <= types
    campaign = await client.post(
        "/api/v1/selections/campaigns",
        json={
            "type": "scitech.innovation_award",
            "org_id": scitech_orgs["city"],
            "title": "2026 年度科技创新奖",
            "honor_title": "科技创新奖",
            "levels": [{"quota": 3}, {"quota": 2}],
        },
        headers=city,
    )
    assert campaign.status_code == 201, campaign.text
    nominations = f"/api/v1/selections/campaigns/{campaign.json()['id']}/nominations"
    nominated = await client.post(
        nominations,
        json={
            "source": "org",
            "nominee_kind": "team",
            "org_id": scitech_orgs["city"],
            "nominee_name": "智能装备创新团队",
            "form": {"achievement": "高精度主轴", "discipline": "460", "summary": "研制并量产"},
        },
        headers=city,
    )
    assert nominated.status_code == 201, nominated.text
    bad_form = await client.post(
        nominations,
        json={
            "source": "org",
            "nominee_kind": "team",
            "org_id": scitech_orgs["city"],
            "nominee_name": "x",
            "form": {"achievement": "x"},
        },
        headers=city,
    )
    assert bad_form.status_code == 422, bad_form.text
    wrong_org = await client.post(
        "/api/v1/selections/campaigns",
        json={
            "type": "scitech.innovation_award",
            "org_id": str(quntuan_tree.orgs["city"]["id"]),
            "title": "x",
            "honor_title": "x",
            "levels": [{"quota": 1}],
        },
        headers=city,
    )
    assert wrong_org.status_code == 422, wrong_org.text


async def _stage(client: Any, headers: dict[str, str], campaign: str, to: str) -> Any:
    current = (await client.get(f"/api/v1/selections/campaigns/{campaign}", headers=headers)).json()
    moved = await client.post(
        f"/api/v1/selections/campaigns/{campaign}/stage",
        json={"stage": to},
        headers={**headers, "If-Match": f'"{current["version"]}"'},
    )
    assert moved.status_code == 200, moved.text
    return moved.json()


async def _review(client: Any, headers: dict[str, str], nomination: str, action: str) -> Any:
    return await client.post(
        f"/api/v1/selections/nominations/{nomination}/review", json={"action": action}, headers=headers
    )


async def test_an_innovation_award_runs_into_the_honors_register(  # type: ignore[no-untyped-def]
    quntuan_client, quntuan_tree, scitech_orgs
) -> None:
    """The city association's 科技创新奖: a society nominates two persons with a quota of one, the city
    adds a team, selects, publishes the notice (公示) and, once it closed, decides: the winners are in the
    core's honors register at the right level and year."""
    client, city, platform = quntuan_client, quntuan_tree.headers["city"], quntuan_tree.headers["platform"]
    association, society = scitech_orgs["city"], scitech_orgs["society"]
    year = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year
    made = await client.post(
        "/api/v1/selections/campaigns",
        json={
            "type": "scitech.innovation_award",
            "org_id": association,
            "title": f"{year} 年度科技创新奖",
            "honor_title": "科技创新奖",
            "year": year,
            "levels": [{"quota": 2}, {"quota": 1}],
        },
        headers=city,
    )
    assert made.status_code == 201, made.text
    campaign = made.json()["id"]
    nominations = f"/api/v1/selections/campaigns/{campaign}/nominations"
    form = {"achievement": "高精度主轴", "discipline": "460", "summary": "研制并量产，替代进口"}
    people = [await make_person(client, platform, society, name) for name in ("赵博士", "孙研究员")]
    filed = []
    for person, name in zip(people, ("赵博士", "孙研究员"), strict=True):
        nominated = await client.post(
            nominations,
            json={
                "source": "org",
                "nominee_kind": "person",
                "org_id": society,
                "nominee_person_id": person,
                "nominee_name": name,
                "form": form,
            },
            headers=city,
        )
        assert nominated.status_code == 201, nominated.text
        assert nominated.json()["level"] == 1  # filed at the society, a level below the association
        filed.append(nominated.json()["id"])
    team = await client.post(
        nominations,
        json={
            "source": "org",
            "nominee_kind": "team",
            "org_id": association,
            "nominee_name": "智能装备创新团队",
            "form": {**form, "achievement": "五轴联动数控系统"},
        },
        headers=city,
    )
    assert team.status_code == 201, team.text
    bad_discipline = await client.post(
        nominations,
        json={
            "source": "org",
            "nominee_kind": "team",
            "org_id": association,
            "nominee_name": "x",
            "form": {**form, "discipline": "4600000"},
        },
        headers=city,
    )
    assert assert_problem(bad_discipline, 422)["errors"][0]["pointer"] == "/form/discipline"

    # The society forwards one of its two (its quota); county A's association reaches none of it.
    await _stage(client, city, campaign, "reviewing")
    cadre_a = scitech_orgs["headers"]["a"]
    assert (await _review(client, cadre_a, filed[0], "forward")).status_code in (403, 404)
    assert (await _review(client, city, filed[0], "forward")).status_code == 200
    full = await _review(client, city, filed[1], "forward")
    assert assert_problem(full, 409)["type"].endswith("selection-quota-full")

    await _stage(client, city, campaign, "selecting")
    for nomination in (filed[0], team.json()["id"]):
        selected = await _review(client, city, nomination, "select")
        assert selected.status_code == 200, selected.text
    noticed = await _stage(client, city, campaign, "notice")
    notice = (await client.get(f"/api/v1/notices/{noticed['notice_id']}", headers=city)).json()
    assert len(notice["entries"]) == 2
    current = (await client.get(f"/api/v1/selections/campaigns/{campaign}", headers=city)).json()
    early = await client.post(
        f"/api/v1/selections/campaigns/{campaign}/decision",
        json={},
        headers={**city, "If-Match": f'"{current["version"]}"'},
    )
    assert_problem(early, 409)
    # Let the notice window pass (its clock is the notice's own rows).
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    await (
        Notice.update({Notice.opens_at: past - dt.timedelta(days=5), Notice.closes_at: past})
        .where(Notice.id == noticed["notice_id"])
        .run()
    )
    decided = await client.post(
        f"/api/v1/selections/campaigns/{campaign}/decision",
        json={},
        headers={**city, "If-Match": f'"{current["version"]}"'},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["stage"] == "decided"

    honors = (await client.get("/api/v1/honors", params={"org": association}, headers=city)).json()["items"]
    assert sorted((h["title"], h["level"], h["year"]) for h in honors) == [("科技创新奖", "city", year)] * 2
    mine = (await client.get(f"/api/v1/persons/{people[0]}/honors", headers=city)).json()["items"]
    assert [(h["title"], h["source"]) for h in mine] == [("科技创新奖", "selection")]
    assert (await client.get(f"/api/v1/persons/{people[1]}/honors", headers=city)).json()["items"] == []
    assert len(await signals_emitted("honor.awarded")) == 2
    assert len(await signals_emitted("selection.decided")) == 1
    # County A's association sees nothing of the city association's register.
    outside = await client.get("/api/v1/honors", params={"org": association}, headers=cadre_a)
    assert outside.status_code == 200 and outside.json()["items"] == []
    assert_problem(await client.get(f"/api/v1/persons/{people[0]}/honors", headers=cadre_a), 404)
