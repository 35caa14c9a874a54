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
)
