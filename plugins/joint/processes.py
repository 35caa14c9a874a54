"""督办: each task of a council's decision is a core process ``joint.task`` on the member org.

The member org accepts it, reports progress (as often as it likes) and reports completion; the council's
office confirms it or returns it (退回, with a reason), or cancels it. Accepting has a deadline of its own
(three days, then ``process.overdue``); the task's due date is the decision's and is watched by
:mod:`plugins.joint.overdue`. Every step's ``after`` keeps the task row (state, progress, reports) in the
step's transaction, so the council's lists never disagree with the process.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import msgspec

from core.sdk import Deadline, ProcessContext, ProcessRejected, ProcessType, State, Text, Transition, within
from plugins.joint import permissions as perm
from plugins.joint.problems import FIELD_MESSAGES, NOT_OFFICE
from plugins.joint.tables import JointCouncil, JointTask, JointTaskReport

TASK_TYPE = "joint.task"
FINAL = ("completed", "cancelled")
#: Which steps leave a report on the task, and of what kind.
REPORT_KINDS = {"report": "progress", "submit": "completion", "return": "returned", "cancel": "cancelled"}


class TaskForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What the decision assigned (written by the plugin when the decision is made)."""

    task: uuid.UUID
    council: uuid.UUID
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    due_on: str


class ProgressForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    progress: Annotated[int, msgspec.Meta(ge=0, le=100)]
    note: Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


async def _council_path(ctx: ProcessContext) -> str:
    row = (
        await JointCouncil.select(JointCouncil.org_path)
        .where(JointCouncil.id == ctx.form.council)
        .first()
        .run()
    )
    return str(row["org_path"]) if row else ""


async def office_only(ctx: ProcessContext) -> None:
    """Confirming, returning and cancelling belong to the council's office: the supervising grant must
    reach the council's org, not only the member org."""
    if ctx.actor is None:
        return
    path = await _council_path(ctx)
    if not path or not within(path, ctx.actor.reach(perm.TASK_SUPERVISE)):
        raise ProcessRejected("/transition", NOT_OFFICE, FIELD_MESSAGES[NOT_OFFICE])


async def keep_task(ctx: ProcessContext) -> None:
    """After every step: the task's state, progress and reports follow the process."""
    moment = datetime.now(UTC)
    changes: dict = {JointTask.state: ctx.to_state}
    if ctx.to_state in FINAL:
        changes[JointTask.closed_at] = moment
    elif ctx.from_state in FINAL or ctx.to_state != ctx.from_state:
        changes[JointTask.closed_at] = None
    kind = REPORT_KINDS.get(ctx.transition, "")
    if ctx.step_form is not None:
        changes[JointTask.progress] = ctx.step_form.progress
    if ctx.to_state == "completed":
        changes[JointTask.progress] = 100
    await JointTask.update(changes).where(JointTask.id == ctx.form.task).run()
    if kind:
        actor = getattr(ctx.actor, "id", None) or uuid.UUID(int=0)
        await JointTaskReport.insert(
            JointTaskReport(
                id=uuid.uuid4(),
                task=ctx.form.task,
                kind=kind,
                progress=ctx.step_form.progress if ctx.step_form is not None else None,
                note=ctx.step_form.note if ctx.step_form is not None else ctx.comment,
                actor=actor,
                created_at=moment,
            )
        ).run()


TASK = ProcessType(
    code=TASK_TYPE,
    name=_t("联席会议交办任务", "聯席會議交辦任務", "Council task"),
    description=_t(
        "联席会议议定事项分解给成员单位的任务：接收、报告进展、报告完成，由联席会议办公室确认或退回督办。",
        "聯席會議議定事項分解給成員單位的任務：接收、報告進展、報告完成，由聯席會議辦公室確認或退回督辦。",
        "A task of a council decision assigned to a member org: accept, report progress and completion; "
        "the council's office confirms it or returns it for more work.",
    ),
    form=TaskForm,
    initial="assigned",
    states=(
        State(
            code="assigned",
            name=_t("待接收", "待接收", "Assigned"),
            deadline=Deadline(days=3, action="remind"),
        ),
        State(code="in_progress", name=_t("办理中", "辦理中", "In progress")),
        State(code="submitted", name=_t("待确认", "待確認", "Completion reported")),
        State(code="completed", name=_t("已办结", "已辦結", "Completed"), final=True, outcome="completed"),
        State(code="cancelled", name=_t("已撤销", "已撤銷", "Cancelled"), final=True, outcome="cancelled"),
    ),
    transitions=(
        Transition(
            code="accept",
            name=_t("接收任务", "接收任務", "Accept"),
            sources=("assigned",),
            target="in_progress",
            permission=perm.TASK_HANDLE,
            after=keep_task,
        ),
        Transition(
            code="report",
            name=_t("报告进展", "報告進展", "Report progress"),
            sources=("in_progress",),
            target="in_progress",
            permission=perm.TASK_HANDLE,
            form=ProgressForm,
            after=keep_task,
        ),
        Transition(
            code="submit",
            name=_t("报告完成", "報告完成", "Report completion"),
            sources=("in_progress",),
            target="submitted",
            permission=perm.TASK_HANDLE,
            form=ProgressForm,
            after=keep_task,
        ),
        Transition(
            code="confirm",
            name=_t("确认办结", "確認辦結", "Confirm completion"),
            sources=("submitted",),
            target="completed",
            permission=perm.TASK_SUPERVISE,
            validate=office_only,
            after=keep_task,
        ),
        Transition(
            code="return",
            name=_t("退回督办", "退回督辦", "Return for more work"),
            sources=("submitted",),
            target="in_progress",
            permission=perm.TASK_SUPERVISE,
            comment_required=True,
            validate=office_only,
            after=keep_task,
        ),
        Transition(
            code="cancel",
            name=_t("撤销任务", "撤銷任務", "Cancel"),
            sources=("assigned", "in_progress", "submitted"),
            target="cancelled",
            permission=perm.TASK_SUPERVISE,
            comment_required=True,
            validate=office_only,
            after=keep_task,
        ),
    ),
)
