"""The signals the League emits (ids and codes only, never personal data)."""

from __future__ import annotations

import msgspec

from core.sdk import SignalType, Text


class MemberChanged(msgspec.Struct, frozen=True, kw_only=True):
    member_id: str
    org_id: str
    status: str


class PlanChanged(msgspec.Struct, frozen=True, kw_only=True):
    plan_id: str
    org_id: str
    year: int
    quota: int


class CampaignChanged(msgspec.Struct, frozen=True, kw_only=True):
    campaign_id: str
    org_id: str
    year: int


class Registered(msgspec.Struct, frozen=True, kw_only=True):
    campaign_id: str
    member_id: str


class AgeOutChanged(msgspec.Struct, frozen=True, kw_only=True):
    age_out_id: str
    member_id: str
    status: str


class SchemeChanged(msgspec.Struct, frozen=True, kw_only=True):
    scheme_id: str
    org_id: str


class DuesRecorded(msgspec.Struct, frozen=True, kw_only=True):
    dues_id: str
    member_id: str
    month: str


class HoursChanged(msgspec.Struct, frozen=True, kw_only=True):
    hours_id: str
    event_id: str
    status: str


class MeetingChanged(msgspec.Struct, frozen=True, kw_only=True):
    event_id: str
    org_id: str
    type: str


class Evaluated(msgspec.Struct, frozen=True, kw_only=True):
    evaluation_id: str
    member_id: str
    year: int
    grade: str


class BranchChanged(msgspec.Struct, frozen=True, kw_only=True):
    org_id: str
    category: str


def _signal(name: str, payload: type, zh_hans: str, zh_hant: str, en: str) -> SignalType:
    return SignalType(name=name, payload=payload, description=Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en))


MEMBER_ADMITTED = _signal(
    "youth.member_admitted",
    MemberChanged,
    "新团员入团，发放团员编号",
    "新團員入團，發放團員編號",
    "A new League member was admitted and numbered",
)
MEMBER_ENTERED = _signal(
    "youth.member_entered",
    MemberChanged,
    "在册团员已登记入名册",
    "在冊團員已登記入名冊",
    "An existing League member was entered into the register",
)
MEMBER_UPDATED = _signal(
    "youth.member_updated",
    MemberChanged,
    "团员信息已更新",
    "團員資訊已更新",
    "A League member's record changed",
)
MEMBER_TRANSFERRED = _signal(
    "youth.member_transferred",
    MemberChanged,
    "团员组织关系已转接",
    "團員組織關係已轉接",
    "A League member's relationship was transferred",
)
MEMBER_LEFT_BRANCH = _signal(
    "youth.member_left_branch",
    MemberChanged,
    "团员已离开团支部待转接",
    "團員已離開團支部待轉接",
    "A League member left their branch, to be transferred",
)
MEMBER_LOST_CONTACT = _signal(
    "youth.member_lost_contact",
    MemberChanged,
    "团员离开团支部逾六个月未转接，列为失联团员",
    "團員離開團支部逾六個月未轉接，列為失聯團員",
    "A member untransferred six months after leaving was flagged lost contact",
)
MEMBER_REPORTED = _signal(
    "youth.member_reported", MemberChanged, "团员已报到", "團員已報到", "A League member reported in"
)
MEMBER_AGED_OUT = _signal(
    "youth.member_aged_out",
    MemberChanged,
    "团员超龄离团",
    "團員超齡離團",
    "A League member left on reaching the age limit",
)
PLAN_SET = _signal(
    "youth.plan_set",
    PlanChanged,
    "发展团员计划已设定",
    "發展團員計劃已設定",
    "A committee's development quota was set",
)
CAMPAIGN_OPENED = _signal(
    "youth.campaign_opened",
    CampaignChanged,
    "团籍注册已开启",
    "團籍註冊已開啟",
    "An annual registration campaign was opened",
)
MEMBER_REGISTERED = _signal(
    "youth.member_registered",
    Registered,
    "团员已完成团籍注册",
    "團員已完成團籍註冊",
    "A member was registered in the annual campaign",
)
AGE_OUT_FOUND = _signal(
    "youth.age_out_found",
    AgeOutChanged,
    "发现超龄团员，待确认",
    "發現超齡團員，待確認",
    "A member past the age limit was found, to be confirmed",
)
AGE_OUT_DECIDED = _signal(
    "youth.age_out_decided",
    AgeOutChanged,
    "超龄团员处理已确认",
    "超齡團員處理已確認",
    "A member past the age limit was confirmed leaving or kept",
)

DUES_SCHEME_SET = _signal(
    "youth.dues_scheme_set", SchemeChanged, "团费标准已设定", "團費標準已設定", "A dues scheme was set"
)
DUES_RECORDED = _signal(
    "youth.dues_recorded", DuesRecorded, "团费缴纳已记录", "團費繳納已記錄", "A member's dues were recorded"
)

VOLUNTEER_REGISTERED = _signal(
    "youth.volunteer_registered",
    MemberChanged,
    "已注册为志愿者",
    "已註冊為志願者",
    "A person registered as a volunteer",
)
HOURS_CHANGED = _signal(
    "youth.hours_changed",
    HoursChanged,
    "志愿服务时长已记录或确认",
    "志願服務時長已記錄或確認",
    "Volunteer hours were credited, confirmed or rejected",
)

MINUTES_RECORDED = _signal(
    "youth.minutes_recorded",
    MeetingChanged,
    "组织生活会议记录已填写",
    "組織生活會議記錄已填寫",
    "The minutes of a branch-life meeting were recorded",
)
MEMBER_EVALUATED = _signal(
    "youth.member_evaluated",
    Evaluated,
    "民主评议团员结果已记录",
    "民主評議團員結果已記錄",
    "A member's grade in the democratic evaluation was recorded or changed",
)

BRANCH_CATEGORY_CHANGED = _signal(
    "youth.branch_category_changed",
    BranchChanged,
    "团支部类别已变更（含毕业班团支部毕业）",
    "團支部類別已變更（含畢業班團支部畢業）",
    "A branch's category changed (a graduating branch graduated)",
)

SIGNALS = (
    MEMBER_ADMITTED,
    MEMBER_ENTERED,
    MEMBER_UPDATED,
    MEMBER_TRANSFERRED,
    MEMBER_LEFT_BRANCH,
    MEMBER_LOST_CONTACT,
    MEMBER_REPORTED,
    MEMBER_AGED_OUT,
    PLAN_SET,
    CAMPAIGN_OPENED,
    MEMBER_REGISTERED,
    AGE_OUT_FOUND,
    AGE_OUT_DECIDED,
    DUES_SCHEME_SET,
    DUES_RECORDED,
    VOLUNTEER_REGISTERED,
    HOURS_CHANGED,
    MINUTES_RECORDED,
    MEMBER_EVALUATED,
    BRANCH_CATEGORY_CHANGED,
)
