"""The League's periodic checks: members past the age limit (超龄) reported for a cadre to confirm, and
members untransferred six months after leaving their branch flagged 失联团员. Both are safe to run again."""

from __future__ import annotations

import datetime as dt
import uuid

from core.sdk import JobContext, emit, record_audit, register_job, register_periodic, subtree_bounds
from plugins.youth import rules, signals
from plugins.youth.tables import YouthAgeOut, YouthMember


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


async def find_age_outs(org_path: str = "") -> int:
    """Report every active member of the subtree past the age limit who holds no League post and has no
    report yet (inside the caller's transaction); returns how many were found. Nobody leaves here."""
    low, high = subtree_bounds(org_path)
    rows = (
        await YouthMember.select(YouthMember.id, YouthMember.org, YouthMember.org_path)
        .where(
            (YouthMember.org_path >= low)
            & (YouthMember.org_path < high)
            & (YouthMember.status == "active")
            & (YouthMember.league_post == False)  # noqa: E712 (a Piccolo expression)
            & YouthMember.age_out_on.is_not_null()
            & (YouthMember.age_out_on <= _today())
        )
        .run()
    )
    if not rows:
        return 0
    reported = {
        r["member"]
        for r in await YouthAgeOut.select(YouthAgeOut.member)
        .where(YouthAgeOut.member.is_in([r["id"] for r in rows]) & (YouthAgeOut.status != "kept"))
        .run()
    }
    found = 0
    for member in rows:
        if member["id"] in reported:
            continue
        report_id = uuid.uuid4()
        await YouthAgeOut.insert(
            YouthAgeOut(
                id=report_id,
                member=member["id"],
                org_path=member["org_path"],
                found_on=_today(),
                status="pending",
            )
        ).run()
        await record_audit(
            "youth.age_out.found",
            resource_type="youth.age_out",
            resource_id=report_id,
            org_path=member["org_path"],
            changes={"member": member["id"]},
        )
        await emit(
            signals.AGE_OUT_FOUND,
            signals.AgeOutChanged(age_out_id=str(report_id), member_id=str(member["id"]), status="pending"),
            resource_type="youth.age_out",
            resource_id=report_id,
            org_path=member["org_path"],
        )
        found += 1
    return found


async def flag_lost_contact(org_path: str = "") -> int:
    """Flag 失联团员: active members of the subtree who left their branch ``LOST_CONTACT_DAYS`` ago and
    have not arrived anywhere. Returns how many were flagged now."""
    low, high = subtree_bounds(org_path)
    limit = dt.datetime.now(dt.UTC) - dt.timedelta(days=rules.LOST_CONTACT_DAYS)
    rows = (
        await YouthMember.select(YouthMember.id, YouthMember.org, YouthMember.org_path)
        .where(
            (YouthMember.org_path >= low)
            & (YouthMember.org_path < high)
            & (YouthMember.status == "active")
            & (YouthMember.lost_contact == False)  # noqa: E712
            & YouthMember.left_branch_at.is_not_null()
            & (YouthMember.left_branch_at <= limit)
        )
        .run()
    )
    stamp = dt.datetime.now(dt.UTC)
    for member in rows:
        await (
            YouthMember.update(
                {
                    YouthMember.lost_contact: True,
                    YouthMember.lost_contact_at: stamp,
                    YouthMember.version: YouthMember.version + 1,
                    YouthMember.updated_at: stamp,
                }
            )
            .where(YouthMember.id == member["id"])
            .run()
        )
        await record_audit(
            "youth.member.lost_contact",
            resource_type="youth.member",
            resource_id=member["id"],
            org_path=member["org_path"],
        )
        await emit(
            signals.MEMBER_LOST_CONTACT,
            signals.MemberChanged(member_id=str(member["id"]), org_id=str(member["org"]), status="active"),
            resource_type="youth.member",
            resource_id=member["id"],
            org_path=member["org_path"],
        )
    return len(rows)


@register_job("youth.daily_checks")
async def daily_checks(ctx: JobContext) -> None:
    """The whole platform, once a day: age-out reports and lost-contact flags."""
    async with ctx.db.transaction():
        await find_age_outs("")
        await flag_lost_contact("")


register_periodic("youth.daily_checks", lambda settings: 86400.0)
