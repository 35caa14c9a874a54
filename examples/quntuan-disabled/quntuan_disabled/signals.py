"""The signals the plugin emits (ids and codes only, never personal data)."""

import msgspec

from core.sdk import SignalType, Text


class CertificateChanged(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    org: str
    person: str
    category: str
    grade: int
    status: str


CERTIFICATE_REGISTERED = SignalType(
    name="disabled.certificate_registered",
    payload=CertificateChanged,
    description=Text(
        zh_hans="登记了一张残疾人证", zh_hant="登記了一張殘疾人證", en="A certificate was registered"
    ),
)
CERTIFICATE_CHANGED = SignalType(
    name="disabled.certificate_changed",
    payload=CertificateChanged,
    description=Text(
        zh_hans="残疾人证的等级、有效期或状态变更",
        zh_hant="殘疾人證的等級、有效期或狀態變更",
        en="A certificate's grade, validity or status changed",
    ),
)
