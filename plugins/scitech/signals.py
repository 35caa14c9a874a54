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

SIGNALS: list[SignalType] = [EXPERT_ADDED, EXPERT_CHANGED]
