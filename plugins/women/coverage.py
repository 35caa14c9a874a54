"""The women's federation's coverage rule (建妇联): two-new units with ten or more women employees, and
buildings and parks (楼宇、园区妇联)."""

from __future__ import annotations

from core.sdk import TWO_NEW_KINDS, CoverageRule, Text, UnitFacts

MIN_WOMEN = 10


def requires_federation(facts: UnitFacts) -> bool:
    return facts.kind in ("building", "park") or (
        facts.kind in TWO_NEW_KINDS and facts.female_employees >= MIN_WOMEN
    )


RULES = (
    CoverageRule(
        code="women.formation",
        name=Text(zh_hans="妇联组织覆盖率", zh_hant="婦聯組織覆蓋率", en="Women's federation coverage"),
        org_kinds=("women.grassroots",),
        applies=requires_federation,
        description=Text(
            zh_hans="女职工 10 人以上的两新组织，以及楼宇、园区",
            en="Two-new units with 10 or more women employees, and buildings and parks",
        ),
    ),
)
