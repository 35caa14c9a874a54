"""Domain signals of selections and honors. Payloads carry ids and codes only, never names or forms."""

from __future__ import annotations

from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class CampaignSignal(msgspec.Struct, frozen=True, kw_only=True):
    campaign_id: UUID
    type: str
    org_id: UUID
    stage: str
    version: int


class NominationSignal(msgspec.Struct, frozen=True, kw_only=True):
    nomination_id: UUID
    campaign_id: UUID
    #: The step: filed, forwarded, rejected, selected, withdrawn.
    action: str
    org_id: UUID
    level: int
    status: str


class HonorSignal(msgspec.Struct, frozen=True, kw_only=True):
    honor_id: UUID
    recipient_kind: str
    person_id: UUID | None
    recipient_org_id: UUID | None
    issuing_org_id: UUID
    level: str
    year: int
    campaign_id: UUID | None
    status: str


def _s(name: str, payload: type, zh_hans: str, en: str, *, public: bool = False) -> SignalType:
    return SignalType(name=name, payload=payload, description=Text(zh_hans=zh_hans, en=en), public=public)


CAMPAIGN_CREATED = _s(
    "selection.campaign_created",
    CampaignSignal,
    "已发起评选",
    "A selection campaign was created",
    public=True,
)
CAMPAIGN_STAGED = _s(
    "selection.stage_changed",
    CampaignSignal,
    "评选进入下一阶段",
    "A campaign moved to another stage",
    public=True,
)
CAMPAIGN_DECIDED = _s(
    "selection.decided", CampaignSignal, "评选结果已确定", "A campaign's result was decided", public=True
)
NOMINATION_CHANGED = _s(
    "selection.nomination_changed",
    NominationSignal,
    "评选推荐有变动",
    "A nomination was filed, forwarded, rejected, selected or withdrawn",
)
HONOR_AWARDED = _s("honor.awarded", HonorSignal, "已登记荣誉", "An honor was recorded in the register")
HONOR_REVOKED = _s("honor.revoked", HonorSignal, "荣誉已撤销", "An honor was revoked")

SELECTION_SIGNALS: tuple[SignalType, ...] = (
    CAMPAIGN_CREATED,
    CAMPAIGN_STAGED,
    CAMPAIGN_DECIDED,
    NOMINATION_CHANGED,
    HONOR_AWARDED,
    HONOR_REVOKED,
)
