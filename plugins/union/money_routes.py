"""``/api/v1/union/orgs/{id}/…``: the rules, dues (会费) per member and month, funds (工会经费) per unit and
month, and their summaries per union and subtree (JSON and an XLSX workbook for the finance office)."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID, uuid4

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from core.sdk import (
    Membership,
    Problem,
    Unit,
    current_principal,
    emit,
    record_audit,
    subtree_bounds,
    transaction,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.common import Fen, IfMatch, Month, check_month, etag, org_in_reach
from plugins.union.membership import MEMBER_KINDS
from plugins.union.problems import check_version, invalid
from plugins.union.rules import UnionRules, dues_for, funds_for, rules_at, split_ok
from plugins.union.tables import (
    UnionDues,
    UnionDuesPayment,
    UnionFund,
    UnionMember,
    UnionOrgProfile,
    UnionSetting,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class UnionRulesOut(msgspec.Struct, kw_only=True):
    #: The org whose setting rules here (null: the national defaults).
    set_by_org_id: UUID | None
    rules: UnionRules
    version: int


class UnionProfileIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    form: Literal["enterprise", "joint", "building", "industry", "street"]
    leadership: Literal["committee", "organizer"] = "committee"


class UnionProfile(msgspec.Struct, kw_only=True):
    org_id: UUID
    form: str
    leadership: str
    version: int


class UnionAssess(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    month: Month


class UnionAssessed(msgspec.Struct, kw_only=True):
    month: str
    assessed: int
    exempt: int
    #: Members without a known wage: nothing assessed for them.
    without_wage: int
    due: int


class UnionPaymentIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    person_id: UUID
    months: Annotated[list[Month], msgspec.Meta(min_length=1, max_length=24)]
    channel: Literal["online", "payroll", "cash"]
    reference: Annotated[str, msgspec.Meta(max_length=64)] = ""


class UnionPayment(msgspec.Struct, kw_only=True):
    id: UUID
    person_id: UUID
    amount: int
    months: list[str]
    channel: str
    paid_at: datetime


class UnionDuesLine(msgspec.Struct, kw_only=True):
    person_id: UUID
    card_number: str
    month: str
    wage: int
    due: int
    paid: int
    status: str


class UnionFundIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    month: Month
    payroll: Fen
    unit_id: UUID | None = None
    employer_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    paid: Fen = 0


class UnionFundOut(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    unit_id: UUID | None
    employer_name: str
    month: str
    payroll: int
    amount: int
    paid: int
    split: dict[str, int]
    status: str


class UnionMonthFigures(msgspec.Struct, kw_only=True):
    month: str
    members_assessed: int
    dues_due: int
    dues_paid: int
    dues_arrears: int
    exempt: int
    funds_due: int
    funds_paid: int
    #: Funds by level of the split (grassroots, county, …).
    funds_split: dict[str, int]


class UnionFinanceSummary(msgspec.Struct, kw_only=True):
    org_id: UUID
    months: list[UnionMonthFigures]


async def finance_summary(org_path: str, first: str, last: str) -> list[UnionMonthFigures]:
    """Dues and funds per month over a subtree, from ``first`` to ``last`` (YYYY-MM, inclusive)."""
    low, high = subtree_bounds(org_path)
    dues = (
        await UnionDues.select(UnionDues.month, UnionDues.due, UnionDues.paid, UnionDues.status)
        .where(
            (UnionDues.org_path >= low)
            & (UnionDues.org_path < high)
            & (UnionDues.month >= first)
            & (UnionDues.month <= last)
        )
        .run()
    )
    funds = (
        await UnionFund.select(UnionFund.month, UnionFund.amount, UnionFund.paid, UnionFund.split)
        .where(
            (UnionFund.org_path >= low)
            & (UnionFund.org_path < high)
            & (UnionFund.month >= first)
            & (UnionFund.month <= last)
        )
        .run()
    )
    months: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "members_assessed": 0,
            "dues_due": 0,
            "dues_paid": 0,
            "exempt": 0,
            "funds_due": 0,
            "funds_paid": 0,
            "funds_split": defaultdict(int),
        }
    )
    for d in dues:
        m = months[d["month"]]
        m["members_assessed"] += 1
        m["dues_due"] += d["due"]
        m["dues_paid"] += d["paid"]
        m["exempt"] += d["status"] == "exempt"
    for f in funds:
        m = months[f["month"]]
        m["funds_due"] += f["amount"]
        m["funds_paid"] += f["paid"]
        split = f["split"] if isinstance(f["split"], dict) else msgspec.json.decode(f["split"] or "{}")
        for level, amount in split.items():
            m["funds_split"][level] += amount
    return [
        UnionMonthFigures(
            month=k,
            dues_arrears=v["dues_due"] - v["dues_paid"],
            **{**v, "funds_split": dict(v["funds_split"])},
        )
        for k, v in sorted(months.items())
    ]


def finance_xlsx(org_name: str, months: list[UnionMonthFigures]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "会费与经费"
    sheet.append([f"{org_name} 会费与工会经费（元）"])
    levels = sorted({level for m in months for level in m.funds_split})
    sheet.append(
        [
            "月份",
            "核定人数",
            "应缴会费",
            "实缴会费",
            "欠缴会费",
            "免缴人数",
            "应拨经费",
            "实拨经费",
            *[f"经费分成-{x}" for x in levels],
        ]
    )
    for m in months:
        sheet.append(
            [
                m.month,
                m.members_assessed,
                m.dues_due / 100,
                m.dues_paid / 100,
                m.dues_arrears / 100,
                m.exempt,
                m.funds_due / 100,
                m.funds_paid / 100,
            ]
            + [m.funds_split.get(x, 0) / 100 for x in levels]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def fund_out(r: dict[str, Any]) -> UnionFundOut:
    split = r["split"] if isinstance(r["split"], dict) else msgspec.json.decode(r["split"] or "{}")
    return UnionFundOut(
        id=r["id"],
        org_id=r["org"],
        unit_id=r["unit"],
        employer_name=r["employer_name"],
        month=r["month"],
        payroll=r["payroll"],
        amount=r["amount"],
        paid=r["paid"],
        split=split,
        status=r["status"],
    )


class UnionFinanceController(Controller):
    path = "/orgs"
    tags = ["union"]  # noqa: RUF012

    @get(
        "/{org_id:uuid}/rules",
        opt={"permission": P.DUES_READ},
        summary="会费、经费与建会规则",
        description="在本组织生效的规则：本组织设定的，否则上级最近一级设定的，否则全国默认（会费 0.5%、经费 2%、25 人建委员会）。",
        summary_en="Rules in force",
        description_en="The rules in force at the org: its own, else the nearest ancestor's, else the national defaults.",
    )
    async def union_get_rules(self, request: Request, org_id: FromPath[UUID]) -> Response[UnionRulesOut]:
        org = await org_in_reach(current_principal(request), P.DUES_READ, org_id)
        own = await UnionSetting.select().where(UnionSetting.org == org_id).first().run()
        rules = await rules_at(org["path"])
        setter = own["org"] if own else None
        if setter is None:
            prefixes = [org["path"][:i] for i in range(6, len(org["path"]) + 1, 6)]
            rows = (
                await UnionSetting.select(UnionSetting.org, UnionSetting.org_path)
                .where(UnionSetting.org_path.is_in(prefixes))
                .run()
            )
            setter = max(rows, key=lambda r: len(r["org_path"]))["org"] if rows else None
        version = own["version"] if own else 0
        return Response(
            UnionRulesOut(set_by_org_id=setter, rules=rules, version=version), headers=etag(version)
        )

    @put(
        "/{org_id:uuid}/rules",
        opt={"permission": P.RULES_MANAGE},
        summary="设定规则（已有设定时须 If-Match）",
        description="设定本组织及下级适用的会费比例与取整、免缴类别、经费比例与分成、建会人数标准。",
        summary_en="Set the rules (If-Match once set)",
        description_en="Sets the dues rate and rounding, exemptions, funds rate and split, and formation thresholds for the org's subtree.",
    )
    async def union_set_rules(
        self, request: Request, org_id: FromPath[UUID], data: JSONBody[UnionRules], if_match: IfMatch = None
    ) -> Response[UnionRulesOut]:
        org = await org_in_reach(current_principal(request), P.RULES_MANAGE, org_id)
        if not split_ok(data):
            raise invalid("/funds_split", "union_split_total")
        async with transaction():
            own = await UnionSetting.select().where(UnionSetting.org == org_id).first().run()
            rules = msgspec.to_builtins(data)
            if own is None:
                version = 1
                await UnionSetting.insert(
                    UnionSetting(
                        org=org_id, org_path=org["path"], rules=rules, version=1, updated_at=datetime.now(UTC)
                    )
                ).run()
            else:
                check_version(own, if_match)
                version = own["version"] + 1
                await (
                    UnionSetting.update(
                        {
                            UnionSetting.rules: rules,
                            UnionSetting.version: version,
                            UnionSetting.updated_at: datetime.now(UTC),
                        }
                    )
                    .where(UnionSetting.id == own["id"])
                    .run()
                )
            await record_audit(
                "union.rules.set",
                resource_type="union.rules",
                resource_id=org_id,
                org_path=org["path"],
                changes=rules,
            )
            await emit(
                sig.RULES_CHANGED,
                sig.RulesChanged(org_id=str(org_id), what="rules"),
                resource_type="union.rules",
                resource_id=org_id,
                org_path=org["path"],
            )
        return Response(
            UnionRulesOut(set_by_org_id=org_id, rules=data, version=version), headers=etag(version)
        )

    @put(
        "/{org_id:uuid}/profile",
        opt={"permission": P.RULES_MANAGE},
        summary="设定基层工会组织形式（已有时须 If-Match）",
        description="企业、联合、楼宇、行业或街道工会，委员会或组织员；新就业形态劳动者经联合、楼宇、行业、街道工会入会。",
        summary_en="Set a grassroots union's form (If-Match once set)",
        description_en="Enterprise, joint, building, industry or street union, led by a committee or an organizer; new-form workers join through the last four.",
    )
    async def union_set_profile(
        self,
        request: Request,
        org_id: FromPath[UUID],
        data: JSONBody[UnionProfileIn],
        if_match: IfMatch = None,
    ) -> Response[UnionProfile]:
        org = await org_in_reach(
            current_principal(request), P.RULES_MANAGE, org_id, kinds=("union.grassroots",)
        )
        async with transaction():
            own = await UnionOrgProfile.select().where(UnionOrgProfile.org == org_id).first().run()
            if own is None:
                version = 1
                await UnionOrgProfile.insert(
                    UnionOrgProfile(
                        org=org_id,
                        org_path=org["path"],
                        form=data.form,
                        leadership=data.leadership,
                        version=1,
                        updated_at=datetime.now(UTC),
                    )
                ).run()
            else:
                check_version(own, if_match)
                version = own["version"] + 1
                await (
                    UnionOrgProfile.update(
                        {
                            UnionOrgProfile.form: data.form,
                            UnionOrgProfile.leadership: data.leadership,
                            UnionOrgProfile.version: version,
                        }
                    )
                    .where(UnionOrgProfile.id == own["id"])
                    .run()
                )
            await record_audit(
                "union.profile.set",
                resource_type="union.profile",
                resource_id=org_id,
                org_path=org["path"],
                changes={"form": data.form, "leadership": data.leadership},
            )
            await emit(
                sig.RULES_CHANGED,
                sig.RulesChanged(org_id=str(org_id), what="profile"),
                resource_type="union.profile",
                resource_id=org_id,
                org_path=org["path"],
            )
        return Response(
            UnionProfile(org_id=org_id, form=data.form, leadership=data.leadership, version=version),
            headers=etag(version),
        )

    @post(
        "/{org_id:uuid}/dues-assessments",
        opt={"permission": P.DUES_MANAGE},
        status_code=200,
        summary="核定月度会费",
        description="按规则为基层工会每名在册会员核定当月会费（月工资 × 比例，按规则取整；免缴类别记为免缴）；重复核定只更新未缴的记录。",
        summary_en="Assess a month's dues",
        description_en="Assesses each current member's dues for the month (wage × rate, rounded by the rules; exempt categories marked exempt); a repeat only updates unpaid lines.",
    )
    async def union_assess_dues(
        self, request: Request, org_id: FromPath[UUID], data: JSONBody[UnionAssess]
    ) -> UnionAssessed:
        org = await org_in_reach(current_principal(request), P.DUES_MANAGE, org_id, kinds=MEMBER_KINDS)
        rules = await rules_at(org["path"])
        async with transaction():
            active = {
                r["person"]
                for r in await Membership.select(Membership.person)
                .where(
                    (Membership.org == org_id)
                    & (Membership.status == "active")
                    & (Membership.role == "member")
                )
                .run()
            }
            members = [
                m
                for m in await UnionMember.select().where(UnionMember.org == org_id).run()
                if m["person"] in active
            ]
            existing = {
                r["person"]: r
                for r in await UnionDues.select()
                .where((UnionDues.org == org_id) & (UnionDues.month == data.month))
                .run()
            }
            result = UnionAssessed(month=data.month, assessed=0, exempt=0, without_wage=0, due=0)
            for m in members:
                exempt = m["dues_exemption"] if m["dues_exemption"] in rules.dues_exemptions else ""
                if not exempt and m["monthly_wage"] is None:
                    result.without_wage += 1
                    continue
                wage = m["monthly_wage"] or 0
                due = 0 if exempt else dues_for(wage, rules)
                status = "exempt" if exempt else "due"
                old = existing.get(m["person"])
                if old is not None and old["paid"] > 0:
                    continue  # a line with money on it stays as it was assessed
                if old is None:
                    await UnionDues.insert(
                        UnionDues(
                            person=m["person"],
                            org=org_id,
                            org_path=org["path"],
                            month=data.month,
                            wage=wage,
                            due=due,
                            paid=0,
                            status=status,
                            exemption=exempt,
                            updated_at=datetime.now(UTC),
                        )
                    ).run()
                else:
                    await (
                        UnionDues.update(
                            {
                                UnionDues.wage: wage,
                                UnionDues.due: due,
                                UnionDues.status: status,
                                UnionDues.exemption: exempt,
                            }
                        )
                        .where(UnionDues.id == old["id"])
                        .run()
                    )
                result.assessed += 1
                result.exempt += bool(exempt)
                result.due += due
            await record_audit(
                "union.dues.assessed",
                resource_type="union.dues",
                resource_id=org_id,
                org_path=org["path"],
                changes={"month": data.month, "assessed": result.assessed},
            )
            await emit(
                sig.DUES_ASSESSED,
                sig.DuesChanged(
                    org_id=str(org_id), month=data.month, members=result.assessed, amount=result.due
                ),
                resource_type="union.dues",
                resource_id=org_id,
                org_path=org["path"],
            )
        return result

    @get(
        "/{org_id:uuid}/dues",
        opt={"permission": P.DUES_READ},
        summary="会费明细",
        description="组织及下级某月的会费记录；status=arrears 只列欠缴（未缴或部分缴纳）。",
        summary_en="Dues lines",
        description_en="A month's dues lines over the subtree; status=arrears lists only unpaid or partly paid ones.",
    )
    async def union_list_dues(
        self,
        request: Request,
        org_id: FromPath[UUID],
        month: FromQuery[Month | None] = None,
        status: FromQuery[Literal["all", "arrears"]] = "all",
    ) -> list[UnionDuesLine]:
        org = await org_in_reach(current_principal(request), P.DUES_READ, org_id)
        low, high = subtree_bounds(org["path"])
        where = (
            (UnionDues.org_path >= low)
            & (UnionDues.org_path < high)
            & (UnionDues.month == check_month(month, "/month", timezone=request.app.state.settings.timezone))
        )
        if status == "arrears":
            where = where & UnionDues.status.is_in(["due", "partial"])
        rows = await UnionDues.select().where(where).limit(1000).run()
        cards = {
            r["person"]: r["card_number"]
            for r in await UnionMember.select(UnionMember.person, UnionMember.card_number)
            .where(UnionMember.person.is_in([r["person"] for r in rows] or [uuid4()]))
            .run()
        }
        return sorted(
            (
                UnionDuesLine(
                    person_id=r["person"],
                    card_number=cards.get(r["person"], ""),
                    month=r["month"],
                    wage=r["wage"],
                    due=r["due"],
                    paid=r["paid"],
                    status=r["status"],
                )
                for r in rows
            ),
            key=lambda x: x.card_number,
        )

    @post(
        "/{org_id:uuid}/dues-payments",
        opt={"permission": P.DUES_MANAGE},
        summary="登记会费缴纳",
        description="登记一名会员一个或多个月份的会费缴纳（线上支付、工资代扣或现金），按应缴足额结清所选月份。",
        summary_en="Record a dues payment",
        description_en="Records a member's payment of one or more months' dues (online, payroll or cash), settling those months in full.",
    )
    async def union_pay_dues(
        self, request: Request, org_id: FromPath[UUID], data: JSONBody[UnionPaymentIn]
    ) -> UnionPayment:
        principal = current_principal(request)
        org = await org_in_reach(principal, P.DUES_MANAGE, org_id, kinds=MEMBER_KINDS)
        async with transaction():
            lines = (
                await UnionDues.select()
                .where(
                    (UnionDues.org == org_id)
                    & (UnionDues.person == data.person_id)
                    & UnionDues.month.is_in(sorted(set(data.months)))
                )
                .run()
            )
            open_lines = [x for x in lines if x["status"] in ("due", "partial")]
            if not open_lines or len(lines) != len(set(data.months)):
                raise invalid("/months", "union_nothing_due")
            amount = sum(x["due"] - x["paid"] for x in open_lines)
            now = datetime.now(UTC)
            for x in open_lines:
                await (
                    UnionDues.update(
                        {UnionDues.paid: x["due"], UnionDues.status: "paid", UnionDues.updated_at: now}
                    )
                    .where(UnionDues.id == x["id"])
                    .run()
                )
            payment_id = uuid4()
            months = sorted(x["month"] for x in open_lines)
            await UnionDuesPayment.insert(
                UnionDuesPayment(
                    id=payment_id,
                    person=data.person_id,
                    org=org_id,
                    org_path=org["path"],
                    amount=amount,
                    channel=data.channel,
                    reference=data.reference,
                    months=months,
                    recorded_by=principal.id,
                    paid_at=now,
                )
            ).run()
            await record_audit(
                "union.dues.paid",
                resource_type="union.dues_payment",
                resource_id=payment_id,
                org_path=org["path"],
                changes={"person": data.person_id, "months": months, "amount": amount},
            )
            await emit(
                sig.DUES_PAID,
                sig.DuesPaid(
                    payment_id=str(payment_id),
                    person_id=str(data.person_id),
                    org_id=str(org_id),
                    amount=amount,
                    months=months,
                ),
                resource_type="union.dues_payment",
                resource_id=payment_id,
                org_path=org["path"],
            )
        return UnionPayment(
            id=payment_id,
            person_id=data.person_id,
            amount=amount,
            months=months,
            channel=data.channel,
            paid_at=now,
        )

    @post(
        "/{org_id:uuid}/funds",
        opt={"permission": P.FUND_MANAGE},
        summary="登记工会经费",
        description="登记用人单位某月的工会经费：工资总额的 2%（比例按规则），按规则在基层工会与上级之间分成；同一单位同月再登记则更新。",
        summary_en="Record union funds",
        description_en="Records an employer's union funds for a month: 2% of payroll (rate by the rules), split between the grassroots union and the levels above; recording the same unit and month again updates it.",
    )
    async def union_record_funds(
        self, request: Request, org_id: FromPath[UUID], data: JSONBody[UnionFundIn]
    ) -> UnionFundOut:
        org = await org_in_reach(
            current_principal(request), P.FUND_MANAGE, org_id, kinds=("union.grassroots",)
        )
        if data.unit_id is not None and not await Unit.exists().where(Unit.id == data.unit_id).run():
            raise invalid("/unit_id", "union_unit_unknown")
        rules = await rules_at(org["path"])
        amount, split = funds_for(data.payroll, rules)
        if data.paid > amount:
            raise invalid("/paid", "union_overpaid")
        status = "paid" if data.paid == amount else ("partial" if data.paid else "due")
        async with transaction():
            same = (UnionFund.org == org_id) & (UnionFund.month == data.month)
            same = same & (
                (UnionFund.unit == data.unit_id)
                if data.unit_id
                else (UnionFund.unit.is_null() & (UnionFund.employer_name == data.employer_name))
            )
            old = await UnionFund.select().where(same).first().run()
            values = {
                "payroll": data.payroll,
                "amount": amount,
                "paid": data.paid,
                "split": split,
                "status": status,
                "employer_name": data.employer_name,
                "updated_at": datetime.now(UTC),
            }
            if old is None:
                fund_id = uuid4()
                await UnionFund.insert(
                    UnionFund(
                        id=fund_id,
                        org=org_id,
                        org_path=org["path"],
                        unit=data.unit_id,
                        month=data.month,
                        **values,
                    )
                ).run()
            else:
                fund_id = old["id"]
                await (
                    UnionFund.update(
                        {getattr(UnionFund, k): v for k, v in values.items()}
                        | {UnionFund.version: old["version"] + 1}
                    )
                    .where(UnionFund.id == fund_id)
                    .run()
                )
            await record_audit(
                "union.funds.recorded",
                resource_type="union.fund",
                resource_id=fund_id,
                org_path=org["path"],
                changes={"month": data.month, "amount": amount, "paid": data.paid},
            )
            await emit(
                sig.FUND_RECORDED,
                sig.FundChanged(
                    fund_id=str(fund_id), org_id=str(org_id), month=data.month, amount=amount, paid=data.paid
                ),
                resource_type="union.fund",
                resource_id=fund_id,
                org_path=org["path"],
            )
            row = await UnionFund.select().where(UnionFund.id == fund_id).first().run()
        return fund_out(row)

    @get(
        "/{org_id:uuid}/finance-summary",
        opt={"permission": P.DUES_READ},
        summary="会费与经费汇总",
        description="组织及其下级各月的应缴、实缴、欠缴会费与免缴人数，应拨、实拨工会经费及分成（单位：分）。",
        summary_en="Dues and funds summary",
        description_en="Per month over the subtree: dues due, paid, in arrears and exempt members; funds due, paid and their split (in fen).",
    )
    async def union_finance_summary(
        self,
        request: Request,
        org_id: FromPath[UUID],
        first: FromQuery[Month | None] = None,
        last: FromQuery[Month | None] = None,
    ) -> UnionFinanceSummary:
        org = await org_in_reach(current_principal(request), P.DUES_READ, org_id)
        to = check_month(last, "/last", timezone=request.app.state.settings.timezone)
        since = (
            check_month(first, "/first", timezone=request.app.state.settings.timezone)
            if first
            else f"{int(to[:4]) - 1}{to[4:]}"
        )
        months = await finance_summary(org["path"], since, to)
        return UnionFinanceSummary(org_id=org_id, months=months)

    @get(
        "/{org_id:uuid}/finance-summary.xlsx",
        opt={"permission": P.DUES_READ},
        media_type=XLSX,
        summary="会费与经费汇总（XLSX）",
        description="与汇总接口相同的数字（单位：元），供财务室使用的 Excel 工作簿。",
        summary_en="Dues and funds summary as a workbook",
        description_en="The same figures as the summary (in yuan), as an Excel workbook for the finance office.",
    )
    async def union_finance_workbook(
        self,
        request: Request,
        org_id: FromPath[UUID],
        first: FromQuery[Month | None] = None,
        last: FromQuery[Month | None] = None,
    ) -> Response[bytes]:
        org = await org_in_reach(current_principal(request), P.DUES_READ, org_id)
        to = check_month(last, "/last", timezone=request.app.state.settings.timezone)
        since = (
            check_month(first, "/first", timezone=request.app.state.settings.timezone)
            if first
            else f"{int(to[:4]) - 1}{to[4:]}"
        )
        months = await finance_summary(org["path"], since, to)
        return Response(
            finance_xlsx(org["name"], months),
            media_type=XLSX,
            headers={"Content-Disposition": 'attachment; filename="union-finance.xlsx"'},
        )


__all__ = ["Problem", "UnionFinanceController"]
