"""Permission names of the joint plugin (roles are built from them)."""

from __future__ import annotations

from core.sdk import Permission, Text

COUNCIL_READ = "joint.council.read"
COUNCIL_MANAGE = "joint.council.manage"
TASK_HANDLE = "joint.task.handle"
TASK_SUPERVISE = "joint.task.supervise"
REFERRAL_READ = "joint.referral.read"
REFERRAL_MANAGE = "joint.referral.manage"
PICTURE_READ = "joint.picture.read"
SERVICE_READ = "joint.service.read"
SERVICE_MANAGE = "joint.service.manage"
SERVICE_DISPATCH = "joint.service.dispatch"
SERVICE_DELIVER = "joint.service.deliver"
SURVEY_READ = "joint.survey.read"
SURVEY_MANAGE = "joint.survey.manage"
SURVEY_TEXT_READ = "joint.survey_text.read"

PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        code=COUNCIL_READ,
        name=Text(zh_hans="查看联席会议", zh_hant="查看聯席會議", en="Read joint councils"),
    ),
    Permission(
        code=COUNCIL_MANAGE,
        name=Text(
            zh_hans="管理联席会议、会议与议定事项",
            zh_hant="管理聯席會議、會議與議定事項",
            en="Manage councils, meetings and decisions",
        ),
    ),
    Permission(
        code=TASK_HANDLE,
        name=Text(zh_hans="办理交办任务", zh_hant="辦理交辦任務", en="Handle assigned tasks"),
    ),
    Permission(
        code=TASK_SUPERVISE,
        name=Text(zh_hans="督办交办任务", zh_hant="督辦交辦任務", en="Follow up assigned tasks"),
    ),
    Permission(
        code=REFERRAL_READ,
        name=Text(
            zh_hans="查看与使用转办规则", zh_hant="查看與使用轉辦規則", en="Read and apply referral rules"
        ),
    ),
    Permission(
        code=REFERRAL_MANAGE,
        name=Text(zh_hans="管理转办规则", zh_hant="管理轉辦規則", en="Manage referral rules"),
    ),
    Permission(
        code=PICTURE_READ,
        name=Text(zh_hans="查看区域一张图", zh_hant="查看區域一張圖", en="Read the region picture"),
    ),
    Permission(
        code=SERVICE_READ,
        name=Text(
            zh_hans="查看服务清单、点单与服务统计",
            zh_hant="查看服務清單、點單與服務統計",
            en="Read the service menu, its orders and figures",
        ),
    ),
    Permission(
        code=SERVICE_MANAGE,
        name=Text(
            zh_hans="发布与撤下服务、登记合作社会组织",
            zh_hant="發布與撤下服務、登記合作社會組織",
            en="Publish and withdraw services, register partner organizations",
        ),
    ),
    Permission(
        code=SERVICE_DISPATCH,
        name=Text(zh_hans="派单（分派群众点单）", zh_hant="派單（分派群眾點單）", en="Dispatch orders"),
    ),
    Permission(
        code=SERVICE_DELIVER,
        name=Text(zh_hans="接单并提供服务", zh_hant="接單並提供服務", en="Take and deliver orders"),
    ),
    Permission(
        code=SURVEY_READ,
        name=Text(
            zh_hans="查看需求调查及其汇总结果",
            zh_hant="查看需求調查及其匯總結果",
            en="Read needs surveys and their counted results",
        ),
    ),
    Permission(
        code=SURVEY_MANAGE,
        name=Text(
            zh_hans="发起需求调查、开放与关闭各期",
            zh_hant="發起需求調查、開放與關閉各期",
            en="Set up needs surveys, open and close their runs",
        ),
    ),
    Permission(
        code=SURVEY_TEXT_READ,
        name=Text(
            zh_hans="查看需求调查的文字回答（不含姓名）",
            zh_hant="查看需求調查的文字回答（不含姓名）",
            en="Read the text answers of needs surveys (never with names)",
        ),
    ),
)
