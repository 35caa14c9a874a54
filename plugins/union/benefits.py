"""Member benefits (会员福利): 职工疗休养, 节日慰问, 体检 and the like, declared by a union for one year with a
quota per member (a number of times or an amount), applied for through the ``union.benefit`` process.

An application holds its quantity at once: the member's balance row for the programme is raised by one
conditional ``UPDATE … WHERE used + quantity <= quota`` inside the opening transaction, so two
applications for the last unit cannot both pass on either database (the loser is answered 409
``union-quota-exhausted``). A rejection, a withdrawal or a cancellation gives the quantity back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec

from core.sdk import (
    Deadline,
    Problem,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Text,
    Transition,
    emit,
    record_audit,
    subtree_bounds,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.membership import active_member_path
from plugins.union.problems import CODES, QUOTA_EXHAUSTED
from plugins.union.tables import UnionBenefit, UnionBenefitBalance, UnionBenefitUse

#: rest_trip (职工疗休养), festival (节日慰问), checkup (健康体检), birthday (生日慰问), culture (文体), other.
CATEGORIES = ("rest_trip", "festival", "checkup", "birthday", "culture", "other")
#: times (次数) or amount (金额, fen).
MEASURES = ("times", "amount")


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


class BenefitForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """福利申请: the programme and how much of the quota (times, or fen for an amount)."""

    benefit_id: UUID
    quantity: Annotated[int, msgspec.Meta(ge=1, le=10**9)] = 1
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


async def _benefit(ctx: ProcessContext) -> dict[str, Any]:
    form: BenefitForm = ctx.form
    row = await UnionBenefit.select().where(UnionBenefit.id == form.benefit_id).first().run()
    if row is None or row["org"] != ctx.org_id:
        raise ProcessRejected("/form/benefit_id", "union_benefit_unknown", CODES["union_benefit_unknown"])
    return row  # type: ignore[no-any-return]


async def _changed(
    benefit: dict[str, Any], what: str, ctx: ProcessContext, quantity: int, org_path: str
) -> None:
    await record_audit(
        f"union.benefit.{what}",
        resource_type="union.benefit",
        resource_id=benefit["id"],
        org_path=org_path,
        changes={"process": ctx.process_id, "quantity": quantity},
    )
    await emit(
        sig.BENEFIT_CHANGED,
        sig.BenefitChanged(
            benefit_id=str(benefit["id"]),
            org_id=str(benefit["org"]),
            what=what,
            process_id=str(ctx.process_id),
            person_id=str(ctx.applicant_id),
            quantity=quantity,
        ),
        resource_type="union.benefit",
        resource_id=benefit["id"],
        org_path=org_path,
    )


async def reserve(ctx: ProcessContext) -> None:
    """On application: the programme is this union's and open, the applicant a current member of its
    subtree, and the quantity fits what is left of their quota — which it then holds."""
    form: BenefitForm = ctx.form
    benefit = await _benefit(ctx)
    if benefit["status"] != "open":
        raise ProcessRejected("/form/benefit_id", "union_benefit_closed", CODES["union_benefit_closed"])
    path = await active_member_path(ctx.applicant_id)
    low, high = subtree_bounds(benefit["org_path"])
    if path is None or not low <= path < high:
        raise ProcessRejected(
            "/applicant_id", "union_benefit_not_eligible", CODES["union_benefit_not_eligible"]
        )
    now = datetime.now(UTC)
    await (
        UnionBenefitBalance.insert(
            UnionBenefitBalance(benefit=benefit["id"], person=ctx.applicant_id, org_path=path, used=0)
        )
        .on_conflict(action="DO NOTHING")
        .run()
    )
    held = await (
        UnionBenefitBalance.update(
            {
                UnionBenefitBalance.used: UnionBenefitBalance.used + form.quantity,
                UnionBenefitBalance.org_path: path,
                UnionBenefitBalance.updated_at: now,
            }
        )
        .where(
            (UnionBenefitBalance.benefit == benefit["id"])
            & (UnionBenefitBalance.person == ctx.applicant_id)
            & (UnionBenefitBalance.used <= benefit["quota"] - form.quantity)
        )
        .returning(UnionBenefitBalance.id)
        .run()
    )
    if not held:
        raise Problem(QUOTA_EXHAUSTED)
    await UnionBenefitUse.insert(
        UnionBenefitUse(
            benefit=benefit["id"],
            process=ctx.process_id,
            person=ctx.applicant_id,
            org_path=path,
            quantity=form.quantity,
            status="pending",
            created_at=now,
            updated_at=now,
        )
    ).run()
    await _changed(benefit, "reserved", ctx, form.quantity, path)


async def _settle(ctx: ProcessContext, status: str, what: str) -> None:
    benefit = await _benefit(ctx)
    use = await UnionBenefitUse.select().where(UnionBenefitUse.process == ctx.process_id).first().run()
    if use is None:  # every application holds its use row from its opening (``reserve``)
        raise Problem("not-found")
    now = datetime.now(UTC)
    if status == "released":
        await (
            UnionBenefitBalance.update(
                {
                    UnionBenefitBalance.used: UnionBenefitBalance.used - use["quantity"],
                    UnionBenefitBalance.updated_at: now,
                }
            )
            .where(
                (UnionBenefitBalance.benefit == benefit["id"])
                & (UnionBenefitBalance.person == ctx.applicant_id)
            )
            .run()
        )
    await (
        UnionBenefitUse.update({UnionBenefitUse.status: status, UnionBenefitUse.updated_at: now})
        .where(UnionBenefitUse.id == use["id"])
        .run()
    )
    await _changed(benefit, what, ctx, use["quantity"], use["org_path"])


async def grant(ctx: ProcessContext) -> None:
    await _settle(ctx, "granted", "granted")


async def mark_used(ctx: ProcessContext) -> None:
    await _settle(ctx, "used", "used")


async def release(ctx: ProcessContext) -> None:
    await _settle(ctx, "released", "released")


BENEFIT = ProcessType(
    code="union.benefit",
    name=_t("会员福利申请", "會員福利申請", "Member benefit application"),
    description=_t(
        "会员申请工会的年度福利项目（职工疗休养、节日慰问、健康体检等）：申请即占用本人本年度额度，"
        "工会批准后安排，享受后办结；不予批准、撤回或取消时退回额度。",
        "會員申請工會的年度福利項目（職工療休養、節日慰問、健康體檢等）：申請即佔用本人本年度額度，"
        "工會批准後安排，享受後辦結；不予批准、撤回或取消時退回額度。",
        "A member applies for one of the union's yearly benefits (rest trips, festival gifts, health "
        "checks…): the application holds part of their quota for the year, the union approves and "
        "arranges it, and a refusal, withdrawal or cancellation gives the quota back.",
    ),
    org_kinds=("union.federation", "union.grassroots"),
    form=BenefitForm,
    validate_open=reserve,
    initial="submitted",
    states=(
        State(
            code="submitted",
            name=_t("待审批", "待審批", "Awaiting decision"),
            deadline=Deadline(days=10, action="remind"),
        ),
        State(code="approved", name=_t("已批准，待享受", "已批准，待享受", "Approved, to be enjoyed")),
        State(code="used", name=_t("已享受", "已享受", "Enjoyed"), final=True, outcome="approved"),
        State(code="rejected", name=_t("未批准", "未批准", "Not approved"), final=True, outcome="rejected"),
        State(code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
        State(code="cancelled", name=_t("已取消", "已取消", "Cancelled"), final=True, outcome="withdrawn"),
    ),
    transitions=(
        Transition(
            code="approve",
            name=_t("批准", "批准", "Approve"),
            sources=("submitted",),
            target="approved",
            permission=P.BENEFIT_MANAGE,
            after=grant,
        ),
        Transition(
            code="reject",
            name=_t("不予批准", "不予批准", "Refuse"),
            sources=("submitted",),
            target="rejected",
            permission=P.BENEFIT_MANAGE,
            comment_required=True,
            after=release,
        ),
        Transition(
            code="complete",
            name=_t("已享受，办结", "已享受，辦結", "Enjoyed"),
            sources=("approved",),
            target="used",
            permission=P.BENEFIT_MANAGE,
            after=mark_used,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回申请", "撤回申請", "Withdraw"),
            sources=("submitted", "approved"),
            target="withdrawn",
            applicant=True,
            after=release,
        ),
        Transition(
            code="cancel",
            name=_t("取消安排", "取消安排", "Cancel"),
            sources=("approved",),
            target="cancelled",
            permission=P.BENEFIT_MANAGE,
            comment_required=True,
            after=release,
        ),
    ),
)

Category = Literal[CATEGORIES]  # type: ignore[valid-type]
Measure = Literal[MEASURES]  # type: ignore[valid-type]
