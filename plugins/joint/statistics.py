"""The joint plugin's figures in the statistics of a subtree and the region picture (``quntuan_statistics``):
the service menu's services and orders, and the councils' open tasks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from core.sdk import StatFigure, Text, fetch_rows, subtree_bounds
from plugins.joint.processes import FINAL as TASK_FINAL
from plugins.joint.surveys import quarter_of
from plugins.joint.tables import JointOrder, JointService, JointSurvey, JointSurveySheet, JointTask

#: Quarters are counted in Beijing time (the platform's default zone), as the runs' periods are named.
ZONE = ZoneInfo("Asia/Shanghai")


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


async def joint_figures(org_path: str) -> list[StatFigure]:
    low, high = subtree_bounds(org_path)
    services = (
        await JointService.count()
        .where(
            (JointService.org_path >= low)
            & (JointService.org_path < high)
            & (JointService.status == "published")
        )
        .run()
    )
    orders = await fetch_rows(
        JointOrder,
        "SELECT count(*) AS ordered, count(dispatched_at) AS dispatched, "
        "sum(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS done, count(rating) AS rated, "
        "sum(rating) AS rating_sum FROM joint_order WHERE org_path >= {} AND org_path < {}",
        [low, high],
    )
    row = orders[0] if orders else {}
    rated = int(row["rated"] or 0) if row else 0
    tasks = (
        await JointTask.count()
        .where(
            (JointTask.org_path >= low)
            & (JointTask.org_path < high)
            & JointTask.state.not_in(list(TASK_FINAL))
        )
        .run()
    )
    surveys = (
        await JointSurvey.count()
        .where(
            (JointSurvey.org_path >= low) & (JointSurvey.org_path < high) & (JointSurvey.status == "active")
        )
        .run()
    )
    sheets = await fetch_rows(
        JointSurveySheet,
        "SELECT count(*) AS n FROM joint_survey_sheet s JOIN joint_survey_run r ON r.id = s.run "
        "WHERE r.period = {} AND s.org_path >= {} AND s.org_path < {}",
        [quarter_of(datetime.now(ZONE).date()), low, high],
    )
    return [
        StatFigure(
            code="joint.services_published",
            label=_t("服务清单在列服务数", "服務清單在列服務數", "Services on the menu"),
            value=services,
        ),
        StatFigure(
            code="joint.service_orders",
            label=_t("群众点单数", "群眾點單數", "Service orders"),
            value=int(row["ordered"] or 0) if row else 0,
        ),
        StatFigure(
            code="joint.service_orders_dispatched",
            label=_t("已派单数", "已派單數", "Orders dispatched"),
            value=int(row["dispatched"] or 0) if row else 0,
        ),
        StatFigure(
            code="joint.service_orders_done",
            label=_t("服务完成数", "服務完成數", "Orders done"),
            value=int(row["done"] or 0) if row else 0,
        ),
        StatFigure(
            code="joint.service_rating_average",
            label=_t(
                "群众评价平均分（无评价为 0）", "群眾評價平均分（無評價為 0）", "Average rating (0: none)"
            ),
            value=round(float(row["rating_sum"]) / rated, 2) if rated else 0,
        ),
        StatFigure(
            code="joint.council_tasks_open",
            label=_t("联席会议交办在办任务数", "聯席會議交辦在辦任務數", "Council tasks open"),
            value=tasks,
        ),
        StatFigure(
            code="joint.surveys_active",
            label=_t("在用的需求调查数", "在用的需求調查數", "Needs surveys in use"),
            value=surveys,
        ),
        StatFigure(
            code="joint.survey_responses_quarter",
            label=_t("本季度需求调查答卷数", "本季度需求調查答卷數", "Survey responses this quarter"),
            value=int(sheets[0]["n"]) if sheets else 0,
        ),
    ]
