"""The ``announcement`` file owner kind: an announcement's attachments (附件: 通知原文, 报名表).

Seen by whoever may see the announcement (its audience while it is shown, readers and managers within
reach); attached and deleted by cadres holding ``core.announcement.manage`` over its org. They are the
org's records: they concern nobody in particular.
"""

from __future__ import annotations

from uuid import UUID

from core.announcements import services
from core.announcements.permissions import ANNOUNCEMENT_MANAGE
from core.kernel.access import Principal, within
from core.kernel.declarations.files import FileOwnerKind, OwnerAccess, OwnerContext
from core.kernel.errors import Problem
from core.kernel.i18n import Text


async def announcement_access(
    principal: Principal, owner_id: UUID, context: OwnerContext
) -> OwnerAccess | None:
    try:
        row = await services.load(principal, owner_id)
    except Problem:  # absent or not visible: the files answer 404 alike
        return None
    manages = within(row["org_path"], principal.reach(ANNOUNCEMENT_MANAGE))
    may_change = manages and row["status"] != "withdrawn"
    return OwnerAccess(org_path=row["org_path"], may_attach=may_change, may_delete=may_change)


ANNOUNCEMENT_FILE_OWNERS = (
    FileOwnerKind(
        code="announcement",
        name=Text(zh_hans="公告附件", zh_hant="公告附件", en="Announcement attachment"),
        authorize=announcement_access,
    ),
)
