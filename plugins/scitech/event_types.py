"""Event types of the Association for Science and Technology: the science-popularization activities
(科普讲座, 科普日, 参观开放, 科普大篷车) and technology contests (科技比武). Each popularization event a
scitech org publishes becomes an activity whose reach (people offline and online) the plugin keeps."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from core.sdk import EventType, Text
from plugins.scitech.common import name_schemas

Audience = Literal["public", "youth", "seniors", "farmers", "workers", "cadres"]
People = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]


class ScienceLectureDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A popular-science lecture (科普讲座): its topic and who it is for."""

    topic: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    audience: Audience = "public"
    #: The expert giving it (科技工作者), by name as announced.
    speaker: Annotated[str, msgspec.Meta(max_length=100)] = ""
    #: Whether it is also streamed (online reach is then reported with the activity).
    online: bool = False


class ScienceDayDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A science day or week (全国科普日, 科技活动周): its theme and venue count."""

    theme: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    venues: Annotated[int, msgspec.Meta(ge=1, le=10000)] = 1
    online: bool = False


class ScienceVisitDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A visit (参观, 开放日) to a lab, a base or an enterprise."""

    site: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    audience: Audience = "public"


class CaravanDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A science caravan (科普大篷车) tour: its route of stops."""

    stops: Annotated[
        list[Annotated[str, msgspec.Meta(min_length=1, max_length=100)]],
        msgspec.Meta(min_length=1, max_length=50),
    ]
    exhibits: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 0


class ContestDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A technology contest (科技比武) or innovation competition: its field and level."""

    field: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    level: Literal["unit", "county", "city", "province", "national"] = "county"


#: Event type → activity kind of the popularization figures.
POPULARIZATION = {
    "scitech.science_lecture": "lecture",
    "scitech.science_day": "science_day",
    "scitech.science_visit": "visit",
    "scitech.science_caravan": "caravan",
}

EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        code="scitech.science_lecture",
        name=Text(zh_hans="科普讲座", zh_hant="科普講座", en="Popular-science lecture"),
        details=ScienceLectureDetails,
    ),
    EventType(
        code="scitech.science_day",
        name=Text(zh_hans="科普日活动", zh_hant="科普日活動", en="Science day"),
        details=ScienceDayDetails,
    ),
    EventType(
        code="scitech.science_visit",
        name=Text(zh_hans="科普参观", zh_hant="科普參觀", en="Science visit"),
        details=ScienceVisitDetails,
    ),
    EventType(
        code="scitech.science_caravan",
        name=Text(zh_hans="科普大篷车", zh_hant="科普大篷車", en="Science caravan"),
        details=CaravanDetails,
    ),
    EventType(
        code="scitech.tech_contest",
        name=Text(zh_hans="科技比武", zh_hant="科技比武", en="Technology contest"),
        details=ContestDetails,
    ),
)

name_schemas(globals())
