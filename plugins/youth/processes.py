"""The League's process types, run by the core's one state machine.

``youth.join`` — 发展团员: 入团申请 → 入团积极分子 (trained at least ``ACTIVIST_MIN_DAYS``) → 发展对象 (two
introducers) → admitted by the branch general meeting (quorum and vote recorded: more than half of those
entitled present, more than half of those entitled in favour) → approved by the higher committee (the
branch's parent, within the year's 发展团员计划): a 团员编号 is issued, the register row and the core
membership are made in the step's transaction.

``youth.transfer`` — 组织关系转接: opened on the member's branch by the member or a cadre of the sending
branch, released by the sending side (the member has left: the six-month 失联 clock starts), accepted by
the receiving side (the membership moves) — either side may refuse with a reason, and each has
``TRANSFER_DAYS`` before the transfer expires by itself.

``youth.transfer_in`` — 转入申请: the same move started by the *receiving* branch, opened on it when the
member arrives (a student at a new school, a worker at a new unit). The receiving cadre cannot see the
member's record, so the form names the member as the member's 团员证 does — the 团员编号, the name and the
branch the membership is in — and is refused, in one answer for all three, unless they match an active
member. The receiving branch confirms the request (``forward``: it goes to the sending branch), the
sending branch releases the member (the membership moves) or refuses with a reason; each side has
``TRANSFER_DAYS``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from uuid import UUID, uuid4

import msgspec

from core.sdk import (
    Deadline,
    Membership,
    Org,
    Person,
    Problem,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Text,
    Transition,
    emit,
    record_audit,
    register_field_code,
    transfer_member,
    within,
)
from plugins.youth import rules, signals
from plugins.youth.membership import MAX_AGE, MIN_AGE, age_on, facts_of, join_org
from plugins.youth.numbers import issue_member_number
from plugins.youth.tables import YouthApplication, YouthMember, YouthPlan

BRANCH_KINDS = ("youth.branch",)
DEVELOP = "youth.member.develop"
APPROVE = "youth.member.approve"
TRANSFER = "youth.transfer.handle"


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _rejected(pointer: str, code: str, text: Text) -> ProcessRejected:
    return ProcessRejected(pointer, code, text)


_ALREADY = _t(
    "该人员已是团员或已有进行中的入团申请",
    "該人員已是團員或已有進行中的入團申請",
    "The person is already a member or has an application in progress",
)
_AGE = _t(
    "入团年龄应在 14 至 28 周岁之间", "入團年齡應在 14 至 28 週歲之間", "Applicants are 14 to 28 years old"
)
_NO_BIRTH = _t("人员档案缺少出生日期", "人員檔案缺少出生日期", "The person's record has no birth date")
_TOO_EARLY = _t(
    "入团积极分子培养考察期未满",
    "入團積極分子培養考察期未滿",
    "The activist has not yet been trained and observed long enough",
)
_FUTURE = _t("日期不能晚于今天", "日期不能晚於今天", "The date cannot be in the future")
_INTRODUCERS = _t(
    "须有两名正式团员作入团介绍人",
    "須有兩名正式團員作入團介紹人",
    "Two League members in good standing must introduce the candidate",
)
_QUORUM = _t(
    "到会有表决权的团员须超过应到会人数的半数",
    "到會有表決權的團員須超過應到會人數的半數",
    "More than half of the members entitled to vote must be present",
)
_VOTES = _t(
    "票数不符：赞成、反对与弃权之和应等于到会人数",
    "票數不符：贊成、反對與棄權之和應等於到會人數",
    "The votes do not add up to those present",
)
_NOT_PASSED = _t(
    "赞成票未超过应到会有表决权团员的半数",
    "贊成票未超過應到會有表決權團員的半數",
    "Fewer than half of those entitled to vote were in favour",
)
_QUOTA = _t(
    "本年度发展团员计划已用完", "本年度發展團員計劃已用完", "This year's development quota is used up"
)
_NOT_YOURS = _t(
    "这不是该团员在本团支部的有效组织关系",
    "這不是該團員在本團支部的有效組織關係",
    "Not the member's active membership in this branch",
)
_UNKNOWN_MEMBER = _t(
    "未找到与团员编号、姓名和所在团支部相符的在册团员",
    "未找到與團員編號、姓名和所在團支部相符的在冊團員",
    "No active member matches the number, name and branch given",
)
_BAD_TARGET = _t(
    "接收组织须为另一个有效的团支部",
    "接收組織須為另一個有效的團支部",
    "The receiving org must be another active League branch",
)

for code, text in (
    ("youth_already", _ALREADY),
    ("youth_join_age", _AGE),
    ("youth_no_birth_date", _NO_BIRTH),
    ("youth_activist_too_early", _TOO_EARLY),
    ("youth_future_date", _FUTURE),
    ("youth_introducers", _INTRODUCERS),
    ("youth_quorum", _QUORUM),
    ("youth_votes", _VOTES),
    ("youth_not_passed", _NOT_PASSED),
    ("youth_quota", _QUOTA),
    ("youth_not_your_membership", _NOT_YOURS),
    ("youth_bad_target", _BAD_TARGET),
    ("youth_member_unknown", _UNKNOWN_MEMBER),
):
    register_field_code(code, text)


# --- 发展团员 ---------------------------------------------------------------------------------------


class JoinForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """入团申请书: why the applicant wants to join, and where they study or work."""

    statement: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    school_or_work: Annotated[str, msgspec.Meta(max_length=200)] = ""


class ActivistForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The branch confirms the applicant as 入团积极分子 (from ``since``, today by default)."""

    since: dt.date | None = None


class CandidateForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The activist becomes a 发展对象, with two introducers (person ids of League members)."""

    introducers: Annotated[list[UUID], msgspec.Meta(min_length=1, max_length=4)]


class MeetingForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The branch general meeting (支部大会) that admitted the candidate, and its vote."""

    date: dt.date
    entitled: Annotated[int, msgspec.Meta(ge=1, le=10000)]
    present: Annotated[int, msgspec.Meta(ge=0, le=10000)]
    in_favour: Annotated[int, msgspec.Meta(ge=0, le=10000)]
    against: Annotated[int, msgspec.Meta(ge=0, le=10000)] = 0
    abstained: Annotated[int, msgspec.Meta(ge=0, le=10000)] = 0


class ApprovalForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The higher committee approves; the oath (入团宣誓) may be recorded now or later on the member."""

    oath_date: dt.date | None = None


async def _application(ctx: ProcessContext) -> dict[str, Any]:
    row = await YouthApplication.select().where(YouthApplication.id == ctx.process_id).first().run()
    if row is None:  # opened before the League kept its facts: start them now
        row = {
            "id": ctx.process_id,
            "person": ctx.applicant_id,
            "org": ctx.org_id,
            "org_path": ctx.org_path,
            "applied_on": today(),
        }
        await YouthApplication.insert(YouthApplication(**row)).run()
        row = await YouthApplication.select().where(YouthApplication.id == ctx.process_id).first().run()
    return row  # type: ignore[return-value]


def age_limit_day(birth: dt.date) -> dt.date:
    """The first day a person born on ``birth`` is older than ``MAX_AGE`` (turns MAX_AGE + 1)."""
    year = birth.year + MAX_AGE + 1
    try:
        return birth.replace(year=year)
    except ValueError:  # born on 29 February
        return dt.date(year, 3, 1)


async def open_application(ctx: ProcessContext) -> None:
    """On opening: the applicant is 14 to 28 by the core's record, not already a member, with no other
    application in progress; the League's facts of the pipeline start (applied today)."""
    facts = await facts_of(ctx.applicant_id)
    if facts.birth_date is None:
        raise _rejected("/applicant_id", "youth_no_birth_date", _NO_BIRTH)
    if not MIN_AGE <= age_on(facts.birth_date, today()) <= MAX_AGE:
        raise _rejected("/applicant_id", "youth_join_age", _AGE)
    member = (
        await YouthMember.exists()
        .where((YouthMember.person == ctx.applicant_id) & (YouthMember.status == "active"))
        .run()
    )
    pending = (
        await YouthApplication.exists()
        .where((YouthApplication.person == ctx.applicant_id) & YouthApplication.outcome.is_null())
        .run()
    )
    if member or pending:
        raise _rejected("/applicant_id", "youth_already", _ALREADY)
    await YouthApplication.insert(
        YouthApplication(
            id=ctx.process_id,
            person=ctx.applicant_id,
            org=ctx.org_id,
            org_path=ctx.org_path,
            applied_on=today(),
        )
    ).run()


