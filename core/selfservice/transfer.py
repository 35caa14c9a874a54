"""Transfer started by the member (关系转接/转会): the core process type ``core.transfer``.

The member opens it on the org of their membership (the sending side) naming the receiving org. The
sending side's cadres approve (``release``, the process then goes to the receiving org) or reject with a
reason; then the receiving side's cadres accept or reject. Each side has ``TRANSFER_DAYS`` days: when
they pass, the process ends ``expired`` by itself. On acceptance the membership moves in the step's
transaction through :func:`core.members.services.transfer` (old row closed, new row continuing it).
The member may withdraw while either side decides; every step is in their progress view and inbox.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec

from core.kernel.access import Reach
from core.kernel.declarations.processes import (
    Deadline,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Transition,
)
from core.kernel.i18n import Text

#: Days each side has to decide before the transfer expires.
TRANSFER_DAYS = 15


class TransferForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Which membership moves where, and why (the receiving org is chosen by id or by invitation)."""

    membership_id: UUID
    to_org_id: UUID
    reason: Annotated[str, msgspec.Meta(max_length=1000)] = ""


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


_NOT_YOURS = _t("这不是您在本组织的有效会籍", "這不是您在本組織的有效會籍", "Not your active membership here")
_BAD_TARGET = _t(
    "接收组织须为同一群团组织下的其他有效组织",
    "接收組織須為同一群團組織下的其他有效組織",
    "The receiving org must be another active org of the same mass organization",
)


async def _check(ctx: ProcessContext) -> dict[str, Any]:
    from core.members.tables import Membership
    from core.orgs.tables import Org

    form: TransferForm = ctx.form
    membership = (
        await Membership.select(Membership.id, Membership.org, Membership.person, Membership.status)
        .where(Membership.id == form.membership_id)
        .first()
        .run()
    )
    if (
        membership is None
        or membership["person"] != ctx.applicant_id
        or membership["org"] != ctx.org_id
        or membership["status"] != "active"
    ):
        raise ProcessRejected("/form/membership_id", "invalid", _NOT_YOURS)
    here = await Org.select(Org.kind).where(Org.id == ctx.org_id).first().run()
    there = await Org.select(Org.kind, Org.status).where(Org.id == form.to_org_id).first().run()
    if (
        there is None
        or here is None
        or there["status"] != "active"
        or form.to_org_id == ctx.org_id
        or there["kind"].partition(".")[0] != here["kind"].partition(".")[0]
    ):
        raise ProcessRejected("/form/to_org_id", "invalid", _BAD_TARGET)
    return membership  # type: ignore[no-any-return]


async def validate_open(ctx: ProcessContext) -> None:
    await _check(ctx)


async def validate_step(ctx: ProcessContext) -> None:
    await _check(ctx)


async def move_membership(ctx: ProcessContext) -> None:
    """On acceptance: the membership moves (one transaction with the step)."""
    from core.kernel.db import active_database
    from core.members import services as members
    from core.members.schemas import MemberTransfer
    from core.orgs.tables import Org

    await _check(ctx)
    form: TransferForm = ctx.form
    target = await Org.select(Org.path).where(Org.id == form.to_org_id).first().run()
    reaches = [Reach(path=ctx.org_path, subtree=False), Reach(path=target["path"], subtree=False)]  # type: ignore[index]
    await members.transfer(
        active_database(),  # type: ignore[arg-type]
        ctx.plugin_manager,
        form.membership_id,
        MemberTransfer(org=form.to_org_id),
        reaches,
    )


_DEADLINE = Deadline(days=TRANSFER_DAYS, action="transition", transition="expire")

TRANSFER_TYPE = ProcessType(
    code="core.transfer",
    name=_t("组织关系转接", "組織關係轉接", "Membership transfer"),
    form=TransferForm,
    initial="sending_review",
    validate_open=validate_open,
    states=(
        State(
            code="sending_review",
            name=_t("转出组织审核", "轉出組織審核", "Sending org reviews"),
            deadline=_DEADLINE,
        ),
        State(
            code="receiving_review",
            name=_t("接收组织审核", "接收組織審核", "Receiving org reviews"),
            deadline=_DEADLINE,
        ),
        State(code="transferred", name=_t("已转接", "已轉接", "Transferred"), final=True, outcome="approved"),
        State(code="rejected", name=_t("未通过", "未通過", "Rejected"), final=True, outcome="rejected"),
        State(code="expired", name=_t("已超时", "已逾時", "Timed out"), final=True, outcome="expired"),
        State(code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
    ),
    transitions=(
        Transition(
            code="release",
            name=_t("同意转出", "同意轉出", "Release"),
            sources=("sending_review",),
            target="receiving_review",
            handler="form",
            handler_field="to_org_id",
            validate=validate_step,
        ),
        Transition(
            code="accept",
            name=_t("同意接收", "同意接收", "Accept"),
            sources=("receiving_review",),
            target="transferred",
            validate=validate_step,
            after=move_membership,
        ),
        Transition(
            code="reject",
            name=_t("不予同意", "不予同意", "Reject"),
            sources=("sending_review", "receiving_review"),
            target="rejected",
            comment_required=True,
        ),
        Transition(
            code="expire",
            name=_t("超时未办理", "逾時未辦理", "Time out"),
            sources=("sending_review", "receiving_review"),
            target="expired",
            system=True,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回申请", "撤回申請", "Withdraw"),
            sources=("sending_review", "receiving_review"),
            target="withdrawn",
            applicant=True,
        ),
    ),
)
