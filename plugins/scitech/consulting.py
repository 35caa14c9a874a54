"""Decision consulting (决策咨询, 智库) as a process type the core runs.

A topic (课题) comes from a government body or a member and is opened on an association or society;
the think-tank office assigns experts from its library (课题立项), the experts' drafts are recorded
(初稿/修改稿), the report is submitted to a body (报送), and its adoption — a leader's instruction (批示)
or a department's adoption (采纳) — is recorded with the body that adopted it. The steps, deadlines,
queue and history are the core's; the plugin keeps the assignments, drafts and reports its figures need.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

import msgspec

from core.sdk import (
    Deadline,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Text,
    Transition,
    emit,
    register_field_code,
    within,
)
from plugins.scitech import disciplines as vocab
from plugins.scitech.common import local_today, name_schemas, now
from plugins.scitech.experts import UNKNOWN_DISCIPLINE, UNKNOWN_DISCIPLINE_TEXT
from plugins.scitech.permissions import CONSULT_MANAGE, EXPERT_READ
from plugins.scitech.signals import REPORT_ADOPTED, REPORT_SUBMITTED, ReportSignal
from plugins.scitech.tables import (
    ScitechConsultAssignment,
    ScitechConsultDraft,
    ScitechConsultReport,
    ScitechExpert,
)

TYPE = "scitech.consulting"
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Body = Annotated[str, msgspec.Meta(max_length=5000)]
Org = Annotated[str, msgspec.Meta(max_length=200)]


class TopicForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A consulting topic: what is asked, by whom (a government body, a member, the association)."""

    title: Title
    source: Literal["government", "member", "association"]
    #: The body or person that asked (市发改委, 某学会会员…).
    source_body: Org = ""
    discipline: Annotated[str, msgspec.Meta(pattern=r"^\d{3}(\d{2})?$", max_length=5)]
    summary: Body = ""


class AssignForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The experts who take the topic; ``lead`` (one of them) heads the group."""

    experts: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=10)]
    lead: uuid.UUID | None = None


class DraftForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


class SubmitForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The report as submitted, and to whom (报送单位)."""

    title: Title
    submitted_to: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class AdoptForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Its adoption: a leader's instruction (批示) or a department's adoption (采纳), by which body."""

    kind: Literal["instruction", "adoption"]
    adopted_by: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    level: Literal["national", "province", "city", "county", "township"]
    adopted_on: date


def _code(code: str, zh: str, zh_hant: str, en: str) -> tuple[str, Text]:
    text = Text(zh_hans=zh, zh_hant=zh_hant, en=en)
    return register_field_code(code, text), text


UNKNOWN_EXPERT, _UNKNOWN_EXPERT = _code(
    "scitech_unknown_expert",
    "专家不存在或不在权限范围内",
    "專家不存在或不在權限範圍內",
    "No such expert within reach",
)
UNAVAILABLE, _UNAVAILABLE = _code(
    "scitech_expert_unavailable",
    "专家不愿承担或已无余力",
    "專家不願承擔或已無餘力",
    "The expert is not willing or has no room",
)
LEAD_NOT_ASSIGNED, _LEAD = _code(
    "scitech_lead_not_assigned",
    "牵头专家须在所派专家之中",
    "牽頭專家須在所派專家之中",
    "The lead must be one of the experts",
)
FUTURE_DATE, _FUTURE = _code(
    "scitech_future_date", "日期不能晚于今天", "日期不能晚於今天", "The date cannot be in the future"
)
_M = {
    UNKNOWN_EXPERT: _UNKNOWN_EXPERT,
    UNAVAILABLE: _UNAVAILABLE,
    LEAD_NOT_ASSIGNED: _LEAD,
    FUTURE_DATE: _FUTURE,
    UNKNOWN_DISCIPLINE: UNKNOWN_DISCIPLINE_TEXT,
}


def check_topic(ctx: ProcessContext) -> None:
    if ctx.form.discipline not in vocab.vocabulary():
        raise ProcessRejected("/form/discipline", UNKNOWN_DISCIPLINE, _M[UNKNOWN_DISCIPLINE])


async def check_assignment(ctx: ProcessContext) -> None:
    form: AssignForm = ctx.step_form
    experts = list(dict.fromkeys(form.experts))
    rows = {
        r["id"]: r
        for r in await ScitechExpert.select(
            ScitechExpert.id,
            ScitechExpert.org_path,
            ScitechExpert.willing,
            ScitechExpert.status,
            ScitechExpert.engagements,
            ScitechExpert.max_engagements,
        )
        .where(ScitechExpert.id.is_in(experts))
        .run()
    }
    reach = list(ctx.actor.reach(EXPERT_READ)) if ctx.actor is not None else []
    for index, expert in enumerate(form.experts):
        row = rows.get(expert)
        if row is None or not within(row["org_path"], reach):
            raise ProcessRejected(f"/form/experts/{index}", UNKNOWN_EXPERT, _M[UNKNOWN_EXPERT])
        if not (row["willing"] and row["status"] == "active" and row["engagements"] < row["max_engagements"]):
            raise ProcessRejected(f"/form/experts/{index}", UNAVAILABLE, _M[UNAVAILABLE])
    if form.lead is not None and form.lead not in experts:
        raise ProcessRejected("/form/lead", LEAD_NOT_ASSIGNED, _M[LEAD_NOT_ASSIGNED])


async def assign(ctx: ProcessContext) -> None:
    form: AssignForm = ctx.step_form
    experts = list(dict.fromkeys(form.experts))
    lead = form.lead or experts[0]
    await ScitechConsultAssignment.insert(
        *(
            ScitechConsultAssignment(process=ctx.process_id, expert=e, lead=e == lead, org_path=ctx.org_path)
            for e in experts
        )
    ).run()
    await (
        ScitechExpert.update({ScitechExpert.engagements: ScitechExpert.engagements + 1})
        .where(ScitechExpert.id.is_in(experts))
        .run()
    )


async def record_draft(ctx: ProcessContext) -> None:
    count = await ScitechConsultDraft.count().where(ScitechConsultDraft.process == ctx.process_id).run()
    await ScitechConsultDraft.insert(
        ScitechConsultDraft(
            process=ctx.process_id, number=count + 1, summary=ctx.step_form.summary, org_path=ctx.org_path
        )
    ).run()


async def submit(ctx: ProcessContext) -> None:
    at = now()
    row = ScitechConsultReport(
        process=ctx.process_id,
        org=ctx.org_id,
        org_path=ctx.org_path,
        title=ctx.step_form.title,
        discipline=ctx.form.discipline,
        source=ctx.form.source,
        submitted_to=ctx.step_form.submitted_to,
        submitted_at=at,
        submitted_year=at.year,
    )
    await ScitechConsultReport.insert(row).run()
    await emit(
        REPORT_SUBMITTED,
        ReportSignal(process=str(ctx.process_id), org=str(ctx.org_id)),
        resource_type="scitech.consult_report",
        resource_id=ctx.process_id,
        org_path=ctx.org_path,
    )


def check_adoption(ctx: ProcessContext) -> None:
    if ctx.step_form.adopted_on > local_today():
        raise ProcessRejected("/form/adopted_on", FUTURE_DATE, _M[FUTURE_DATE])


async def adopt(ctx: ProcessContext) -> None:
    form: AdoptForm = ctx.step_form
    await (
        ScitechConsultReport.update(
            {
                ScitechConsultReport.adoption: form.kind,
                ScitechConsultReport.adopted_by: form.adopted_by,
                ScitechConsultReport.adopted_level: form.level,
                ScitechConsultReport.adopted_on: form.adopted_on,
                ScitechConsultReport.adopted_year: form.adopted_on.year,
            }
        )
        .where(ScitechConsultReport.process == ctx.process_id)
        .run()
    )
    await release(ctx)
    await emit(
        REPORT_ADOPTED,
        ReportSignal(process=str(ctx.process_id), org=str(ctx.org_id), adoption=form.kind),
        resource_type="scitech.consult_report",
        resource_id=ctx.process_id,
        org_path=ctx.org_path,
    )


async def release(ctx: ProcessContext) -> None:
    """The topic closed: its experts' engagements end."""
    open_rows = (
        await ScitechConsultAssignment.select(ScitechConsultAssignment.expert)
        .where(ScitechConsultAssignment.process == ctx.process_id)
        .where(ScitechConsultAssignment.released_at.is_null())
        .run()
    )
    experts = [r["expert"] for r in open_rows]
    if not experts:
        return
    await (
        ScitechConsultAssignment.update({ScitechConsultAssignment.released_at: now()})
        .where(
            (ScitechConsultAssignment.process == ctx.process_id)
            & ScitechConsultAssignment.released_at.is_null()
        )
        .run()
    )
    await (
        ScitechExpert.update({ScitechExpert.engagements: ScitechExpert.engagements - 1})
        .where(ScitechExpert.id.is_in(experts) & (ScitechExpert.engagements > 0))
        .run()
    )


