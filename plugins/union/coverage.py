"""The union's coverage rule (建会): non-public enterprises and social organizations of 25 or more employees.

A unit of that size is expected to set up a grassroots union (基层工会) of its own; smaller ones join a
joint or street union, which is how the 建会率 is commonly counted.
"""

from __future__ import annotations

import os

from core.sdk import TWO_NEW_KINDS, CoverageRule, Text, UnitFacts

#: Head count from which a two-new unit counts in the 建会率 (``QUNTUAN_UNION_COVERAGE_MIN_EMPLOYEES``,
#: default 25). Lowering it brings small units in, to be covered by a joint or building union or an
#: organizer; which form a unit should have follows the subtree's rules (``committee_min_employees``).
MIN_EMPLOYEES = int(os.environ.get("QUNTUAN_UNION_COVERAGE_MIN_EMPLOYEES", "25"))


def requires_union(facts: UnitFacts) -> bool:
    return facts.kind in TWO_NEW_KINDS and facts.employees >= MIN_EMPLOYEES


RULES = (
    CoverageRule(
        code="union.formation",
        name=Text(zh_hans="建会率", zh_hant="建會率", en="Union formation rate"),
        org_kinds=("union.grassroots",),
        applies=requires_union,
        description=Text(
            zh_hans="职工 25 人以上的非公企业和社会组织应建立工会",
            en="Non-public enterprises and social organizations with 25 or more employees",
        ),
    ),
)
