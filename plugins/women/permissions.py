"""Permission names of the women's federation. Each holds on an org subtree."""

from __future__ import annotations

from core.sdk import Permission, Text

#: See rights-protection cases (维权): sensitive, every read audited, refused reads too.
RIGHTS_READ = "women.rights.read"
#: Take the steps of rights cases handled within reach (受理, 办理, 人身安全保护令协助, 转介).
RIGHTS_HANDLE = "women.rights.handle"
#: See care files of left-behind children and single-parent families (关爱帮扶): sensitive like rights cases.
CARE_READ = "women.care.read"
#: Assign care contacts, record visits and close care files.
CARE_HANDLE = "women.care.handle"
#: See executive members (执委), their contacts, activity and evaluations, and the org shape.
EXEC_READ = "women.exec.read"
#: Appoint and end executive members, record their contacts, activity and evaluations.
EXEC_MANAGE = "women.exec.manage"

#: See empowerment programs, their enrolments and figures.
PROGRAM_READ = "women.program.read"
#: Run empowerment programs: create them, enrol women, record attendance and outcomes.
PROGRAM_MANAGE = "women.program.manage"

PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        code=RIGHTS_READ,
        name=Text(zh_hans="查看妇女儿童维权案件", zh_hant="查看婦女兒童維權案件", en="Read rights cases"),
        personal_data=True,
    ),
    Permission(
        code=RIGHTS_HANDLE,
        name=Text(zh_hans="办理妇女儿童维权案件", zh_hant="辦理婦女兒童維權案件", en="Handle rights cases"),
    ),
    Permission(
        code=CARE_READ,
        name=Text(zh_hans="查看关爱帮扶档案", zh_hant="查看關愛幫扶檔案", en="Read care files"),
        personal_data=True,
    ),
    Permission(
        code=CARE_HANDLE,
        name=Text(zh_hans="办理关爱帮扶", zh_hant="辦理關愛幫扶", en="Handle care files"),
    ),
    Permission(
        code=EXEC_READ,
        name=Text(zh_hans="查看执委与组织架构", zh_hant="查看執委與組織架構", en="Read executive members"),
    ),
    Permission(
        code=EXEC_MANAGE,
        name=Text(zh_hans="管理执委", zh_hant="管理執委", en="Manage executive members"),
    ),
    Permission(
        code=PROGRAM_READ,
        name=Text(zh_hans="查看赋能项目", zh_hant="查看賦能項目", en="Read empowerment programs"),
    ),
    Permission(
        code=PROGRAM_MANAGE,
        name=Text(zh_hans="管理赋能项目", zh_hant="管理賦能項目", en="Manage empowerment programs"),
    ),
)
