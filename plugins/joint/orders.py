"""群众点单、群团派单、社会接单: a person's order of a service is a core process ``joint.service_order``.

The person orders (点单) through the menu (``POST /api/v1/joint/services/{id}/orders``, or by need type,
routed by the referral rules); the process opens on the org that published the service. The council's
office or that org dispatches it (派单) to an org within its reach — the org itself, one beneath it,
another plugin's org, or a partner social organization registered with that org — and the process's
handler becomes that org (``handler="step"``: the dispatch names it in its own form). There it is taken
(接单) or declined (back to the publishing org, to be dispatched again), then done. The person may cancel
it until it is taken; the publishing org may refuse it. Every step's ``after`` keeps the order row
(state, assignee, times) in the step's transaction, so the menu's lists and figures never disagree with
the process; a cancelled or refused order gives its place of the period back.

A place of a service with a capacity is taken with one conditional ``UPDATE … SET taken = taken + 1
WHERE taken < capacity`` on the row of its period (created once, ``INSERT … ON CONFLICT DO NOTHING``):
of two orders for the last place exactly one wins, on PostgreSQL (the second waits on the row lock and
then matches nothing) and on SQLite (writes are serialised).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

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
    emit,
    fetch_rows,
    within,
)
from plugins.joint import permissions as perm
from plugins.joint import signals as sig
from plugins.joint.problems import (
    DISPATCH_OUTSIDE,
    FIELD_MESSAGES,
    ORDER_VIA_MENU,
    PARTNER_ELSEWHERE,
)
from plugins.joint.tables import JointOrder, JointPartner, JointServiceSlot

ORDER_TYPE = "joint.service_order"
FINAL = ("done", "cancelled", "refused")
#: The capacity periods a service may count its places by.
PERIODS = ("day", "week", "month", "quarter", "year", "total")


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


def period_key(kind: str, day: date) -> str:
    """The period ``day`` falls in: ``2026-12-05``, ``2026W49``, ``2026-12``, ``2026Q4``, ``2026``, ``total``."""
    if kind == "day":
        return day.isoformat()
    if kind == "week":
        iso = day.isocalendar()
        return f"{iso.year}W{iso.week:02d}"
    if kind == "month":
        return f"{day.year}-{day.month:02d}"
    if kind == "quarter":
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    if kind == "year":
        return str(day.year)
    return "total"


_NEW_SLOT = (
    "INSERT INTO joint_service_slot (id, service, period_key, taken) VALUES ({}, {}, {}, 0) "
    "ON CONFLICT (service, period_key) DO NOTHING"
)
_TAKE = (
    "UPDATE joint_service_slot SET taken = taken + 1 "
    "WHERE service = {} AND period_key = {} AND taken < {} RETURNING taken"
)
_GIVE_BACK = (
    "UPDATE joint_service_slot SET taken = taken - 1 WHERE service = {} AND period_key = {} AND taken > 0"
)


async def take_place(service_id: uuid.UUID, key: str, capacity: int) -> bool:
    """Take one place of ``service_id`` in period ``key`` if one is free (inside the write transaction)."""
    await fetch_rows(JointServiceSlot, _NEW_SLOT, [uuid.uuid4(), service_id, key])
    return bool(await fetch_rows(JointServiceSlot, _TAKE, [service_id, key, capacity]))


async def places_taken(service_ids: list[uuid.UUID], key_of: dict[uuid.UUID, str]) -> dict[uuid.UUID, int]:
    """How many places each service has taken in its current period."""
    if not service_ids:
        return {}
    rows = (
        await JointServiceSlot.select(
            JointServiceSlot.service, JointServiceSlot.period_key, JointServiceSlot.taken
        )
        .where(JointServiceSlot.service.is_in(service_ids))
        .run()
    )
    return {r["service"]: r["taken"] for r in rows if key_of.get(r["service"]) == r["period_key"]}


class OrderForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What the person ordered (written by the plugin when the order is placed through the menu)."""

    order: uuid.UUID
    #: the service, or null for a need the rules routed to an org without a matching service.
    service: uuid.UUID | None = None
    need_type: Annotated[str, msgspec.Meta(max_length=64)] = ""
    #: the person's words about what they need.
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class DispatchForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Where the order goes (派单): an org within the dispatcher's reach (it becomes the handling org),
    and, when a partner social organization registered with that org takes it, the partner."""

    org_id: uuid.UUID
    partner_id: uuid.UUID | None = None
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


async def check_order(ctx: ProcessContext) -> None:
    """An order opens only through the menu: its row, written just before, names this person and org."""
    row = (
        await JointOrder.select(JointOrder.process, JointOrder.person, JointOrder.org, JointOrder.service)
        .where(JointOrder.id == ctx.form.order)
        .first()
        .run()
    )
    if (
        row is None
        or row["process"] is not None
        or row["person"] != ctx.applicant_id
        or row["org"] != ctx.org_id
        or row["service"] != ctx.form.service
    ):
        raise ProcessRejected("/form/order", ORDER_VIA_MENU, FIELD_MESSAGES[ORDER_VIA_MENU])


async def check_dispatch(ctx: ProcessContext) -> None:
    form: DispatchForm = ctx.step_form
    target = await Org.select(Org.path).where(Org.id == form.org_id).first().run()
    if ctx.actor is not None and (
        target is None or not within(target["path"], ctx.actor.reach(perm.SERVICE_DISPATCH))
    ):
        raise ProcessRejected("/form/org_id", DISPATCH_OUTSIDE, FIELD_MESSAGES[DISPATCH_OUTSIDE])
    if form.partner_id is not None:
        partner = (
            await JointPartner.select(JointPartner.org, JointPartner.status)
            .where(JointPartner.id == form.partner_id)
            .first()
            .run()
        )
        if partner is None or partner["org"] != form.org_id or partner["status"] != "active":
            raise ProcessRejected("/form/partner_id", PARTNER_ELSEWHERE, FIELD_MESSAGES[PARTNER_ELSEWHERE])


async def give_back(row: dict[str, Any]) -> None:
    """A cancelled or refused order frees the place of the period it held."""
    if row["holds_place"] and row["service"] is not None:
        await fetch_rows(JointServiceSlot, _GIVE_BACK, [row["service"], row["period_key"]])


async def keep_order(ctx: ProcessContext) -> None:
    """After every step: the order's state, assignee and times follow the process."""
    moment = datetime.now(UTC)
    row = await JointOrder.select().where(JointOrder.id == ctx.form.order).first().run()
    if row is None:  # pragma: no cover - the order row is written with the process
        return
    changes: dict[Any, Any] = {JointOrder.state: ctx.to_state}
    if ctx.transition == "dispatch":
        form: DispatchForm = ctx.step_form
        target = await Org.select(Org.path).where(Org.id == form.org_id).first().run()
        changes.update(
            {
                JointOrder.assignee_org: form.org_id,
                JointOrder.assignee_path: target["path"] if target else "",
                JointOrder.partner: form.partner_id,
                JointOrder.dispatched_at: moment,
            }
        )
    elif ctx.transition == "decline":
        changes.update(
            {
                JointOrder.assignee_org: None,
                JointOrder.assignee_path: "",
                JointOrder.partner: None,
                JointOrder.declines: row["declines"] + 1,
            }
        )
    elif ctx.transition == "accept":
        changes[JointOrder.accepted_at] = moment
    elif ctx.transition == "complete":
        changes[JointOrder.done_at] = moment
    if ctx.to_state in FINAL:
        changes[JointOrder.closed_at] = moment
    if ctx.to_state in ("cancelled", "refused"):
        await give_back(row)
        changes[JointOrder.holds_place] = 0
    await JointOrder.update(changes).where(JointOrder.id == row["id"]).run()
    if ctx.transition == "dispatch":
        assignee = changes[JointOrder.assignee_path]
        await emit(
            sig.ORDER_DISPATCHED,
            sig.OrderSignal(
                order=str(row["id"]),
                process=str(ctx.process_id),
                org=str(row["org"]),
                service=str(row["service"] or ""),
                need_type=row["need_type"],
                assignee_org=str(ctx.step_form.org_id),
                partner=str(ctx.step_form.partner_id or ""),
            ),
            resource_type="joint.order",
            resource_id=row["id"],
            org_path=assignee or row["org_path"],
        )


