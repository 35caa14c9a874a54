"""Signals of self-service sign-up: the alert on sign-up spikes (counts only, no personal data)."""

from __future__ import annotations

from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class SignupSpike(msgspec.Struct, kw_only=True):
    #: Sign-ups counted in the window when the alert fired (the threshold plus one).
    count: int
    threshold: int
    window_seconds: int


class AccountSignedUp(msgspec.Struct, kw_only=True):
    account_id: UUID
    person_id: UUID
    #: phone, wechat or password.
    method: str


SIGNUP_SPIKE = SignalType(
    name="signup.spike",
    payload=SignupSpike,
    description=Text(
        zh_hans="注册量异常：时间窗内自助注册数超过阈值",
        zh_hant="註冊量異常：時間窗內自助註冊數超過閾值",
        en="Sign-up spike: self-service sign-ups in the window passed the threshold",
    ),
)
ACCOUNT_SIGNED_UP = SignalType(
    name="account.signed_up",
    payload=AccountSignedUp,
    description=Text(
        zh_hans="有人自助注册了账号", zh_hant="有人自助註冊了帳號", en="A person signed up for an account"
    ),
)

SIGNUP_SIGNALS: tuple[SignalType, ...] = (SIGNUP_SPIKE, ACCOUNT_SIGNED_UP)
