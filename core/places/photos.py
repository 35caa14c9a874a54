"""The ``place`` file owner kind: photos of a place (外景, 活动室), through the files API.

Seen by whoever may see the place (anyone signed in for a public, active place; readers within reach
otherwise); attached and deleted by cadres holding ``core.place.manage`` over its owner org. Photos
concern no person: they are the org's records.
"""

from __future__ import annotations

from uuid import UUID

from core.kernel.access import Principal
from core.kernel.declarations.files import FileOwnerKind, OwnerAccess, OwnerContext
from core.kernel.i18n import Text
from core.places.services import manages, reads
from core.places.tables import Place

PHOTO_TYPES = ("image/jpeg", "image/png", "image/webp")


async def place_access(principal: Principal, owner_id: UUID, context: OwnerContext) -> OwnerAccess | None:
    row = (
        await Place.select(Place.org_path, Place.public, Place.status)
        .where(Place.id == owner_id)
        .first()
        .run()
    )
    if row is None:
        return None
    if not (row["public"] and row["status"] == "active") and not reads(principal, row["org_path"]):
        return None
    may = manages(principal, row["org_path"])
    return OwnerAccess(org_path=row["org_path"], may_attach=may, may_delete=may)


PLACE_FILE_OWNERS = (
    FileOwnerKind(
        code="place",
        name=Text(zh_hans="阵地照片", zh_hant="陣地照片", en="Place photo"),
        authorize=place_access,
        max_size=10 * 1024 * 1024,
        allowed_types=PHOTO_TYPES,
    ),
)
