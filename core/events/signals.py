"""Domain signals of events, registrations, check-ins and feedback. Payloads carry ids and codes only."""

from __future__ import annotations

from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class EventSignal(msgspec.Struct, frozen=True, kw_only=True):
    event_id: UUID
    type: str
    org_id: UUID
    status: str
    version: int


class RegistrationSignal(msgspec.Struct, frozen=True, kw_only=True):
    event_id: UUID
    registration_id: UUID
    person_id: UUID
    status: str


class CheckInSignal(msgspec.Struct, frozen=True, kw_only=True):
    event_id: UUID
    registration_id: UUID
    person_id: UUID
    method: str


class FeedbackSignal(msgspec.Struct, frozen=True, kw_only=True):
    event_id: UUID
    feedback_id: UUID
    rating: int


def _s(name: str, payload: type, zh_hans: str, en: str) -> SignalType:
    return SignalType(name=name, payload=payload, description=Text(zh_hans=zh_hans, en=en))


EVENT_CREATED = _s("event.created", EventSignal, "活动已创建（草稿）", "An event was created (as a draft)")
EVENT_UPDATED = _s("event.updated", EventSignal, "活动已修改", "An event was changed")
EVENT_PUBLISHED = _s("event.published", EventSignal, "活动已发布", "An event was published")
EVENT_CANCELLED = _s("event.cancelled", EventSignal, "活动已取消", "An event was cancelled")
EVENT_FINISHED = _s("event.finished", EventSignal, "活动已结束", "An event was marked finished")
REGISTRATION_CONFIRMED = _s(
    "registration.confirmed", RegistrationSignal, "报名已确认", "A registration was confirmed"
)
REGISTRATION_WAITLISTED = _s(
    "registration.waitlisted", RegistrationSignal, "报名进入候补", "A registration joined the waitlist"
)
REGISTRATION_CANCELLED = _s(
    "registration.cancelled", RegistrationSignal, "报名已取消", "A registration was cancelled"
)
REGISTRATION_PROMOTED = _s(
    "registration.promoted",
    RegistrationSignal,
    "候补报名已转为确认",
    "A waitlisted registration was promoted to confirmed",
)
CHECKIN_RECORDED = _s("checkin.recorded", CheckInSignal, "已签到", "An attendee was checked in")
FEEDBACK_GIVEN = _s("feedback.given", FeedbackSignal, "已评价活动", "An attendee rated an event")

EVENT_SIGNALS: tuple[SignalType, ...] = (
    EVENT_CREATED,
    EVENT_UPDATED,
    EVENT_PUBLISHED,
    EVENT_CANCELLED,
    EVENT_FINISHED,
    REGISTRATION_CONFIRMED,
    REGISTRATION_WAITLISTED,
    REGISTRATION_CANCELLED,
    REGISTRATION_PROMOTED,
    CHECKIN_RECORDED,
    FEEDBACK_GIVEN,
)
