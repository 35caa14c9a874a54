"""``/api/v1/union/members``: member files (会员档案) — register, list with dues status, change, leave."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.sdk import (
    Membership,
    Page,
    PageParam,
    Person,
    Problem,
    add_membership,
    current_principal,
    emit,
    encode_cursor,
    end_membership,
    fetch_rows,
    person_visible,
    reach_sql,
    record_audit,
    subtree_bounds,
    transaction,
    within,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.common import Fen, IfMatch, Month, check_month, etag, org_in_reach
from plugins.union.membership import EMPLOYMENTS, MEMBER_KINDS
from plugins.union.problems import NOT_A_MEMBER, check_version, invalid
from plugins.union.tables import UnionMember

Employment = Literal[EMPLOYMENTS]  # type: ignore[valid-type]
Exemption = Literal["", "hardship", "unemployed", "no_income", "retired"]
Card = Annotated[str, msgspec.Meta(pattern=r"^\d{8,20}$")]


class UnionMemberRegister(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A cadre registers a person the union can see as a member (会员登记)."""

    org_id: UUID
    person_id: UUID
    card_number: Card | None = None
    employment: Employment = "employee"
    employer_name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    employer_unit_id: UUID | None = None
    monthly_wage: Fen | None = None
    floating: bool = False
    dues_exemption: Exemption = ""


class UnionMemberUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields to change (send ``If-Match``); absent fields stay."""

    employment: Employment | None = None
    employer_name: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    employer_unit_id: UUID | None = None
    monthly_wage: Fen | None = None
    floating: bool | None = None
    dues_exemption: Exemption | None = None


class UnionMemberLeave(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Literal["retired", "left_job", "resigned", "deceased", "other"]


class UnionMemberFile(msgspec.Struct, kw_only=True):
    person_id: UUID
    name: str
    card_number: str
    org_id: UUID
    org_name: str
    active: bool
    employment: str
    employer_name: str
    employer_unit_id: UUID | None
    monthly_wage: int | None
    floating: bool
    dues_exemption: str
    joined_via: str
    left_reason: str
    version: int


class UnionMemberRow(msgspec.Struct, kw_only=True):
    """One line of the members list: the member and their dues that month, with arrears."""

    person_id: UUID
    name: str
    card_number: str
    org_id: UUID
    org_name: str
    employment: str
    floating: bool
    month: str
    #: due, paid, partial, exempt, or unassessed (no dues recorded for the month).
    dues_status: str
    dues_due: int
    dues_paid: int
    arrears_months: int
    arrears_amount: int


LIST_SQL = """
SELECT u.person, p.name, u.card_number, u.org, o.name AS org_name, u.employment, u.floating,
       d.status AS dues_status, d.due, d.paid,
       (SELECT COUNT(*) FROM union_dues a WHERE a.person = u.person AND a.status IN ('due', 'partial')) AS arrears_months,
       (SELECT COALESCE(SUM(a.due - a.paid), 0) FROM union_dues a WHERE a.person = u.person AND a.status IN ('due', 'partial')) AS arrears_amount
FROM union_member u
JOIN core_membership m ON m.person = u.person AND m.org = u.org AND m.status = 'active' AND m.role = 'member'
JOIN core_org o ON o.id = u.org
JOIN core_person p ON p.id = u.person
LEFT JOIN union_dues d ON d.person = u.person AND d.month = {}
WHERE u.org_path >= {} AND u.org_path < {} AND ({reach}){after}
ORDER BY u.card_number
LIMIT {}
"""


async def list_members(
    principal: Any, org_id: UUID, month: str, limit: int, cursor: str | None
) -> tuple[list[UnionMemberRow], str | None]:
    """A subtree's current members with their dues status that month, 20 a page, in card-number order."""
    org = await org_in_reach(principal, P.MEMBER_READ, org_id)
    args: list[Any] = [month, *subtree_bounds(org["path"])]
    reach = reach_sql("u.org_path", principal.reach(P.MEMBER_READ), args)
    if reach is None:
        return [], None
    after = ""
    if cursor:
        args.append(str(cursor[0]))
        after = " AND u.card_number > {}"
    args.append(limit + 1)
    sql = LIST_SQL.replace("{reach}", reach).replace("{after}", after)
    rows = await fetch_rows(UnionMember, sql, args)
    items = [
        UnionMemberRow(
            person_id=UUID(str(r["person"])),
            name=r["name"],
            card_number=r["card_number"],
            org_id=UUID(str(r["org"])),
            org_name=r["org_name"],
            employment=r["employment"],
            floating=bool(r["floating"]),
            month=month,
            dues_status=r["dues_status"] or "unassessed",
            dues_due=int(r["due"] or 0),
            dues_paid=int(r["paid"] or 0),
            arrears_months=int(r["arrears_months"] or 0),
            arrears_amount=int(r["arrears_amount"] or 0),
        )
        for r in rows[:limit]
    ]
    next_cursor = encode_cursor([items[-1].card_number]) if len(rows) > limit else None
    return items, next_cursor


