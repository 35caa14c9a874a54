"""Labour and skills competitions (劳动竞赛, 技能比武) through HTTP: a union publishes the event, records the
results per participant or team after it, publishes and corrects them; who reads them when."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from core.testkit import assert_problem, audit_entries, signals_emitted
from tests.plugins.union.conftest import make_person
from tests.plugins.union.test_union_work import county


async def competition(
    client: Any,
    h: dict[str, str],
    org: str,
    *,
    ended: bool = True,
    team: bool = False,
    visibility: str = "public",
    title: str = "焊工技能比武",
) -> str:
    start = datetime.now(UTC) - timedelta(hours=3) if ended else datetime.now(UTC) + timedelta(days=3)
    made = await client.post(
        "/api/v1/events",
        json={
            "type": "union.labour_competition",
            "title": title,
            "org_id": org,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "visibility": visibility,
            "details": {"trade": "焊工", "level": "county", "team": team},
        },
        headers=h,
    )
    assert made.status_code == 201, made.text
    event_id = made.json()["id"]
    published = await client.post(f"/api/v1/events/{event_id}/publish", headers=h)
    assert published.status_code in (200, 201), published.text
    return str(event_id)


async def record(client: Any, h: dict[str, str], event_id: str, results: list[dict[str, Any]]) -> Any:
    current = await client.get(f"/api/v1/union/competitions/{event_id}", headers=h)
    tag = current.headers.get("etag", '"0"')
    return await client.put(
        f"/api/v1/union/competitions/{event_id}/results",
        json={"results": results},
        headers={**h, "If-Match": tag},
    )


def field(response: Any) -> tuple[str, str]:
    error = assert_problem(response, 422)["errors"][0]
    return error["pointer"], error["code"]


async def test_results_are_recorded_after_the_event_published_and_corrected(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    orgs = await county(client, tree)
    fed, ent = orgs["fed"]["id"], orgs["ent"]["id"]
    # 甲县总工会's chair (the built-in role, on its subtree) runs the competition.
    h = await tree.holder_of(client, "union.chair", uuid.UUID(fed))
    event_id = await competition(client, h, fed)
    listed = (await client.get("/api/v1/union/competitions", params={"org": fed}, headers=h)).json()["items"]
    assert [(c["event_id"], c["status"], c["trade"], c["team"]) for c in listed] == [
        (event_id, "scheduled", "焊工", False)
    ]
    welders = [await make_person(client, h, ent, name) for name in ("焊工甲", "焊工乙", "焊工丙")]
    url = f"/api/v1/union/competitions/{event_id}/results"
    results = [
        {"person_id": welders[1], "rank": 2, "score": "91", "award": "second", "unit": "甲厂二车间"},
        {"person_id": welders[0], "rank": 1, "score": "96.5", "award": "first", "title": "技术能手"},
        {"person_id": welders[2], "award": "excellence"},
    ]
    assert_problem(await client.put(url, json={"results": results}, headers=h), 428)
    assert_problem(await client.put(url, json={"results": results}, headers={**h, "If-Match": '"9"'}), 412)

    # Bad results are problems naming the entry and field.
    other = await make_person(client, tree.headers["city"], orgs["ent_b"]["id"], "乙县职工")
    for bad, expected in (
        ([{**results[0]}, {**results[1], "rank": 2}], ("/results/1/rank", "union_rank_taken")),
        ([{**results[1], "score": "九十六"}], ("/results/0/score", "union_score")),
        ([{"team_name": "一班", "rank": 1}], ("/results/0/person_id", "union_person_entrant")),
        ([results[1], {**results[1], "rank": 3}], ("/results/1", "union_entrant_twice")),
        ([{"person_id": other, "rank": 1}], ("/results/0/person_id", "invalid")),
        ([{**results[0], "award": "gold"}], ("/results/0/award", "enum")),
    ):
        assert field(await record(client, h, event_id, bad)) == expected, bad
    assert_problem(await record(client, h, event_id, []), 422)

    # The results before publication: cadres in reach only.
    member = tree.headers["member"]
    assert_problem(await client.get(f"/api/v1/union/competitions/{event_id}", headers=member), 404)
    recorded = await record(client, h, event_id, results)
    assert recorded.status_code == 200, recorded.text
    body = recorded.json()
    assert body["status"] == "recorded" and body["results_count"] == 3
    # RFC 3339 with an offset, as every timestamp of the API.
    assert all(
        datetime.fromisoformat(body[k].replace("Z", "+00:00")).tzinfo for k in ("starts_at", "ends_at")
    )
    assert [(r["name"], r["rank"], r["award"], r["score"]) for r in body["results"]] == [
        ("焊工甲", 1, "first", "96.5"),
        ("焊工乙", 2, "second", "91"),
        ("焊工丙", None, "excellence", ""),
    ]
    assert body["results"][0]["title"] == "技术能手"
    assert_problem(await client.get(f"/api/v1/union/competitions/{event_id}", headers=member), 404)

    # Publishing needs If-Match, and once published every signed-in caller reads a public event's results.
    publish = f"/api/v1/union/competitions/{event_id}/publish"
    assert_problem(await client.post(publish, headers=h), 428)
    tag = (await client.get(f"/api/v1/union/competitions/{event_id}", headers=h)).headers["etag"]
    published = await client.post(publish, headers={**h, "If-Match": tag})
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published" and published.json()["published_at"]
    assert field(await client.post(publish, headers={**h, "If-Match": published.headers["etag"]})) == (
        "/status",
        "union_results_published",
    )
    seen = await client.get(f"/api/v1/union/competitions/{event_id}", headers=member)
    assert seen.status_code == 200 and [r["name"] for r in seen.json()["results"]][:1] == ["焊工甲"]
    # A correction keeps them published.
    corrected = await record(client, h, event_id, [{**results[0], "rank": 1}, {**results[1], "rank": 2}])
    assert corrected.status_code == 200 and corrected.json()["status"] == "published"
    assert [r["name"] for r in corrected.json()["results"]] == ["焊工乙", "焊工甲"]
    published_list = (
        await client.get("/api/v1/union/competitions", params={"status": "published"}, headers=h)
    ).json()["items"]
    assert [c["results_count"] for c in published_list] == [2]
    assert_problem(await client.get("/api/v1/union/competitions", params={"status": "won"}, headers=h), 422)

    whats = [
        (json.loads(s["payload"]) if isinstance(s["payload"], str) else s["payload"])["what"]
        for s in await signals_emitted("union.competition_changed")
    ]
    assert whats == ["kept", "recorded", "published", "corrected"]
    assert await audit_entries("union.competition.published")

    # 乙县's union chair sees none of 甲县's competitions and cannot record them; the member holds no
    # cadre permission.
    b_chair = await tree.holder_of(client, "union.chair", uuid.UUID(orgs["fed_b"]["id"]))
    assert (await client.get("/api/v1/union/competitions", headers=b_chair)).json()["items"] == []
    assert_problem(await record(client, b_chair, event_id, results), 404)
    assert_problem(await client.post(publish, headers={**b_chair, "If-Match": '"1"'}), 404)
    assert_problem(await client.get("/api/v1/union/competitions", headers=member), 403)
    assert_problem(await client.put(url, json={"results": results}, headers=member), 403)


async def test_team_competitions_and_events_not_over_members_only_or_cancelled(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    orgs = await county(client, tree)
    ent = orgs["ent"]["id"]
    h = await tree.holder_of(client, "union.chair", uuid.UUID(ent))
    person = await make_person(client, h, ent, "班长")
    team = await competition(client, h, ent, team=True, visibility="members", title="班组劳动竞赛")
    assert field(await record(client, h, team, [{"person_id": person, "rank": 1}])) == (
        "/results/0/team_name",
        "union_team_entrant",
    )
    done = await record(
        client,
        h,
        team,
        [
            {"team_name": "焊接一班", "unit": "甲厂一车间", "rank": 1, "award": "first"},
            {"team_name": "焊接二班", "unit": "甲厂二车间", "rank": 2, "award": "second"},
        ],
    )
    assert done.status_code == 200, done.text
    assert [(r["name"], r["person_id"]) for r in done.json()["results"]] == [
        ("焊接一班", None),
        ("焊接二班", None),
    ]
    tag = done.headers["etag"]
    assert (
        await client.post(f"/api/v1/union/competitions/{team}/publish", headers={**h, "If-Match": tag})
    ).status_code == 200
    # A members-only event's results stay with the cadres in reach, even published.
    assert_problem(
        await client.get(f"/api/v1/union/competitions/{team}", headers=tree.headers["member"]), 404
    )

    # Not over yet: no results; nothing recorded: nothing to publish.
    coming = await competition(client, h, ent, ended=False, title="数控车工比武")
    assert field(await record(client, h, coming, [{"person_id": person, "rank": 1}])) == (
        "/results",
        "union_competition_not_over",
    )
    tag = (await client.get(f"/api/v1/union/competitions/{coming}", headers=h)).headers["etag"]
    assert field(
        await client.post(f"/api/v1/union/competitions/{coming}/publish", headers={**h, "If-Match": tag})
    ) == ("/status", "union_no_results")
    # Cancelled with the event.
    assert (await client.post(f"/api/v1/events/{coming}/cancel", headers=h)).status_code in (200, 201)
    cancelled = await client.get(f"/api/v1/union/competitions/{coming}", headers=h)
    assert cancelled.json()["status"] == "cancelled"
    assert field(await record(client, h, coming, [{"person_id": person, "rank": 1}])) == (
        "/results",
        "union_competition_cancelled",
    )
    # An event that is no union competition is not one here.
    other = await client.post(
        "/api/v1/events",
        json={
            "type": "union.worker_activity",
            "title": "职工运动会",
            "org_id": ent,
            "starts_at": (datetime.now(UTC) - timedelta(hours=3)).isoformat(),
            "ends_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        },
        headers=h,
    )
    assert other.status_code == 201, other.text
    assert_problem(await client.get(f"/api/v1/union/competitions/{other.json()['id']}", headers=h), 404)
