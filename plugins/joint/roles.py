"""The built-in roles of the joint plugin: the council's office (联席会议办公室), the member org's handler
of assigned tasks (交办任务承办人), the publishing org's service-menu manager (服务清单管理员), the
cadre of an org that takes dispatched orders (接单员) and the needs-survey manager (需求调查员)."""

from __future__ import annotations

from core.sdk import BuiltinRole, Text
from plugins.joint import permissions as perm

ROLES: tuple[BuiltinRole, ...] = (
    BuiltinRole(
        code="joint.council_office",
        name=Text(zh_hans="联席会议办公室", zh_hant="聯席會議辦公室", en="Joint council office"),
        permissions=(
            perm.COUNCIL_READ,
            perm.COUNCIL_MANAGE,
            perm.TASK_SUPERVISE,
            perm.REFERRAL_READ,
            perm.REFERRAL_MANAGE,
            perm.PICTURE_READ,
            perm.SERVICE_READ,
            perm.SERVICE_DISPATCH,
            perm.SURVEY_READ,
            perm.SURVEY_MANAGE,
            perm.SURVEY_TEXT_READ,
        ),
        description=Text(
            zh_hans="召开联席会议、记录议定事项、督办任务、维护转办规则、统筹派单、开展需求调查、查看区域一张图",
            zh_hant="召開聯席會議、記錄議定事項、督辦任務、維護轉辦規則、統籌派單、開展需求調查、查看區域一張圖",
            en="Runs councils and decisions, follows tasks up, keeps referral rules, dispatches the "
            "region's orders, runs needs surveys, reads the region picture",
        ),
    ),
    BuiltinRole(
        code="joint.task_handler",
        name=Text(zh_hans="交办任务承办人", zh_hant="交辦任務承辦人", en="Task handler"),
        permissions=(perm.COUNCIL_READ, perm.TASK_HANDLE, perm.REFERRAL_READ),
        description=Text(
            zh_hans="成员单位接收、办理并报告联席会议交办的任务",
            zh_hant="成員單位接收、辦理並報告聯席會議交辦的任務",
            en="A member org's cadre who accepts, works on and reports the council's tasks",
        ),
    ),
    BuiltinRole(
        code="joint.service_manager",
        name=Text(zh_hans="服务清单管理员", zh_hant="服務清單管理員", en="Service menu manager"),
        permissions=(
            perm.SERVICE_READ,
            perm.SERVICE_MANAGE,
            perm.SERVICE_DISPATCH,
            perm.SERVICE_DELIVER,
            perm.REFERRAL_READ,
            perm.SURVEY_READ,
        ),
        description=Text(
            zh_hans="发布和撤下本组织的服务、登记合作社会组织、派单与接单、查看服务统计和需求调查汇总",
            zh_hant="發布和撤下本組織的服務、登記合作社會組織、派單與接單、查看服務統計和需求調查匯總",
            en="Publishes and withdraws the org's services, registers partners, dispatches and takes "
            "orders, reads the service figures and the counted results of needs surveys",
        ),
    ),
    BuiltinRole(
        code="joint.service_handler",
        name=Text(zh_hans="接单员", zh_hant="接單員", en="Order handler"),
        permissions=(perm.SERVICE_READ, perm.SERVICE_DELIVER),
        description=Text(
            zh_hans="承接组织（含代合作社会组织）接单、退单并记录服务完成",
            zh_hant="承接組織（含代合作社會組織）接單、退單並記錄服務完成",
            en="Takes or declines the orders dispatched to the org (or to a partner registered with it) "
            "and records them done",
        ),
    ),
    BuiltinRole(
        code="joint.survey_manager",
        name=Text(zh_hans="需求调查员", zh_hant="需求調查員", en="Needs survey manager"),
        permissions=(perm.SURVEY_READ, perm.SURVEY_MANAGE, perm.SURVEY_TEXT_READ),
        description=Text(
            zh_hans="发起需求调查，按季度开放和关闭，查看汇总结果与文字回答（不含姓名）并导出",
            zh_hant="發起需求調查，按季度開放和關閉，查看匯總結果與文字回答（不含姓名）並匯出",
            en="Sets up needs surveys, opens and closes their quarterly runs, reads and exports the "
            "results and text answers (never with names)",
        ),
    ),
)
