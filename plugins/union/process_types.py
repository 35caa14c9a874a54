"""The union's process types, run by the core's state machine: 网上入会 (``union.join``), 法律援助
(``union.legal_aid``, which other plugins refer rights cases to) and 困难职工建档 (``union.hardship``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from uuid import UUID

import msgspec

from core.sdk import (
    Deadline,
    NoticeEntryIn,
    Org,
    Person,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Text,
    Transition,
    Unit,
    add_membership,
    emit,
    publish_notice,
    record_audit,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.agreements import WAGE_AGREEMENT
from plugins.union.benefits import BENEFIT
from plugins.union.membership import EMPLOYMENTS, MEMBER_KINDS, NEW_FORMS
from plugins.union.problems import CODES
from plugins.union.tables import UnionHardshipFile, UnionMember, UnionOrgProfile

Employment = Literal[EMPLOYMENTS]  # type: ignore[valid-type]
Fen = Annotated[int, msgspec.Meta(ge=0, le=10**11)]
#: Unions through which 新就业形态劳动者 join.
OPEN_FORMS = ("joint", "building", "industry", "street")
HARDSHIP_NOTICE_DAYS = 5


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


def _no(pointer: str, code: str) -> ProcessRejected:
    return ProcessRejected(pointer, code, CODES[code])


_WITHDRAWN = State(
    code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"
)
_REJECTED = State(code="rejected", name=_t("未通过", "未通過", "Rejected"), final=True, outcome="rejected")

# --- 网上入会 ------------------------------------------------------------------------------------------


class JoinForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """网上入会申请: where the applicant works and on what terms."""

    #: employee (标准劳动关系) or a 新就业形态 form (courier, delivery_rider, ride_hailing, …).
    employment: Employment = "employee"
    employer_name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    #: The employer as a registered unit, when it is one.
    employer_unit_id: UUID | None = None
    #: 以工资收入为主要生活来源 — the condition of membership.
    wage_main_income: bool
    #: Monthly wage in fen (the base of the dues), when the applicant gives it.
    monthly_wage: Fen | None = None
    #: 流动会员: no fixed employer, the membership follows the member.
    floating: bool = False
    statement: Annotated[str, msgspec.Meta(max_length=1000)] = ""


async def check_join(ctx: ProcessContext) -> None:
    """Eligibility and employer check when the application is made and again when it is decided."""
    form: JoinForm = ctx.form
    if not form.wage_main_income:
        raise _no("/form/wage_main_income", "union_not_wage_earner")
    if form.employment in NEW_FORMS:
        profile = (
            await UnionOrgProfile.select(UnionOrgProfile.form)
            .where(UnionOrgProfile.org == ctx.org_id)
            .first()
            .run()
        )
        if profile is None or profile["form"] not in OPEN_FORMS:
            raise _no("/form/employment", "union_new_form_union")
    if form.employer_unit_id is not None:
        unit = await Unit.select(Unit.status).where(Unit.id == form.employer_unit_id).first().run()
        if unit is None or unit["status"] != "active":
            raise _no("/form/employer_unit_id", "union_unit_unknown")
    from core.sdk import Membership

    elsewhere = (
        await Membership.exists()
        .where(
            (Membership.person == ctx.applicant_id)
            & (Membership.status == "active")
            & (Membership.role == "member")
            & (Membership.org.kind.is_in(list(MEMBER_KINDS)))
        )
        .run()
    )
    if elsewhere:
        raise _no("/applicant_id", "union_member_elsewhere")


async def admit(ctx: ProcessContext) -> None:
    """On approval the applicant becomes a member (the core's membership, the union's file) at once."""
    form: JoinForm = ctx.form
    await add_membership(ctx.plugin_manager, org_id=ctx.org_id, person_id=ctx.applicant_id)
    await (
        UnionMember.update(
            {
                UnionMember.employment: form.employment,
                UnionMember.employer_name: form.employer_name,
                UnionMember.employer_unit: form.employer_unit_id,
                UnionMember.monthly_wage: form.monthly_wage,
                UnionMember.floating: form.floating,
                UnionMember.joined_via: "application",
            }
        )
        .where(UnionMember.person == ctx.applicant_id)
        .run()
    )
    row = (
        await UnionMember.select(UnionMember.card_number)
        .where(UnionMember.person == ctx.applicant_id)
        .first()
        .run()
    )
    await record_audit(
        "union.member.registered",
        resource_type="union.member",
        resource_id=ctx.applicant_id,
        org_path=ctx.org_path,
        changes={"via": "application", "process": ctx.process_id},
    )
    await emit(
        sig.MEMBER_REGISTERED,
        sig.MemberChanged(
            person_id=str(ctx.applicant_id), org_id=str(ctx.org_id), card_number=row["card_number"]
        ),
        resource_type="union.member",
        resource_id=ctx.applicant_id,
        org_path=ctx.org_path,
    )


JOIN = ProcessType(
    code="union.join",
    name=_t("网上入会", "網上入會", "Online application to join the union"),
    description=_t(
        "以工资收入为主要生活来源的劳动者（含快递员、外卖骑手、网约车司机等新就业形态劳动者）向基层工会申请入会；"
        "工会核实用人单位与入会条件后批准，批准即入会并发放会员证号。",
        "以工資收入為主要生活來源的勞動者（含新就業形態勞動者）向基層工會申請入會；工會核實後批准。",
        "Workers living on a wage (including couriers, riders and ride-hailing drivers) apply to a grassroots "
        "union; it checks the employer and the conditions, and approval makes them members with a card number.",
    ),
    org_kinds=("union.grassroots",),
    form=JoinForm,
    initial="submitted",
    validate_open=check_join,
    states=(
        State(
            code="submitted",
            name=_t("待核实", "待核實", "Awaiting the employer check"),
            deadline=Deadline(days=10, action="escalate"),
        ),
        State(code="verified", name=_t("已核实，待审批", "已核實，待審批", "Checked, awaiting decision")),
        State(code="approved", name=_t("已入会", "已入會", "Admitted"), final=True, outcome="approved"),
        _REJECTED,
        _WITHDRAWN,
    ),
    transitions=(
        Transition(
            code="verify",
            name=_t("核实用人单位与入会条件", "核實用人單位與入會條件", "Employer and eligibility checked"),
            sources=("submitted",),
            target="verified",
            permission=P.JOIN_REVIEW,
            validate=check_join,
        ),
        Transition(
            code="approve",
            name=_t("批准入会", "批准入會", "Admit"),
            sources=("verified",),
            target="approved",
            permission=P.JOIN_REVIEW,
            validate=check_join,
            after=admit,
        ),
        Transition(
            code="reject",
            name=_t("不予入会", "不予入會", "Refuse"),
            sources=("submitted", "verified"),
            target="rejected",
            permission=P.JOIN_REVIEW,
            comment_required=True,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回申请", "撤回申請", "Withdraw"),
            sources=("submitted", "verified"),
            target="withdrawn",
            applicant=True,
        ),
    ),
)

# --- 法律援助 ------------------------------------------------------------------------------------------

Code = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class LegalAidForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A legal-aid or labour-dispute request. Fields a referred case brings along (category, channel,
    summary, contact_phone) are taken as they are; the rest have defaults."""

    #: wages (欠薪), contract, social_insurance, injury (工伤), dismissal, or a referring plugin's code.
    category: Code = "other"
    #: hotline_12351, front_end, walk_in, letter, or a referring plugin's channel.
    channel: Code = "front_end"
    #: What happened (personal: encrypted, masked).
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
    contact_phone: Annotated[str, msgspec.Meta(pattern=r"^1[3-9]\d{9}$")] | None = None
    employer_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    urgent: bool = False


