"""Permission names of the core. Roles are sets of these and of the plugins' own."""

from __future__ import annotations

from core.announcements.permissions import ANNOUNCEMENT_PERMISSIONS
from core.events.permissions import EVENT_PERMISSIONS
from core.identity.permissions import IDENTITY_PERMISSIONS
from core.integration.permissions import INTEGRATION_PERMISSIONS
from core.kernel.declarations import Permission
from core.kernel.i18n import Text
from core.orgs.permissions import ORG_PERMISSIONS
from core.places.permissions import PLACE_PERMISSIONS
from core.processes.permissions import PROCESS_PERMISSIONS
from core.selections.permissions import SELECTION_PERMISSIONS


def _p(code: str, zh_hans: str, en: str, *, personal_data: bool = False) -> Permission:
    return Permission(code=code, name=Text(zh_hans=zh_hans, en=en), personal_data=personal_data)


PLUGINS_MANAGE = "core.plugins.manage"

CORE_PERMISSIONS: tuple[Permission, ...] = (
    _p(PLUGINS_MANAGE, "管理插件", "Manage plugins"),
    *IDENTITY_PERMISSIONS,
    *INTEGRATION_PERMISSIONS,
    *EVENT_PERMISSIONS,
    *ANNOUNCEMENT_PERMISSIONS,
    *ORG_PERMISSIONS,
    *PROCESS_PERMISSIONS,
    *PLACE_PERMISSIONS,
    *SELECTION_PERMISSIONS,
)
