"""Domain signals of places and bookings. Payloads carry ids, codes and times, never who booked why."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from core.integration.signals import SignalType
from core.kernel.i18n import Text


class PlaceSignal(msgspec.Struct, frozen=True, kw_only=True):
    place_id: UUID
    kind: str
    org_id: UUID
    status: str
    version: int


class BookingSignal(msgspec.Struct, frozen=True, kw_only=True):
    booking_id: UUID
    place_id: UUID
    resource_id: UUID
    status: str
    starts_at: datetime
    ends_at: datetime


def _s(name: str, payload: type, zh_hans: str, en: str) -> SignalType:
    return SignalType(name=name, payload=payload, description=Text(zh_hans=zh_hans, en=en))


PLACE_CREATED = _s("place.created", PlaceSignal, "已新建阵地", "A place was created")
PLACE_UPDATED = _s("place.updated", PlaceSignal, "阵地信息已更新", "A place was changed")
BOOKING_REQUESTED = _s(
    "booking.requested", BookingSignal, "已提交预约（待审批）", "A booking awaits approval"
)
BOOKING_CONFIRMED = _s("booking.confirmed", BookingSignal, "预约已确认", "A booking was confirmed")
BOOKING_REJECTED = _s("booking.rejected", BookingSignal, "预约未获批准", "A booking was rejected")
BOOKING_CANCELLED = _s("booking.cancelled", BookingSignal, "预约已取消", "A booking was cancelled")
BOOKING_CHECKED_IN = _s("booking.checked_in", BookingSignal, "预约已签到", "A booking's guest checked in")
BOOKING_NO_SHOW = _s("booking.no_show", BookingSignal, "预约未到", "A booking was recorded as a no-show")

PLACE_SIGNALS: tuple[SignalType, ...] = (
    PLACE_CREATED,
    PLACE_UPDATED,
    BOOKING_REQUESTED,
    BOOKING_CONFIRMED,
    BOOKING_REJECTED,
    BOOKING_CANCELLED,
    BOOKING_CHECKED_IN,
    BOOKING_NO_SHOW,
)
