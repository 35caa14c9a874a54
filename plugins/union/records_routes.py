"""Read routes over the union's records: a member's dues payment history (for cadres in reach and for
the member themself), union-fund rows per unit, and the collective wage agreements with their status."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery

from core.sdk import (
    Org,
    Page,
    PageParam,
    Problem,
    current_principal,
    paginate,
    reach_clause,
    subtree_bounds,
    within,
)
from plugins.union import permissions as P
from plugins.union.common import Month, aware, check_month, org_in_reach
from plugins.union.money_routes import UnionFundOut, fund_out
from plugins.union.problems import invalid
from plugins.union.tables import UnionAgreement, UnionDuesPayment, UnionFund, UnionMember


class UnionPaymentRecord(msgspec.Struct, kw_only=True):
    """One dues payment: how much, for which months, through which channel, to which union."""

    id: UUID
    person_id: UUID
    org_id: UUID
    org_name: str
    amount: int
    months: list[str]
    #: online, payroll or cash.
    channel: str
    #: The payment provider's reference or the receipt number.
    reference: str
    paid_at: datetime


class UnionAgreementOut(msgspec.Struct, kw_only=True):
    """A filed collective wage agreement: in_force, reminded (its end is near, renewal announced) or
    expired."""

    process_id: UUID
    org_id: UUID
    org_name: str
    #: enterprise, industry or region.
    scope: str
    enterprises: int
    employees: int
    wage_increase_permille: int
    term_end: str
    filing_number: str
    status: str


async def _names(ids: set[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    return {
        r["id"]: r["name"] for r in await Org.select(Org.id, Org.name).where(Org.id.is_in(list(ids))).run()
    }


def _months(raw: Any) -> list[str]:
    return list(raw) if isinstance(raw, list) else list(msgspec.json.decode(raw or "[]"))


async def payments_of(person_id: Any, page: Any) -> tuple[list[UnionPaymentRecord], str | None]:
    """A person's dues payments, newest first — the history follows the member through transfers."""
    query = UnionDuesPayment.select().where(UnionDuesPayment.person == person_id)
    rows, cursor = await paginate(
        query, [UnionDuesPayment.paid_at, UnionDuesPayment.id], page, descending=True
    )
    names = await _names({r["org"] for r in rows})
    items = [
        UnionPaymentRecord(
            id=r["id"],
            person_id=r["person"],
            org_id=r["org"],
            org_name=names.get(r["org"], ""),
            amount=r["amount"],
            months=_months(r["months"]),
            channel=r["channel"],
            reference=r["reference"],
            paid_at=aware(r["paid_at"]),
        )
        for r in rows
    ]
    return items, cursor


