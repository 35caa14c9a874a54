"""The women's federation's built-in roles: 妇联主席 and 执委 (granted on a federation's subtree)."""

from __future__ import annotations

from core.sdk import BuiltinRole, Text
from plugins.women.permissions import (
    CARE_HANDLE,
    CARE_READ,
    EXEC_MANAGE,
    EXEC_READ,
    PROGRAM_MANAGE,
    PROGRAM_READ,
    RIGHTS_HANDLE,
    RIGHTS_READ,
)

ROLES: tuple[BuiltinRole, ...] = (
    BuiltinRole(
        code="women.chair",
        name=Text(zh_hans="妇联主席", zh_hant="婦聯主席", en="Women's federation chair"),
        description=Text(
            zh_hans="主持本级妇联工作：维权案件、执委、评选表彰、阵地与活动",
            en="Runs the federation: rights cases, executive members, selections, places and events",
        ),
        permissions=(
            RIGHTS_READ,
            RIGHTS_HANDLE,
            CARE_READ,
            CARE_HANDLE,
            EXEC_READ,
            EXEC_MANAGE,
            PROGRAM_READ,
            PROGRAM_MANAGE,
            "core.process.read",
            "core.process.handle",
            "core.process.personal_data",
            "core.notice.manage",
            "core.selection.manage",
            "core.selection.review",
            "core.selection.nominate",
            "core.selection.read",
            "core.honor.read",
            "core.honor.manage",
            "core.place.read",
            "core.place.manage",
            "core.event.read",
            "core.event.manage",
            "core.announcement.read",
            "core.announcement.manage",
        ),
    ),
    BuiltinRole(
        code="women.executive",
        name=Text(zh_hans="执委", zh_hant="執委", en="Executive member"),
        description=Text(
            zh_hans="联系服务妇女群众：推荐评选对象、查看执委与组织架构、参与活动",
            en="Serves women in the community: nominates for selections, sees executives and the org shape",
        ),
        permissions=(
            EXEC_READ,
            PROGRAM_READ,
            "core.selection.nominate",
            "core.selection.read",
            "core.event.read",
            "core.place.read",
            "core.announcement.read",
        ),
    ),
)
