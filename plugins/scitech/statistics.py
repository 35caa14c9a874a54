"""The association's figures in the unified statistics of a subtree (``quntuan_statistics``)."""

from __future__ import annotations

import datetime as dt

from core.sdk import StatFigure, Text, subtree_bounds
from plugins.scitech.common import now
from plugins.scitech.popularization import reach_figures
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
    reach = await reach_figures(low, high, dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert reach is not None
    popularization = [
        StatFigure(
            code="scitech.popsci_activities_year",
            label=Text(
                zh_hans="本年科普活动数", zh_hant="本年科普活動數", en="Popularization activities this year"
            ),
            value=reach.activities,
        ),
        StatFigure(
            code="scitech.popsci_offline_year",
            label=Text(
                zh_hans="本年科普线下受众人次",
                zh_hant="本年科普線下受眾人次",
                en="People reached offline this year",
            ),
            value=reach.offline,
        ),
        StatFigure(
            code="scitech.popsci_online_year",
            label=Text(
                zh_hans="本年科普线上受众人次",
                zh_hant="本年科普線上受眾人次",
                en="People reached online this year",
            ),
            value=reach.online,
        ),
    ]
    return [
        *popularization,
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
