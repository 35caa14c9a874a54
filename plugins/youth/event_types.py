"""Event types of the League: volunteer service (志愿服务) with its hours, and the branch-life meetings of
"三会两制一课" — 支部大会, 支委会, 团小组会, 团课 — and 主题团日. Branch-life events are remembered by
``plugins.youth.branch_life`` when published, their check-ins kept as attendance."""

from __future__ import annotations

from typing import Annotated

import msgspec

from core.sdk import EventType, Text


class VolunteerServiceDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Volunteer service (志愿服务): the hours each attendee is credited (志愿服务时长)."""

    hours: Annotated[float, msgspec.Meta(gt=0, le=24)]
    #: What the service is: 社区服务, 助老, 环保, 赛会服务 …
    field: Annotated[str, msgspec.Meta(max_length=50)] = ""


AgendaItem = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class LeagueLectureDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A League lecture (团课), one of the branch-life records 三会两制一课."""

    topic: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    lecturer: Annotated[str, msgspec.Meta(max_length=100)] = ""
    agenda: Annotated[list[AgendaItem], msgspec.Meta(max_length=30)] = []


class BranchMeetingDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A branch-life meeting (支部大会, 支委会, 团小组会): its subject and agenda (议程). The minutes (会议记录)
    are recorded after the meeting through ``/api/v1/youth/meetings/{id}/minutes``."""

    topic: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    agenda: Annotated[list[AgendaItem], msgspec.Meta(max_length=30)] = []
    #: Who chairs the meeting (主持人), as written on the minutes.
    chair: Annotated[str, msgspec.Meta(max_length=100)] = ""
    #: For a 团小组会: the group (团小组) of the branch that meets.
    group: Annotated[str, msgspec.Meta(max_length=100)] = ""


class ThemeDayDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A theme day (主题团日): its theme and programme."""

    theme: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    agenda: Annotated[list[AgendaItem], msgspec.Meta(max_length=30)] = []


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
        description=Text(
            zh_hans="团课，“三会两制一课”之一；签到计为出席，会后可补记会议记录。",
            zh_hant="團課，「三會兩制一課」之一；簽到計為出席，會後可補記會議記錄。",
            en="A League lecture, one of the branch-life records; check-ins count as attendance.",
        ),
    ),
    EventType(
        code="youth.branch_assembly",
        name=Text(zh_hans="支部大会", zh_hant="支部大會", en="Branch general meeting"),
        details=BranchMeetingDetails,
        description=Text(
            zh_hans="团支部全体团员大会，“三会两制一课”之一；签到计为出席，会后记录会议记录。",
            zh_hant="團支部全體團員大會，「三會兩制一課」之一；簽到計為出席，會後記錄會議記錄。",
            en="A meeting of all the branch's members; check-ins count as attendance, minutes recorded after.",
        ),
    ),
    EventType(
        code="youth.committee_meeting",
        name=Text(zh_hans="支委会", zh_hant="支委會", en="Branch committee meeting"),
        details=BranchMeetingDetails,
        description=Text(
            zh_hans="团支部委员会会议，“三会两制一课”之一。",
            zh_hant="團支部委員會會議，「三會兩制一課」之一。",
            en="A meeting of the branch committee, one of the branch-life records.",
        ),
    ),
    EventType(
        code="youth.group_meeting",
        name=Text(zh_hans="团小组会", zh_hant="團小組會", en="League group meeting"),
        details=BranchMeetingDetails,
        description=Text(
            zh_hans="团小组会议，“三会两制一课”之一。",
            zh_hant="團小組會議，「三會兩制一課」之一。",
            en="A meeting of a League group of the branch, one of the branch-life records.",
        ),
    ),
    EventType(
        code="youth.theme_day",
        name=Text(zh_hans="主题团日", zh_hant="主題團日", en="League theme day"),
        details=ThemeDayDetails,
        description=Text(
            zh_hans="团支部的主题团日活动；签到计为出席。",
            zh_hant="團支部的主題團日活動；簽到計為出席。",
            en="A branch's theme day; check-ins count as attendance.",
        ),
    ),
)

#: The branch-life event types (组织生活), remembered per branch for attendance and compliance.
BRANCH_LIFE_TYPES = (
    "youth.branch_assembly",
    "youth.committee_meeting",
    "youth.group_meeting",
    "youth.league_lecture",
    "youth.theme_day",
)