async def close_application(ctx: ProcessContext) -> None:
    """A refused or withdrawn application ends: the person may apply again."""
    await _application(ctx)
    await (
        YouthApplication.update({YouthApplication.outcome: ctx.to_state})
        .where(YouthApplication.id == ctx.process_id)
        .run()
    )


def _not_future(day: dt.date, pointer: str) -> None:
    if day > today():
        raise _rejected(pointer, "youth_future_date", _FUTURE)


async def check_activist(ctx: ProcessContext) -> None:
    if ctx.step_form.since is not None:
        _not_future(ctx.step_form.since, "/form/since")


async def record_activist(ctx: ProcessContext) -> None:
    await _application(ctx)
    since = ctx.step_form.since or today()
    await (
        YouthApplication.update({YouthApplication.activist_since: since})
        .where(YouthApplication.id == ctx.process_id)
        .run()
    )


async def check_candidate(ctx: ProcessContext) -> None:
    app = await _application(ctx)
    since = app["activist_since"]
    if since is None or (today() - since).days < rules.ACTIVIST_MIN_DAYS:
        raise _rejected("/form", "youth_activist_too_early", _TOO_EARLY)
    introducers = list(dict.fromkeys(ctx.step_form.introducers))
    if len(introducers) != rules.INTRODUCERS or ctx.applicant_id in introducers:
        raise _rejected("/form/introducers", "youth_introducers", _INTRODUCERS)
    found = (
        await YouthMember.count()
        .where(YouthMember.person.is_in(introducers) & (YouthMember.status == "active"))
        .run()
    )
    if found != len(introducers):
        raise _rejected("/form/introducers", "youth_introducers", _INTRODUCERS)


async def record_candidate(ctx: ProcessContext) -> None:
    await (
        YouthApplication.update(
            {
                YouthApplication.candidate_since: today(),
                YouthApplication.introducers: [str(i) for i in dict.fromkeys(ctx.step_form.introducers)],
            }
        )
        .where(YouthApplication.id == ctx.process_id)
        .run()
    )


def check_meeting(ctx: ProcessContext) -> None:
    m: MeetingForm = ctx.step_form
    _not_future(m.date, "/form/date")
    if m.present > m.entitled or m.present * 2 <= m.entitled:
        raise _rejected("/form/present", "youth_quorum", _QUORUM)
    if m.in_favour + m.against + m.abstained != m.present:
        raise _rejected("/form/in_favour", "youth_votes", _VOTES)
    if m.in_favour * 2 <= m.entitled:
        raise _rejected("/form/in_favour", "youth_not_passed", _NOT_PASSED)


async def record_meeting(ctx: ProcessContext) -> None:
    m: MeetingForm = ctx.step_form
    await (
        YouthApplication.update(
            {
                YouthApplication.meeting: msgspec.to_builtins(m),
                YouthApplication.admitted_on: m.date,
            }
        )
        .where(YouthApplication.id == ctx.process_id)
        .run()
    )


async def quota_left(committee_id: UUID, committee_path: str, year: int) -> int | None:
    """What is left of the committee's 发展团员计划 for ``year`` (None: no plan set, no limit)."""
    plan = (
        await YouthPlan.select(YouthPlan.quota)
        .where((YouthPlan.org == committee_id) & (YouthPlan.year == year))
        .first()
        .run()
    )
    if plan is None:
        return None
    used = (
        await YouthApplication.count()
        .where(
            (YouthApplication.org_path >= committee_path)
            & (YouthApplication.org_path < committee_path + "~")
            & YouthApplication.approved_on.is_not_null()
            & (YouthApplication.approved_on >= dt.date(year, 1, 1))
            & (YouthApplication.approved_on <= dt.date(year, 12, 31))
        )
        .run()
    )
    return max(plan["quota"] - used, 0)


