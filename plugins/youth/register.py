"""Keeping the League register (``youth_member``) in step with memberships made outside the plugin.

A person made a member of a League branch through the core — ``POST /api/v1/orgs/{id}/members`` or a
members import — gets their register row from ``quntuan_member_joined``: the 团员编号 the import carried
(``extra.youth_number``) when it is well-formed and free, otherwise a new one; the joining date the import
carried (``extra.youth_joined_on``) when it is a real date not in the future, otherwise the day the
membership was made. Memberships the plugin makes itself (its register route, admissions, transfers) write
their own row and are skipped here.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from core.sdk import Membership, MembershipInfo, Org, emit, record_audit, transaction
from plugins.youth import signals
from plugins.youth.membership import facts_of, joining_ourselves
from plugins.youth.numbers import issue_member_number
from plugins.youth.processes import age_limit_day
from plugins.youth.tables import YouthMember

_NUMBER = re.compile(r"^[0-9A-Za-z]{6,20}$")
#: The platform's time zone (``QUNTUAN_TIMEZONE``), remembered at start-up for the days this module dates.
_zone: list[str] = ["Asia/Shanghai"]


def remember_zone(app: Any) -> None:
    """``quntuan_startup``: the settings' zone, so a membership's day is the platform's, not UTC's."""
    _zone[0] = app.state.settings.timezone


def _joined_on(membership: MembershipInfo, joined_at: dt.datetime | None) -> dt.date:
    zone = ZoneInfo(_zone[0])
    today = dt.datetime.now(zone).date()
    given = membership.extra.get("youth_joined_on")
    if isinstance(given, str):
        try:
            day = dt.date.fromisoformat(given.strip())
        except ValueError:
            day = None
        if day is not None and dt.date(1950, 1, 1) <= day <= today:
            return day
    return joined_at.astimezone(zone).date() if joined_at is not None else today


async def on_member_joined(membership: MembershipInfo) -> None:
    """``quntuan_member_joined``: a League branch's new member made through the core gets a register
    row (audited and signalled ``youth.member_entered``) unless they already have an active one."""
    if joining_ourselves() or membership.role != "member" or membership.org_kind != "youth.branch":
        return
    async with transaction():
        if (
            await YouthMember.exists()
            .where((YouthMember.person == membership.person_id) & (YouthMember.status == "active"))
            .run()
        ):
            return  # on the register already: a transfer, not a second row, moves a member
        org = await Org.select(Org.path).where(Org.id == membership.org_id).first().run()
        joined = (
            await Membership.select(Membership.joined_at, Membership.status)
            .where(Membership.id == membership.membership_id)
            .first()
            .run()
        )
        if org is None or joined is None or joined["status"] != "active":
            return
        joined_on = _joined_on(membership, joined["joined_at"])
        number = membership.extra.get("youth_number")
        if not (isinstance(number, str) and _NUMBER.match(number)) or (
            await YouthMember.exists().where(YouthMember.number == number).run()
        ):
            number = await issue_member_number(joined_on.year)
        facts = await facts_of(membership.person_id)
        member_id = uuid.uuid4()
        stamp = dt.datetime.now(dt.UTC)
        await YouthMember.insert(
            YouthMember(
                id=member_id,
                person=membership.person_id,
                membership=membership.membership_id,
                org=membership.org_id,
                org_path=org["path"],
                number=number,
                status="active",
                joined_on=joined_on,
                age_out_on=age_limit_day(facts.birth_date) if facts.birth_date else None,
                created_at=stamp,
                updated_at=stamp,
            )
        ).run()
        await record_audit(
            "youth.member.entered",
            resource_type="youth.member",
            resource_id=member_id,
            org_path=org["path"],
            changes={
                "person": membership.person_id,
                "number": number,
                "membership": membership.membership_id,
            },
        )
        await emit(
            signals.MEMBER_ENTERED,
            signals.MemberChanged(member_id=str(member_id), org_id=str(membership.org_id), status="active"),
            resource_type="youth.member",
            resource_id=member_id,
            org_path=org["path"],
        )
