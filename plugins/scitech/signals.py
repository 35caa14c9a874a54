"""The signals the scitech plugin emits (ids and codes only, never personal data)."""

from __future__ import annotations

import msgspec

from core.sdk import SignalType, Text


class ExpertSignal(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    org: str


EXPERT_ADDED = SignalType(
    name="scitech.expert_added",
    payload=ExpertSignal,
    description=Text(zh_hans="专家入库", zh_hant="專家入庫", en="An expert joined the library"),
)
EXPERT_CHANGED = SignalType(
    name="scitech.expert_changed",
    payload=ExpertSignal,
    description=Text(zh_hans="专家信息变更", zh_hant="專家資訊變更", en="An expert's record changed"),
)


class ReportSignal(msgspec.Struct, frozen=True, kw_only=True):
    process: str
    org: str
    #: instruction (批示) or adoption (采纳), for an adopted report.
    adoption: str = ""


REPORT_SUBMITTED = SignalType(
    name="scitech.report_submitted",
    payload=ReportSignal,
    description=Text(
        zh_hans="咨询报告已报送", zh_hant="諮詢報告已報送", en="A consulting report was submitted"
    ),
)
REPORT_ADOPTED = SignalType(
    name="scitech.report_adopted",
    payload=ReportSignal,
    description=Text(
        zh_hans="咨询报告获批示或采纳", zh_hant="諮詢報告獲批示或採納", en="A consulting report was adopted"
    ),
)

SIGNALS: list[SignalType] = [EXPERT_ADDED, EXPERT_CHANGED, REPORT_SUBMITTED, REPORT_ADOPTED]
