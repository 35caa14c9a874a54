"""妇女儿童维权: requests and complaints as a sensitive process type run by the core.

Intake from the 12338 hotline (a cadre records the call, in the caller's name when the caller is a known
person, else in the cadre's own), from a front end (the woman applies herself), a walk-in or a letter.
The form holds the minimum: a category, the channel, a short summary and an optional phone — the last
two encrypted at rest and masked. The type has its own read permission (``women.rights.read``): nobody
else sees these cases in any list, and every read and every refused read is audited by the core.
Protection-order help (人身安全保护令) and referrals out (公安、法院、共青团…) are steps whose facts the
plugin keeps in ``women_rights_action`` for its figures; referral to the union's legal aid
(``union.legal_aid``) is the core's referral (转办), refused with ``referral-type-missing`` when the union
plugin is not installed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

import msgspec

from core.sdk import Deadline, ProcessContext, ProcessType, State, Text, Transition, emit
from plugins.women.permissions import RIGHTS_HANDLE, RIGHTS_READ
from plugins.women.signals import (
    PROTECTION_ORDER_RECORDED,
    RIGHTS_CASE_OPENED,
    RIGHTS_REFERRED_OUT,
    ProtectionOrderRecorded,
    RightsCaseOpened,
    RightsReferredOut,
)
from plugins.women.tables import WomenRightsAction, WomenRightsIntake

RIGHTS_CASE = "women.rights_case"
LEGAL_AID = "union.legal_aid"

Category = Literal[
    "domestic_violence",  # 家庭暴力
    "marriage_family",  # 婚姻家庭纠纷
    "employment_discrimination",  # 就业性别歧视
    "sexual_harassment",  # 性骚扰
    "property_rights",  # 财产权益（土地承包、宅基地）
    "child_rights",  # 儿童权益
    "other",
]
Channel = Literal["hotline_12338", "front_end", "walk_in", "letter"]
Phone = Annotated[str, msgspec.Meta(pattern=r"^1[3-9]\d{9}$")]


class RightsCaseForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A rights request or complaint, kept to the minimum a handler needs."""

    category: Category
    channel: Channel
    #: What happened, briefly (personal: encrypted, masked).
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    #: A safe number to call back (personal).
    contact_phone: Phone | None = None
    minor_involved: bool = False
    urgent: bool = False


class AcceptForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Accepted for handling; whether the woman is in immediate danger."""

    danger: Literal["none", "possible", "immediate"] = "none"


class ProtectionOrderForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Help with a personal safety protection order (人身安全保护令)."""

    action: Literal["advised", "application_assisted", "issued", "refused"]
    court: Annotated[str, msgspec.Meta(max_length=100)] = ""
    issued_on: dt.date | None = None


class ReferOutForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A referral to a body outside the platform (公安、法院、民政、共青团…)."""

    to: Literal["police", "court", "procuratorate", "civil_affairs", "league", "hospital", "other"]
    body_name: Annotated[str, msgspec.Meta(max_length=100)] = ""


class ResolveForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    result: Literal["mediated", "protected", "legal_action", "advice_given", "other"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def record_intake(ctx: ProcessContext) -> None:
    """On opening: the case's non-personal facts for the federation's figures, and a signal."""
    form: RightsCaseForm = ctx.form
    await WomenRightsIntake.insert(
        WomenRightsIntake(
            id=ctx.process_id,
            org=ctx.org_id,
            org_path=ctx.org_path,
            category=form.category,
            channel=form.channel,
            minor_involved=form.minor_involved,
            opened_at=_now(),
        )
    ).run()
    await emit(
        RIGHTS_CASE_OPENED,
        RightsCaseOpened(process_id=str(ctx.process_id), category=form.category, channel=form.channel),
        resource_type="process",
        resource_id=ctx.process_id,
        org_path=ctx.org_path,
    )


async def _action(ctx: ProcessContext, kind: str, code: str) -> uuid.UUID:
    action_id = uuid.uuid4()
    await WomenRightsAction.insert(
        WomenRightsAction(
            id=action_id,
            process=ctx.process_id,
            org_path=ctx.org_path,
            kind=kind,
            code=code,
            at=_now(),
        )
    ).run()
    return action_id


async def record_protection_order(ctx: ProcessContext) -> None:
    form: ProtectionOrderForm = ctx.step_form
    await _action(ctx, "protection_order", form.action)
    await emit(
        PROTECTION_ORDER_RECORDED,
        ProtectionOrderRecorded(process_id=str(ctx.process_id), action=form.action),
        resource_type="process",
        resource_id=ctx.process_id,
        org_path=ctx.org_path,
    )


async def record_referral(ctx: ProcessContext) -> None:
    form: ReferOutForm = ctx.step_form
    await _action(ctx, "referral", form.to)
    await emit(
        RIGHTS_REFERRED_OUT,
        RightsReferredOut(process_id=str(ctx.process_id), to=form.to),
        resource_type="process",
        resource_id=ctx.process_id,
        org_path=ctx.org_path,
    )


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


OPEN_STATES = ("intake", "handling", "referred_out")

RIGHTS_CASE_TYPE = ProcessType(
    code=RIGHTS_CASE,
    name=_t("妇女儿童维权", "婦女兒童維權", "Women's and children's rights case"),
    description=_t(
        "12338 热线、线上或来访的维权求助与投诉：受理、办理、人身安全保护令协助、转介公安法院或工会法律援助。",
        "12338 熱線、線上或來訪的維權求助與投訴：受理、辦理、人身安全保護令協助、轉介公安法院或工會法律援助。",
        "Rights requests and complaints from the 12338 hotline, online or in person: intake, handling, "
        "protection-order help, referral to police, courts or the union's legal aid.",
    ),
    org_kinds=("women.federation", "women.grassroots"),
    form=RightsCaseForm,
    personal_fields=("summary", "contact_phone"),
    read_permission=RIGHTS_READ,
    refers_to=(LEGAL_AID,),
    initial="intake",
    validate_open=record_intake,
    states=(
        State(
            code="intake",
            name=_t("待受理", "待受理", "Awaiting intake"),
            deadline=Deadline(days=2, action="escalate"),
        ),
        State(
            code="handling",
            name=_t("办理中", "辦理中", "Being handled"),
            deadline=Deadline(days=15, action="remind"),
        ),
        State(
            code="referred_out", name=_t("已转介待反馈", "已轉介待回饋", "Referred out, awaiting feedback")
        ),
        State(code="resolved", name=_t("已办结", "已辦結", "Resolved"), final=True, outcome="resolved"),
        State(code="declined", name=_t("不予受理", "不予受理", "Declined"), final=True, outcome="rejected"),
        State(code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
    ),
    transitions=(
        Transition(
            code="accept",
            name=_t("受理", "受理", "Accept"),
            sources=("intake",),
            target="handling",
            permission=RIGHTS_HANDLE,
            form=AcceptForm,
        ),
        Transition(
            code="decline",
            name=_t("不予受理", "不予受理", "Decline"),
            sources=("intake",),
            target="declined",
            permission=RIGHTS_HANDLE,
            comment_required=True,
        ),
        Transition(
            code="escalate",
            name=_t("上报上级妇联", "上報上級婦聯", "Escalate"),
            sources=("intake", "handling"),
            target="handling",
            permission=RIGHTS_HANDLE,
            handler="parent",
            comment_required=True,
        ),
        Transition(
            code="protection_order",
            name=_t("人身安全保护令协助", "人身安全保護令協助", "Protection-order help"),
            sources=("handling", "referred_out"),
            target="handling",
            permission=RIGHTS_HANDLE,
            form=ProtectionOrderForm,
            after=record_protection_order,
        ),
        Transition(
            code="refer_out",
            name=_t("转介相关部门", "轉介相關部門", "Refer to another body"),
            sources=("handling",),
            target="referred_out",
            permission=RIGHTS_HANDLE,
            form=ReferOutForm,
            after=record_referral,
        ),
        Transition(
            code="feedback",
            name=_t("收到转介反馈", "收到轉介回饋", "Feedback received"),
            sources=("referred_out",),
            target="handling",
            permission=RIGHTS_HANDLE,
            comment_required=True,
        ),
        Transition(
            code="resolve",
            name=_t("办结", "辦結", "Resolve"),
            sources=("handling", "referred_out"),
            target="resolved",
            permission=RIGHTS_HANDLE,
            form=ResolveForm,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回", "撤回", "Withdraw"),
            sources=OPEN_STATES,
            target="withdrawn",
            applicant=True,
        ),
    ),
)