class UnionRecordsController(Controller):
    path = "/"
    tags = ["union"]  # noqa: RUF012

    @get(
        "/members/{person_id:uuid}/dues-payments",
        opt={"permission": P.DUES_READ},
        summary="会员的会费缴纳记录",
        description="一名会员历次缴纳会费的记录（金额、所属月份、缴费渠道、凭证号、收款工会），新的在前；转会前的记录随会员一并列出；会员不在权限范围内答复 404。",
        summary_en="A member's dues payments",
        description_en="Every dues payment of a member (amount, months, channel, reference, receiving union), newest first, including those made before a transfer; 404 outside reach.",
    )
    async def union_member_payments(
        self, request: Request, page: PageParam, person_id: FromPath[UUID]
    ) -> Page[UnionPaymentRecord]:
        row = (
            await UnionMember.select(UnionMember.org_path)
            .where(UnionMember.person == person_id)
            .first()
            .run()
        )
        if row is None or not within(row["org_path"], current_principal(request).reach(P.DUES_READ)):
            raise Problem("not-found")
        items, cursor = await payments_of(person_id, page)
        return Page(items=items, next_cursor=cursor)

    @get(
        "/me/dues-payments",
        opt={"policy": "self"},
        summary="我的会费缴纳记录（会员本人）",
        description="调用者本人历次缴纳会费的记录，新的在前；没有缴费记录时为空列表。",
        summary_en="My dues payments (as a member)",
        description_en="The caller's own dues payments, newest first; empty when there are none.",
    )
    async def union_my_payments(self, request: Request, page: PageParam) -> Page[UnionPaymentRecord]:
        me = current_principal(request).person_id
        if me is None:
            return Page(items=[], next_cursor=None)
        items, cursor = await payments_of(me, page)
        return Page(items=items, next_cursor=cursor)

    @get(
        "/orgs/{org_id:uuid}/funds",
        opt={"permission": P.FUND_READ},
        summary="工会经费明细",
        description="组织及下级登记的工会经费（按用人单位、月份）：计提基数、应缴、已缴与各级分成，按月份倒序；可按单位（unit）与月份区间（first、last）筛选。",
        summary_en="Union funds per unit",
        description_en="Union funds recorded over the subtree, per employer and month: payroll, amount, paid and the split, latest month first; filter by unit and by a range of months (first, last).",
    )
    async def union_list_funds(
        self,
        request: Request,
        page: PageParam,
        org_id: FromPath[UUID],
        unit: FromQuery[UUID | None] = None,
        first: FromQuery[Month | None] = None,
        last: FromQuery[Month | None] = None,
    ) -> Page[UnionFundOut]:
        principal = current_principal(request)
        org = await org_in_reach(principal, P.FUND_READ, org_id)
        low, high = subtree_bounds(org["path"])
        clause = reach_clause(UnionFund.org_path, principal.reach(P.FUND_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = UnionFund.select().where((UnionFund.org_path >= low) & (UnionFund.org_path < high) & clause)
        if unit is not None:
            query = query.where(UnionFund.unit == unit)
        if first is not None:
            query = query.where(
                UnionFund.month >= check_month(first, "/first", timezone=request.app.state.settings.timezone)
            )
        if last is not None:
            query = query.where(
                UnionFund.month <= check_month(last, "/last", timezone=request.app.state.settings.timezone)
            )
        if first is not None and last is not None and first > last:
            raise invalid("/last", "union_month_range")
        rows, cursor = await paginate(query, [UnionFund.month, UnionFund.id], page, descending=True)
        return Page(items=[fund_out(r) for r in rows], next_cursor=cursor)

    @get(
        "/orgs/{org_id:uuid}/agreements",
        opt={"permission": P.AGREEMENT_READ},
        summary="工资集体协议",
        description="组织及下级已备案的工资集体协议及其状态：in_force 生效中、reminded 即将到期（已提醒续签）、expired 已到期；按到期日排序，可按状态筛选。",
        summary_en="Collective wage agreements",
        description_en="Filed wage agreements of the subtree with their status: in_force, reminded (ending soon, renewal announced) or expired; by end of term, optionally of one status.",
    )
    async def union_list_agreements(
        self,
        request: Request,
        page: PageParam,
        org_id: FromPath[UUID],
        status: FromQuery[Literal["in_force", "reminded", "expired"] | None] = None,
    ) -> Page[UnionAgreementOut]:
        principal = current_principal(request)
        org = await org_in_reach(principal, P.AGREEMENT_READ, org_id)
        low, high = subtree_bounds(org["path"])
        clause = reach_clause(UnionAgreement.org_path, principal.reach(P.AGREEMENT_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = UnionAgreement.select().where(
            (UnionAgreement.org_path >= low) & (UnionAgreement.org_path < high) & clause
        )
        if status is not None:
            query = query.where(UnionAgreement.status == status)
        rows, cursor = await paginate(query, [UnionAgreement.term_end, UnionAgreement.id], page)
        names = await _names({r["org"] for r in rows})
        return Page(
            items=[
                UnionAgreementOut(
                    process_id=r["process"],
                    org_id=r["org"],
                    org_name=names.get(r["org"], ""),
                    scope=r["scope"],
                    enterprises=r["enterprises"],
                    employees=r["employees"],
                    wage_increase_permille=r["wage_increase_permille"],
                    term_end=r["term_end"],
                    filing_number=r["filing_number"],
                    status=r["status"],
                )
                for r in rows
            ],
            next_cursor=cursor,
        )
