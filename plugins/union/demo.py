"""The union's part of ``quntuan demo seed``: for the seeded region, a member file for every member of a
grassroots union (the card number the seed gave, else one from the region code), a monthly wage, three
months of dues with about one in seven lines unpaid, and union funds for each grassroots union —
the same for the same seed."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from core.sdk import Membership, Org, subtree_bounds, transaction
from plugins.union.membership import _CARD, MEMBER_KINDS
from plugins.union.rules import DEFAULT, dues_for, funds_for
from plugins.union.tables import UnionDues, UnionDuesPayment, UnionFund, UnionMember

MONTHS = ("2026-04", "2026-05", "2026-06")
BATCH = 1000


async def seed_union(root_path: str, seed: int) -> int:
    """Add the union's demo records under ``root_path``; returns the member files written."""
    rng = random.Random(f"union-{seed}")
    low, high = subtree_bounds(root_path)
    rows = (
        await Membership.select(
            Membership.person,
            Membership.org,
            Membership.extra,
            Membership.org.path.as_alias("path"),
            Membership.org.region_code.as_alias("region"),
        )
        .where(
            (Membership.org.path >= low)
            & (Membership.org.path < high)
            & (Membership.org.kind.is_in(list(MEMBER_KINDS)))
            & (Membership.status == "active")
            & (Membership.role == "member")
        )
        .order_by(Membership.id)
        .run()
    )
    known = {
        r["person"]
        for r in await UnionMember.select(UnionMember.person)
        .where((UnionMember.org_path >= low) & (UnionMember.org_path < high))
        .run()
    }
    taken = set()
    files: list[UnionMember] = []
    dues: list[UnionDues] = []
    payments: list[UnionDuesPayment] = []
    now = datetime.now(UTC)
    operator = uuid4()
    for r in rows:
        if r["person"] in known:
            continue
        known.add(r["person"])
        extra: Any = r["extra"] if isinstance(r["extra"], dict) else {}
        if isinstance(r["extra"], str):
            import json

            extra = json.loads(r["extra"] or "{}")
        card = extra.get("card_number")
        if not (isinstance(card, str) and _CARD.match(card)) or card in taken:
            prefix = r["region"] if (r["region"] or "").isdigit() and len(r["region"]) == 6 else "000000"
            card = prefix + f"{rng.randrange(10**12):012d}"
        taken.add(card)
        wage = rng.randrange(2500, 16000) * 100
        employment = rng.choices(("employee", "courier", "delivery_rider", "ride_hailing"), (85, 5, 6, 4))[0]
        files.append(
            UnionMember(
                person=r["person"],
                card_number=card,
                org=r["org"],
                org_path=r["path"],
                employment=employment,
                monthly_wage=wage,
                joined_via="import",
                created_at=now,
                updated_at=now,
            )
        )
        for month in MONTHS:
            due = dues_for(wage, DEFAULT)
            paid = due if rng.random() > 0.14 else 0
            dues.append(
                UnionDues(
                    person=r["person"],
                    org=r["org"],
                    org_path=r["path"],
                    month=month,
                    wage=wage,
                    due=due,
                    paid=paid,
                    status="paid" if paid else "due",
                    updated_at=now,
                )
            )
            if paid:
                payments.append(
                    UnionDuesPayment(
                        person=r["person"],
                        org=r["org"],
                        org_path=r["path"],
                        amount=paid,
                        channel=rng.choice(("online", "payroll")),
                        months=[month],
                        recorded_by=operator,
                        paid_at=now,
                    )
                )
    unions = (
        await Org.select(Org.id, Org.path, Org.name)
        .where(
            (Org.path >= low)
            & (Org.path < high)
            & (Org.kind == "union.grassroots")
            & (Org.status == "active")
        )
        .order_by(Org.path)
        .run()
    )
    funds = []
    for org in unions:
        payroll = rng.randrange(20, 400) * 6000 * 100
        amount, split = funds_for(payroll, DEFAULT)
        funds.append(
            UnionFund(
                org=org["id"],
                org_path=org["path"],
                employer_name=org["name"].removesuffix("工会"),
                month=MONTHS[-1],
                payroll=payroll,
                amount=amount,
                paid=amount if rng.random() > 0.2 else 0,
                split=split,
                status="due",
                updated_at=now,
            )
        )
    for fund in funds:
        fund.status = "paid" if fund.paid else "due"
    for table, items in (
        (UnionMember, files),
        (UnionDues, dues),
        (UnionDuesPayment, payments),
        (UnionFund, funds),
    ):
        for at in range(0, len(items), BATCH):
            async with transaction():
                await table.insert(*items[at : at + BATCH]).run()
    return len(files)