def _t(zh: str, en: str) -> Text:
    return Text(zh_hans=zh, en=en)


CONSULTING = ProcessType(
    code=TYPE,
    name=Text(zh_hans="决策咨询课题", zh_hant="決策諮詢課題", en="Decision-consulting topic"),
    description=_t(
        "政府部门或会员提出课题，科协立项并选派专家，形成并报送咨询报告，记录批示或采纳情况。",
        "A topic from government or members: assigned experts, drafts, the submitted report and its adoption.",
    ),
    org_kinds=("scitech.association", "scitech.society"),
    form=TopicForm,
    validate_open=check_topic,
    initial="proposed",
    states=(
        State(code="proposed", name=_t("待立项", "Proposed"), deadline=Deadline(days=15, action="remind")),
        State(
            code="researching",
            name=_t("研究中", "Under research"),
            deadline=Deadline(days=90, action="remind"),
        ),
        State(code="submitted", name=_t("已报送", "Report submitted")),
        State(code="adopted", name=_t("已采纳", "Adopted"), final=True, outcome="approved"),
        State(
            code="archived", name=_t("未采纳归档", "Archived, not adopted"), final=True, outcome="not_adopted"
        ),
        State(code="declined", name=_t("不予立项", "Declined"), final=True, outcome="rejected"),
        State(code="withdrawn", name=_t("已撤回", "Withdrawn"), final=True, outcome="withdrawn"),
    ),
    transitions=(
        Transition(
            code="assign",
            name=_t("立项并选派专家", "Accept and assign experts"),
            sources=("proposed",),
            target="researching",
            permission=CONSULT_MANAGE,
            form=AssignForm,
            validate=check_assignment,
            after=assign,
        ),
        Transition(
            code="draft",
            name=_t("提交研究稿", "Record a draft"),
            sources=("researching",),
            target="researching",
            permission=CONSULT_MANAGE,
            form=DraftForm,
            after=record_draft,
        ),
        Transition(
            code="submit",
            name=_t("报送咨询报告", "Submit the report"),
            sources=("researching",),
            target="submitted",
            permission=CONSULT_MANAGE,
            form=SubmitForm,
            after=submit,
        ),
        Transition(
            code="adopt",
            name=_t("登记批示或采纳", "Record its adoption"),
            sources=("submitted",),
            target="adopted",
            permission=CONSULT_MANAGE,
            form=AdoptForm,
            validate=check_adoption,
            after=adopt,
        ),
        Transition(
            code="archive",
            name=_t("未采纳归档", "Archive, not adopted"),
            sources=("submitted",),
            target="archived",
            permission=CONSULT_MANAGE,
            after=release,
        ),
        Transition(
            code="decline",
            name=_t("不予立项", "Decline"),
            sources=("proposed",),
            target="declined",
            permission=CONSULT_MANAGE,
            comment_required=True,
        ),
        Transition(
            code="withdraw",
            name=_t("撤回", "Withdraw"),
            sources=("proposed",),
            target="withdrawn",
            applicant=True,
        ),
    ),
)

PROCESS_TYPES = (CONSULTING,)

name_schemas(globals())