async def check_approval(ctx: ProcessContext) -> None:
    if ctx.step_form.oath_date is not None:
        _not_future(ctx.step_form.oath_date, "/form/oath_date")
    # Every plan of a committee above the branch counts: the county's and the school's alike.
    branch = await Org.select(Org.path).where(Org.id == ctx.org_id).first().run()
    path = branch["path"] if branch else ctx.org_path
    plans = (
        await YouthPlan.select(YouthPlan.org, YouthPlan.org_path).where(YouthPlan.year == today().year).run()
    )
    for plan in plans:
        if path.startswith(plan["org_path"]):
            left = await quota_left(plan["org"], plan["org_path"], today().year)
            if left is not None and left <= 0:
                raise _rejected("/form", "youth_quota", _QUOTA)


async def admit(ctx: ProcessContext) -> None:
    """On approval: the 团员编号, the register row and the core membership, in the step's transaction."""
    await _application(ctx)
    facts = await facts_of(ctx.applicant_id)
    number = await issue_member_number(today().year)
    membership = await join_org(
        ctx.plugin_manager, org_id=ctx.org_id, person_id=ctx.applicant_id, extra={"youth_number": number}
    )
    member_id = uuid4()
    stamp = dt.datetime.now(dt.UTC)
    await YouthMember.insert(
        YouthMember(
            id=member_id,
            person=ctx.applicant_id,
            membership=membership,
            org=ctx.org_id,
            org_path=ctx.org_path,
            number=number,
            status="active",
            joined_on=today(),
            oath_date=ctx.step_form.oath_date,
            age_out_on=age_limit_day(facts.birth_date) if facts.birth_date else None,
            created_at=stamp,
            updated_at=stamp,
        )
    ).run()
    await (
        YouthApplication.update(
            {
                YouthApplication.approved_on: today(),
                YouthApplication.member: member_id,
                YouthApplication.outcome: "approved",
            }
        )
        .where(YouthApplication.id == ctx.process_id)
        .run()
    )
    await record_audit(
        "youth.member.admitted",
        resource_type="youth.member",
        resource_id=member_id,
        org_path=ctx.org_path,
        changes={"person": ctx.applicant_id, "number": number, "process": ctx.process_id},
    )
    await emit(
        signals.MEMBER_ADMITTED,
        signals.MemberChanged(member_id=str(member_id), org_id=str(ctx.org_id), status="active"),
        resource_type="youth.member",
        resource_id=member_id,
        org_path=ctx.org_path,
    )