async def _file(person_id: UUID, principal: Any, permission: str) -> tuple[dict[str, Any], bool]:
    """The member file within reach (404 otherwise) and whether the membership is active."""
    row = await UnionMember.select().where(UnionMember.person == person_id).first().run()
    if row is None or not within(row["org_path"], principal.reach(permission)):
        raise Problem("not-found")
    active = (
        await Membership.exists()
        .where(
            (Membership.person == person_id)
            & (Membership.org == row["org"])
            & (Membership.status == "active")
        )
        .run()
    )
    return row, bool(active)


async def _out(row: dict[str, Any], active: bool) -> UnionMemberFile:
    from core.sdk import Org

    person = await Person.select(Person.name).where(Person.id == row["person"]).first().run()
    org = await Org.select(Org.name).where(Org.id == row["org"]).first().run()
    return UnionMemberFile(
        person_id=row["person"],
        name=(person or {}).get("name", ""),
        card_number=row["card_number"],
        org_id=row["org"],
        org_name=(org or {}).get("name", ""),
        active=active,
        employment=row["employment"],
        employer_name=row["employer_name"],
        employer_unit_id=row["employer_unit"],
        monthly_wage=row["monthly_wage"],
        floating=row["floating"],
        dues_exemption=row["dues_exemption"],
        joined_via=row["joined_via"],
        left_reason=row["left_reason"],
        version=row["version"],
    )


async def _signal(signal: Any, action: str, row: dict[str, Any], changes: dict[str, Any]) -> None:
    await record_audit(
        action,
        resource_type="union.member",
        resource_id=row["person"],
        org_path=row["org_path"],
        changes=changes,
    )
    await emit(
        signal,
        sig.MemberChanged(
            person_id=str(row["person"]), org_id=str(row["org"]), card_number=row["card_number"]
        ),
        resource_type="union.member",
        resource_id=row["person"],
        org_path=row["org_path"],
    )


