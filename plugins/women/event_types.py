"""Event types of the Women's Federation: the most-beautiful-family selection and women's-home activities."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from core.sdk import EventType, Text


class BeautifulFamilyDetails(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The "most beautiful family" selection (最美家庭评选), evaluated in public."""

    #: The selection's year.
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    #: Places to award.
    quota: Annotated[int, msgspec.Meta(ge=1, le=10000)] = 10
    #: Whether the public votes (公开评议) before the result is announced.
    public_vote: bool = True


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
        code="women.beautiful_family",
        name=Text(zh_hans="最美家庭评选", zh_hant="最美家庭評選", en="Most beautiful family selection"),
        details=BeautifulFamilyDetails,
    ),
    EventType(
        code="women.home_activity",
        name=Text(zh_hans="妇女之家活动", zh_hant="婦女之家活動", en="Women's home activity"),
        details=WomensHomeDetails,
    ),
    EventType(
        code="women.family_education",
        name=Text(zh_hans="家庭教育活动", zh_hant="家庭教育活動", en="Family education"),
        details=FamilyEducationDetails,
    ),
)
