"""The ``nomination`` file owner kind: 事迹材料, photos and certificates of a nomination.

Seen by whoever may see the nomination (its nominee, its nominator, and cadres with a selection
permission over where it was filed or where it is now); attached to by the nominee and the nominator
while it is pending and nominations are still reviewed, and by the reviewers of its current org; deleted
by those reviewers. The nominee is the files' subject: they are in the nominee's PIPL export and removed
by their erasure.
"""

from __future__ import annotations

from uuid import UUID

from core.kernel.access import Principal
from core.kernel.declarations.files import FileOwnerKind, OwnerAccess, OwnerContext
from core.kernel.i18n import Text
from core.selections import nominations
from core.selections.tables import Campaign


async def nomination_access(
    principal: Principal, owner_id: UUID, context: OwnerContext
) -> OwnerAccess | None:
    row = await nominations.load(owner_id)
    if row is None or not nominations.may_read(principal, row):
        return None
    campaign = await Campaign.select(Campaign.stage).where(Campaign.id == row["campaign"]).first().run()
    open_ = (
        row["status"] == "pending" and campaign is not None and campaign["stage"] in nominations.REVIEW_STAGES
    )
    person = principal.person_id
    own = person is not None and person in (row["nominee_person"], row["nominated_by_person"])
    reviewer = nominations.reviews(principal, row)
    return OwnerAccess(
        org_path=row["entry_path"],
        may_attach=open_ and (own or reviewer),
        may_delete=reviewer,
        subject=row["nominee_person"],
    )


SELECTION_FILE_OWNERS = (
    FileOwnerKind(
        code="nomination",
        name=Text(zh_hans="评选推荐材料", zh_hant="評選推薦材料", en="Nomination attachment"),
        authorize=nomination_access,
    ),
)
