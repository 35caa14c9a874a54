"""A League branch's members made through the core (its member routes and the members import) get their
register row from ``quntuan_member_joined``; the plugin's own memberships are not entered twice."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from core.testkit import audit_entries, signals_emitted
from plugins.youth.processes import age_limit_day
from plugins.youth.tables import YouthMember
from tests.plugins.youth.conftest import League, years_ago

MEMBERS = "/api/v1/youth/members"


def id_number(birth: dt.date, serial: int) -> str:
    """A valid 18-digit resident ID number (GB 11643 checksum) born on ``birth``."""
    body = f"110105{birth:%Y%m%d}{serial:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


async def register_of(lg: League, org: str) -> list[dict[str, Any]]:
    response = await lg.client.get(
        MEMBERS, params={"org": lg.orgs[org]["id"]}, headers=lg.headers["committee"]
    )
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def join(lg: League, org: str, person: str, **body: Any) -> Any:
    return await lg.client.post(
        f"/api/v1/orgs/{lg.orgs[org]['id']}/members",
        json={"person": person, **body},
        headers=lg.headers["committee"],
    )


async def test_a_core_membership_enters_the_register(league: League) -> None:
    lg = league
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    carried = await lg.person("a1", years_ago(20))
    joined = await join(
        lg, "a1", carried, extra={"youth_number": "Y2020000123", "youth_joined_on": "2020-05-04"}
    )
    assert joined.status_code == 201, joined.text
    plain = await lg.person("a1", years_ago(19))
    assert (await join(lg, "a1", plain)).status_code == 201

    rows = {r["person"]: r for r in await register_of(lg, "a1")}
    assert set(rows) == {carried, plain}
    assert (rows[carried]["number"], rows[carried]["joined_on"]) == ("Y2020000123", "2020-05-04")
    assert rows[carried]["status"] == "active" and rows[carried]["org"] == lg.orgs["a1"]["id"]
    # no number or date carried: one issued for the year, joined the day the membership was made
    assert rows[plain]["number"] != "Y2020000123" and rows[plain]["joined_on"] == today.isoformat()
    entered = await audit_entries("youth.member.entered")
    assert sorted(e["resource_id"] for e in entered) == sorted(r["id"] for r in rows.values())
    assert len(await signals_emitted("youth.member_entered")) == 2

    # a taken number or a date to come is not carried over
    third = await lg.person("a2", years_ago(21))
    assert (
        await join(lg, "a2", third, extra={"youth_number": "Y2020000123", "youth_joined_on": "2999-01-01"})
    ).status_code == 201
    (row,) = await register_of(lg, "a2")
    assert row["number"] != "Y2020000123" and row["joined_on"] == today.isoformat()

    # not a member's membership, not a branch, or a person on the register already: nothing is entered
    cadre = await lg.person("a1", years_ago(25))
    assert (await join(lg, "a1", cadre, role="secretary")).status_code == 201
    at_committee = await lg.person("a1", years_ago(22))
    assert (await join(lg, "committee", at_committee)).status_code == 201
    assert {r["person"] for r in await register_of(lg, "committee")} == {carried, plain, third}
    entered_first = await lg.member("a2")  # the plugin's own route: its row, no second one
    elsewhere = await join(lg, "a1", entered_first["person"])
    assert elsewhere.status_code == 201, elsewhere.text
    mine = [r for r in await register_of(lg, "committee") if r["person"] == entered_first["person"]]
    assert [r["id"] for r in mine] == [entered_first["id"]] and mine[0]["org"] == lg.orgs["a2"]["id"]
    assert len(await signals_emitted("youth.member_entered")) == 4


async def test_the_members_import_enters_the_register(league: League) -> None:
    lg = league
    birth = dt.date.fromisoformat(years_ago(20))
    branch = lg.orgs["a1"]["id"]
    csv = (
        "组织,姓名,身份证号,extra.youth_number,extra.youth_joined_on\n"
        f"{branch},导入团员甲,{id_number(birth, 11)},Y2019000456,2019-09-01\n"
        f"{branch},导入团员乙,{id_number(birth, 12)},,\n"
    )
    imported = await lg.client.post(
        "/api/v1/imports/members",
        files={"file": ("m.csv", csv.encode())},
        headers=lg.tree.headers["platform"],
    )
    assert imported.status_code == 200 and imported.json()["committed"], imported.text
    rows = await register_of(lg, "a1")
    assert len(rows) == 2
    by_number = {r["number"]: r for r in rows}
    assert by_number["Y2019000456"]["joined_on"] == "2019-09-01"
    (other,) = (r for r in rows if r["number"] != "Y2019000456")
    assert other["status"] == "active" and other["org"] == branch
    # the rows carry the age limit from the birth date the ID number gave (the age-out job reads it)
    limits = (
        await YouthMember.select(YouthMember.age_out_on).where(YouthMember.org == uuid.UUID(branch)).run()
    )
    assert [r["age_out_on"] for r in limits] == [age_limit_day(birth)] * 2
