"""Domain signals of processes and notices. Payloads carry ids and codes only, never form data."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class ProcessSignal(msgspec.Struct, frozen=True, kw_only=True):
    process_id: UUID
    type: str
    org_id: UUID
    handler_org_id: UUID
    applicant_id: UUID
    #: The step taken (a transition code or a core step such as ``escalate``).
    action: str
    from_state: str | None
    state: str
    status: str
    outcome: str | None
    version: int


class ReferralSignal(msgspec.Struct, frozen=True, kw_only=True):
    """A process handed to another org: integrators pass ``to_process_id`` to a government system."""

    process_id: UUID
    to_process_id: UUID
    type: str
    to_type: str
    from_org_id: UUID
    to_org_id: UUID


class NoticeSignal(msgspec.Struct, frozen=True, kw_only=True):
    notice_id: UUID
    org_id: UUID
    kind: str
    title: str
    process_id: UUID | None
    closes_at: datetime


class ObjectionSignal(msgspec.Struct, frozen=True, kw_only=True):
    notice_id: UUID
    objection_id: UUID
    process_id: UUID | None
    status: str


def _s(name: str, payload: type, zh_hans: str, en: str, *, public: bool = False) -> SignalType:
    return SignalType(name=name, payload=payload, description=Text(zh_hans=zh_hans, en=en), public=public)


PROCESS_OPENED = _s(
    "process.opened", ProcessSignal, "已提交申请", "A process was opened (an application filed)"
)
PROCESS_STEPPED = _s(
    "process.stepped", ProcessSignal, "申请已办理一步", "A process took a step (a transition)"
)
PROCESS_ESCALATED = _s(
    "process.escalated",
    ProcessSignal,
    "申请已逾期上报",
    "A process passed its deadline and went to the parent org",
)
PROCESS_OVERDUE = _s(
    "process.overdue", ProcessSignal, "申请办理已逾期", "A process passed its deadline (reminder)"
)
PROCESS_CLOSED = _s("process.closed", ProcessSignal, "申请已办结", "A process reached a final state")
PROCESS_REFERRED = _s(
    "process.referred", ReferralSignal, "申请已转办", "A process was referred to another org"
)
PROCESS_HELD = _s(
    "process.held", ProcessSignal, "申请因异议暂停", "A process was held or reopened by an objection"
)
NOTICE_PUBLISHED = _s(
    "notice.published", NoticeSignal, "已发布公示", "A public notice was published", public=True
)
NOTICE_WITHDRAWN = _s(
    "notice.withdrawn", NoticeSignal, "公示已撤回", "A public notice was withdrawn", public=True
)
OBJECTION_FILED = _s("objection.filed", ObjectionSignal, "公示收到异议", "An objection to a notice was filed")
OBJECTION_RESOLVED = _s("objection.resolved", ObjectionSignal, "异议已处理", "An objection was resolved")

PROCESS_SIGNALS: tuple[SignalType, ...] = (
    PROCESS_OPENED,
    PROCESS_STEPPED,
    PROCESS_ESCALATED,
    PROCESS_OVERDUE,
    PROCESS_CLOSED,
    PROCESS_REFERRED,
    PROCESS_HELD,
    NOTICE_PUBLISHED,
    NOTICE_WITHDRAWN,
    OBJECTION_FILED,
    OBJECTION_RESOLVED,
)
