"""Domain signals of identity: ids and codes only, never names, ID numbers or phones."""

from __future__ import annotations

from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class PersonChanged(msgspec.Struct, kw_only=True):
    person_id: UUID
    #: Names of the fields that changed (values are not sent: they may be personal data).
    fields: list[str] = msgspec.field(default_factory=list)


class GrantChanged(msgspec.Struct, kw_only=True):
    grant_id: UUID
    role_id: UUID
    org_id: UUID | None
    subtree: bool


class PostChanged(msgspec.Struct, kw_only=True):
    post_id: UUID
    person_id: UUID
    org_id: UUID


class ConsentChanged(msgspec.Struct, kw_only=True):
    consent_id: UUID
    person_id: UUID
    purpose: str


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


PERSON_CREATED = SignalType(
    name="person.created",
    payload=PersonChanged,
    description=_t("人员已登记", "人員已登記", "A person was registered"),
)
PERSON_UPDATED = SignalType(
    name="person.updated",
    payload=PersonChanged,
    description=_t("人员信息已修改", "人員資訊已修改", "A person was edited"),
)
PERSON_ERASED = SignalType(
    name="person.erased",
    payload=PersonChanged,
    description=_t("个人信息已删除", "個人資訊已刪除", "A person's data was erased"),
)
GRANT_CREATED = SignalType(
    name="grant.created",
    payload=GrantChanged,
    description=_t("已授予角色", "已授予角色", "A role was granted"),
)
GRANT_REVOKED = SignalType(
    name="grant.revoked",
    payload=GrantChanged,
    description=_t("已撤销授权", "已撤銷授權", "A grant was revoked"),
)
POST_CREATED = SignalType(
    name="post.created", payload=PostChanged, description=_t("已任职", "已任職", "A person took up a post")
)
POST_UPDATED = SignalType(
    name="post.updated",
    payload=PostChanged,
    description=_t("职务已变更", "職務已變更", "A post changed or ended"),
)
CONSENT_GIVEN = SignalType(
    name="consent.given",
    payload=ConsentChanged,
    description=_t("已记录同意", "已記錄同意", "Consent was recorded"),
)
CONSENT_WITHDRAWN = SignalType(
    name="consent.withdrawn",
    payload=ConsentChanged,
    description=_t("已撤回同意", "已撤回同意", "Consent was withdrawn"),
)

IDENTITY_SIGNALS: tuple[SignalType, ...] = (
    PERSON_CREATED,
    PERSON_UPDATED,
    PERSON_ERASED,
    GRANT_CREATED,
    GRANT_REVOKED,
    POST_CREATED,
    POST_UPDATED,
    CONSENT_GIVEN,
    CONSENT_WITHDRAWN,
)
