"""Event types of the Women's Federation: activities at a women's or children's home and family education.

(最美家庭 is a selection type the core runs, ``women.best_family`` in ``selections.py``, not an event.)"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from core.sdk import EventType, Text


class WomensHomeDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An activity at a women's home (妇女之家) or children's home (儿童之家)."""

    home: Literal["women", "children"] = "women"
    theme: Annotated[str, msgspec.Meta(max_length=100)] = ""


class FamilyEducationDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A family-education activity (家庭教育): a parents' school lecture, a consultation, a parent-child day."""

    form: Literal["lecture", "consultation", "parent_child", "home_visit", "online"] = "lecture"
    audience: Literal["parents", "children", "families", "grandparents"] = "parents"
    topic: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    lecturer: Annotated[str, msgspec.Meta(max_length=50)] = ""
    #: Whether it is part of the parents' school (家长学校) course.
    parents_school: bool = False


EVENT_TYPES: tuple[EventType, ...] = (
    EventType(
        code="women.home_activity",
        name=Text(
            zh_hans="妇女之家、儿童之家活动",
            zh_hant="婦女之家、兒童之家活動",
            en="Women's or children's home activity",
        ),
        details=WomensHomeDetails,
    ),
    EventType(
        code="women.family_education",
        name=Text(zh_hans="家庭教育活动", zh_hant="家庭教育活動", en="Family education"),
        details=FamilyEducationDetails,
    ),
)
