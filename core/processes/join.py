"""The core's generic process type: apply to join an org (入会/入团申请).

Submitted → approved (the membership is created in the same transaction) or rejected (a reason is
required); the applicant may withdraw while it waits. The org's cadres decide with
``core.process.handle``; after ten days without a decision the application goes up to the parent org.
A plugin replaces it by declaring its own type (with its own form and ``after``) or extends it by
declaring a type with ``referral_from=("core.join",)``.
"""

from __future__ import annotations

from typing import Annotated

import msgspec

from core.kernel.declarations.processes import Deadline, ProcessContext, ProcessType, State, Transition
from core.kernel.i18n import Text


class JoinForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Why the applicant wants to join, and optional fields plugins read from the membership's ``extra``."""

    statement: Annotated[str, msgspec.Meta(max_length=2000)] = ""


async def create_membership(ctx: ProcessContext) -> None:
    """On approval: the applicant becomes a member of the org applied to (joins the step's transaction)."""
    from core.kernel.access import Reach
    from core.members import services as members
    from core.members.schemas import MemberJoin
    from core.members.tables import Membership

    already = (
        await Membership.exists()
        .where(
            (Membership.org == ctx.org_id)
            & (Membership.person == ctx.applicant_id)
            & (Membership.status == "active")
        )
        .run()
    )
    if already:
        return
    from core.kernel.db import active_database

    db = active_database()
    await members.join(
        db,  # type: ignore[arg-type]
        ctx.plugin_manager,
        ctx.org_id,
        MemberJoin(person=ctx.applicant_id),
        [Reach(path=ctx.org_path, subtree=False)],
    )


JOIN_TYPE = ProcessType(
    code="core.join",
    name=Text(zh_hans="入会申请", zh_hant="入會申請", en="Application to join"),
    form=JoinForm,
    initial="submitted",
    states=(
        State(
            code="submitted",
            name=Text(zh_hans="待审核", zh_hant="待審核", en="Submitted"),
            deadline=Deadline(days=10, action="escalate"),
        ),
        State(
            code="approved",
            name=Text(zh_hans="已批准", zh_hant="已批准", en="Approved"),
            final=True,
            outcome="approved",
        ),
        State(
            code="rejected",
            name=Text(zh_hans="未批准", zh_hant="未批准", en="Rejected"),
            final=True,
            outcome="rejected",
        ),
        State(
            code="withdrawn",
            name=Text(zh_hans="已撤回", zh_hant="已撤回", en="Withdrawn"),
            final=True,
            outcome="withdrawn",
        ),
    ),
    transitions=(
        Transition(
            code="approve",
            name=Text(zh_hans="批准", zh_hant="批准", en="Approve"),
            sources=("submitted",),
            target="approved",
            after=create_membership,
        ),
        Transition(
            code="reject",
            name=Text(zh_hans="不予批准", zh_hant="不予批准", en="Reject"),
            sources=("submitted",),
            target="rejected",
            comment_required=True,
        ),
        Transition(
            code="withdraw",
            name=Text(zh_hans="撤回申请", zh_hant="撤回申請", en="Withdraw"),
            sources=("submitted",),
            target="withdrawn",
            applicant=True,
        ),
    ),
)
