"""The union's permissions (``union.<resource>.<action>``); roles are built from them (see roles.py)."""

from __future__ import annotations

from core.sdk import Permission, Text

MEMBER_READ = "union.member.read"
MEMBER_MANAGE = "union.member.manage"
DUES_READ = "union.dues.read"
DUES_MANAGE = "union.dues.manage"
FUND_READ = "union.fund.read"
FUND_MANAGE = "union.fund.manage"
RULES_MANAGE = "union.rules.manage"
FORMATION_READ = "union.formation.read"
JOIN_REVIEW = "union.join.review"
LEGAL_AID_HANDLE = "union.legal_aid.handle"
HARDSHIP_READ = "union.hardship.read"
HARDSHIP_REVIEW = "union.hardship.review"
HARDSHIP_APPROVE = "union.hardship.approve"
HARDSHIP_MANAGE = "union.hardship.manage"
AGREEMENT_MANAGE = "union.agreement.manage"
REPRESENTATIVE_MANAGE = "union.representative.manage"
AGREEMENT_READ = "union.agreement.read"
BENEFIT_READ = "union.benefit.read"
BENEFIT_MANAGE = "union.benefit.manage"
COMPETITION_READ = "union.competition.read"
COMPETITION_MANAGE = "union.competition.manage"


def _p(code: str, zh_hans: str, zh_hant: str, en: str) -> Permission:
    return Permission(code=code, name=Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en))


PERMISSIONS: tuple[Permission, ...] = (
    _p(MEMBER_READ, "查看会员档案", "查看會員檔案", "Read union members"),
    _p(MEMBER_MANAGE, "管理会员（登记、变更、退会）", "管理會員（登記、變更、退會）", "Manage union members"),
    _p(DUES_READ, "查看会费", "查看會費", "Read dues"),
    _p(DUES_MANAGE, "核定与收缴会费", "核定與收繳會費", "Assess and collect dues"),
    _p(FUND_READ, "查看工会经费", "查看工會經費", "Read union funds"),
    _p(FUND_MANAGE, "登记工会经费", "登記工會經費", "Record union funds"),
    _p(
        RULES_MANAGE,
        "设定会费、经费与建会规则",
        "設定會費、經費與建會規則",
        "Set dues, funds and formation rules",
    ),
    _p(
        FORMATION_READ,
        "查看建会与入会情况",
        "查看建會與入會情況",
        "Read union formation and membership rates",
    ),
    _p(JOIN_REVIEW, "审批入会申请", "審批入會申請", "Decide applications to join"),
    _p(LEGAL_AID_HANDLE, "办理法律援助", "辦理法律援助", "Handle legal aid cases"),
    _p(HARDSHIP_READ, "查看困难职工档案", "查看困難職工檔案", "Read hardship files"),
    _p(HARDSHIP_REVIEW, "基层审核困难职工", "基層審核困難職工", "Review hardship files (grassroots)"),
    _p(HARDSHIP_APPROVE, "上级审定困难职工", "上級審定困難職工", "Approve hardship files (level above)"),
    _p(HARDSHIP_MANAGE, "登记帮扶与解困", "登記幫扶與解困", "Record help and close hardship files"),
    _p(REPRESENTATIVE_MANAGE, "管理会员代表与述职", "管理會員代表與述職", "Manage member representatives"),
    _p(AGREEMENT_READ, "查看工资集体协议", "查看工資集體協議", "Read collective wage agreements"),
    _p(
        AGREEMENT_MANAGE,
        "办理工资集体协商与备案",
        "辦理工資集體協商與備案",
        "Handle collective wage agreements",
    ),
    _p(BENEFIT_READ, "查看会员福利与疗休养", "查看會員福利與療休養", "Read member benefits and their use"),
    _p(
        BENEFIT_MANAGE,
        "设立会员福利项目并审批申请",
        "設立會員福利項目並審批申請",
        "Declare member benefits and decide applications",
    ),
    _p(COMPETITION_READ, "查看劳动竞赛及成绩", "查看勞動競賽及成績", "Read labour competitions and results"),
    _p(
        COMPETITION_MANAGE,
        "登记与公布劳动竞赛成绩",
        "登記與公佈勞動競賽成績",
        "Record and publish competition results",
    ),
)
