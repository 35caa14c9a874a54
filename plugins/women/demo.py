"""The women's part of ``quntuan demo seed``: for the seeded region, executive members (执委) of every
federation and grassroots federation with the households they serve, this year's activities and last
year's evaluation; a 妇女之家 for every community federation and a 儿童之家 for every other one (the
core's places); a 低收入妇女 skills program with enrolment, attendance and outcomes at each district
federation; and a 最美家庭 campaign there, open for nominations — the same for the same seed.

Executives are chosen among the women who are members of the federation's territory; the places and the
campaign go through ``core.sdk.create_place`` / ``create_campaign`` like any request would.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import uuid
from typing import Any

from core.sdk import Membership, Org, Reach, create_campaign, create_place, subtree_bounds, transaction
from plugins.women.tables import (
    WomenEnrolment,
    WomenExecContact,
    WomenExecMember,
    WomenExecRecord,
    WomenProgram,
)

FEDERATION_KINDS = ("women.federation", "women.grassroots")
TERM = (dt.date(2023, 3, 8), dt.date(2028, 3, 7))
ACTIVITIES = ("visit", "meeting", "training", "mediation", "publicity", "service")
GRADES = (("excellent", 25), ("competent", 60), ("basically_competent", 12), ("incompetent", 3))
HOURS = [
    {"days": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "17:30"},
    {"days": [6], "opens": "09:00", "closes": "12:00"},
]
CHILDREN_HOURS = [
    {"days": [1, 2, 3, 4, 5], "opens": "15:30", "closes": "18:30"},
    {"days": [6, 7], "opens": "09:00", "closes": "17:00"},
]
BATCH = 1000


class Seeder:
    """The seeding operator: a system principal reaching the seeded region only (the seed runs from the
    shell, not a request)."""

    kind = "account"
    id = uuid.UUID(int=0)
    person_id = None

    def __init__(self, root_path: str) -> None:
        self._reach = [Reach(path=root_path, subtree=True)]

    def has_permission(self, code: str) -> bool:
        return True

    def reach(self, code: str) -> list[Reach]:
        return self._reach


async def _women_members(low: str, high: str) -> tuple[list[str], list[uuid.UUID]]:
    """The women members of women's orgs in the region, sorted by their org's path (paths, persons)."""
    rows = (
        await Membership.select(Membership.person, Membership.org.path.as_alias("path"))
        .where(
            (Membership.org.path >= low)
            & (Membership.org.path < high)
            & Membership.org.kind.like("women.%")
            & (Membership.status == "active")
            & (Membership.person.gender == "female")
        )
        .order_by(Membership.org.path, Membership.person)
        .run()
    )
    return [r["path"] for r in rows], [r["person"] for r in rows]


def _within(paths: list[str], persons: list[uuid.UUID], path: str) -> list[uuid.UUID]:
    """The persons whose org lies in the subtree at ``path`` (a range of the sorted paths)."""
    low, high = subtree_bounds(path)
    return persons[bisect.bisect_left(paths, low) : bisect.bisect_left(paths, high)]


def _pool(paths: list[str], persons: list[uuid.UUID], org: dict[str, Any]) -> list[uuid.UUID]:
    """Whom a federation draws its executives and participants from: the women members of its subtree,
    or — for a federation at a district or street, which sits beside the grassroots federations under
    the place's Party committee — of that committee's subtree (the federation's territory)."""
    territory = (
        org["parent_path"] if org["kind"] == "women.federation" and org["parent_path"] else org["path"]
    )
    return sorted(set(_within(paths, persons, territory)))


async def seed_women(root_path: str, seed: int, plugin_manager: Any) -> dict[str, int]:
    """Add the women's demo records under ``root_path``; returns how many of each were written."""
    rng = random.Random(f"women-{seed}")
    low, high = subtree_bounds(root_path)
    orgs = (
        await Org.select(
            Org.id,
            Org.path,
            Org.kind,
            Org.level,
            Org.place,
            Org.two_new,
            Org.name,
            Org.parent.path.as_alias("parent_path"),
        )
        .where(
            (Org.path >= low)
            & (Org.path < high)
            & Org.kind.is_in(list(FEDERATION_KINDS))
            & (Org.status == "active")
        )
        .order_by(Org.path)
        .run()
    )
    paths, persons = await _women_members(low, high)
    now = dt.datetime.now(dt.UTC)
    members: list[WomenExecMember] = []
    contacts: list[WomenExecContact] = []
    records: list[WomenExecRecord] = []
    for org in orgs:
        pool = _pool(paths, persons, org)
        size = 7 if org["kind"] == "women.federation" else 3
        chosen = rng.sample(pool, min(size, len(pool)))
        for index, person in enumerate(chosen):
            member_id = uuid.UUID(int=rng.getrandbits(128), version=4)
            role = "chair" if index == 0 else "vice_chair" if index == 1 and size > 3 else "member"
            members.append(
                WomenExecMember(
                    id=member_id,
                    org=org["id"],
                    org_path=org["path"],
                    person=person,
                    role=role,
                    duties={"chair": "主持全面工作", "vice_chair": "分管维权与家庭工作"}.get(
                        role, "联系服务妇女群众"
                    ),
                    term_start=TERM[0],
                    term_end=TERM[1],
                    status="active",
                    version=1,
                    created_at=now,
                    updated_at=now,
                )
            )
            for _ in range(rng.randrange(1, 4)):
                contacts.append(
                    WomenExecContact(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        member=member_id,
                        org_path=org["path"],
                        kind="household",
                        # Explicitly empty: Piccolo's UUID columns default to a random one.
                        person=None,
                        contact_org=None,
                        label=f"{rng.randrange(1, 12)}组{rng.randrange(1, 60)}号",
                        since=TERM[0],
                    )
                )
            for _ in range(rng.randrange(1, 6)):
                records.append(
                    WomenExecRecord(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4),
                        member=member_id,
                        org_path=org["path"],
                        year=2026,
                        kind="activity",
                        code=rng.choice(ACTIVITIES),
                        held_on=dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(180)),
                        note="",
                        created_at=now,
                    )
                )
            grade = rng.choices([g for g, _ in GRADES], [w for _, w in GRADES])[0]
            records.append(
                WomenExecRecord(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    member=member_id,
                    org_path=org["path"],
                    year=2025,
                    kind="evaluation",
                    code=grade,
                    held_on=None,
                    note="",
                    created_at=now,
                )
            )
    for table, items in (
        (WomenExecMember, members),
        (WomenExecContact, contacts),
        (WomenExecRecord, records),
    ):
        for at in range(0, len(items), BATCH):
            async with transaction():
                await table.insert(*items[at : at + BATCH]).run()

    seeder = Seeder(root_path)
    homes = await _homes(plugin_manager, seeder, orgs)
    programs, enrolled = await _programs(rng, orgs, paths, persons, now)
    campaigns = 0
    for org in orgs:
        if org["kind"] == "women.federation" and org["level"] == "county":
            async with transaction():
                await create_campaign(
                    plugin_manager,
                    seeder,
                    {
                        "type": "women.best_family",
                        "org_id": org["id"],
                        "title": f"2026年度{org['name']}最美家庭评选",
                        "honor_title": f"2026年度{org['name'].removesuffix('妇联')}最美家庭",
                        "year": 2026,
                        "levels": [{"quota": 10}, {"quota": 3}],
                    },
                )
            campaigns += 1
    return {
        "executives": len(members),
        "contacts": len(contacts),
        "records": len(records),
        "homes": homes,
        "programs": programs,
        "enrolments": enrolled,
        "campaigns": campaigns,
    }


