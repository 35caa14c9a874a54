"""The union's coverage rule (建会): non-public enterprises and social organizations of 25 or more employees.

A unit of that size is expected to set up a grassroots union (基层工会) of its own; smaller ones join a
joint or street union, which is how the 建会率 is commonly counted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from core.sdk import TWO_NEW_KINDS, CoverageRule, Text, UnitFacts

#: The variable of the head count from which a two-new unit counts in the 建会率 (docs/union.md).
MIN_EMPLOYEES_VARIABLE = "QUNTUAN_UNION_COVERAGE_MIN_EMPLOYEES"
DEFAULT_MIN_EMPLOYEES = 25


def min_employees_setting(environ: Mapping[str, str] = os.environ) -> int | None:
    """The head count the variable sets (a whole number from 1 to 100000), the default when it is unset,
    or None when it holds anything else — which :func:`settings_refusals` reports before start-up."""
    raw = environ.get(MIN_EMPLOYEES_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_MIN_EMPLOYEES
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if 1 <= value <= 100000 else None


def settings_refusals(environ: Mapping[str, str] = os.environ) -> list[str]:
    if min_employees_setting(environ) is None:
        return [
            f"{MIN_EMPLOYEES_VARIABLE} 须为 1 至 100000 的整数 / "
            f"{MIN_EMPLOYEES_VARIABLE} must be a whole number from 1 to 100000"
        ]
    return []


#: Head count from which a two-new unit counts in the 建会率 (default 25). Lowering it brings small
#: units in, to be covered by a joint or building union or an organizer; which form a unit should have
#: follows the subtree's rules (``committee_min_employees``). A bad value is refused at start-up.
MIN_EMPLOYEES = min_employees_setting() or DEFAULT_MIN_EMPLOYEES


def requires_union(facts: UnitFacts) -> bool:
    return facts.kind in TWO_NEW_KINDS and facts.employees >= MIN_EMPLOYEES


RULES = (
    CoverageRule(
        code="union.formation",
        name=Text(zh_hans="建会率", zh_hant="建會率", en="Union formation rate"),
        org_kinds=("union.grassroots",),
        applies=requires_union,
        description=Text(
            zh_hans=f"职工 {MIN_EMPLOYEES} 人以上的非公企业和社会组织应建立工会",
            zh_hant=f"職工 {MIN_EMPLOYEES} 人以上的非公企業和社會組織應建立工會",
            en=f"Non-public enterprises and social organizations with {MIN_EMPLOYEES} or more employees",
        ),
    ),
)
