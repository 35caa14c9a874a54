"""Permission names of announcements. Each holds on an org subtree (the publishing orgs)."""

from __future__ import annotations

from core.kernel.declarations import Permission
from core.kernel.i18n import Text

#: Read every announcement published within reach (members-only ones, scheduled, expired, withdrawn).
ANNOUNCEMENT_READ = "core.announcement.read"
#: Draft, edit, publish, pin and withdraw announcements of orgs within reach; read their drafts.
ANNOUNCEMENT_MANAGE = "core.announcement.manage"

ANNOUNCEMENT_PERMISSIONS: tuple[Permission, ...] = (
    Permission(
        code=ANNOUNCEMENT_READ, name=Text(zh_hans="查看公告", zh_hant="查看公告", en="Read announcements")
    ),
    Permission(
        code=ANNOUNCEMENT_MANAGE,
        name=Text(zh_hans="发布和管理公告", zh_hant="發佈和管理公告", en="Publish and manage announcements"),
    ),
)
