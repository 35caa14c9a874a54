"""Event types of the Association for Science and Technology: popular-science lectures (科普讲座)."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from core.sdk import EventType, Text


class ScienceLectureDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A popular-science lecture (科普讲座): its topic and who it is for; reach counts attendees."""

    topic: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    audience: Literal["public", "youth", "seniors", "farmers", "workers", "cadres"] = "public"
    #: The expert giving it (科技工作者), by name as announced.
    speaker: Annotated[str, msgspec.Meta(max_length=100)] = ""


EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        code="scitech.science_lecture",
        name=Text(zh_hans="科普讲座", zh_hant="科普講座", en="Popular-science lecture"),
        details=ScienceLectureDetails,
    ),
    EventType(
        code="scitech.tech_contest",
        name=Text(zh_hans="科技比武", zh_hant="科技比武", en="Technology contest"),
    ),
)
