"""The union's built-in roles: 工会主席 (chair: everything of the union) and 工会干事 (officer: the
daily work of members, dues, funds and help, without the rules or the level-above approvals)."""

from __future__ import annotations

from plugins.union import permissions as P

CHAIR = ("union.chair", "工会主席", "工會主席", "Union chair", tuple(p.code for p in P.PERMISSIONS))
OFFICER = (
    "union.officer",
    "工会干事",
    "工會幹事",
    "Union officer",
    (
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
    ),
)
ROLES = (CHAIR, OFFICER)
