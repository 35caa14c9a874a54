"""The League's permissions (``youth.<resource>.<action>``) and its built-in roles as data."""

from __future__ import annotations

from core.sdk import Permission, Text


def _p(code: str, zh_hans: str, zh_hant: str, en: str, personal: bool = False) -> Permission:
    return Permission(code=code, name=Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en), personal_data=personal)


MEMBER_READ = "youth.member.read"
MEMBER_MANAGE = "youth.member.manage"
MEMBER_DEVELOP = "youth.member.develop"
MEMBER_APPROVE = "youth.member.approve"
TRANSFER_HANDLE = "youth.transfer.handle"
PLAN_MANAGE = "youth.plan.manage"
REGISTRATION_MANAGE = "youth.registration.manage"
DUES_READ = "youth.dues.read"
DUES_MANAGE = "youth.dues.manage"
VOLUNTEER_READ = "youth.volunteer.read"
VOLUNTEER_CONFIRM = "youth.volunteer.confirm"
LIFE_READ = "youth.branch_life.read"
LIFE_MANAGE = "youth.branch_life.manage"
EVALUATION_MANAGE = "youth.evaluation.manage"

PERMISSIONS = (
    _p(MEMBER_READ, "查看团员", "查看團員", "Read League members"),
    _p(MEMBER_MANAGE, "管理团员信息", "管理團員資訊", "Manage League members"),
    _p(MEMBER_DEVELOP, "发展团员（团支部）", "發展團員（團支部）", "Develop new members (branch)"),
    _p(MEMBER_APPROVE, "批准入团（上级团委）", "批准入團（上級團委）", "Approve admissions (committee)"),
    _p(TRANSFER_HANDLE, "办理组织关系转接", "辦理組織關係轉接", "Handle membership transfers"),
    _p(PLAN_MANAGE, "管理发展团员计划", "管理發展團員計劃", "Manage development quotas"),
    _p(REGISTRATION_MANAGE, "管理团籍注册", "管理團籍註冊", "Manage annual registration"),
    _p(DUES_READ, "查看团费", "查看團費", "Read League dues"),
    _p(DUES_MANAGE, "管理团费", "管理團費", "Manage League dues"),
    _p(VOLUNTEER_READ, "查看志愿服务时长", "查看志願服務時長", "Read volunteer hours"),
    _p(VOLUNTEER_CONFIRM, "确认志愿服务时长", "確認志願服務時長", "Confirm volunteer hours"),
    _p(LIFE_READ, "查看组织生活与评议", "查看組織生活與評議", "Read branch life and evaluations"),
    _p(LIFE_MANAGE, "记录组织生活会议", "記錄組織生活會議", "Record branch-life meetings"),
    _p(EVALUATION_MANAGE, "民主评议团员", "民主評議團員", "Evaluate members (democratic evaluation)"),
)

#: What a League cadre needs of the core: its processes (the League's applications run there), events
#: (branch life, volunteer services), members, notices and announcements.
CORE_CADRE = (
    "core.announcement.manage",
    "core.announcement.read",
    "core.event.manage",
    "core.event.read",
    "core.member.read",
    "core.notice.manage",
    "core.process.handle",
    "core.process.read",
)

#: Built-in roles (``quntuan_roles``, seeded into the role table at start-up): code, names, permissions.
ROLES = (
    (
        "youth.committee_secretary",
        Text(zh_hans="团委书记", zh_hant="團委書記", en="League committee secretary"),
        (*CORE_CADRE, *(p.code for p in PERMISSIONS)),
    ),
    (
        "youth.branch_secretary",
        Text(zh_hans="团支部书记", zh_hant="團支部書記", en="League branch secretary"),
        (
            *CORE_CADRE,
            MEMBER_READ,
            MEMBER_MANAGE,
            MEMBER_DEVELOP,
            TRANSFER_HANDLE,
            REGISTRATION_MANAGE,
            DUES_READ,
            DUES_MANAGE,
            VOLUNTEER_READ,
            VOLUNTEER_CONFIRM,
            LIFE_READ,
            LIFE_MANAGE,
            EVALUATION_MANAGE,
        ),
    ),
)