ORDER = ProcessType(
    code=ORDER_TYPE,
    name=_t("群众点单", "群眾點單", "Service order"),
    description=_t(
        "群众在服务清单上点单，联席会议办公室或发布组织派单给承接组织或合作社会组织，接单后提供服务，完成后由群众评价。",
        "群眾在服務清單上點單，聯席會議辦公室或發布組織派單給承接組織或合作社會組織，接單後提供服務，完成後由群眾評價。",
        "A person orders a service from the menu; the council's office or the publishing org dispatches it "
        "to an org or a partner social organization, which takes it and serves; the person rates it when done.",
    ),
    form=OrderForm,
    validate_open=check_order,
    initial="ordered",
    states=(
        State(
            code="ordered", name=_t("待派单", "待派單", "Ordered"), deadline=Deadline(days=3, action="remind")
        ),
        State(
            code="dispatched",
            name=_t("待接单", "待接單", "Dispatched"),
            deadline=Deadline(days=2, action="remind"),
        ),
        State(code="accepted", name=_t("服务中", "服務中", "Being served")),
        State(code="done", name=_t("已完成", "已完成", "Done"), final=True, outcome="completed"),
        State(code="cancelled", name=_t("已取消", "已取消", "Cancelled"), final=True, outcome="withdrawn"),
        State(code="refused", name=_t("不予受理", "不予受理", "Refused"), final=True, outcome="rejected"),
    ),
    transitions=(
        Transition(
            code="dispatch",
            name=_t("派单", "派單", "Dispatch"),
            sources=("ordered",),
            target="dispatched",
            permission=perm.SERVICE_DISPATCH,
            form=DispatchForm,
            handler="step",
            handler_field="org_id",
            validate=check_dispatch,
            after=keep_order,
        ),
        Transition(
            code="accept",
            name=_t("接单", "接單", "Take the order"),
            sources=("dispatched",),
            target="accepted",
            permission=perm.SERVICE_DELIVER,
            after=keep_order,
        ),
        Transition(
            code="decline",
            name=_t("退单", "退單", "Decline"),
            sources=("dispatched",),
            target="ordered",
            permission=perm.SERVICE_DELIVER,
            comment_required=True,
            handler="home",
            after=keep_order,
        ),
        Transition(
            code="complete",
            name=_t("服务完成", "服務完成", "Mark done"),
            sources=("accepted",),
            target="done",
            permission=perm.SERVICE_DELIVER,
            after=keep_order,
        ),
        Transition(
            code="cancel",
            name=_t("取消点单", "取消點單", "Cancel the order"),
            sources=("ordered", "dispatched"),
            target="cancelled",
            applicant=True,
            after=keep_order,
        ),
        Transition(
            code="refuse",
            name=_t("不予受理", "不予受理", "Refuse"),
            sources=("ordered",),
            target="refused",
            permission=perm.SERVICE_DISPATCH,
            comment_required=True,
            after=keep_order,
        ),
    ),
)
