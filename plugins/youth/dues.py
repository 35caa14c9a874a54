"""团费 (League dues): schemes of tiers per committee, one payment per member and month, arrears, and the
share kept and passed up. Amounts are decimal strings (yuan, two places), never floats."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, JSONBody, QueryParameter

from core.sdk import (
    Page,
    PageParam,
    Problem,
    Text,
    current_principal,
    emit,
    paginate,
    record_audit,
    register_field_code,
    register_problem,
    subtree_bounds,
    transaction,
    within,
)
from plugins.youth import permissions as P
from plugins.youth import signals
from plugins.youth.routes import COMMITTEE_KINDS, IfMatch, check_if_match, etag, now, org_in_reach
from plugins.youth.tables import YouthDues, YouthDuesScheme, YouthMember

CENT = Decimal("0.01")
Money = Annotated[str, msgspec.Meta(pattern=r"^\d{1,7}(\.\d{1,2})?$")]
Rate = Annotated[str, msgspec.Meta(pattern=r"^0(\.\d{1,4})?$|^1(\.0{1,4})?$")]
Month = Annotated[str, msgspec.Meta(pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])$")]


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


SCHEME_CHANGED = register_problem(
    "youth-dues-scheme-changed",
    412,
    _t("团费标准已被修改", "團費標準已被修改", "The dues scheme changed"),
    _t(
        "团费标准已被他人修改，请刷新后重试。",
        "團費標準已被他人修改，請重新整理後重試。",
        "The dues scheme was changed by someone else; reload and try again.",
    ),
)
ALREADY_PAID = register_problem(
    "youth-dues-paid",
    409,
    _t("该月团费已交", "該月團費已交", "Already paid"),
    _t(
        "该团员该月的团费已有记录。",
        "該團員該月的團費已有記錄。",
        "The member's dues for the month are recorded.",
    ),
)
NO_SCHEME = register_problem(
    "youth-no-dues-scheme",
    409,
    _t("尚未设定团费标准", "尚未設定團費標準", "No dues scheme"),
    _t(
        "该团员所在组织及上级均未设定团费标准。",
        "該團員所在組織及上級均未設定團費標準。",
        "Neither the member's org nor any above it has set a dues scheme.",
    ),
)
for _code, _text in (
    (
        "youth_bands",
        _t(
            "收入档次须按上限递增，最后一档不设上限",
            "收入檔次須按上限遞增，最後一檔不設上限",
            "Bands must rise, the last one without a limit",
        ),
    ),
    (
        "youth_income_required",
        _t("在职团员须填写月收入", "在職團員須填寫月收入", "A wage-earner's monthly income is required"),
    ),
    (
        "youth_payment_ref",
        _t("网上缴纳须有支付流水号", "網上繳納須有支付流水號", "An online payment needs its reference"),
    ),
    ("youth_future_month", _t("不能预交未来月份", "不能預交未來月份", "A future month cannot be paid")),
):
    register_field_code(_code, _text)


class WageBand(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    up_to: Money | None
    rate: Rate


class DuesSchemeIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    wage_bands: Annotated[list[WageBand], msgspec.Meta(min_length=1, max_length=10)]
    student_amount: Money
    no_income_amount: Money
    #: The share the collecting committee keeps (county and below: half), the rest passed up.
    kept_share: Rate


class DuesSchemeOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    org: uuid.UUID
    wage_bands: list[WageBand]
    student_amount: str
    no_income_amount: str
    kept_share: str
    version: int


class DuesIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    member: uuid.UUID
    month: Month
    category: Literal["wage", "student", "no_income"]
    #: A wage-earner's regular monthly income (yuan); used for the amount and not kept.
    monthly_income: Money | None = None
    channel: Literal["cash", "transfer", "online"]
    payment_ref: Annotated[str, msgspec.Meta(max_length=64, pattern=r"^[0-9A-Za-z_-]*$")] = ""


class DuesOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    member: uuid.UUID
    month: str
    category: str
    amount: str
    kept: str
    passed_up: str
    channel: str
    payment_ref: str
    paid_at: dt.datetime


class DuesSummary(msgspec.Struct, kw_only=True):
    org: uuid.UUID
    #: The months summed (``YYYY-MM`` prefix: a year or one month).
    period: str
    payments: int
    total: str
    kept: str
    passed_up: str


class Arrear(msgspec.Struct, kw_only=True):
    member: uuid.UUID
    number: str
    org: uuid.UUID


def amount_for(scheme: dict[str, Any], category: str, income: Decimal | None) -> Decimal:
    if category == "student":
        return Decimal(scheme["student_amount"])
    if category == "no_income":
        return Decimal(scheme["no_income_amount"])
    assert income is not None
    for band in scheme["wage_bands"]:
        if band["up_to"] is None or income <= Decimal(band["up_to"]):
            return (income * Decimal(band["rate"])).quantize(CENT, rounding=ROUND_HALF_UP)
    raise AssertionError("the last band has no limit")  # pragma: no cover - checked when set


def _bands_ok(bands: list[WageBand]) -> bool:
    limits = [b.up_to for b in bands]
    if limits[-1] is not None or any(limit is None for limit in limits[:-1]):
        return False
    values = [Decimal(v) for v in limits[:-1] if v is not None]
    return all(a < b for a, b in itertools.pairwise(values))


def _scheme_out(row: dict[str, Any]) -> DuesSchemeOut:
    bands = row["wage_bands"]
    if isinstance(bands, str):
        bands = msgspec.json.decode(bands)
    return DuesSchemeOut(
        id=row["id"],
        org=row["org"],
        wage_bands=msgspec.convert(bands, list[WageBand]),
        student_amount=row["student_amount"],
        no_income_amount=row["no_income_amount"],
        kept_share=row["kept_share"],
        version=row["version"],
    )


async def scheme_for(path: str) -> dict[str, Any] | None:
    """The scheme nearest above (or at) ``path``: the longest org path that prefixes it."""
    rows = await YouthDuesScheme.select().run()
    best = None
    for row in rows:
        if path.startswith(row["org_path"]) and (
            best is None or len(row["org_path"]) > len(best["org_path"])
        ):
            best = row
    if best is not None and isinstance(best["wage_bands"], str):
        best = {**best, "wage_bands": msgspec.json.decode(best["wage_bands"])}
    return best


def _dues_out(row: dict[str, Any]) -> DuesOut:
    return DuesOut(
        id=row["id"],
        member=row["member"],
        month=row["month"],
        category=row["category"],
        amount=row["amount"],
        kept=row["kept"],
        passed_up=row["passed_up"],
        channel=row["channel"],
        payment_ref=row["payment_ref"],
        paid_at=row["paid_at"],
    )


class YouthDuesController(Controller):
    path = "/dues"

    @put(
        "/schemes/{org_id:uuid}",
        opt={"permission": P.DUES_MANAGE},
        summary="设定团费标准",
        description="团委（通常为省级团委）为本级及下级设定团费档次：在职团员按月收入所在档次的比例，"
        "学生与无收入团员按定额；并设定收缴团委留存比例，其余上缴。修改须带 If-Match。",
        summary_en="Set the dues scheme",
        description_en="A committee (usually provincial) sets the dues tiers of its subtree: wage-earners a rate "
        "by the band of their monthly income, students and members without income fixed sums, and the share "
        "the collecting committee keeps (the rest passed up). Changing one needs If-Match.",
    )
    async def youth_set_dues_scheme(
        self,
        request: Request,
        org_id: FromPath[uuid.UUID],
        data: JSONBody[DuesSchemeIn],
        if_match: IfMatch = None,
    ) -> Response[DuesSchemeOut]:
        if not _bands_ok(data.wage_bands):
            raise Problem.invalid(("/wage_bands", "youth_bands"))
        bands = msgspec.to_builtins(data.wage_bands)
        async with transaction():
            org = await org_in_reach(request, org_id, P.DUES_MANAGE)
            if org["kind"] not in COMMITTEE_KINDS:
                raise Problem.invalid(("/org_id", "youth_not_committee"))
            row = await YouthDuesScheme.select().where(YouthDuesScheme.org == org_id).first().run()
            values = {
                "wage_bands": bands,
                "student_amount": data.student_amount,
                "no_income_amount": data.no_income_amount,
                "kept_share": data.kept_share,
                "updated_at": now(),
            }
            if row is None:
                row = {"id": uuid.uuid4(), "org": org_id, "org_path": org["path"], "version": 1, **values}
                await YouthDuesScheme.insert(YouthDuesScheme(**row)).run()
                status = 201
            else:
                check_if_match(row["version"], if_match, SCHEME_CHANGED)
                row = {**row, **values, "version": row["version"] + 1}
                await (
                    YouthDuesScheme.update(
                        {
                            getattr(YouthDuesScheme, k): v
                            for k, v in {**values, "version": row["version"]}.items()
                        }
                    )
                    .where(YouthDuesScheme.id == row["id"])
                    .run()
                )
                status = 200
            await record_audit(
                "youth.dues_scheme.set",
                resource_type="youth.dues_scheme",
                resource_id=row["id"],
                org_path=org["path"],
                changes={k: v for k, v in values.items() if k != "updated_at"},
            )
            await emit(
                signals.DUES_SCHEME_SET,
                signals.SchemeChanged(scheme_id=str(row["id"]), org_id=str(org_id)),
                resource_type="youth.dues_scheme",
                resource_id=row["id"],
                org_path=org["path"],
            )
        return Response(_scheme_out(row), status_code=status, headers={"ETag": etag(row["version"])})

    @get(
        "/schemes/{org_id:uuid}",
        opt={"permission": P.DUES_READ},
        summary="适用的团费标准",
        description="某团组织适用的团费标准（本级或最近的上级设定的）。",
        summary_en="The applicable dues scheme",
        description_en="The dues scheme that applies to an org (its own or the nearest one above).",
    )
    async def youth_get_dues_scheme(
        self, request: Request, org_id: FromPath[uuid.UUID]
    ) -> Response[DuesSchemeOut]:
        org = await org_in_reach(request, org_id, P.DUES_READ)
        row = await scheme_for(org["path"])
        if row is None:
            raise Problem("not-found")
        return Response(_scheme_out(row), headers={"ETag": etag(row["version"])})

    @post(
        "/",
        opt={"permission": P.DUES_MANAGE},
        summary="记录团费缴纳",
        description="记录团员某月团费（现金、转账或网上缴纳及其流水号）：金额按适用标准计算，收入不留存；"
        "同时记下留存与上缴部分。每人每月一条。",
        summary_en="Record dues",
        description_en="Records a member's dues for a month (cash, transfer or online with its reference): the "
        "amount by the applicable scheme (the income is not kept), with the share kept and passed up. One per "
        "member and month.",
    )
    async def youth_record_dues(self, request: Request, data: JSONBody[DuesIn]) -> DuesOut:
        if data.category == "wage" and data.monthly_income is None:
            raise Problem.invalid(("/monthly_income", "youth_income_required"))
        if data.channel == "online" and not data.payment_ref:
            raise Problem.invalid(("/payment_ref", "youth_payment_ref"))
        if data.month > now().strftime("%Y-%m"):
            raise Problem.invalid(("/month", "youth_future_month"))
        async with transaction():
            member = (
                await YouthMember.select(YouthMember.id, YouthMember.org_path, YouthMember.status)
                .where(YouthMember.id == data.member)
                .first()
                .run()
            )
            if member is None or not within(
                member["org_path"], current_principal(request).reach(P.DUES_MANAGE)
            ):
                raise Problem("not-found")
            scheme = await scheme_for(member["org_path"])
            if scheme is None:
                raise Problem(NO_SCHEME)
            key = f"{data.member}:{data.month}"
            if await YouthDues.exists().where(YouthDues.key == key).run():
                raise Problem(ALREADY_PAID)
            income = Decimal(data.monthly_income) if data.monthly_income is not None else None
            amount = amount_for(scheme, data.category, income)
            kept = (amount * Decimal(scheme["kept_share"])).quantize(CENT, rounding=ROUND_HALF_UP)
            row = {
                "id": uuid.uuid4(),
                "member": data.member,
                "org_path": member["org_path"],
                "month": data.month,
                "key": key,
                "category": data.category,
                "amount": str(amount),
                "kept": str(kept),
                "passed_up": str(amount - kept),
                "scheme": scheme["id"],
                "channel": data.channel,
                "payment_ref": data.payment_ref,
                "paid_at": now(),
            }
            await YouthDues.insert(YouthDues(**row)).run()
            await record_audit(
                "youth.dues.recorded",
                resource_type="youth.dues",
                resource_id=row["id"],
                org_path=member["org_path"],
                changes={"member": data.member, "month": data.month, "amount": row["amount"]},
            )
            await emit(
                signals.DUES_RECORDED,
                signals.DuesRecorded(dues_id=str(row["id"]), member_id=str(data.member), month=data.month),
                resource_type="youth.dues",
                resource_id=row["id"],
                org_path=member["org_path"],
            )
        return _dues_out(row)

    @get(
        "/arrears",
        opt={"permission": P.DUES_READ},
        summary="欠缴团费名单",
        description="某团组织及下级中某月（month，默认本月）未交团费的在册团员（保留团籍的党员按党费缴纳，不列入）。",
        summary_en="Dues arrears",
        description_en="The active members of an org's subtree without dues for a month (Party members keeping "
        "their League membership pay Party dues and are left out).",
    )
    async def youth_dues_arrears(
        self,
        request: Request,
        page: PageParam,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
        month: Annotated[
            str | None, QueryParameter(name="month", pattern=r"^(19|20)\d\d-(0[1-9]|1[0-2])$")
        ] = None,
    ) -> Page[Arrear]:
        month = month or now().strftime("%Y-%m")
        org = await org_in_reach(request, org_id, P.DUES_READ)
        low, high = subtree_bounds(org["path"])
        paid = YouthDues.select(YouthDues.member).where(
            (YouthDues.org_path >= low) & (YouthDues.org_path < high) & (YouthDues.month == month)
        )
        paid_ids = [r["member"] for r in await paid.run()]
        where = (
            (YouthMember.org_path >= low)
            & (YouthMember.org_path < high)
            & (YouthMember.status == "active")
            & (YouthMember.party_member == False)  # noqa: E712
            & (YouthMember.joined_on <= dt.date.fromisoformat(f"{month}-28"))
        )
        if paid_ids:
            where &= YouthMember.id.not_in(paid_ids)
        rows, cursor = await paginate(
            YouthMember.select(YouthMember.id, YouthMember.number, YouthMember.org).where(where),
            [YouthMember.number],
            page,
        )
        return Page(
            items=[Arrear(member=r["id"], number=r["number"], org=r["org"]) for r in rows], next_cursor=cursor
        )

    @get(
        "/summary",
        opt={"permission": P.DUES_READ},
        summary="团费收缴汇总",
        description="某团组织及下级在某年或某月（period，默认本年）收缴的团费合计、留存与上缴金额。",
        summary_en="Dues summary",
        description_en="The dues an org's subtree collected in a year or a month: total, kept and passed up.",
    )
    async def youth_dues_summary(
        self,
        request: Request,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
        period: Annotated[
            str | None, QueryParameter(name="period", pattern=r"^(19|20)\d\d(-(0[1-9]|1[0-2]))?$")
        ] = None,
    ) -> DuesSummary:
        period = period or str(now().year)
        org = await org_in_reach(request, org_id, P.DUES_READ)
        low, high = subtree_bounds(org["path"])
        rows = (
            await YouthDues.select(YouthDues.amount, YouthDues.kept, YouthDues.passed_up)
            .where(
                (YouthDues.org_path >= low) & (YouthDues.org_path < high) & YouthDues.month.like(f"{period}%")
            )
            .run()
        )
        total = sum((Decimal(r["amount"]) for r in rows), Decimal("0.00"))
        kept = sum((Decimal(r["kept"]) for r in rows), Decimal("0.00"))
        return DuesSummary(
            org=org_id,
            period=period,
            payments=len(rows),
            total=str(total),
            kept=str(kept),
            passed_up=str(total - kept),
        )
