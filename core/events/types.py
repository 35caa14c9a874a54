"""Event types of the core: activities that belong to no one plugin."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from core.kernel.declarations import EventType
from core.kernel.i18n import Text


class MeetingDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A joint meeting (联席会议) of party and mass organizations."""

    #: 联席会议, 理事会, 工作例会 …
    kind: Literal["joint_meeting", "council", "routine"] = "routine"
    agenda: Annotated[list[Annotated[str, msgspec.Meta(max_length=200)]], msgspec.Meta(max_length=30)] = []


CORE_EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        code="core.activity",
        name=Text(zh_hans="群团活动", zh_hant="群團活動", en="Activity"),
        description=Text(
            zh_hans="不属于某一插件的一般活动，常由多个群团组织联合举办。",
            en="A general activity, often run jointly by several mass organizations.",
        ),
    ),
    EventType(
        code="core.meeting",
        name=Text(zh_hans="会议", zh_hant="會議", en="Meeting"),
        details=MeetingDetails,
        description=Text(
            zh_hans="联席会议、群团工作理事会等会议。",
            en="Joint meetings of party and mass organizations, council meetings and the like.",
        ),
    ),
)
