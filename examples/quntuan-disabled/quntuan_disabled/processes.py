"""Two process types the core runs for the 残联: the disability-certificate application (残疾人证申领)
and the application for rehabilitation or assistive devices (康复救助 / 辅具适配).

Both are applied for at a 残联, reviewed there (乡镇 accepts and forwards to the county, 上报) and decided
by the county federation; the certificate's last step issues it into the registry, the assistance's
records delivery. No public notice: who is disabled is nobody else's business.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from core.sdk import (
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Text,
    Transition,
)

from .categories import Category
from .kinds import FEDERATION
from .permissions import APPLICATION_APPROVE, APPLICATION_REVIEW, CERTIFICATE_MANAGE


class CertificateForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What the applicant (or a clerk on their behalf) fills in."""

    id_number: Annotated[str, msgspec.Meta(min_length=15, max_length=24, description="身份证号")]
    category: Category
    phone: Annotated[str, msgspec.Meta(min_length=11, max_length=16, description="联系电话")]
    #: 评残 hospital or the assessment wanted, in the applicant's words.
    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


class IssueForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The assessed grade and the certificate's validity, filled in when it is issued."""

    grade: Annotated[int, msgspec.Meta(ge=1, le=4)]
    issued_on: dt.date
    valid_until: dt.date


class AssistanceForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: Literal["rehabilitation", "assistive_device"]
    #: What is asked for: 轮椅, 助听器, 康复训练…
    item: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    phone: Annotated[str, msgspec.Meta(min_length=11, max_length=16)]
    reason: Annotated[str, msgspec.Meta(min_length=1, max_length=1000)]


class DeliveryForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    delivered_on: dt.date


def _valid_id_number(ctx: ProcessContext) -> None:
    from core.sdk import normalise_id_number

    if normalise_id_number(ctx.form.id_number) is None:
        raise ProcessRejected(
            "/form/id_number",
            "invalid_id_number",
            Text(zh_hans="身份证号无效", zh_hant="身分證號無效", en="Not a valid ID number"),
        )


def _valid_period(ctx: ProcessContext) -> None:
    if ctx.step_form.valid_until <= ctx.step_form.issued_on:
        raise ProcessRejected(
            "/form/valid_until",
            "disabled_validity",
            Text(
                zh_hans="有效期须晚于发证日期",
                zh_hant="有效期須晚於發證日期",
                en="The certificate must be valid until after it was issued",
            ),
        )


async def _issue(ctx: ProcessContext) -> None:
    """The issue step writes the certificate into the registry, in the step's transaction."""
    from .certificates import register

    await register(
        ctx.vault,
        person_id=ctx.applicant_id,
        org_id=ctx.handler_org_id,
        org_path=ctx.org_path if ctx.handler_org_id == ctx.org_id else await _path(ctx.handler_org_id),
        id_number=ctx.form.id_number,
        category=ctx.form.category,
        grade=ctx.step_form.grade,
        issued_on=ctx.step_form.issued_on,
        valid_until=ctx.step_form.valid_until,
        process_id=ctx.process_id,
    )


async def _path(org_id: object) -> str:
    from core.sdk import Org

    row = await Org.select(Org.path).where(Org.id == org_id).first().run()
    return str(row["path"])


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


_REVIEW_STATES = (
    State(code="submitted", name=_t("受理审核", "受理審核", "Under review")),
    State(code="county_review", name=_t("县级审批", "縣級審批", "County decision")),
)
_CLOSED = (
    State(code="rejected", name=_t("未通过", "未通過", "Rejected"), final=True, outcome="rejected"),
    State(code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
)


def _review_transitions(target_after_approval: str) -> tuple[Transition, ...]:
    return (
        Transition(
            code="forward",
            name=_t("审核通过并上报", "審核通過並上報", "Forward to the county"),
            sources=("submitted",),
            target="county_review",
            permission=APPLICATION_REVIEW,
            handler="parent",
        ),
        Transition(
            code="approve",
            name=_t("批准", "批准", "Approve"),
            sources=("submitted", "county_review"),
            target=target_after_approval,
            permission=APPLICATION_APPROVE,
        ),
        Transition(
            code="reject",
            name=_t("不予通过", "不予通過", "Reject"),
            sources=("submitted", "county_review"),
            target="rejected",
            permission=APPLICATION_REVIEW,
            comment_required=True,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回", "撤回", "Withdraw"),
            sources=("submitted", "county_review"),
            target="withdrawn",
            applicant=True,
        ),
    )


CERTIFICATE_APPLICATION = ProcessType(
    code="disabled.certificate",
    name=_t("残疾人证申领", "殘疾人證申領", "Disability certificate application"),
    description=_t(
        "申请评定残疾类别和等级并核发残疾人证",
        "申請評定殘疾類別和等級並核發殘疾人證",
        "Assessment of the category and grade, and issue of the certificate",
    ),
    org_kinds=(FEDERATION,),
    form=CertificateForm,
    personal_fields=("id_number", "phone"),
    initial="submitted",
    validate_open=_valid_id_number,
    states=(
        *_REVIEW_STATES,
        State(code="approved", name=_t("待发证", "待發證", "To be issued")),
        State(code="issued", name=_t("已发证", "已發證", "Issued"), final=True, outcome="approved"),
        *_CLOSED,
    ),
    transitions=(
        *_review_transitions("approved"),
        Transition(
            code="issue",
            name=_t("核发残疾人证", "核發殘疾人證", "Issue the certificate"),
            sources=("approved",),
            target="issued",
            permission=CERTIFICATE_MANAGE,
            form=IssueForm,
            validate=_valid_period,
            after=_issue,
        ),
    ),
)

ASSISTANCE_APPLICATION = ProcessType(
    code="disabled.assistance",
    name=_t("康复救助和辅具适配申请", "康復救助和輔具適配申請", "Rehabilitation and assistive devices"),
    description=_t(
        "申请康复训练、康复救助或辅助器具适配，批准后登记发放",
        "申請康復訓練、康復救助或輔助器具適配，批准後登記發放",
        "Rehabilitation or an assistive device, recorded when delivered",
    ),
    org_kinds=(FEDERATION,),
    form=AssistanceForm,
    personal_fields=("phone",),
    initial="submitted",
    states=(
        *_REVIEW_STATES,
        State(code="approved", name=_t("待发放", "待發放", "To be delivered")),
        State(code="delivered", name=_t("已发放", "已發放", "Delivered"), final=True, outcome="approved"),
        *_CLOSED,
    ),
    transitions=(
        *_review_transitions("approved"),
        Transition(
            code="deliver",
            name=_t("登记发放", "登記發放", "Record delivery"),
            sources=("approved",),
            target="delivered",
            permission=APPLICATION_APPROVE,
            form=DeliveryForm,
        ),
    ),
)

PROCESS_TYPES: tuple[ProcessType, ...] = (CERTIFICATE_APPLICATION, ASSISTANCE_APPLICATION)