_S = State
JOIN_TYPE = ProcessType(
    code="youth.join",
    name=_t("入团申请", "入團申請", "Application to join the League"),
    description=_t(
        "入团申请 → 入团积极分子 → 发展对象 → 支部大会接收 → 上级团委批准，发放团员编号。",
        "入團申請 → 入團積極分子 → 發展對象 → 支部大會接收 → 上級團委批准，發放團員編號。",
        "Application → activist → candidate → admitted by the branch meeting → approved by the committee above",
    ),
    org_kinds=BRANCH_KINDS,
    form=JoinForm,
    initial="applied",
    validate_open=open_application,
    states=(
        _S(code="applied", name=_t("已提交入团申请", "已提交入團申請", "Applied")),
        _S(code="activist", name=_t("入团积极分子", "入團積極分子", "Activist")),
        _S(code="candidate", name=_t("发展对象", "發展對象", "Candidate")),
        _S(
            code="admitted",
            name=_t(
                "支部大会已接收，待上级团委批准",
                "支部大會已接收，待上級團委批准",
                "Admitted, awaiting approval",
            ),
            deadline=Deadline(days=rules.APPROVAL_DAYS, action="remind"),
        ),
        _S(code="approved", name=_t("已批准入团", "已批准入團", "Approved"), final=True, outcome="approved"),
        _S(code="rejected", name=_t("未予接收", "未予接收", "Rejected"), final=True, outcome="rejected"),
        _S(code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
    ),
    transitions=(
        Transition(
            code="confirm_activist",
            name=_t("确定为入团积极分子", "確定為入團積極分子", "Confirm as activist"),
            sources=("applied",),
            target="activist",
            permission=DEVELOP,
            form=ActivistForm,
            validate=check_activist,
            after=record_activist,
        ),
        Transition(
            code="make_candidate",
            name=_t("列为发展对象", "列為發展對象", "Make a candidate"),
            sources=("activist",),
            target="candidate",
            permission=DEVELOP,
            form=CandidateForm,
            validate=check_candidate,
            after=record_candidate,
        ),
        Transition(
            code="branch_admit",
            name=_t("支部大会讨论接收", "支部大會討論接收", "Admitted by the branch meeting"),
            sources=("candidate",),
            target="admitted",
            permission=DEVELOP,
            form=MeetingForm,
            validate=check_meeting,
            after=record_meeting,
        ),
        Transition(
            code="approve",
            name=_t("上级团委批准", "上級團委批准", "Approve"),
            sources=("admitted",),
            target="approved",
            permission=APPROVE,
            level="parent",
            form=ApprovalForm,
            validate=check_approval,
            after=admit,
        ),
        Transition(
            code="reject",
            name=_t("不予接收", "不予接收", "Reject"),
            sources=("applied", "activist", "candidate"),
            target="rejected",
            permission=DEVELOP,
            comment_required=True,
            after=close_application,
        ),
        Transition(
            code="decline",
            name=_t("上级团委不予批准", "上級團委不予批准", "Decline"),
            sources=("admitted",),
            target="rejected",
            permission=APPROVE,
            level="parent",
            comment_required=True,
            after=close_application,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回申请", "撤回申請", "Withdraw"),
            sources=("applied", "activist", "candidate"),
            target="withdrawn",
            applicant=True,
            after=close_application,
        ),
    ),
)


# --- 组织关系转接 -------------------------------------------------------------------------------------


class TransferForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Which League member moves to which branch, and why (升学, 就业, 工作调动…)."""

    member_id: UUID
    to_org_id: UUID
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


async def _transfer_member(ctx: ProcessContext) -> dict[str, Any]:
    form: TransferForm = ctx.form
    member = await YouthMember.select().where(YouthMember.id == form.member_id).first().run()
    if (
        member is None
        or member["person"] != ctx.applicant_id
        or member["org"] != ctx.org_id
        or member["status"] != "active"
    ):
        raise _rejected("/form/member_id", "youth_not_your_membership", _NOT_YOURS)
    there = await Org.select(Org.kind, Org.status).where(Org.id == form.to_org_id).first().run()
    if (
        there is None
        or there["status"] != "active"
        or there["kind"] not in BRANCH_KINDS
        or (form.to_org_id == ctx.org_id)
    ):
        raise _rejected("/form/to_org_id", "youth_bad_target", _BAD_TARGET)
    return member  # type: ignore[no-any-return]


async def check_transfer(ctx: ProcessContext) -> None:
    await _transfer_member(ctx)


async def released(ctx: ProcessContext) -> None:
    """The sending branch let the member go: the member has left it, and the 失联 clock starts."""
    member = await _transfer_member(ctx)
    stamp = dt.datetime.now(dt.UTC)
    await (
        YouthMember.update(
            {
                YouthMember.left_branch_at: member["left_branch_at"] or stamp,
                YouthMember.version: YouthMember.version + 1,
                YouthMember.updated_at: stamp,
            }
        )
        .where(YouthMember.id == member["id"])
        .run()
    )


async def arrived(ctx: ProcessContext) -> None:
    """The receiving branch accepted: the core membership moves, the register follows it."""
    member = await _transfer_member(ctx)
    form: TransferForm = ctx.form
    await move_member(ctx, member, form.to_org_id)


async def move_member(ctx: ProcessContext, member: dict[str, Any], to_org_id: UUID) -> None:
    """Inside the transfer's last step: move the member's core membership to ``to_org_id`` (or make one
    there if it ended) and the register row with it; audited on both sides and signalled."""
    target = await Org.select(Org.path).where(Org.id == to_org_id).first().run()
    membership = member["membership"]
    if (
        membership is None
        or not await Membership.exists()
        .where((Membership.id == membership) & (Membership.status == "active"))
        .run()
    ):
        membership = await join_org(
            ctx.plugin_manager,
            org_id=to_org_id,
            person_id=member["person"],
            extra={"youth_number": member["number"]},
        )
    else:
        membership = await transfer_member(ctx.plugin_manager, membership_id=membership, to_org_id=to_org_id)
    stamp = dt.datetime.now(dt.UTC)
    await (
        YouthMember.update(
            {
                YouthMember.org: to_org_id,
                YouthMember.org_path: target["path"],  # type: ignore[index]
                YouthMember.membership: membership,
                YouthMember.left_branch_at: None,
                YouthMember.lost_contact: False,
                YouthMember.lost_contact_at: None,
                YouthMember.version: YouthMember.version + 1,
                YouthMember.updated_at: stamp,
            }
        )
        .where(YouthMember.id == member["id"])
        .run()
    )
    await record_audit(
        "youth.member.transferred",
        resource_type="youth.member",
        resource_id=member["id"],
        org_path=target["path"],  # type: ignore[index]
        org_paths=[member["org_path"]],
        changes={"from": member["org"], "to": to_org_id, "process": ctx.process_id},
    )
    await emit(
        signals.MEMBER_TRANSFERRED,
        signals.MemberChanged(member_id=str(member["id"]), org_id=str(to_org_id), status="active"),
        resource_type="youth.member",
        resource_id=member["id"],
        org_path=target["path"],  # type: ignore[index]
    )


_EXPIRE = Deadline(days=rules.TRANSFER_DAYS, action="transition", transition="expire")

TRANSFER_TYPE = ProcessType(
    code="youth.transfer",
    name=_t("团组织关系转接", "團組織關係轉接", "League membership transfer"),
    description=_t(
        "由团员本人或转出团支部发起，转出、转入双方团支部审批，逾期未办自动失效。",
        "由團員本人或轉出團支部發起，轉出、轉入雙方團支部審批，逾期未辦自動失效。",
        "Started by the member or the sending branch, approved by both branches, expiring when left undecided",
    ),
    org_kinds=BRANCH_KINDS,
    form=TransferForm,
    initial="sending_review",
    validate_open=check_transfer,
    states=(
        _S(
            code="sending_review",
            name=_t("转出团支部审批", "轉出團支部審批", "Sending branch review"),
            deadline=_EXPIRE,
        ),
        _S(
            code="receiving_review",
            name=_t("转入团支部审批", "轉入團支部審批", "Receiving branch review"),
            deadline=_EXPIRE,
        ),
        _S(code="transferred", name=_t("已转接", "已轉接", "Transferred"), final=True, outcome="approved"),
        _S(code="rejected", name=_t("未予转接", "未予轉接", "Rejected"), final=True, outcome="rejected"),
        _S(code="expired", name=_t("逾期失效", "逾期失效", "Expired"), final=True, outcome="expired"),
        _S(code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
    ),
    transitions=(
        Transition(
            code="release",
            name=_t("同意转出", "同意轉出", "Release"),
            sources=("sending_review",),
            target="receiving_review",
            permission=TRANSFER,
            handler="form",
            handler_field="to_org_id",
            validate=check_transfer,
            after=released,
        ),
        Transition(
            code="accept",
            name=_t("同意接收", "同意接收", "Accept"),
            sources=("receiving_review",),
            target="transferred",
            permission=TRANSFER,
            validate=check_transfer,
            after=arrived,
        ),
        Transition(
            code="reject",
            name=_t("不予转接", "不予轉接", "Reject"),
            sources=("sending_review", "receiving_review"),
            target="rejected",
            permission=TRANSFER,
            comment_required=True,
        ),
        Transition(
            code="expire",
            name=_t("逾期失效", "逾期失效", "Expire"),
            sources=("sending_review", "receiving_review"),
            target="expired",
            system=True,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回", "撤回", "Withdraw"),
            sources=("sending_review", "receiving_review"),
            target="withdrawn",
            applicant=True,
        ),
    ),
)

# --- 转入申请: started by the receiving branch ----------------------------------------------------------


class TransferInForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The member who arrived, as their 团员证 names them, and why (升学, 就业, 工作调动…)."""

    number: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Za-z]{6,20}$")]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    #: The branch the member's membership is in now (on the 团员证, or the member's own app).
    from_org_id: UUID
    reason: Annotated[str, msgspec.Meta(max_length=500)] = ""


