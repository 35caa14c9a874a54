"""The core's process type for bookings that need approval (预约审批): ``core.place_booking``.

A booking of a resource whose rule says ``approval`` holds its units at once (status ``pending``) and
opens a process of this type on the place's owner org, the booker its applicant. The org's cadres
holding ``core.booking.manage`` approve (the booking is confirmed in the same transaction) or reject it
with a reason (its units are freed); the applicant may withdraw while it waits, and cancelling the
booking withdraws the process. After three days without a decision the handlers are reminded.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec

from core.kernel.declarations.processes import Deadline, ProcessContext, ProcessType, State, Transition
from core.kernel.i18n import Text
from core.places.permissions import BOOKING_MANAGE

TYPE_CODE = "core.place_booking"


class BookingApprovalForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What the handlers see: which booking, of what, when (no personal data beyond the applicant)."""

    booking_id: Annotated[str, msgspec.Meta(max_length=36)]
    place: Annotated[str, msgspec.Meta(max_length=200)]
    resource: Annotated[str, msgspec.Meta(max_length=200)]
    starts_at: Annotated[str, msgspec.Meta(max_length=40)]
    ends_at: Annotated[str, msgspec.Meta(max_length=40)]
    attendees: int = 1
    purpose: Annotated[str, msgspec.Meta(max_length=500)] = ""


async def _approved(ctx: ProcessContext) -> None:
    from core.places.bookings import decide

    await decide(None, ctx.process_id, True, ctx.actor)  # type: ignore[arg-type]


async def _rejected(ctx: ProcessContext) -> None:
    from core.places.bookings import decide

    await decide(None, ctx.process_id, False, ctx.actor)  # type: ignore[arg-type]


async def _withdrawn(ctx: ProcessContext) -> None:
    """The applicant withdrew in the processes API: the booking is cancelled with it (if still pending)."""
    from core.places.bookings import withdraw_booking

    await withdraw_booking(ctx.process_id, ctx.actor)


BOOKING_TYPE = ProcessType(
    code=TYPE_CODE,
    name=Text(zh_hans="阵地预约审批", zh_hant="陣地預約審批", en="Booking approval"),
    form=BookingApprovalForm,
    initial="submitted",
    states=(
        State(
            code="submitted",
            name=Text(zh_hans="待审批", zh_hant="待審批", en="Awaiting approval"),
            deadline=Deadline(days=3, action="remind"),
        ),
        State(
            code="approved",
            name=Text(zh_hans="已批准", zh_hant="已批准", en="Approved"),
            final=True,
            outcome="approved",
        ),
        State(
            code="rejected",
            name=Text(zh_hans="未批准", zh_hant="未批准", en="Rejected"),
            final=True,
            outcome="rejected",
        ),
        State(
            code="withdrawn",
            name=Text(zh_hans="已撤回", zh_hant="已撤回", en="Withdrawn"),
            final=True,
            outcome="withdrawn",
        ),
    ),
    transitions=(
        Transition(
            code="approve",
            name=Text(zh_hans="批准", zh_hant="批准", en="Approve"),
            sources=("submitted",),
            target="approved",
            permission=BOOKING_MANAGE,
            after=_approved,
        ),
        Transition(
            code="reject",
            name=Text(zh_hans="不予批准", zh_hant="不予批准", en="Reject"),
            sources=("submitted",),
            target="rejected",
            permission=BOOKING_MANAGE,
            comment_required=True,
            after=_rejected,
        ),
        Transition(
            code="withdraw",
            name=Text(zh_hans="撤回", zh_hant="撤回", en="Withdraw"),
            sources=("submitted",),
            target="withdrawn",
            applicant=True,
            after=_withdrawn,
        ),
    ),
    description=Text(
        zh_hans="需审批的阵地资源预约：批准后预约生效，未批准则释放所占时段。",
        zh_hant="需審批的陣地資源預約：批准後預約生效，未批准則釋放所佔時段。",
        en="Bookings of resources that need approval: approval confirms, rejection frees the time.",
    ),
)


async def open_approval(
    env: Any, principal: Any, booking: dict[str, Any], resource: dict[str, Any], place: dict[str, Any]
) -> UUID:
    """Open the approval process of a pending booking (inside the booking's transaction)."""
    from core.processes import machine

    row = await machine.open_process(
        machine.Env.of(env.state, env.locale),
        principal,
        type_code=TYPE_CODE,
        org_id=place["org"],
        applicant_id=None,
        form={
            "booking_id": str(booking["id"]),
            "place": place["name"],
            "resource": resource["name"],
            "starts_at": booking["starts_at"].isoformat(),
            "ends_at": booking["ends_at"].isoformat(),
            "attendees": booking["attendees"],
            "purpose": booking["purpose"][:500],
        },
    )
    return row["id"]  # type: ignore[no-any-return]


async def withdraw_approval(env: Any, process_id: UUID) -> None:
    """The pending booking was cancelled: its process is withdrawn by the system (if still open)."""
    from core.processes import machine

    row = await machine.load(process_id)
    if row is None or row["status"] != "open":
        return
    penv = machine.Env.of(env.state, env.locale)
    t = BOOKING_TYPE.transition("withdraw")
    assert t is not None
    if row["state"] in t.sources:
        await machine.step(penv, None, row, t, comment="booking cancelled")
