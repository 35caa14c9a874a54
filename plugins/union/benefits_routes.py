"""``/api/v1/union/…/benefits``: member-benefit programmes (职工疗休养, 节日慰问, 体检 …) with a yearly quota
per member — declared and changed by a union, their use per member read by cadres in reach and by the
member themself. Applications are ``union.benefit`` processes (``POST /api/v1/processes``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.sdk import (
    Org,
    Page,
    PageParam,
    Person,
    Principal,
    Problem,
    current_principal,
    emit,
    paginate,
    reach_clause,
    record_audit,
    subtree_bounds,
    transaction,
    within,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.benefits import Category, Measure
from plugins.union.common import IfMatch, etag, org_in_reach
from plugins.union.membership import active_member_path
from plugins.union.problems import check_version, invalid
from plugins.union.tables import UnionBenefit, UnionBenefitBalance, UnionBenefitUse, UnionMember

UNION_KINDS = ("union.federation", "union.grassroots")
Year = Annotated[int, msgspec.Meta(ge=2000, le=2100)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
Quota = Annotated[int, msgspec.Meta(ge=1, le=10**11)]
Description = Annotated[str, msgspec.Meta(max_length=1000)]


class UnionBenefitIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A benefit programme for one year: what it is and each member's quota (times, or fen)."""

    year: Year
    name: Name
    #: rest_trip (职工疗休养), festival (节日慰问), checkup (健康体检), birthday (生日慰问), culture, other.
    category: Category
    #: times (次数) or amount (金额, fen).
    measure: Measure = "times"
    quota: Quota
    description: Description = ""


class UnionBenefitUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields to change (send ``If-Match``); a quota lowered below what a member holds takes no new
    applications from them and keeps those made."""

    name: Name | None = None
    quota: Quota | None = None
    description: Description | None = None
    #: open (taking applications) or closed.
    status: Annotated[str, msgspec.Meta(pattern=r"^(open|closed)$")] | None = None


class UnionBenefitOut(msgspec.Struct, kw_only=True):
    id: UUID
    org_id: UUID
    org_name: str
    year: int
    name: str
    category: str
    measure: str
    quota: int
    description: str
    status: str
    version: int


class UnionBenefitUsage(msgspec.Struct, kw_only=True):
    """One member's use of one programme in its year: ``held`` counts against the quota (applications
    pending, approved and enjoyed); ``remaining`` is what they may still apply for."""

    benefit_id: UUID
    person_id: UUID
    name: str
    card_number: str
    quota: int
    held: int
    pending: int
    granted: int
    used: int
    remaining: int


class UnionMemberBenefit(msgspec.Struct, kw_only=True):
    """A programme open to a member in a year, with their use of it."""

    benefit: UnionBenefitOut
    held: int
    pending: int
    granted: int
    used: int
    remaining: int


def _out(row: dict[str, Any], org_name: str) -> UnionBenefitOut:
    return UnionBenefitOut(
        id=row["id"],
        org_id=row["org"],
        org_name=org_name,
        year=row["year"],
        name=row["name"],
        category=row["category"],
        measure=row["measure"],
        quota=row["quota"],
        description=row["description"],
        status=row["status"],
        version=row["version"],
    )


async def _org_names(ids: set[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    rows = await Org.select(Org.id, Org.name).where(Org.id.is_in(list(ids))).run()
    return {r["id"]: r["name"] for r in rows}


def _covers_or_below(principal: Principal, permission: str, path: str) -> bool:
    """A programme is the caller's to read when its union is in reach, or when it covers a union in
    reach (a grassroots cadre reads the county's 疗休养 for their own members)."""
    reaches = principal.reach(permission)
    return within(path, reaches) or any(r.path.startswith(path) for r in reaches)


async def _benefit(benefit_id: UUID, principal: Principal, permission: str) -> dict[str, Any]:
    row = await UnionBenefit.select().where(UnionBenefit.id == benefit_id).first().run()
    if row is None:
        raise Problem("not-found")
    if permission == P.BENEFIT_MANAGE:
        if not within(row["org_path"], principal.reach(permission)):
            raise Problem("not-found")
    elif not _covers_or_below(principal, permission, row["org_path"]):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def _uses(benefit_ids: list[Any], persons: list[Any]) -> dict[tuple[Any, Any], dict[str, int]]:
    """Quantities by programme and member per status (pending, granted, used)."""
    found: dict[tuple[Any, Any], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if not benefit_ids or not persons:
        return found
    rows = (
        await UnionBenefitUse.select(
            UnionBenefitUse.benefit, UnionBenefitUse.person, UnionBenefitUse.status, UnionBenefitUse.quantity
        )
        .where(
            UnionBenefitUse.benefit.is_in(benefit_ids)
            & UnionBenefitUse.person.is_in(persons)
            & (UnionBenefitUse.status != "released")
        )
        .run()
    )
    for r in rows:
        found[(r["benefit"], r["person"])][r["status"]] += r["quantity"]
    return found


async def _changed(row: dict[str, Any], what: str, changes: dict[str, Any]) -> None:
    await record_audit(
        f"union.benefit.{what}",
        resource_type="union.benefit",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes=changes,
    )
    await emit(
        sig.BENEFIT_CHANGED,
        sig.BenefitChanged(benefit_id=str(row["id"]), org_id=str(row["org"]), what=what),
        resource_type="union.benefit",
        resource_id=row["id"],
        org_path=row["org_path"],
    )


def _year(request: Request, year: int | None) -> int:
    """The year asked for (422 outside 2000–2100), or this year in the platform's time zone."""
    if year is None:
        return datetime.now(ZoneInfo(request.app.state.settings.timezone)).year
    if not 2000 <= year <= 2100:
        raise invalid("/year", "union_year")
    return year


async def member_benefits(person_id: Any, path: str, year: int) -> list[UnionMemberBenefit]:
    """The programmes of ``year`` declared by the member's union or any union above it, with their use."""
    # Every prefix of the path: the union's own path and its ancestors' are among them.
    prefixes = [path[:i] for i in range(1, len(path) + 1)]
    rows = (
        await UnionBenefit.select()
        .where(UnionBenefit.org_path.is_in(prefixes) & (UnionBenefit.year == year))
        .order_by(UnionBenefit.org_path)
        .order_by(UnionBenefit.name)
        .run()
    )
    names = await _org_names({r["org"] for r in rows})
    balances = {
        b["benefit"]: b["used"]
        for b in await UnionBenefitBalance.select(UnionBenefitBalance.benefit, UnionBenefitBalance.used)
        .where(
            (UnionBenefitBalance.person == person_id)
            & UnionBenefitBalance.benefit.is_in([r["id"] for r in rows] or [uuid4()])
        )
        .run()
    }
    uses = await _uses([r["id"] for r in rows], [person_id])
    out = []
    for r in rows:
        held = balances.get(r["id"], 0)
        counts = uses.get((r["id"], person_id), {})
        out.append(
            UnionMemberBenefit(
                benefit=_out(r, names.get(r["org"], "")),
                held=held,
                pending=counts.get("pending", 0),
                granted=counts.get("granted", 0),
                used=counts.get("used", 0),
                remaining=max(0, r["quota"] - held),
            )
        )
    return out


class UnionBenefitController(Controller):
    path = "/"
    tags = ["union"]  # noqa: RUF012

    @post(
        "/orgs/{org_id:uuid}/benefits",
        opt={"permission": P.BENEFIT_MANAGE},
        summary="设立会员福利项目",
        description="总工会或基层工会设立某年度的会员福利项目（职工疗休养、节日慰问、健康体检等），规定每名会员的年度额度（次数，或以分计的金额）；本工会及下级工会的在册会员可申请。",
        summary_en="Declare a member benefit",
        description_en="A federation or grassroots union declares a benefit for a year (rest trips, festival gifts, health checks…) with each member's quota (times, or an amount in fen); current members of its subtree may apply.",
    )
    async def union_create_benefit(
        self, request: Request, org_id: FromPath[UUID], data: JSONBody[UnionBenefitIn]
    ) -> Response[UnionBenefitOut]:
        principal = current_principal(request)
        org = await org_in_reach(
            principal, P.BENEFIT_MANAGE, org_id, kinds=UNION_KINDS, code="union_union_only"
        )
        now = datetime.now(UTC)
        async with transaction():
            row = {
                "id": uuid4(),
                "org": org["id"],
                "org_path": org["path"],
                "year": data.year,
                "name": data.name,
                "category": data.category,
                "measure": data.measure,
                "quota": data.quota,
                "description": data.description,
                "status": "open",
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            await UnionBenefit.insert(UnionBenefit(**row)).run()
            await _changed(row, "declared", {"year": data.year, "quota": data.quota, "measure": data.measure})
        return Response(_out(row, org["name"]), status_code=201, headers=etag(1))

    @get(
        "/orgs/{org_id:uuid}/benefits",
        opt={"permission": P.BENEFIT_READ},
        summary="会员福利项目列表",
        description="组织及其下级工会设立的会员福利项目，可按年度筛选，按年度倒序；权限范围外的组织答复 404。",
        summary_en="Member benefits",
        description_en="The benefit programmes of an org's subtree, optionally of one year, latest year first; 404 outside reach.",
    )
    async def union_list_benefits(
        self, request: Request, page: PageParam, org_id: FromPath[UUID], year: FromQuery[int | None] = None
    ) -> Page[UnionBenefitOut]:
        principal = current_principal(request)
        org = await org_in_reach(principal, P.BENEFIT_READ, org_id)
        low, high = subtree_bounds(org["path"])
        clause = reach_clause(UnionBenefit.org_path, principal.reach(P.BENEFIT_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = UnionBenefit.select().where(
            (UnionBenefit.org_path >= low) & (UnionBenefit.org_path < high) & clause
        )
        if year is not None:
            query = query.where(UnionBenefit.year == _year(request, year))
        rows, cursor = await paginate(query, [UnionBenefit.year, UnionBenefit.id], page, descending=True)
        names = await _org_names({r["org"] for r in rows})
        return Page(items=[_out(r, names.get(r["org"], "")) for r in rows], next_cursor=cursor)

    @get(
        "/benefits/{benefit_id:uuid}",
        opt={"permission": P.BENEFIT_READ},
        summary="会员福利项目",
        description="一个福利项目：年度、类别、每人额度与是否接受申请；设立工会或其下级工会的干部可见。",
        summary_en="A member benefit",
        description_en="One benefit programme: year, category, quota per member and whether it takes applications; readable by cadres of its union and the unions below.",
    )
    async def union_get_benefit(
        self, request: Request, benefit_id: FromPath[UUID]
    ) -> Response[UnionBenefitOut]:
        row = await _benefit(benefit_id, current_principal(request), P.BENEFIT_READ)
        names = await _org_names({row["org"]})
        return Response(_out(row, names.get(row["org"], "")), headers=etag(row["version"]))

    @patch(
        "/benefits/{benefit_id:uuid}",
        opt={"permission": P.BENEFIT_MANAGE},
        summary="修改会员福利项目（须 If-Match）",
        description="修改名称、每人额度、说明，或停止/恢复接受申请；已提出的申请不受影响。",
        summary_en="Change a member benefit (If-Match)",
        description_en="Changes the name, the quota per member, the description, or closes and reopens applications; applications made stay.",
    )
    async def union_update_benefit(
        self,
        request: Request,
        benefit_id: FromPath[UUID],
        data: JSONBody[UnionBenefitUpdate],
        if_match: IfMatch = None,
    ) -> Response[UnionBenefitOut]:
        principal = current_principal(request)
        async with transaction():
            row = await _benefit(benefit_id, principal, P.BENEFIT_MANAGE)
            check_version(row, if_match)
            fields = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
            columns = {getattr(UnionBenefit, k): v for k, v in fields.items()}
            columns[UnionBenefit.version] = row["version"] + 1
            columns[UnionBenefit.updated_at] = datetime.now(UTC)
            await UnionBenefit.update(columns).where(UnionBenefit.id == row["id"]).run()
            row = await _benefit(benefit_id, principal, P.BENEFIT_MANAGE)
            await _changed(row, "changed", fields)
        names = await _org_names({row["org"]})
        return Response(_out(row, names.get(row["org"], "")), headers=etag(row["version"]))

    @get(
        "/benefits/{benefit_id:uuid}/usage",
        opt={"permission": P.BENEFIT_READ},
        summary="会员福利使用情况",
        description="一个福利项目在其年度内每名已申请会员的额度占用：待批、已批、已享受与剩余；只列出调用者权限范围内工会的会员。",
        summary_en="Use of a member benefit",
        description_en="Per member who applied: quota held (pending, approved, enjoyed) and what remains in the programme's year; only members of unions within the caller's reach.",
    )
    async def union_benefit_usage(
        self, request: Request, page: PageParam, benefit_id: FromPath[UUID]
    ) -> Page[UnionBenefitUsage]:
        principal = current_principal(request)
        benefit = await _benefit(benefit_id, principal, P.BENEFIT_READ)
        clause = reach_clause(UnionBenefitBalance.org_path, principal.reach(P.BENEFIT_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = UnionBenefitBalance.select().where((UnionBenefitBalance.benefit == benefit["id"]) & clause)
        rows, cursor = await paginate(query, [UnionBenefitBalance.id], page)
        persons = [r["person"] for r in rows]
        names = {
            p["id"]: p["name"]
            for p in await Person.select(Person.id, Person.name)
            .where(Person.id.is_in(persons or [uuid4()]))
            .run()
        }
        cards = {
            m["person"]: m["card_number"]
            for m in await UnionMember.select(UnionMember.person, UnionMember.card_number)
            .where(UnionMember.person.is_in(persons or [uuid4()]))
            .run()
        }
        uses = await _uses([benefit["id"]], persons)
        items = []
        for r in rows:
            counts = uses.get((benefit["id"], r["person"]), {})
            items.append(
                UnionBenefitUsage(
                    benefit_id=benefit["id"],
                    person_id=r["person"],
                    name=names.get(r["person"], ""),
                    card_number=cards.get(r["person"], ""),
                    quota=benefit["quota"],
                    held=r["used"],
                    pending=counts.get("pending", 0),
                    granted=counts.get("granted", 0),
                    used=counts.get("used", 0),
                    remaining=max(0, benefit["quota"] - r["used"]),
                )
            )
        return Page(items=items, next_cursor=cursor)

    @get(
        "/members/{person_id:uuid}/benefits",
        opt={"permission": P.BENEFIT_READ},
        summary="会员的年度福利",
        description="一名在册会员在某年度（默认本年）可申请的福利项目（本工会及上级工会设立）及其额度占用与剩余；会员不在权限范围内答复 404。",
        summary_en="A member's benefits for a year",
        description_en="The programmes of a year (this year by default) open to a current member — declared by their union or a union above — with their quota held and left; 404 outside reach.",
    )
    async def union_member_benefits(
        self, request: Request, person_id: FromPath[UUID], year: FromQuery[int | None] = None
    ) -> list[UnionMemberBenefit]:
        principal = current_principal(request)
        path = await active_member_path(person_id)
        if path is None or not within(path, principal.reach(P.BENEFIT_READ)):
            raise Problem("not-found")
        return await member_benefits(person_id, path, _year(request, year))

    @get(
        "/me/benefits",
        opt={"policy": "self"},
        summary="我的年度福利（会员本人）",
        description="调用者本人作为在册会员在某年度（默认本年）可申请的福利项目及其额度占用与剩余；不是在册会员时为空列表。",
        summary_en="My benefits for a year (as a member)",
        description_en="The programmes of a year (this year by default) open to the caller as a current member, with their quota held and left; empty for anyone who is no current member.",
    )
    async def union_my_benefits(
        self, request: Request, year: FromQuery[int | None] = None
    ) -> list[UnionMemberBenefit]:
        me = current_principal(request).person_id
        path = await active_member_path(me) if me is not None else None
        if path is None:
            return []
        return await member_benefits(me, path, _year(request, year))
