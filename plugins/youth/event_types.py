"""Event types of the League: volunteer service (志愿服务) with its hours, and League lectures (团课)."""

from __future__ import annotations

from typing import Annotated

import msgspec

from core.sdk import EventType, Text


class VolunteerServiceDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Volunteer service (志愿服务): the hours each attendee is credited (志愿服务时长)."""

    hours: Annotated[float, msgspec.Meta(gt=0, le=24)]
    #: What the service is: 社区服务, 助老, 环保, 赛会服务 …
    field: Annotated[str, msgspec.Meta(max_length=50)] = ""


class LeagueLectureDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A League lecture (团课), one of the branch-life records 三会两制一课."""

    topic: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    lecturer: Annotated[str, msgspec.Meta(max_length=100)] = ""


EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        code="youth.volunteer_service",
        name=Text(zh_hans="志愿服务", zh_hant="志願服務", en="Volunteer service"),
        details=VolunteerServiceDetails,
        description=Text(
            zh_hans="志愿服务活动，签到者计入志愿服务时长。",
            en="A volunteer service; attendees are credited its hours.",
        ),
    ),
    EventType(
        code="youth.league_lecture",
        name=Text(zh_hans="团课", zh_hant="團課", en="League lecture"),
        details=LeagueLectureDetails,
    ),
)
