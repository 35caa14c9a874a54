"""The union's built-in roles: 工会主席 (chair: everything of the union) and 工会干事 (officer: the
daily work of members, dues, funds and help, without the rules or the level-above approvals)."""

from __future__ import annotations

from core.sdk import BuiltinRole, Text
from plugins.union import permissions as P

#: What a union cadre needs of the core beside the union's own: persons and members to register, the
#: processes (网上入会, 困难帮扶, 法律援助) to handle, events, places, notices, announcements (the chair
#: publishes them), selections and statistics.
CORE_DAILY = (
    "core.person.read",
    "core.person.write",
    "core.member.read",
    "core.member.manage",
    "core.process.read",
    "core.process.handle",
    "core.event.read",
    "core.event.manage",
    "core.announcement.read",
    "core.place.read",
    "core.place.manage",
    "core.selection.read",
    "core.selection.nominate",
    "core.stats.read",
)
CORE_CHAIR = (
    *CORE_DAILY,
    "core.notice.manage",
    "core.announcement.manage",
    "core.selection.manage",
    "core.selection.review",
)

CHAIR = BuiltinRole(
    code="union.chair",
    name=Text(zh_hans="工会主席", zh_hant="工會主席", en="Union chair"),
    permissions=(*(p.code for p in P.PERMISSIONS), *CORE_CHAIR),
    description=Text(zh_hans="工会的全部工作，含规则设定与上级审定", en="All of the union's work"),
)
OFFICER = BuiltinRole(
    code="union.officer",
    name=Text(zh_hans="工会干事", zh_hant="工會幹事", en="Union officer"),
    permissions=(
        P.MEMBER_READ,
        P.MEMBER_MANAGE,
        P.DUES_READ,
        P.DUES_MANAGE,
        P.FUND_READ,
        P.FUND_MANAGE,
        P.FORMATION_READ,
        P.JOIN_REVIEW,
        P.LEGAL_AID_HANDLE,
        P.HARDSHIP_READ,
        P.HARDSHIP_REVIEW,
        P.HARDSHIP_MANAGE,
        P.AGREEMENT_READ,
        P.AGREEMENT_MANAGE,
        P.REPRESENTATIVE_MANAGE,
        P.BENEFIT_READ,
        P.BENEFIT_MANAGE,
        P.COMPETITION_READ,
        P.COMPETITION_MANAGE,
        *CORE_DAILY,
    ),
    description=Text(
        zh_hans="会员、会费、经费与帮扶的日常工作", en="The daily work of members, dues, funds and help"
    ),
)
ROLES = (CHAIR, OFFICER)
