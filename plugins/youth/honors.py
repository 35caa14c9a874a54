"""The League's honors as selection types the core runs (nomination, review, notice, decision, register):
优秀共青团员, 优秀团干部 and 五四红旗团支部（团委）."""

from __future__ import annotations

from typing import Annotated

import msgspec

from core.sdk import AdminLevel, SelectionType, Text

L = AdminLevel
LEVELS = (L.COUNTY, L.CITY, L.PROVINCE, L.NATIONAL)
LEAGUE_ORGS = ("youth.committee", "youth.general_branch", "youth.branch")


class DeedsForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The nomination: a summary shown in the notice, and the deeds in full."""

    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    deeds: Annotated[str, msgspec.Meta(max_length=5000)] = ""


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


SELECTION_TYPES = (
    SelectionType(
        code="youth.outstanding_member",
        name=_t("优秀共青团员", "優秀共青團員", "Outstanding League member"),
        nominee_kinds=("person",),
        sources=("org",),
        criteria=_t(
            "理想信念坚定，模范作用突出", "理想信念堅定，模範作用突出", "Firm ideals, an example to others"
        ),
        honor_levels=LEVELS,
        form=DeedsForm,
        public_fields=("summary",),
        org_kinds=LEAGUE_ORGS,
    ),
    SelectionType(
        code="youth.outstanding_cadre",
        name=_t("优秀团干部", "優秀團幹部", "Outstanding League cadre"),
        nominee_kinds=("person",),
        sources=("org",),
        criteria=_t(
            "履职尽责，团建工作成效显著",
            "履職盡責，團建工作成效顯著",
            "Dutiful, with marked results in League work",
        ),
        honor_levels=LEVELS,
        form=DeedsForm,
        public_fields=("summary",),
        org_kinds=LEAGUE_ORGS,
    ),
    SelectionType(
        code="youth.may_fourth_red_flag",
        name=_t("五四红旗团支部（团委）", "五四紅旗團支部（團委）", "May Fourth Red Flag branch (committee)"),
        nominee_kinds=("org",),
        sources=("org",),
        criteria=_t(
            "组织健全，三会两制一课落实",
            "組織健全，三會兩制一課落實",
            "A sound organization keeping branch life",
        ),
        honor_levels=LEVELS,
        form=DeedsForm,
        public_fields=("summary",),
        org_kinds=LEAGUE_ORGS,
    ),
)