async def _arriving_member(ctx: ProcessContext) -> dict[str, Any]:
    """The active member the request names, still in ``from_org_id``, coming to the process's branch."""
    form: TransferInForm = ctx.form
    member = (
        await YouthMember.select()
        .where((YouthMember.number == form.number) & (YouthMember.status == "active"))
        .first()
        .run()
    )
    person = None
    if member is not None:
        person = await Person.select(Person.name).where(Person.id == member["person"]).first().run()
    if (
        member is None
        or member["org"] != form.from_org_id
        or person is None
        or person["name"].strip() != form.name.strip()
    ):
        raise _rejected("/form/number", "youth_member_unknown", _UNKNOWN_MEMBER)
    if member["org"] == ctx.org_id:
        raise _rejected("/form/from_org_id", "youth_bad_target", _BAD_TARGET)
    return member  # type: ignore[no-any-return]


async def open_transfer_in(ctx: ProcessContext) -> None:
    """On opening: only a cadre who handles transfers in the receiving branch asks for a member (the core
    lets anyone open a process as its own applicant; this one speaks for a branch)."""
    if ctx.actor is None or not within(ctx.org_path, ctx.actor.reach(TRANSFER)):
        raise Problem("forbidden")
    await _arriving_member(ctx)


async def check_transfer_in(ctx: ProcessContext) -> None:
    await _arriving_member(ctx)


