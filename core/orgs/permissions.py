"""Permission names of organizations, membership, coverage, statistics and bulk data."""

from __future__ import annotations

from core.kernel.declarations import Permission
from core.kernel.i18n import Text

ORG_READ = "core.org.read"
ORG_CREATE = "core.org.create"
ORG_UPDATE = "core.org.update"
ORG_MOVE = "core.org.move"
ORG_DISSOLVE = "core.org.dissolve"
MEMBER_READ = "core.member.read"
MEMBER_MANAGE = "core.member.manage"
COVERAGE_READ = "core.coverage.read"
COVERAGE_MANAGE = "core.coverage.manage"
STATS_READ = "core.stats.read"
DATA_IMPORT = "core.data.import"
DATA_EXPORT = "core.data.export"


def _p(code: str, zh_hans: str, en: str, *, personal_data: bool = False) -> Permission:
    return Permission(code=code, name=Text(zh_hans=zh_hans, en=en), personal_data=personal_data)


ORG_PERMISSIONS: tuple[Permission, ...] = (
    _p(ORG_READ, "查看组织", "Read organizations"),
    _p(ORG_CREATE, "建立组织", "Create organizations"),
    _p(ORG_UPDATE, "修改组织信息", "Update organizations"),
    _p(ORG_MOVE, "调整组织隶属关系", "Move organizations"),
    _p(ORG_DISSOLVE, "撤销组织", "Dissolve organizations"),
    _p(MEMBER_READ, "查看成员", "Read memberships"),
    _p(MEMBER_MANAGE, "管理成员（加入、转接、退出）", "Manage memberships"),
    _p(COVERAGE_READ, "查看覆盖情况", "Read coverage"),
    _p(COVERAGE_MANAGE, "管理应建单位与覆盖", "Manage the unit registry and coverage"),
    _p(STATS_READ, "查看统计", "Read statistics"),
    _p(DATA_IMPORT, "批量导入", "Import data in bulk"),
    _p(DATA_EXPORT, "批量导出", "Export data in bulk", personal_data=True),
)
