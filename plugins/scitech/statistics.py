"""The association's figures in the unified statistics of a subtree (``quntuan_statistics``)."""

from __future__ import annotations

from core.sdk import StatFigure, Text, subtree_bounds
from plugins.scitech.common import now
from plugins.scitech.tables import ScitechConsultReport, ScitechExpert


async def scitech_figures(org_path: str) -> list[StatFigure]:
    low, high = subtree_bounds(org_path)
    year = now().year
    experts = (
        await ScitechExpert.count()
        .where(
            (ScitechExpert.org_path >= low)
            & (ScitechExpert.org_path < high)
            & (ScitechExpert.status == "active")
        )
        .run()
    )
    in_reports = (ScitechConsultReport.org_path >= low) & (ScitechConsultReport.org_path < high)
    reports = (
        await ScitechConsultReport.count()
        .where(in_reports & (ScitechConsultReport.submitted_year == year))
        .run()
    )
    adopted = (
        await ScitechConsultReport.count()
        .where(in_reports & (ScitechConsultReport.adopted_year == year))
        .run()
    )
    return [
        StatFigure(
            code="scitech.experts",
            label=Text(zh_hans="在库专家数", zh_hant="在庫專家數", en="Experts in the library"),
            value=experts,
        ),
        StatFigure(
            code="scitech.consulting_reports_year",
            label=Text(
                zh_hans="本年报送咨询报告数",
                zh_hant="本年報送諮詢報告數",
                en="Consulting reports submitted this year",
            ),
            value=reports,
        ),
        StatFigure(
            code="scitech.consulting_adopted_year",
            label=Text(
                zh_hans="本年获批示或采纳数", zh_hant="本年獲批示或採納數", en="Reports adopted this year"
            ),
            value=adopted,
        ),
    ]
