"""Permission names of events. Each holds on an org subtree (the organizers' orgs)."""

from __future__ import annotations

from core.kernel.declarations import Permission
from core.kernel.i18n import Text

#: See events that are not public (visibility ``members`` or ``subtree``) organized within reach.
EVENT_READ = "core.event.read"
#: Create, edit, publish, cancel and finish events organized within reach; read their feedback.
EVENT_MANAGE = "core.event.manage"
#: Register or cancel on behalf of persons, and list registrations, for events organized within reach.
REGISTRATION_MANAGE = "core.registration.manage"
#: Check attendees in (one by one or in batches) and read attendance, for events organized within reach.
CHECKIN_MANAGE = "core.checkin.manage"

EVENT_PERMISSIONS: tuple[Permission, ...] = (
    Permission(code=EVENT_READ, name=Text(zh_hans="查看活动", zh_hant="查看活動", en="Read events")),
    Permission(code=EVENT_MANAGE, name=Text(zh_hans="管理活动", zh_hant="管理活動", en="Manage events")),
    Permission(
        code=REGISTRATION_MANAGE,
        name=Text(zh_hans="管理活动报名", zh_hant="管理活動報名", en="Manage event registrations"),
        personal_data=False,
    ),
    Permission(
        code=CHECKIN_MANAGE, name=Text(zh_hans="活动签到", zh_hant="活動簽到", en="Check attendees in")
    ),
)
