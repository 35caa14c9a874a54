"""Permission names of places and bookings. Each holds on an org subtree (the places' owner orgs)."""

from __future__ import annotations

from core.kernel.declarations import Permission
from core.kernel.i18n import Text

#: See the places of orgs within reach that are not public, with their contacts in clear.
PLACE_READ = "core.place.read"
#: Create and edit places of orgs within reach, their shares, resources and photos.
PLACE_MANAGE = "core.place.manage"
#: See and handle the bookings of places within reach (who booked, why), check guests in, record
#: no-shows, decide bookings that need approval.
BOOKING_MANAGE = "core.booking.manage"
#: Book resources on behalf of an org within reach (a cadre books the meeting room for the branch).
BOOKING_FOR_ORG = "core.booking.org"

PLACE_PERMISSIONS: tuple[Permission, ...] = (
    Permission(code=PLACE_READ, name=Text(zh_hans="查看阵地", zh_hant="查看陣地", en="Read places")),
    Permission(code=PLACE_MANAGE, name=Text(zh_hans="管理阵地", zh_hant="管理陣地", en="Manage places")),
    Permission(
        code=BOOKING_MANAGE,
        name=Text(zh_hans="管理阵地预约", zh_hant="管理陣地預約", en="Manage bookings of places"),
        personal_data=True,
    ),
    Permission(
        code=BOOKING_FOR_ORG,
        name=Text(zh_hans="以组织名义预约", zh_hant="以組織名義預約", en="Book on behalf of an org"),
    ),
)
