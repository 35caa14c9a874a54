"""推优入党 — the League recommends members to the Party, as the core process type ``youth.recommend``.

Opened on the member's branch (by the member or a branch cadre) naming the Party org it goes to and the day
of the member's Party application. Eligibility (``rules``: 18 or older, a year a member, the application
six months old, not yet a Party member) is checked when it opens. The branch general meeting votes (more
than half of those entitled present, more than half of those entitled in favour) within the branch's yearly
ratio cap; the vote publishes a public notice (公示, ``RECOMMEND_NOTICE_DAYS``, at least three) during
which anyone may object — an objection holds the process until resolved. When the window passes the
recommendation is sent to the Party org, which records the outcome; a recommendation the Party org leaves
undecided for ``RECOMMEND_VALID_DAYS`` expires.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated
from uuid import UUID

import msgspec

from core.sdk import (
    Deadline,
    Org,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Text,
    Transition,
    register_field_code,
)
from plugins.youth import rules
from plugins.youth.membership import age_on, facts_of
from plugins.youth.processes import BRANCH_KINDS, DEVELOP, MeetingForm, check_meeting, today
from plugins.youth.tables import YouthMember, YouthRecommendation


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


_NOT_MEMBER = _t(
    "须为本团支部的在册团员", "須為本團支部的在冊團員", "Must be an active member of this branch"
)
_AGE = _t("推优对象须年满 18 周岁", "推優對象須年滿 18 週歲", "The member must be 18 or older")
_TENURE = _t("推优对象入团须满一年", "推優對象入團須滿一年", "The member must have been a member for a year")
_APPLICATION = _t(
    "推优对象须已递交入党申请书满半年",
    "推優對象須已遞交入黨申請書滿半年",
    "The Party application must be six months old",
)
_PARTY = _t("该团员已是党员", "該團員已是黨員", "The member already is a Party member")
_PENDING = _t(
    "该团员已有进行中或有效的推优", "該團員已有進行中或有效的推優", "A recommendation is in progress or valid"
)
_PARTY_ORG = _t("须为有效的党组织", "須為有效的黨組織", "Must be an active Party org")
_RATIO = _t(
    "已达本团支部本年度推优比例上限", "已達本團支部本年度推優比例上限", "The branch's yearly share is used up"
)
for _code, _text in (
    ("youth_recommend_member", _NOT_MEMBER),
    ("youth_recommend_age", _AGE),
    ("youth_recommend_tenure", _TENURE),
    ("youth_recommend_application", _APPLICATION),
    ("youth_recommend_party", _PARTY),
    ("youth_recommend_pending", _PENDING),
    ("youth_recommend_party_org", _PARTY_ORG),
    ("youth_recommend_ratio", _RATIO),
):
    register_field_code(_code, _text)

#: States in which a recommendation counts against the ratio and blocks another one for the member.
_LIVE = ("proposed", "voted", "sent", "accepted")


class RecommendForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Who is recommended, to which Party org, and when the member filed their Party application."""

    member_id: UUID
    party_org_id: UUID
    party_application_on: dt.date
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class OutcomeForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What the Party org did with the recommendation (列为入党积极分子 …)."""

    note: Annotated[str, msgspec.Meta(max_length=500)] = ""


def _no(pointer: str, code: str, text: Text) -> ProcessRejected:
    return ProcessRejected(pointer, code, text)


async def open_recommendation(ctx: ProcessContext) -> None:
    form: RecommendForm = ctx.form
    member = await YouthMember.select().where(YouthMember.id == form.member_id).first().run()
    if (
        member is None
        or member["person"] != ctx.applicant_id
        or member["org"] != ctx.org_id
        or member["status"] != "active"
    ):
        raise _no("/form/member_id", "youth_recommend_member", _NOT_MEMBER)
    if member["party_member"]:
        raise _no("/form/member_id", "youth_recommend_party", _PARTY)
    facts = await facts_of(ctx.applicant_id)
    if facts.birth_date is None or age_on(facts.birth_date, today()) < rules.RECOMMEND_MIN_AGE:
        raise _no("/form/member_id", "youth_recommend_age", _AGE)
    if (today() - member["joined_on"]).days < rules.RECOMMEND_MIN_MEMBER_DAYS:
        raise _no("/form/member_id", "youth_recommend_tenure", _TENURE)
    if (
        form.party_application_on > today()
        or (today() - form.party_application_on).days < rules.RECOMMEND_MIN_APPLICATION_DAYS
    ):
        raise _no("/form/party_application_on", "youth_recommend_application", _APPLICATION)
    party = await Org.select(Org.kind, Org.status).where(Org.id == form.party_org_id).first().run()
    if party is None or party["status"] != "active" or not party["kind"].startswith("party."):
        raise _no("/form/party_org_id", "youth_recommend_party_org", _PARTY_ORG)
    live = (
        await YouthRecommendation.exists()
        .where(
            (YouthRecommendation.member == form.member_id)
            & YouthRecommendation.status.is_in(list(_LIVE))
            & (YouthRecommendation.valid_until.is_null() | (YouthRecommendation.valid_until >= today()))
        )
        .run()
    )
    if live:
        raise _no("/form/member_id", "youth_recommend_pending", _PENDING)
    await YouthRecommendation.insert(
        YouthRecommendation(
            id=ctx.process_id,
            member=form.member_id,
            org=ctx.org_id,
            org_path=ctx.org_path,
            year=today().year,
            party_org=form.party_org_id,
            party_application_on=form.party_application_on,
            status="proposed",
        )
    ).run()


async def ratio_cap(branch_id: UUID) -> int:
    """How many recommendations a branch may vote in a year: its active members times the ratio."""
    members = (
        await YouthMember.count()
        .where((YouthMember.org == branch_id) & (YouthMember.status == "active"))
        .run()
    )
    return math.floor(members * rules.RECOMMEND_BRANCH_RATIO)


async def check_vote(ctx: ProcessContext) -> None:
    check_meeting(ctx)
    voted = (
        await YouthRecommendation.count()
        .where(
            (YouthRecommendation.org == ctx.org_id)
            & (YouthRecommendation.year == today().year)
            & YouthRecommendation.status.is_in(["voted", "sent", "accepted", "declined", "expired"])
        )
        .run()
    )
    if voted + 1 > await ratio_cap(ctx.org_id):
        raise _no("/form", "youth_recommend_ratio", _RATIO)


async def _status(ctx: ProcessContext, status: str, **more: object) -> None:
    values = {YouthRecommendation.status: status}
    values.update({getattr(YouthRecommendation, k): v for k, v in more.items()})  # type: ignore[misc]
    await YouthRecommendation.update(values).where(YouthRecommendation.id == ctx.process_id).run()


async def record_vote(ctx: ProcessContext) -> None:
    await _status(ctx, "voted", vote=msgspec.to_builtins(ctx.step_form))


async def record_sent(ctx: ProcessContext) -> None:
    await _status(ctx, "sent", valid_until=today() + dt.timedelta(days=rules.RECOMMEND_VALID_DAYS))


async def record_end(ctx: ProcessContext) -> None:
    await _status(ctx, ctx.to_state)


RECOMMEND_TYPE = ProcessType(
    code="youth.recommend",
    name=_t("推优入党", "推優入黨", "Recommendation to the Party"),
    description=_t(
        "团支部推荐优秀团员作入党积极分子人选：资格审查、支部大会表决、公示、报送党组织并记录结果。",
        "團支部推薦優秀團員作入黨積極分子人選：資格審查、支部大會表決、公示、報送黨組織並記錄結果。",
        "A branch recommends a member to the Party: eligibility, the branch vote, a public notice, sending and outcome",
    ),
    org_kinds=BRANCH_KINDS,
    form=RecommendForm,
    initial="proposed",
    validate_open=open_recommendation,
    notice_days=rules.RECOMMEND_NOTICE_DAYS,
    on_objection="hold",
    states=(
        State(code="proposed", name=_t("待支部大会表决", "待支部大會表決", "Awaiting the branch vote")),
        State(
            code="publicizing",
            name=_t("公示中", "公示中", "On public notice"),
            deadline=Deadline(days=rules.RECOMMEND_NOTICE_DAYS, action="transition", transition="send"),
        ),
        State(
            code="sent",
            name=_t("已报送党组织", "已報送黨組織", "Sent to the Party org"),
            deadline=Deadline(days=rules.RECOMMEND_VALID_DAYS, action="transition", transition="expire"),
        ),
        State(
            code="accepted",
            name=_t("党组织已采纳", "黨組織已採納", "Accepted"),
            final=True,
            outcome="approved",
        ),
        State(
            code="declined",
            name=_t("党组织未采纳", "黨組織未採納", "Declined"),
            final=True,
            outcome="rejected",
        ),
        State(code="expired", name=_t("推荐已失效", "推薦已失效", "Expired"), final=True, outcome="expired"),
        State(
            code="rejected",
            name=_t("未获推荐", "未獲推薦", "Not recommended"),
            final=True,
            outcome="rejected",
        ),
        State(code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
    ),
    transitions=(
        Transition(
            code="vote",
            name=_t("支部大会表决通过", "支部大會表決通過", "Voted by the branch meeting"),
            sources=("proposed",),
            target="publicizing",
            permission=DEVELOP,
            form=MeetingForm,
            validate=check_vote,
            after=record_vote,
            publish_notice=True,
        ),
        Transition(
            code="send",
            name=_t("公示期满报送党组织", "公示期滿報送黨組織", "Send to the Party org"),
            sources=("publicizing",),
            target="sent",
            system=True,
            handler="form",
            handler_field="party_org_id",
            after=record_sent,
        ),
        Transition(
            code="accept",
            name=_t("党组织采纳", "黨組織採納", "Accept"),
            sources=("sent",),
            target="accepted",
            form=OutcomeForm,
            after=record_end,
        ),
        Transition(
            code="decline",
            name=_t("党组织不予采纳", "黨組織不予採納", "Decline"),
            sources=("sent",),
            target="declined",
            comment_required=True,
            after=record_end,
        ),
        Transition(
            code="expire",
            name=_t("推荐逾期失效", "推薦逾期失效", "Expire"),
            sources=("sent",),
            target="expired",
            system=True,
            after=record_end,
        ),
        Transition(
            code="reject",
            name=_t("不予推荐", "不予推薦", "Not recommended"),
            sources=("proposed", "publicizing"),
            target="rejected",
            permission=DEVELOP,
            comment_required=True,
            after=record_end,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回", "撤回", "Withdraw"),
            sources=("proposed",),
            target="withdrawn",
            applicant=True,
            after=record_end,
        ),
    ),
)
