"""Member benefits (职工疗休养, 节日慰问 …) with a yearly quota per member, through HTTP: declared by a union,
applied for as ``union.benefit`` processes, the quota held in the database under concurrency, the use
read by the member themself and by cadres in reach."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.testkit import assert_problem, audit_entries, signals_emitted
from tests.plugins.union.conftest import make_person
from tests.plugins.union.test_union_work import county, open_process, register, step

#: The platform's "today" is Shanghai's (the settings' default zone), not the machine's UTC date.
THIS_YEAR = datetime.now(ZoneInfo("Asia/Shanghai")).year


async def declare(client: Any, h: dict[str, str], org: str, **body: Any) -> Any:
    payload = {"year": THIS_YEAR, "name": "职工疗休养", "category": "rest_trip", "quota": 1, **body}
    return await client.post(f"/api/v1/union/orgs/{org}/benefits", json=payload, headers=h)


def quota_exhausted(response: Any) -> None:
    assert assert_problem(response, 409)["type"].endswith("union-quota-exhausted"), response.text


async def test_a_member_applies_within_the_quota_and_reads_their_own_use(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    fed_b, ent_b = orgs["fed_b"]["id"], orgs["ent_b"]["id"]
    trip = await declare(client, h, fed_b, description="赴疗休养基地 5 天")
    assert trip.status_code == 201, trip.text
    trip_id = trip.json()["id"]
    assert trip.json()["org_name"] == "乙县总工会" and trip.headers["etag"] == '"1"'
    gift = await declare(
        client, h, ent_b, name="春节慰问", category="festival", measure="amount", quota=50000
    )
    assert gift.status_code == 201, gift.text
    gift_id = gift.json()["id"]
    # Another year's programme is not this year's.
    assert (await declare(client, h, fed_b, year=THIS_YEAR - 1)).status_code == 201

    # The member account (a cadre nowhere) sees nothing before it is a member, then both programmes.
    member = tree.headers["member"]
    assert (await client.get("/api/v1/union/me/benefits", headers=member)).json() == []
    me = (await client.get("/api/v1/me", headers=member)).json()["person"]["id"]
    assert (await register(client, h, ent_b, me)).status_code == 201
    mine = (await client.get("/api/v1/union/me/benefits", headers=member)).json()
    assert {(b["benefit"]["name"], b["remaining"]) for b in mine} == {("职工疗休养", 1), ("春节慰问", 50000)}

    # Self-service: the member applies (the quota is held at once), a second application is refused.
    applied = await open_process(client, member, "union.benefit", fed_b, {"benefit_id": trip_id})
    assert applied.status_code == 201, applied.text
    quota_exhausted(await open_process(client, member, "union.benefit", fed_b, {"benefit_id": trip_id}))
    mine = {
        b["benefit"]["id"]: b for b in (await client.get("/api/v1/union/me/benefits", headers=member)).json()
    }
    assert mine[trip_id]["held"] == 1 and mine[trip_id]["pending"] == 1 and mine[trip_id]["remaining"] == 0
    progress = (await client.get("/api/v1/me/processes", headers=member)).json()["items"]
    assert [(p["type"], p["state"]) for p in progress] == [("union.benefit", "submitted")]
    # Withdrawing gives the quota back; applying again takes it; approval and completion keep it.
    assert (await step(client, member, applied.json()["id"], "withdraw")).status_code == 200
    mine = {
        b["benefit"]["id"]: b for b in (await client.get("/api/v1/union/me/benefits", headers=member)).json()
    }
    assert mine[trip_id]["held"] == 0 and mine[trip_id]["remaining"] == 1
    again = await open_process(client, member, "union.benefit", fed_b, {"benefit_id": trip_id})
    assert again.status_code == 201, again.text
    assert (await step(client, h, again.json()["id"], "approve")).status_code == 200
    assert (await step(client, h, again.json()["id"], "complete")).status_code == 200
    # The amount: 300.00 of 500.00, then 300.00 more is too much, 200.00 fits; a refusal gives it back.
    first = await open_process(
        client, member, "union.benefit", ent_b, {"benefit_id": gift_id, "quantity": 30000}
    )
    assert first.status_code == 201, first.text
    quota_exhausted(
        await open_process(client, member, "union.benefit", ent_b, {"benefit_id": gift_id, "quantity": 30000})
    )
    second = await open_process(
        client, member, "union.benefit", ent_b, {"benefit_id": gift_id, "quantity": 20000}
    )
    assert second.status_code == 201, second.text
    assert_problem(await step(client, h, second.json()["id"], "reject"), 422)  # a reason is required
    assert (await step(client, h, second.json()["id"], "reject", comment="重复申请")).status_code == 200
    mine = {
        b["benefit"]["id"]: b for b in (await client.get("/api/v1/union/me/benefits", headers=member)).json()
    }
    assert (mine[trip_id]["used"], mine[trip_id]["remaining"]) == (1, 0)
    assert (mine[gift_id]["held"], mine[gift_id]["pending"], mine[gift_id]["remaining"]) == (
        30000,
        30000,
        20000,
    )
    last_year = (
        await client.get("/api/v1/union/me/benefits", params={"year": THIS_YEAR - 1}, headers=member)
    ).json()
    assert [(b["benefit"]["year"], b["held"]) for b in last_year] == [(THIS_YEAR - 1, 0)]

    # Cadres in reach read the use per member; the member's own page for a cadre.
    usage = (await client.get(f"/api/v1/union/benefits/{trip_id}/usage", headers=h)).json()["items"]
    assert [(u["person_id"], u["held"], u["used"], u["remaining"]) for u in usage] == [(me, 1, 1, 0)]
    assert usage[0]["card_number"]
    theirs = (await client.get(f"/api/v1/union/members/{me}/benefits", headers=h)).json()
    assert {b["benefit"]["id"]: b["held"] for b in theirs} == {trip_id: 1, gift_id: 30000}
    # Every change is audited and signalled.
    whats = [
        (json.loads(s["payload"]) if isinstance(s["payload"], str) else s["payload"])["what"]
        for s in await signals_emitted("union.benefit_changed")
    ]
    assert whats.count("declared") == 3 and whats.count("reserved") == 4 and whats.count("released") == 2
    assert "granted" in whats and "used" in whats
    assert await audit_entries("union.benefit.reserved")

    # 甲县's cadre sees none of 乙县's programmes; the member holds no cadre permission.
    a = tree.headers["county"]
    for path in (
        f"/api/v1/union/benefits/{trip_id}",
        f"/api/v1/union/benefits/{trip_id}/usage",
        f"/api/v1/union/orgs/{fed_b}/benefits",
        f"/api/v1/union/members/{me}/benefits",
    ):
        assert_problem(await client.get(path, headers=a), 404)
        assert_problem(await client.get(path, headers=member), 403)
    assert_problem(
        await client.patch(
            f"/api/v1/union/benefits/{trip_id}", json={"quota": 2}, headers={**a, "If-Match": '"1"'}
        ),
        404,
    )


async def test_two_applications_for_the_last_unit_one_wins(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    ent = orgs["ent"]["id"]
    checkup = await declare(client, h, ent, name="职工体检", category="checkup", quota=2)
    assert checkup.status_code == 201, checkup.text
    checkup_id = checkup.json()["id"]
    worker = await make_person(client, h, ent, "职工甲")
    assert (await register(client, h, ent, worker)).status_code == 201
    assert (
        await open_process(client, h, "union.benefit", ent, {"benefit_id": checkup_id}, worker)
    ).status_code == 201
    # One unit left, two applications at once (a double tap, or the member and a cadre): one wins.
    race = await asyncio.gather(
        *(open_process(client, h, "union.benefit", ent, {"benefit_id": checkup_id}, worker) for _ in range(2))
    )
    assert sorted(r.status_code for r in race) == [201, 409], [r.text for r in race]
    quota_exhausted(next(r for r in race if r.status_code == 409))
    usage = (await client.get(f"/api/v1/union/benefits/{checkup_id}/usage", headers=h)).json()["items"]
    assert [(u["held"], u["pending"], u["remaining"]) for u in usage] == [(2, 2, 0)]
    # Several units at once for an amount: three applications of 40.00 against 100.00 — two pass.
    gift = await declare(client, h, ent, name="生日慰问", category="birthday", measure="amount", quota=10000)
    gift_id = gift.json()["id"]
    race = await asyncio.gather(
        *(
            open_process(client, h, "union.benefit", ent, {"benefit_id": gift_id, "quantity": 4000}, worker)
            for _ in range(3)
        )
    )
    assert sorted(r.status_code for r in race) == [201, 201, 409], [r.text for r in race]
    usage = (await client.get(f"/api/v1/union/benefits/{gift_id}/usage", headers=h)).json()["items"]
    assert [(u["held"], u["remaining"]) for u in usage] == [(8000, 2000)]


async def test_eligibility_changes_and_bad_input(quntuan_client: Any, quntuan_tree: Any) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    fed, ent, ent_b = orgs["fed"]["id"], orgs["ent"]["id"], orgs["ent_b"]["id"]
    trip = (await declare(client, h, fed)).json()
    outsider = await make_person(client, h, ent, "非会员")
    b_member = await make_person(client, h, ent_b, "乙县会员")
    assert (await register(client, h, ent_b, b_member)).status_code == 201
    form = {"benefit_id": trip["id"]}

    def code(response: Any) -> str:
        return str(assert_problem(response, 422)["errors"][0]["code"])

    # Only a current member of a union in the programme's subtree, and only at the declaring union.
    assert (
        code(await open_process(client, h, "union.benefit", fed, form, outsider))
        == "union_benefit_not_eligible"
    )
    assert (
        code(await open_process(client, h, "union.benefit", fed, form, b_member))
        == "union_benefit_not_eligible"
    )
    assert (
        code(await open_process(client, h, "union.benefit", ent, form, outsider)) == "union_benefit_unknown"
    )
    bad_quantity = await open_process(client, h, "union.benefit", fed, {**form, "quantity": 0}, outsider)
    assert assert_problem(bad_quantity, 422)["errors"][0]["pointer"] == "/form/quantity"

    # Changes need If-Match; a closed programme takes no applications.
    url = f"/api/v1/union/benefits/{trip['id']}"
    assert_problem(await client.patch(url, json={"status": "closed"}, headers=h), 428)
    assert_problem(await client.patch(url, json={"status": "closed"}, headers={**h, "If-Match": '"7"'}), 412)
    assert_problem(await client.patch(url, json={"status": "paused"}, headers={**h, "If-Match": '"1"'}), 422)
    closed = await client.patch(url, json={"status": "closed", "quota": 3}, headers={**h, "If-Match": '"1"'})
    assert closed.status_code == 200, closed.text
    assert (
        closed.json()["status"] == "closed"
        and closed.json()["quota"] == 3
        and closed.headers["etag"] == '"2"'
    )
    member = await make_person(client, h, ent, "会员")
    assert (await register(client, h, ent, member)).status_code == 201
    assert code(await open_process(client, h, "union.benefit", fed, form, member)) == "union_benefit_closed"

    # Bad programmes are problems naming the field; only a union declares one.
    for body, pointer in (
        ({"quota": 0}, "/quota"),
        ({"category": "spa"}, "/category"),
        ({"year": 1999}, "/year"),
        ({"measure": "hours"}, "/measure"),
        ({"colour": "red"}, "/colour"),
    ):
        response = await declare(client, h, fed, **body)
        assert assert_problem(response, 422)["errors"][0]["pointer"] == pointer, response.text
    party = await declare(client, h, str(tree.orgs["county_a"]["id"]))
    assert code(party) == "union_union_only"
    listed = (await client.get(f"/api/v1/union/orgs/{fed}/benefits", headers=h)).json()["items"]
    assert [b["id"] for b in listed] == [trip["id"]]
    assert_problem(
        await client.get(f"/api/v1/union/orgs/{fed}/benefits", params={"year": 1999}, headers=h), 422
    )


async def test_a_grassroots_cadre_reads_the_county_programme_for_its_own_members(
    quntuan_client: Any, quntuan_tree: Any
) -> None:
    client, tree = quntuan_client, quntuan_tree
    h = tree.headers["city"]
    orgs = await county(client, tree)
    fed, ent, joint = orgs["fed"]["id"], orgs["ent"]["id"], orgs["joint"]["id"]
    trip = (await declare(client, h, fed, quota=2)).json()
    for org, name in ((ent, "甲厂会员"), (joint, "联合工会会员")):
        person = await make_person(client, h, org, name)
        assert (await register(client, h, org, person)).status_code == 201
        opened = await open_process(client, h, "union.benefit", fed, {"benefit_id": trip["id"]}, person)
        assert opened.status_code == 201, opened.text
    officer = await tree.holder_of(client, "union.officer", uuid.UUID(ent))
    assert (await client.get(f"/api/v1/union/benefits/{trip['id']}", headers=officer)).status_code == 200
    usage = (await client.get(f"/api/v1/union/benefits/{trip['id']}/usage", headers=officer)).json()["items"]
    assert [u["name"] for u in usage] == ["甲厂会员"]
    # The officer cannot change the county's programme nor decide its applications.
    assert_problem(
        await client.patch(
            f"/api/v1/union/benefits/{trip['id']}", json={"quota": 9}, headers={**officer, "If-Match": '"1"'}
        ),
        404,
    )
