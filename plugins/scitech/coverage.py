"""The association's coverage rule (企业科协): non-public enterprises of 100 or more employees."""

from __future__ import annotations

from core.sdk import CoverageRule, Text, UnitFacts

MIN_EMPLOYEES = 100


def requires_association(facts: UnitFacts) -> bool:
    return facts.kind == "non_public_enterprise" and facts.employees >= MIN_EMPLOYEES


RULES = (
    CoverageRule(
        code="scitech.formation",
        name=Text(zh_hans="企业科协覆盖率", zh_hant="企業科協覆蓋率", en="Enterprise association coverage"),
        org_kinds=("scitech.enterprise_association",),
        applies=requires_association,
        description=Text(
            zh_hans="职工 100 人以上的非公企业应建立企业科协",
            en="Non-public enterprises with 100 or more employees",
        ),
    ),
)
