"""The League's part of ``quntuan demo seed``: for the seeded region, a register row (团员编号, joining and
oath dates, age limit) for every member of a League branch, the 2026 团籍注册 recorded as done by about nine in ten,
the 2025 民主评议 graded for those who were members that year, each branch's category, and a 2026
发展团员计划 for each committee — the same for the same seed."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid5

from core.sdk import Membership, Org, Person, subtree_bounds, transaction
from plugins.youth.numbers import reserve_member_numbers
from plugins.youth.processes import age_limit_day
from plugins.youth.tables import YouthBranch, YouthEvaluation, YouthMember, YouthPlan

#: The demo's League year: registration done in it, the evaluation of the year before.
YEAR = 2026
BATCH = 1000
#: 民主评议 grades and their shares in the demo (优秀 about one in five, 不合格 rare).
GRADES = (("excellent", 20), ("qualified", 70), ("basically_qualified", 8), ("unqualified", 2))
_NAMESPACE = UUID("6f1d3c52-8a41-4d1e-9c59-2a0c1f3e7b10")


def _id(seed: int, *parts: Any) -> UUID:
    """The same id for the same seed and record: a re-run writes the same rows."""
    return uuid5(_NAMESPACE, ":".join(str(p) for p in (seed, *parts)))


async def seed_youth(root_path: str, seed: int) -> int:
    """Add the League's demo records under ``root_path`` in one transaction; returns the register rows
    written."""
    async with transaction():
        return await _seed(root_path, seed)


async def _seed(root_path: str, seed: int) -> int:
    rng = random.Random(f"youth-{seed}")
    low, high = subtree_bounds(root_path)
    rows = (
        await Membership.select(
            Membership.id,
            Membership.person,
            Membership.org,
            Membership.joined_at,
            Membership.org.path.as_alias("path"),
        )
        .where(
            (Membership.org.path >= low)
            & (Membership.org.path < high)
            & (Membership.org.kind == "youth.branch")
            & (Membership.status == "active")
            & (Membership.role == "member")
        )
        .order_by(Membership.id)
        .run()
    )
    births = {
        r["id"]: r["birth_date"]
        for r in await Person.select(Person.id, Person.birth_date)
        .where(Person.id.is_in([r["person"] for r in rows] or [_NAMESPACE]))
        .run()
    }
    known = {
        r["person"]
        for r in await YouthMember.select(YouthMember.person).where(YouthMember.status == "active").run()
    }
    fresh = []
    for r in rows:
        if r["person"] in known:
            continue
        known.add(r["person"])
        fresh.append(r)
    by_year = Counter(r["joined_at"].date().year for r in fresh)
    numbers = {year: iter(await reserve_member_numbers(year, n)) for year, n in sorted(by_year.items())}
    now = datetime.now(UTC)
    members: list[YouthMember] = []
    grades: list[YouthEvaluation] = []
    for r in fresh:
        joined_on = r["joined_at"].date()
        birth = births.get(r["person"])
        member_id = _id(seed, "member", r["id"])
        members.append(
            YouthMember(
                id=member_id,
                person=r["person"],
                membership=r["id"],
                org=r["org"],
                org_path=r["path"],
                number=next(numbers[joined_on.year]),
                status="active",
                joined_on=joined_on,
                oath_date=joined_on,
                age_out_on=age_limit_day(birth) if birth else None,
                party_member=rng.random() < 0.03,
                registered_year=YEAR if rng.random() < 0.9 else None,
                created_at=now,
                updated_at=now,
            )
        )
        if joined_on.year <= YEAR - 1:
            grade = rng.choices([g for g, _ in GRADES], [w for _, w in GRADES])[0]
            grades.append(
                YouthEvaluation(
                    id=_id(seed, "evaluation", r["id"]),
                    member=member_id,
                    person=r["person"],
                    org=r["org"],
                    org_path=r["path"],
                    year=YEAR - 1,
                    key=f"{member_id}:{YEAR - 1}",
                    grade=grade,
                    note="无故不参加组织生活" if grade == "unqualified" else "",
                    created_at=now,
                    updated_at=now,
                )
            )
    orgs = (
        await Org.select(Org.id, Org.path, Org.kind, Org.name, Org.two_new)
        .where((Org.path >= low) & (Org.path < high) & Org.kind.is_in(["youth.committee", "youth.branch"]))
        .order_by(Org.path)
        .run()
    )
    categorised = {
        r["id"]
        for r in await YouthBranch.select(YouthBranch.id)
        .where((YouthBranch.org_path >= low) & (YouthBranch.org_path < high))
        .run()
    }
    branches = [
        YouthBranch(
            id=o["id"],
            org_path=o["path"],
            category="community"
            if o["name"].endswith("社区团支部")
            else ("two_new" if o["two_new"] else "other"),
            updated_at=now,
        )
        for o in orgs
        if o["kind"] == "youth.branch" and o["id"] not in categorised
    ]
    planned = {r["org"] for r in await YouthPlan.select(YouthPlan.org).where(YouthPlan.year == YEAR).run()}
    plans = []
    for o in orgs:
        if o["kind"] != "youth.committee" or o["id"] in planned:
            continue
        # the demo's committees sit beside the branches (under the territorial orgs), not above them
        plans.append(
            YouthPlan(
                id=_id(seed, "plan", o["id"]),
                org=o["id"],
                org_path=o["path"],
                year=YEAR,
                quota=max(
                    5, len(members) // (10 * max(1, sum(1 for c in orgs if c["kind"] == "youth.committee")))
                ),
                updated_at=now,
            )
        )
    for table, batch in (
        (YouthMember, members),
        (YouthEvaluation, grades),
        (YouthBranch, branches),
        (YouthPlan, plans),
    ):
        for start in range(0, len(batch), BATCH):
            await table.insert(*batch[start : start + BATCH]).run()
    return len(members)