async def check_release_in(ctx: ProcessContext) -> None:
    """The sending side releases only a member still in its branch (not moved meanwhile)."""
    member = await _arriving_member(ctx)
    if member["org"] != ctx.handler_org_id:
        raise _rejected("/form/from_org_id", "youth_not_your_membership", _NOT_YOURS)


async def arrived_in(ctx: ProcessContext) -> None:
    """The sending branch released the member to the branch that asked: the membership moves."""
    await move_member(ctx, await _arriving_member(ctx), ctx.org_id)


TRANSFER_IN_TYPE = ProcessType(
    code="youth.transfer_in",
    name=_t("团组织关系转入申请", "團組織關係轉入申請", "League membership transfer-in request"),
    description=_t(
        "由转入团支部发起：核对团员编号、姓名与所在团支部，确认后提交转出团支部，转出团支部同意即完成转接；"
        "任一方可说明理由不予转接，逾期未办自动失效。",
        "由轉入團支部發起：核對團員編號、姓名與所在團支部，確認後提交轉出團支部，轉出團支部同意即完成轉接；"
        "任一方可說明理由不予轉接，逾期未辦自動失效。",
        "Started by the receiving branch with the member's number, name and branch; confirmed and sent to the "
        "sending branch, whose release completes it; either side may refuse with a reason; expires if left",
    ),
    org_kinds=BRANCH_KINDS,
    form=TransferInForm,
    personal_fields=("name",),
    initial="receiving_review",
    validate_open=open_transfer_in,
    states=(
        _S(
            code="receiving_review",
            name=_t("转入团支部确认", "轉入團支部確認", "Receiving branch confirmation"),
            deadline=_EXPIRE,
        ),
        _S(
            code="sending_review",
            name=_t("转出团支部审批", "轉出團支部審批", "Sending branch review"),
            deadline=_EXPIRE,
        ),
        _S(code="transferred", name=_t("已转接", "已轉接", "Transferred"), final=True, outcome="approved"),
        _S(code="rejected", name=_t("未予转接", "未予轉接", "Rejected"), final=True, outcome="rejected"),
        _S(code="expired", name=_t("逾期失效", "逾期失效", "Expired"), final=True, outcome="expired"),
        _S(code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
    ),
    transitions=(
        Transition(
            code="forward",
            name=_t("确认并提交转出团支部", "確認並提交轉出團支部", "Confirm and send to the sending branch"),
            sources=("receiving_review",),
            target="sending_review",
            permission=TRANSFER,
            handler="form",
            handler_field="from_org_id",
            validate=check_transfer_in,
        ),
        Transition(
            code="release",
            name=_t("同意转出", "同意轉出", "Release"),
            sources=("sending_review",),
            target="transferred",
            permission=TRANSFER,
            validate=check_release_in,
            after=arrived_in,
        ),
        Transition(
            code="reject",
            name=_t("不予转接", "不予轉接", "Reject"),
            sources=("receiving_review", "sending_review"),
            target="rejected",
            permission=TRANSFER,
            comment_required=True,
        ),
        Transition(
            code="expire",
            name=_t("逾期失效", "逾期失效", "Expire"),
            sources=("receiving_review", "sending_review"),
            target="expired",
            system=True,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回", "撤回", "Withdraw"),
            sources=("receiving_review", "sending_review"),
            target="withdrawn",
            applicant=True,
        ),
    ),
)

PROCESS_TYPES = (JOIN_TYPE, TRANSFER_TYPE, TRANSFER_IN_TYPE)
