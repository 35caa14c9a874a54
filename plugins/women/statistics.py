"""The women's federation's figures in the unified statistics of a subtree."""

from __future__ import annotations

from core.sdk import StatFigure, Text, subtree_bounds
from plugins.women.empowerment import subtree_figures
from plugins.women.tables import WomenExecMember, WomenRightsAction, WomenRightsIntake


async def women_figures(org_path: str) -> list[StatFigure]:
    low, high = subtree_bounds(org_path)
    cases = await WomenRightsIntake.count().where(
        (WomenRightsIntake.org_path >= low) & (WomenRightsIntake.org_path < high)
    )
    violence = await WomenRightsIntake.count().where(
        (WomenRightsIntake.org_path >= low)
        & (WomenRightsIntake.org_path < high)
        & (WomenRightsIntake.category == "domestic_violence")
    )
    orders = await WomenRightsAction.count().where(
        (WomenRightsAction.org_path >= low)
        & (WomenRightsAction.org_path < high)
        & (WomenRightsAction.kind == "protection_order")
    )
    executives = await WomenExecMember.count().where(
        (WomenExecMember.org_path >= low)
        & (WomenExecMember.org_path < high)
        & (WomenExecMember.status == "active")
    )
    return [
        *await subtree_figures(org_path),
        StatFigure(
            code="women.rights_cases",
            label=Text(zh_hans="维权案件数", zh_hant="維權案件數", en="Rights cases"),
            value=cases,
        ),
        StatFigure(
            code="women.domestic_violence_cases",
            label=Text(zh_hans="家庭暴力案件数", zh_hant="家庭暴力案件數", en="Domestic violence cases"),
            value=violence,
        ),
        StatFigure(
            code="women.protection_order_help",
            label=Text(
                zh_hans="人身安全保护令协助次数", zh_hant="人身安全保護令協助次數", en="Protection-order help"
            ),
            value=orders,
        ),
        StatFigure(
            code="women.executives",
            label=Text(zh_hans="在任执委人数", zh_hant="在任執委人數", en="Executive members in office"),
            value=executives,
        ),
    ]