class UnionMemberController(Controller):
    path = "/members"
    tags = ["union"]  # noqa: RUF012

    @post(
        "/",
        opt={"permission": P.MEMBER_MANAGE},
        summary="登记会员",
        description="把调用者可见的人员登记为基层工会会员：建立会员关系和会员档案，未给出会员证号时按地区码生成全国唯一的证号。",
        summary_en="Register a member",
        description_en="Registers a person the caller can see as a member of a grassroots union: the membership and the member file; a card number unique nationwide is generated when none is given.",
    )
    async def union_register_member(
        self, request: Request, data: JSONBody[UnionMemberRegister]
    ) -> Response[UnionMemberFile]:
        principal = current_principal(request)
        org = await org_in_reach(principal, P.MEMBER_MANAGE, data.org_id, kinds=MEMBER_KINDS)
        state = request.app.state
        if not await person_visible(principal, P.MEMBER_MANAGE, data.person_id, state.settings.timezone):
            raise invalid("/person_id", "invalid")
        async with transaction():
            extra = {"card_number": data.card_number} if data.card_number else {}
            await add_membership(
                state.plugin_manager, org_id=org["id"], person_id=data.person_id, extra=extra
            )
            await (
                UnionMember.update(
                    {
                        UnionMember.employment: data.employment,
                        UnionMember.employer_name: data.employer_name,
                        UnionMember.employer_unit: data.employer_unit_id,
                        UnionMember.monthly_wage: data.monthly_wage,
                        UnionMember.floating: data.floating,
                        UnionMember.dues_exemption: data.dues_exemption,
                        UnionMember.joined_via: "register",
                    }
                )
                .where(UnionMember.person == data.person_id)
                .run()
            )
            row, active = await _file(data.person_id, principal, P.MEMBER_MANAGE)
            await _signal(
                sig.MEMBER_REGISTERED, "union.member.registered", row, {"via": "register", "org": org["id"]}
            )
        return Response(await _out(row, active), status_code=201, headers=etag(row["version"]))

    @get(
        "/",
        opt={"permission": P.MEMBER_READ},
        summary="会员列表（含会费状态）",
        description="组织及其下级的在册会员，按会员证号排序，每页 20 条；列出所选月份（默认本月）的会费状态、应缴、已缴与历月欠缴。",
        summary_en="Members with their dues status",
        description_en="Current members of an org's subtree in card-number order, 20 a page, with the chosen month's dues (this month by default) and their arrears.",
    )
    async def union_list_members(
        self, request: Request, page: PageParam, org: FromQuery[UUID], month: FromQuery[Month | None] = None
    ) -> Page[UnionMemberRow]:
        items, cursor = await list_members(
            current_principal(request),
            org,
            check_month(month, "/month", timezone=request.app.state.settings.timezone),
            page.limit,
            page.after,
        )
        return Page(items=items, next_cursor=cursor)

    @get(
        "/{person_id:uuid}",
        opt={"permission": P.MEMBER_READ},
        summary="会员档案",
        description="一名会员的档案：会员证号、所在工会、就业形态、月工资、是否流动会员与免缴类别；权限范围外答复 404。",
        summary_en="A member's file",
        description_en="One member's file: card number, union, employment, wage, floating status and exemption; 404 outside reach.",
    )
    async def union_get_member(
        self, request: Request, person_id: FromPath[UUID]
    ) -> Response[UnionMemberFile]:
        row, active = await _file(person_id, current_principal(request), P.MEMBER_READ)
        return Response(await _out(row, active), headers=etag(row["version"]))

    @patch(
        "/{person_id:uuid}",
        opt={"permission": P.MEMBER_MANAGE},
        summary="修改会员档案（须 If-Match）",
        description="修改就业形态、用人单位、月工资、流动会员标记或免缴类别。",
        summary_en="Change a member's file (If-Match)",
        description_en="Changes the employment, employer, wage, floating flag or dues exemption.",
    )
    async def union_update_member(
        self,
        request: Request,
        person_id: FromPath[UUID],
        data: JSONBody[UnionMemberUpdate],
        if_match: IfMatch = None,
    ) -> Response[UnionMemberFile]:
        principal = current_principal(request)
        async with transaction():
            row, active = await _file(person_id, principal, P.MEMBER_MANAGE)
            check_version(row, if_match)
            fields = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
            if "employer_unit_id" in fields:
                fields["employer_unit"] = fields.pop("employer_unit_id")
            columns = {getattr(UnionMember, k): v for k, v in fields.items()}
            columns[UnionMember.version] = row["version"] + 1
            columns[UnionMember.updated_at] = datetime.now(UTC)
            await UnionMember.update(columns).where(UnionMember.id == row["id"]).run()
            row, active = await _file(person_id, principal, P.MEMBER_MANAGE)
            await _signal(sig.MEMBER_UPDATED, "union.member.updated", row, {"fields": sorted(fields)})
        return Response(await _out(row, active), headers=etag(row["version"]))

    @post(
        "/{person_id:uuid}/leave",
        opt={"permission": P.MEMBER_MANAGE},
        status_code=200,
        summary="退会",
        description="结束会员的工会会籍并记录原因（退休、离职、主动退会、去世等）；档案与会费历史保留。",
        summary_en="Leave the union",
        description_en="Ends the member's union membership with a reason; the file and the dues history are kept.",
    )
    async def union_member_leave(
        self, request: Request, person_id: FromPath[UUID], data: JSONBody[UnionMemberLeave]
    ) -> UnionMemberFile:
        principal = current_principal(request)
        async with transaction():
            row, active = await _file(person_id, principal, P.MEMBER_MANAGE)
            if not active:
                raise Problem(NOT_A_MEMBER)
            membership = (
                await Membership.select(Membership.id)
                .where(
                    (Membership.person == person_id)
                    & (Membership.org == row["org"])
                    & (Membership.status == "active")
                )
                .first()
                .run()
            )
            await end_membership(membership["id"])
            await (
                UnionMember.update(
                    {
                        UnionMember.left_reason: data.reason,
                        UnionMember.version: row["version"] + 1,
                        UnionMember.updated_at: datetime.now(UTC),
                    }
                )
                .where(UnionMember.id == row["id"])
                .run()
            )
            row, active = await _file(person_id, principal, P.MEMBER_MANAGE)
            await _signal(sig.MEMBER_LEFT, "union.member.left", row, {"reason": data.reason})
        return await _out(row, active)
