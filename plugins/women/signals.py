"""The signals the women plugin emits (ids and codes only, never personal data)."""

from __future__ import annotations

import msgspec

from core.sdk import SignalType, Text


class RightsCaseOpened(msgspec.Struct, frozen=True, kw_only=True):
    process_id: str
    category: str
    channel: str


class ProtectionOrderRecorded(msgspec.Struct, frozen=True, kw_only=True):
    process_id: str
    action: str


class RightsReferredOut(msgspec.Struct, frozen=True, kw_only=True):
    process_id: str
    to: str


class ExecMemberChanged(msgspec.Struct, frozen=True, kw_only=True):
    member_id: str
    org_id: str
    status: str


class ExecRecordAdded(msgspec.Struct, frozen=True, kw_only=True):
    member_id: str
    record_id: str
    kind: str


class ProgramCreated(msgspec.Struct, frozen=True, kw_only=True):
    program_id: str
    org_id: str
    kind: str


class EnrolmentChanged(msgspec.Struct, frozen=True, kw_only=True):
    enrolment_id: str
    program_id: str
    status: str


RIGHTS_CASE_OPENED = SignalType(
    name="women.rights_case_opened",
    payload=RightsCaseOpened,
    description=Text(zh_hans="受理登记了一件维权案件", en="A rights case was opened"),
)
PROTECTION_ORDER_RECORDED = SignalType(
    name="women.protection_order_recorded",
    payload=ProtectionOrderRecorded,
    description=Text(zh_hans="记录了人身安全保护令协助", en="Protection-order help was recorded"),
)
RIGHTS_REFERRED_OUT = SignalType(
    name="women.rights_referred_out",
    payload=RightsReferredOut,
    description=Text(zh_hans="维权案件转介到相关部门", en="A rights case was referred to another body"),
)
EXEC_MEMBER_CHANGED = SignalType(
    name="women.exec_member_changed",
    payload=ExecMemberChanged,
    description=Text(
        zh_hans="执委任命、变更或卸任", en="An executive member was appointed, changed or ended"
    ),
)
EXEC_RECORD_ADDED = SignalType(
    name="women.exec_record_added",
    payload=ExecRecordAdded,
    description=Text(
        zh_hans="执委新增联系服务对象、履职活动或年度评价",
        en="An executive member's contact, activity or evaluation was recorded",
    ),
)

PROGRAM_CREATED = SignalType(
    name="women.program_created",
    payload=ProgramCreated,
    description=Text(zh_hans="新建了赋能项目", en="An empowerment program was created"),
)
ENROLMENT_CHANGED = SignalType(
    name="women.enrolment_changed",
    payload=EnrolmentChanged,
    description=Text(
        zh_hans="赋能项目报名、出勤或结果发生变化", en="An enrolment, its attendance or outcome changed"
    ),
)

SIGNALS = (
    PROGRAM_CREATED,
    ENROLMENT_CHANGED,
    RIGHTS_CASE_OPENED,
    PROTECTION_ORDER_RECORDED,
    RIGHTS_REFERRED_OUT,
    EXEC_MEMBER_CHANGED,
    EXEC_RECORD_ADDED,
)
