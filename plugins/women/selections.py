"""The women's federation's selection types (评选表彰). The core runs every campaign: nominations from
below, village review and forwarding up within quotas, the public vote (最美家庭: one vote per person
in the campaign, a budget of one spent exactly under concurrency), the notice (公示, at least three days) with objections, the decision
at the campaign's org and the honors register. A campaign at a higher level (city, province) runs several
levels down the tree, which is how a family selected in a county goes on to the city (逐级推荐)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import msgspec

from core.sdk import (
    AdminLevel,
    NominationContext,
    Problem,
    PublicVote,
    SelectionType,
    Text,
    place_facts,
    within,
)
from plugins.women import problems

L = AdminLevel
UPPER = (L.COUNTY, L.CITY, L.PROVINCE, L.NATIONAL)

Short = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Deeds = Annotated[str, msgspec.Meta(max_length=5000)]


class FamilyForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A family's nomination: the short summary voters and the notice see, and the family's story."""

    summary: Short
    deeds: Deeds = ""
    members: Annotated[int, msgspec.Meta(ge=1, le=30)] = 1
    theme: Literal[
        "filial_piety", "diligence", "education", "green", "neighbourly", "volunteering", "other"
    ] = "other"


class PersonDeedsForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A woman's or a collective's deeds (事迹材料)."""

    summary: Short
    deeds: Deeds = ""
    field: Literal[
        "economy", "science", "education", "health", "rural", "public_service", "social", "other"
    ] = "other"


class ChildrensHomeForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A children's home (儿童之家) put forward for a star rating; ``place_id`` is the home in the places
    (checked by :func:`check_childrens_home` when the nomination is filed)."""

    summary: Short
    place_id: uuid.UUID
    stars_sought: Annotated[int, msgspec.Meta(ge=1, le=5)] = 3
    children_served: Annotated[int, msgspec.Meta(ge=0, le=100000)] = 0


CHILDRENS_HOME = "women.childrens_home"


async def check_childrens_home(ctx: NominationContext) -> None:
    """A 最美儿童之家 nomination names a real 儿童之家: an open place of that kind, kept by the unit the
    nomination is filed at or a federation below it, within the nominator's reach — else 422 naming
    ``/form/place_id`` (a place elsewhere answers like one that does not exist)."""
    place = await place_facts(ctx.form.place_id)
    ok = (
        place is not None
        and place.kind == CHILDRENS_HOME
        and place.status == "active"
        and place.org_path.startswith(ctx.unit_path)
        and within(place.org_path, ctx.actor.reach("core.selection.nominate"))
    )
    if not ok:
        raise Problem.invalid(("/form/place_id", problems.NOT_A_CHILDRENS_HOME), locale=ctx.locale)


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


BEST_FAMILY = SelectionType(
    code="women.best_family",
    name=_t("最美家庭", "最美家庭", "Most beautiful family"),
    nominee_kinds=("family",),
    sources=("self", "person", "org"),
    criteria=_t(
        "爱国守法、家风良好、尊老爱幼、邻里和睦、热心公益",
        "愛國守法、家風良好、尊老愛幼、鄰里和睦、熱心公益",
        "Law-abiding, a good family tradition, caring for old and young, good neighbours, public-spirited",
    ),
    honor_levels=UPPER,
    max_levels=5,
    form=FamilyForm,
    public_fields=("summary", "members", "theme"),
    # One vote per person (一人一票): a budget of one vote in the campaign, whichever family it goes to.
    vote=PublicVote(rule="budget", budget=1, hide_results=True),
    notice_days=5,
)
RED_BANNER_WOMAN = SelectionType(
    code="women.red_banner_woman",
    name=_t("三八红旗手", "三八紅旗手", "March 8th Red-Banner Pacesetter"),
    nominee_kinds=("person",),
    sources=("org",),
    criteria=_t(
        "在经济社会发展中做出突出贡献的优秀妇女",
        "在經濟社會發展中做出突出貢獻的優秀婦女",
        "Women with outstanding contributions to economic and social development",
    ),
    honor_levels=UPPER,
    max_levels=5,
    form=PersonDeedsForm,
    public_fields=("summary", "field"),
    notice_days=7,
)
RED_BANNER_COLLECTIVE = SelectionType(
    code="women.red_banner_collective",
    name=_t("三八红旗集体", "三八紅旗集體", "March 8th Red-Banner Collective"),
    nominee_kinds=("org", "team"),
    sources=("org",),
    criteria=_t(
        "以女性为主体、业绩突出的先进集体",
        "以女性為主體、業績突出的先進集體",
        "Collectives made up mainly of women, with outstanding achievements",
    ),
    honor_levels=UPPER,
    max_levels=5,
    form=PersonDeedsForm,
    public_fields=("summary", "field"),
    notice_days=7,
)
MERIT_MODEL = SelectionType(
    code="women.merit_model",
    name=_t("巾帼建功标兵", "巾幗建功標兵", "Women's Merit Model"),
    nominee_kinds=("person",),
    sources=("org",),
    criteria=_t(
        "在巾帼建功活动中成绩突出的女性",
        "在巾幗建功活動中成績突出的女性",
        "Women with outstanding results in the women's merit campaign",
    ),
    honor_levels=UPPER,
    max_levels=5,
    form=PersonDeedsForm,
    public_fields=("summary", "field"),
    notice_days=5,
)
BEST_CHILDRENS_HOME = SelectionType(
    code="women.best_childrens_home",
    name=_t("最美儿童之家", "最美兒童之家", "Best children's home"),
    nominee_kinds=("team",),
    sources=("org",),
    criteria=_t(
        "阵地规范、制度健全、活动经常、儿童和家长满意",
        "陣地規範、制度健全、活動經常、兒童和家長滿意",
        "A well-kept home, sound rules, regular activities, children and parents satisfied",
    ),
    honor_levels=UPPER,
    max_levels=4,
    form=ChildrensHomeForm,
    public_fields=("summary", "stars_sought", "children_served"),
    vote=PublicVote(rule="budget", budget=3, hide_results=True),
    notice_days=5,
    validate_nomination=check_childrens_home,
)

SELECTION_TYPES = (BEST_FAMILY, RED_BANNER_WOMAN, RED_BANNER_COLLECTIVE, MERIT_MODEL, BEST_CHILDRENS_HOME)
