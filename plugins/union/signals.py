"""The union's signals (ids and codes only, never personal data)."""

from __future__ import annotations

import msgspec

from core.sdk import SignalType, Text


class MemberChanged(msgspec.Struct, frozen=True, kw_only=True):
    person_id: str
    org_id: str
    card_number: str


class RulesChanged(msgspec.Struct, frozen=True, kw_only=True):
    org_id: str
    what: str


class DuesChanged(msgspec.Struct, frozen=True, kw_only=True):
    org_id: str
    month: str
    members: int
    amount: int


class DuesPaid(msgspec.Struct, frozen=True, kw_only=True):
    payment_id: str
    person_id: str
    org_id: str
    amount: int
    months: list[str]


class FundChanged(msgspec.Struct, frozen=True, kw_only=True):
    fund_id: str
    org_id: str
    month: str
    amount: int
    paid: int


class HardshipChanged(msgspec.Struct, frozen=True, kw_only=True):
    file_id: str
    process_id: str
    org_id: str
    category: str


class HelpGiven(msgspec.Struct, frozen=True, kw_only=True):
    help_id: str
    file_id: str
    programme: str
    amount: int


class AgreementTerm(msgspec.Struct, frozen=True, kw_only=True):
    process_id: str
    org_id: str
    term_end: str


class RepresentativeChanged(msgspec.Struct, frozen=True, kw_only=True):
    representative_id: str
    org_id: str
    what: str


class BenefitChanged(msgspec.Struct, frozen=True, kw_only=True):
    benefit_id: str
    org_id: str
    #: declared, changed, or for one application: reserved, granted, used, released.
    what: str
    process_id: str | None = None
    person_id: str | None = None
    quantity: int = 0


class CompetitionChanged(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    org_id: str
    #: kept (published as an event), cancelled, recorded, corrected or published (the results).
    what: str


def _s(name: str, payload: type, zh: str, en: str) -> SignalType:
    return SignalType(name=name, payload=payload, description=Text(zh_hans=zh, en=en))


MEMBER_REGISTERED = _s(
    "union.member_registered", MemberChanged, "会员建档（入会）", "A union member's file was opened"
)
MEMBER_UPDATED = _s("union.member_updated", MemberChanged, "会员档案变更", "A union member's file changed")
MEMBER_LEFT = _s("union.member_left", MemberChanged, "会员退会", "A union member left")
RULES_CHANGED = _s(
    "union.rules_changed", RulesChanged, "工会规则或组织形式变更", "A union's rules or profile changed"
)
DUES_ASSESSED = _s("union.dues_assessed", DuesChanged, "核定月度会费", "Monthly dues were assessed")
DUES_PAID = _s("union.dues_paid", DuesPaid, "缴纳会费", "Dues were paid")
FUND_RECORDED = _s(
    "union.fund_recorded", FundChanged, "登记或缴纳工会经费", "Union funds were recorded or paid"
)
HARDSHIP_FILED = _s("union.hardship_filed", HardshipChanged, "困难职工建档", "A hardship file was opened")
HARDSHIP_CLOSED = _s(
    "union.hardship_closed", HardshipChanged, "困难职工解困脱困", "A hardship file was closed"
)
HELP_GIVEN = _s("union.help_given", HelpGiven, "登记帮扶", "Help was given on a hardship file")

AGREEMENT_EXPIRING = _s(
    "union.agreement_expiring",
    AgreementTerm,
    "工资集体协议即将到期，请启动续签",
    "A wage agreement ends soon",
)
AGREEMENT_EXPIRED = _s(
    "union.agreement_expired", AgreementTerm, "工资集体协议已到期", "A wage agreement has ended"
)

REPRESENTATIVE_CHANGED = _s(
    "union.representative_changed",
    RepresentativeChanged,
    "会员代表当选、述职或受评议",
    "A representative was elected, reported or evaluated",
)

BENEFIT_CHANGED = _s(
    "union.benefit_changed",
    BenefitChanged,
    "会员福利项目设立或变更，或福利申请占用、获批、享受、退回额度",
    "A benefit programme was declared or changed, or an application held, got, used or gave back quota",
)

COMPETITION_CHANGED = _s(
    "union.competition_changed",
    CompetitionChanged,
    "劳动竞赛登记、取消，或成绩登记、更正、公布",
    "A labour competition was kept or cancelled, or its results recorded, corrected or published",
)

SIGNALS = (
    MEMBER_REGISTERED,
    MEMBER_UPDATED,
    MEMBER_LEFT,
    RULES_CHANGED,
    DUES_ASSESSED,
    DUES_PAID,
    FUND_RECORDED,
    HARDSHIP_FILED,
    HARDSHIP_CLOSED,
    HELP_GIVEN,
    AGREEMENT_EXPIRING,
    AGREEMENT_EXPIRED,
    REPRESENTATIVE_CHANGED,
    BENEFIT_CHANGED,
    COMPETITION_CHANGED,
)
