"""The signals the joint plugin emits (ids and codes only, never personal data).

A task's own steps (accepted, reported, submitted, confirmed, returned) are steps of its core process
and reach subscribers as ``process.stepped`` / ``process.closed``; these are the plugin's other changes.
"""

from __future__ import annotations

import msgspec

from core.sdk import SignalType, Text


class CouncilSignal(msgspec.Struct, frozen=True, kw_only=True):
    council: str
    org: str


class MemberSignal(msgspec.Struct, frozen=True, kw_only=True):
    council: str
    member: str
    org: str


class MeetingSignal(msgspec.Struct, frozen=True, kw_only=True):
    council: str
    meeting: str
    status: str


class DecisionSignal(msgspec.Struct, frozen=True, kw_only=True):
    council: str
    decision: str
    tasks: list[str]
    processes: list[str]


class TaskSignal(msgspec.Struct, frozen=True, kw_only=True):
    council: str
    task: str
    process: str
    member_org: str


class RuleSignal(msgspec.Struct, frozen=True, kw_only=True):
    rule: str
    region: str
    request_type: str
    target: str


class ServiceSignal(msgspec.Struct, frozen=True, kw_only=True):
    service: str
    org: str
    status: str


class PartnerSignal(msgspec.Struct, frozen=True, kw_only=True):
    partner: str
    org: str
    status: str


class OrderSignal(msgspec.Struct, frozen=True, kw_only=True):
    order: str
    process: str
    org: str
    #: the service ordered, or empty for a need routed without one.
    service: str = ""
    need_type: str = ""
    #: where it was dispatched (派单): the org, and the partner social organization when one takes it.
    assignee_org: str = ""
    partner: str = ""
    rating: int | None = None


class SurveySignal(msgspec.Struct, frozen=True, kw_only=True):
    survey: str
    org: str
    status: str


class SurveyRunSignal(msgspec.Struct, frozen=True, kw_only=True):
    survey: str
    run: str
    period: str
    status: str
    responses: int


def _s(name: str, payload: type, zh_hans: str, en: str) -> SignalType:
    return SignalType(name=name, payload=payload, description=Text(zh_hans=zh_hans, en=en))


COUNCIL_CREATED = _s("joint.council_created", CouncilSignal, "成立了联席会议", "A joint council was set up")
COUNCIL_CHANGED = _s("joint.council_changed", CouncilSignal, "联席会议信息已修改或撤销", "A council changed")
MEMBER_ADDED = _s(
    "joint.member_added", MemberSignal, "联席会议增加了成员单位", "A member org joined a council"
)
MEMBER_REMOVED = _s(
    "joint.member_removed", MemberSignal, "联席会议移除了成员单位", "A member org left a council"
)
MEETING_SCHEDULED = _s(
    "joint.meeting_scheduled", MeetingSignal, "联席会议安排了会议", "A council meeting was set"
)
MEETING_CHANGED = _s(
    "joint.meeting_changed",
    MeetingSignal,
    "会议的纪要、出席或状态已更新",
    "A meeting's minutes or status changed",
)
DECISION_MADE = _s(
    "joint.decision_made",
    DecisionSignal,
    "联席会议作出议定事项并交办任务",
    "A council decided and assigned tasks",
)
TASK_URGED = _s(
    "joint.task_urged", TaskSignal, "联席会议办公室督办了任务", "The council's office followed a task up"
)
TASK_OVERDUE = _s("joint.task_overdue", TaskSignal, "交办任务逾期未完成", "An assigned task is overdue")
RULE_SET = _s("joint.referral_rule_set", RuleSignal, "设置了转办规则", "A referral rule was set")
RULE_REMOVED = _s("joint.referral_rule_removed", RuleSignal, "删除了转办规则", "A referral rule was removed")

SERVICE_PUBLISHED = _s(
    "joint.service_published", ServiceSignal, "服务清单发布了服务", "A service was published on the menu"
)
SERVICE_CHANGED = _s("joint.service_changed", ServiceSignal, "服务信息已修改", "A service changed")
SERVICE_WITHDRAWN = _s("joint.service_withdrawn", ServiceSignal, "服务已撤下", "A service was withdrawn")
PARTNER_REGISTERED = _s(
    "joint.partner_registered",
    PartnerSignal,
    "登记了合作社会组织",
    "A partner social organization was registered",
)
PARTNER_CHANGED = _s(
    "joint.partner_changed", PartnerSignal, "合作社会组织信息已修改", "A partner organization changed"
)
ORDER_PLACED = _s("joint.order_placed", OrderSignal, "群众点单", "A person ordered a service")
ORDER_DISPATCHED = _s(
    "joint.order_dispatched", OrderSignal, "点单已派给承接组织", "An order was dispatched to an org"
)
ORDER_RATED = _s("joint.order_rated", OrderSignal, "群众评价了服务", "A person rated a service")

SURVEY_CREATED = _s("joint.survey_created", SurveySignal, "发起了需求调查", "A needs survey was set up")
SURVEY_CHANGED = _s("joint.survey_changed", SurveySignal, "需求调查已修改或归档", "A needs survey changed")
RUN_OPENED = _s(
    "joint.survey_run_opened", SurveyRunSignal, "需求调查开放了一期作答", "A survey run opened for answers"
)
RUN_CLOSED = _s("joint.survey_run_closed", SurveyRunSignal, "需求调查一期作答结束", "A survey run closed")

SIGNALS: tuple[SignalType, ...] = (
    COUNCIL_CREATED,
    COUNCIL_CHANGED,
    MEMBER_ADDED,
    MEMBER_REMOVED,
    MEETING_SCHEDULED,
    MEETING_CHANGED,
    DECISION_MADE,
    TASK_URGED,
    TASK_OVERDUE,
    RULE_SET,
    RULE_REMOVED,
    SERVICE_PUBLISHED,
    SERVICE_CHANGED,
    SERVICE_WITHDRAWN,
    PARTNER_REGISTERED,
    PARTNER_CHANGED,
    ORDER_PLACED,
    ORDER_DISPATCHED,
    ORDER_RATED,
    SURVEY_CREATED,
    SURVEY_CHANGED,
    RUN_OPENED,
    RUN_CLOSED,
)