async def _homes(plugin_manager: Any, seeder: Seeder, orgs: list[dict[str, Any]]) -> int:
    """A 妇女之家 at every community federation (village level, not in a building or enterprise) and a
    儿童之家 at every second of them."""
    communities = [
        o
        for o in orgs
        if o["kind"] == "women.grassroots" and o["level"] == "village" and not (o["place"] or o["two_new"])
    ]
    made = 0
    for at in range(0, len(communities), 200):
        async with transaction():
            for index, org in enumerate(communities[at : at + 200], start=at):
                base = org["name"].removesuffix("妇联")
                await create_place(
                    plugin_manager,
                    seeder,
                    {
                        "kind": "women.womens_home",
                        "org_id": org["id"],
                        "name": f"{base}妇女之家",
                        "opening_hours": HOURS,
                        "services": [
                            "family_counselling",
                            "rights_reception",
                            "skills_training",
                            "parents_school",
                        ],
                    },
                )
                made += 1
                if index % 2 == 0:
                    await create_place(
                        plugin_manager,
                        seeder,
                        {
                            "kind": "women.childrens_home",
                            "org_id": org["id"],
                            "name": f"{base}儿童之家",
                            "opening_hours": CHILDREN_HOURS,
                            "services": ["after_school", "summer_care", "reading", "left_behind_care"],
                        },
                    )
                    made += 1
    return made


async def _programs(
    rng: random.Random,
    orgs: list[dict[str, Any]],
    paths: list[str],
    persons: list[uuid.UUID],
    now: dt.datetime,
) -> tuple[int, int]:
    """A skills program for low-income women at each district federation: 8 sessions from March to
    June, 10–20 women enrolled, attendance, and outcomes for those who completed it."""
    programs: list[WomenProgram] = []
    enrolments: list[WomenEnrolment] = []
    for org in orgs:
        if not (org["kind"] == "women.federation" and org["level"] == "county"):
            continue
        program_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        sessions = 8
        programs.append(
            WomenProgram(
                id=program_id,
                org=org["id"],
                org_path=org["path"],
                kind="low_income",
                name="低收入妇女家政技能培训",
                criteria=json.dumps(["low_income"]),
                sessions=sessions,
                starts_on=dt.date(2026, 3, 1),
                ends_on=dt.date(2026, 6, 30),
                created_at=now,
            )
        )
        pool = _pool(paths, persons, org)
        for person in rng.sample(pool, min(rng.randrange(10, 21), len(pool))):
            attended = rng.randrange(0, sessions + 1)
            status = "completed" if attended >= 6 else "dropped" if attended < 2 else "enrolled"
            employment = ""
            income = None
            if status == "completed":
                employment = rng.choices(("employed", "self_employed", "business", "none"), (50, 25, 5, 20))[
                    0
                ]
                income = rng.randrange(25, 60) * 100 if employment != "none" else None
            enrolments.append(
                WomenEnrolment(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    program=program_id,
                    org_path=org["path"],
                    person=person,
                    criteria_met=json.dumps(["low_income"]),
                    attended=attended,
                    last_attended=dt.date(2026, 3, 1) + dt.timedelta(days=14 * attended)
                    if attended
                    else None,
                    employment=employment,
                    monthly_income=income,
                    status=status,
                    version=1,
                    created_at=now,
                )
            )
    for table, items in ((WomenProgram, programs), (WomenEnrolment, enrolments)):
        for at in range(0, len(items), BATCH):
            async with transaction():
                await table.insert(*items[at : at + BATCH]).run()
    return len(programs), len(enrolments)
