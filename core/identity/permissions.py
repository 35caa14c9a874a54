"""Permission names of identity and access. ``personal_data`` ones reveal unmasked ID numbers and phones."""

from __future__ import annotations

from core.kernel.declarations import Permission
from core.kernel.i18n import Text

PERSON_READ = "core.person.read"
PERSON_WRITE = "core.person.write"
PERSON_PERSONAL_DATA = "core.person.personal_data"
PERSON_EXPORT = "core.person.export"
PERSON_ERASE = "core.person.erase"
ACCOUNT_MANAGE = "core.account.manage"
ROLE_MANAGE = "core.role.manage"
GRANT_MANAGE = "core.grant.manage"
POST_MANAGE = "core.post.manage"
CLIENT_MANAGE = "core.client.manage"
AUDIT_READ = "core.audit.read"


def _p(code: str, zh_hans: str, zh_hant: str, en: str, *, personal_data: bool = False) -> Permission:
    return Permission(
        code=code, name=Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en), personal_data=personal_data
    )


IDENTITY_PERMISSIONS: tuple[Permission, ...] = (
    _p(PERSON_READ, "查看人员", "查看人員", "Read persons"),
    _p(PERSON_WRITE, "登记和修改人员", "登記和修改人員", "Register and edit persons"),
    _p(
        PERSON_PERSONAL_DATA,
        "查看完整身份证号和手机号",
        "查看完整身分證號和手機號",
        "See full ID numbers and phones",
        personal_data=True,
    ),
    _p(PERSON_EXPORT, "导出个人信息", "匯出個人資訊", "Export a person's data", personal_data=True),
    _p(PERSON_ERASE, "删除个人信息", "刪除個人資訊", "Erase a person's data"),
    _p(ACCOUNT_MANAGE, "管理账号", "管理帳號", "Manage accounts"),
    _p(ROLE_MANAGE, "管理角色", "管理角色", "Manage roles"),
    _p(GRANT_MANAGE, "授予和撤销权限", "授予和撤銷權限", "Grant and revoke roles"),
    _p(POST_MANAGE, "任免职务", "任免職務", "Appoint to and end posts"),
    _p(CLIENT_MANAGE, "管理接入应用", "管理接入應用", "Manage API clients"),
    _p(AUDIT_READ, "查看审计日志", "查看審計日誌", "Read the audit log"),
)
