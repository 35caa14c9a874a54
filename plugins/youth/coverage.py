"""The league's coverage rule (建团): two-new units with three or more young employees, and every
building, park and business district (楼宇、园区、商圈建团)."""

from __future__ import annotations

from core.sdk import PLACE_KINDS, TWO_NEW_KINDS, CoverageRule, Text, UnitFacts

#: Three league members may form a branch; the rule counts units with at least that many young employees.
MIN_YOUTH = 3


def requires_league(facts: UnitFacts) -> bool:
    return facts.kind in PLACE_KINDS or (facts.kind in TWO_NEW_KINDS and facts.youth_employees >= MIN_YOUTH)


RULES = (
    CoverageRule(
        code="youth.formation",
        name=Text(zh_hans="建团率", zh_hant="建團率", en="League formation rate"),
        org_kinds=("youth.branch", "youth.general_branch", "youth.committee"),
        applies=requires_league,
        description=Text(
            zh_hans="青年职工 3 人以上的两新组织，以及楼宇、园区、商圈",
            en="Two-new units with 3 or more young employees, and buildings, parks and business districts",
        ),
    ),
)