class LegalAidOutcome(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: advice (咨询解答), mediated (调解成功), arbitration (支持仲裁), litigation (支持诉讼), referred_out.
    result: Literal["advice", "mediated", "arbitration", "litigation", "referred_out"]
    #: Money recovered for the worker (fen), e.g. wages in arrears.
    recovered: Fen = 0


LEGAL_AID = ProcessType(
    code="union.legal_aid",
    name=_t("法律援助", "法律援助", "Legal aid"),
    description=_t(
        "职工法律咨询与劳动争议援助（12351 热线、线上、来访）；其他群团组织可将维权案件转办至此。",
        "職工法律諮詢與勞動爭議援助；其他群團組織可將維權案件轉辦至此。",
        "Legal advice and labour-dispute aid for workers; other organizations refer rights cases here.",
    ),
    org_kinds=("union.federation", "union.grassroots"),
    form=LegalAidForm,
    personal_fields=("summary", "contact_phone"),
    referral_from=("women.rights_case",),
    initial="received",
    states=(
        State(
            code="received",
            name=_t("已受理", "已受理", "Received"),
            deadline=Deadline(days=3, action="remind"),
        ),
        State(
            code="handling",
            name=_t("援助中", "援助中", "Being handled"),
            deadline=Deadline(days=30, action="remind"),
        ),
        State(code="resolved", name=_t("已办结", "已辦結", "Resolved"), final=True, outcome="approved"),
        State(code="declined", name=_t("不予援助", "不予援助", "Declined"), final=True, outcome="rejected"),
        _WITHDRAWN,
    ),
    transitions=(
        Transition(
            code="accept",
            name=_t("接案", "接案", "Take the case"),
            sources=("received",),
            target="handling",
            permission=P.LEGAL_AID_HANDLE,
        ),
        Transition(
            code="resolve",
            name=_t("办结", "辦結", "Resolve"),
            sources=("handling",),
            target="resolved",
            permission=P.LEGAL_AID_HANDLE,
            form=LegalAidOutcome,
        ),
        Transition(
            code="decline",
            name=_t("不予援助", "不予援助", "Decline"),
            sources=("received", "handling"),
            target="declined",
            permission=P.LEGAL_AID_HANDLE,
            comment_required=True,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回", "撤回", "Withdraw"),
            sources=("received", "handling"),
            target="withdrawn",
            applicant=True,
        ),
    ),
)

# --- 困难职工建档 -----------------------------------------------------------------------------------------

Cause = Literal["illness", "disability", "accident", "unemployment", "education", "disaster", "other"]


class HardshipForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """困难职工建档申请: the category, the household and why it is in difficulty."""

    #: deep (深度困难), relative (相对困难) or accident (意外致困).
    category: Literal["deep", "relative", "accident"]
    household_size: Annotated[int, msgspec.Meta(ge=1, le=20)]
    #: Monthly household income in fen.
    household_income: Fen
    causes: Annotated[list[Cause], msgspec.Meta(min_length=1, max_length=7)]
    health: Annotated[str, msgspec.Meta(max_length=300)] = ""
    housing: Annotated[str, msgspec.Meta(max_length=300)] = ""
    #: The applicant's ID number, for the public notice (shown masked there; personal).
    id_number: Annotated[str, msgspec.Meta(max_length=18)] | None = None


class HardshipApproval(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    #: The first help granted (fen), published with the notice.
    amount: Fen


async def must_be_member(ctx: ProcessContext) -> None:
    from core.sdk import Membership

    member = (
        await UnionMember.select(UnionMember.org).where(UnionMember.person == ctx.applicant_id).first().run()
    )
    active = (
        member is not None
        and await Membership.exists()
        .where(
            (Membership.person == ctx.applicant_id)
            & (Membership.org == member["org"])
            & (Membership.status == "active")
        )
        .run()
    )
    if not active:
        raise _no("/applicant_id", "union_not_member")


async def publish_recipient(ctx: ProcessContext) -> None:
    """On the upper level's approval: the file is opened and the recipient published (name, unit, amount,
    ID number masked); an objection during the notice reopens the review."""
    form: HardshipForm = ctx.form
    person = await Person.select(Person.name).where(Person.id == ctx.applicant_id).first().run()
    org = await Org.select(Org.name).where(Org.id == ctx.org_id).first().run()
    amount = f"{ctx.step_form.amount // 100}.{ctx.step_form.amount % 100:02d}"
    await publish_notice(
        ctx,
        org_id=ctx.org_id,
        title=f"困难职工建档公示（{(org or {}).get('name', '')}）",
        body="对以下困难职工建档及帮扶金额如有异议，请在公示期内提出。",
        kind="union.hardship",
        days=HARDSHIP_NOTICE_DAYS,
        entries=[
            NoticeEntryIn(
                name=(person or {}).get("name") or "—",
                unit=(org or {}).get("name") or "",
                note=form.category,
                amount=amount,  # type: ignore[arg-type]
                id_number=form.id_number,
            )
        ],
        process_id=ctx.process_id,
    )
    now = datetime.now(UTC)
    existing = (
        await UnionHardshipFile.select(UnionHardshipFile.id)
        .where(UnionHardshipFile.process == ctx.process_id)
        .first()
        .run()
    )
    values = {
        "person": ctx.applicant_id,
        "org": ctx.org_id,
        "org_path": ctx.org_path,
        "category": form.category,
        "household_size": form.household_size,
        "household_income": form.household_income,
        "granted": ctx.step_form.amount,
        "status": "notice",
        "notice_closes_at": now + timedelta(days=HARDSHIP_NOTICE_DAYS),
    }
    if existing is None:
        await UnionHardshipFile.insert(
            UnionHardshipFile(process=ctx.process_id, opened_at=now, **values)
        ).run()
    else:
        await UnionHardshipFile.update(values).where(UnionHardshipFile.id == existing["id"]).run()


async def notice_passed(ctx: ProcessContext) -> None:
    row = (
        await UnionHardshipFile.select(UnionHardshipFile.notice_closes_at)
        .where(UnionHardshipFile.process == ctx.process_id)
        .first()
        .run()
    )
    closes = row and row["notice_closes_at"]
    if closes is not None and closes.tzinfo is None:
        closes = closes.replace(tzinfo=UTC)
    if ctx.actor is not None and (closes is None or closes > datetime.now(UTC)):
        raise ProcessRejected("/transition", "union_notice_open", CODES["union_notice_open"])


async def _file_changed(ctx: ProcessContext, status: str, signal: object, action: str) -> None:
    now = datetime.now(UTC)
    values: dict[object, object] = {UnionHardshipFile.status: status}
    if status == "closed":
        values[UnionHardshipFile.closed_at] = now
    await UnionHardshipFile.update(values).where(UnionHardshipFile.process == ctx.process_id).run()
    row = await UnionHardshipFile.select().where(UnionHardshipFile.process == ctx.process_id).first().run()
    await record_audit(
        action, resource_type="union.hardship_file", resource_id=row["id"], org_path=ctx.org_path
    )
    await emit(
        signal,  # type: ignore[arg-type]
        sig.HardshipChanged(
            file_id=str(row["id"]),
            process_id=str(ctx.process_id),
            org_id=str(ctx.org_id),
            category=row["category"],
        ),
        resource_type="union.hardship_file",
        resource_id=row["id"],
        org_path=ctx.org_path,
    )


async def open_file(ctx: ProcessContext) -> None:
    await _file_changed(ctx, "open", sig.HARDSHIP_FILED, "union.hardship.filed")


async def close_file(ctx: ProcessContext) -> None:
    await _file_changed(ctx, "closed", sig.HARDSHIP_CLOSED, "union.hardship.closed")


HARDSHIP = ProcessType(
    code="union.hardship",
    name=_t("困难职工建档", "困難職工建檔", "Hardship file"),
    description=_t(
        "困难职工申请建档：基层工会核实、上级工会审定、公示（身份证号打码）后建档帮扶，解困脱困后销档。",
        "困難職工申請建檔：基層工會核實、上級工會審定、公示後建檔幫扶，解困脫困後銷檔。",
        "A worker in difficulty applies; the grassroots union verifies, the level above approves, the "
        "recipient is published (ID number masked), help is recorded, and the file closes once out of difficulty.",
    ),
    org_kinds=("union.grassroots",),
    form=HardshipForm,
    personal_fields=("id_number", "health", "housing"),
    validate_open=must_be_member,
    initial="submitted",
    notice_days=HARDSHIP_NOTICE_DAYS,
    on_objection="reopen",
    reopen_state="upper_review",
    states=(
        State(
            code="submitted",
            name=_t("基层工会核实", "基層工會核實", "Grassroots verification"),
            deadline=Deadline(days=7, action="escalate"),
        ),
        State(code="upper_review", name=_t("上级工会审定", "上級工會審定", "Level above approves")),
        State(
            code="publicizing",
            name=_t("公示中", "公示中", "On public notice"),
            deadline=Deadline(days=HARDSHIP_NOTICE_DAYS, action="transition", transition="file"),
        ),
        State(code="filed", name=_t("已建档帮扶", "已建檔幫扶", "Filed, receiving help")),
        State(
            code="closed",
            name=_t("已解困脱困", "已解困脫困", "Out of difficulty"),
            final=True,
            outcome="approved",
        ),
        _REJECTED,
        _WITHDRAWN,
    ),
    transitions=(
        Transition(
            code="verify",
            name=_t("核实并报上级", "核實並報上級", "Verify and forward"),
            sources=("submitted",),
            target="upper_review",
            permission=P.HARDSHIP_REVIEW,
            handler="parent",
        ),
        Transition(
            code="approve",
            name=_t("审定并公示", "審定並公示", "Approve and publish"),
            sources=("upper_review",),
            target="publicizing",
            permission=P.HARDSHIP_APPROVE,
            form=HardshipApproval,
            after=publish_recipient,
        ),
        Transition(
            code="file",
            name=_t("公示期满建档", "公示期滿建檔", "File after the notice"),
            sources=("publicizing",),
            target="filed",
            permission=P.HARDSHIP_APPROVE,
            handler="home",
            validate=notice_passed,
            after=open_file,
        ),
        Transition(
            code="close",
            name=_t("解困脱困", "解困脫困", "Out of difficulty"),
            sources=("filed",),
            target="closed",
            permission=P.HARDSHIP_MANAGE,
            comment_required=True,
            after=close_file,
        ),
        Transition(
            code="reject",
            name=_t("不予建档", "不予建檔", "Refuse"),
            sources=("submitted", "upper_review"),
            target="rejected",
            permission=P.HARDSHIP_REVIEW,
            comment_required=True,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回", "撤回", "Withdraw"),
            sources=("submitted", "upper_review"),
            target="withdrawn",
            applicant=True,
        ),
    ),
)

PROCESS_TYPES = (JOIN, LEGAL_AID, HARDSHIP, WAGE_AGREEMENT, BENEFIT)
