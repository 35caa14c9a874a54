"""The core's file owner kinds: ``process`` (申请书, 证明材料 of an application or case) and ``notice``.

* ``process`` — seen by whoever may see the process (the applicant, readers and handlers within reach,
  the referring org); attached to by the applicant while it is open and by its handlers; deleted by its
  handlers (and by an uploader who may still attach). The applicant is the files' subject: they are in
  the applicant's PIPL export and removed by their erasure.
* ``notice`` — a public notice's attachments are public like the notice (any signed-in caller while it is
  published); attached and deleted by cadres holding ``core.notice.manage`` over the notice's org.
"""

from __future__ import annotations

from uuid import UUID

from core.kernel.access import Principal, within
from core.kernel.declarations.files import FileOwnerKind, OwnerAccess, OwnerContext
from core.kernel.i18n import Text
from core.processes import machine
from core.processes.permissions import NOTICE_MANAGE
from core.processes.tables import Notice


async def process_access(principal: Principal, owner_id: UUID, context: OwnerContext) -> OwnerAccess | None:
    row = await machine.load(owner_id)
    if row is None or not machine.may_read(principal, context.registry, row):
        return None
    handles = within(row["handler_path"], machine.handling_reach(principal, context.registry))
    applicant = principal.person_id is not None and principal.person_id == row["applicant"]
    return OwnerAccess(
        org_path=row["org_path"],
        may_attach=row["status"] == "open" and (applicant or handles),
        may_delete=handles,
        subject=row["applicant"],
    )


async def notice_access(principal: Principal, owner_id: UUID, context: OwnerContext) -> OwnerAccess | None:
    row = await Notice.select(Notice.org_path, Notice.status).where(Notice.id == owner_id).first().run()
    if row is None:
        return None
    manages = within(row["org_path"], principal.reach(NOTICE_MANAGE))
    if row["status"] != "published" and not manages:
        return None
    return OwnerAccess(org_path=row["org_path"], may_attach=manages, may_delete=manages)


CORE_FILE_OWNERS = (
    FileOwnerKind(
        code="process",
        name=Text(zh_hans="办理事项材料", zh_hant="辦理事項材料", en="Process attachment"),
        authorize=process_access,
    ),
    FileOwnerKind(
        code="notice",
        name=Text(zh_hans="公示附件", zh_hant="公示附件", en="Notice attachment"),
        authorize=notice_access,
    ),
)
