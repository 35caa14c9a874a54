"""Academic societies' members (学会会员): individuals and units, with numbers, grades, terms and dues.

A society keeps its own roll beside the core's membership: a member has a number unique in the society,
a grade (会员, 高级会员, 会士; 理事单位, 会员单位), a term (会籍有效期) renewed by changing it, and yearly
dues recorded once per year (``paid_through`` follows the latest year paid). ``GET …/dues`` sums a year.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from core.sdk import (
    Page,
    PageParam,
    Problem,
    Text,
    emit,
    paginate,
    record_audit,
    register_field_code,
    search_fold,
    search_initials,
    search_term,
    transaction,
    within,
)
from plugins.scitech.common import (
    IfMatch,
    check_if_match,
    check_person,
    local_today,
    name_schemas,
    now,
    org_within,
    reaches,
    tagged,
)
from plugins.scitech.permissions import SOCIETY_MANAGE, SOCIETY_READ
from plugins.scitech.signals import DUES_PAID, SOCIETY_MEMBER_CHANGED, SOCIETY_MEMBER_JOINED, RecordSignal
from plugins.scitech.tables import ScitechSocietyDues, ScitechSocietyMember

SOCIETY = ("scitech.society",)
Amount = Annotated[str, msgspec.Meta(pattern=r"^\d{1,7}(\.\d{1,2})?$", max_length=10)]
MemberNo = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9-]{1,32}$")]
Grade = Literal["member", "senior", "fellow", "council", "unit"]
INDIVIDUAL_GRADES = ("member", "senior", "fellow")
GROUP_GRADES = ("council", "unit")

TAKEN = register_field_code(
    "scitech_member_no_taken",
    Text(zh_hans="该会员编号已被使用", zh_hant="該會員編號已被使用", en="The member number is taken"),
)
GRADE_KIND = register_field_code(
    "scitech_grade_for_kind",
    Text(
        zh_hans="个人会员与单位会员的级别不同",
        zh_hant="個人會員與單位會員的級別不同",
        en="Individual and group members have different grades",
    ),
)
BAD_TERM = register_field_code(
    "scitech_bad_term",
    Text(
        zh_hans="会籍期限须晚于开始日期",
        zh_hant="會籍期限須晚於開始日期",
        en="The term must end after it starts",
    ),
)
PERSON_FOR_GROUP = register_field_code(
    "scitech_person_for_group",
    Text(
        zh_hans="单位会员不关联个人",
        zh_hant="單位會員不關聯個人",
        en="A group member is not linked to a person",
    ),
)
PAID = register_field_code(
    "scitech_dues_paid",
    Text(zh_hans="该年度会费已缴纳", zh_hant="該年度會費已繳納", en="That year's dues are already paid"),
)
OUT_OF_TERM = register_field_code(
    "scitech_year_out_of_term",
    Text(
        zh_hans="该年度不在会籍期限内",
        zh_hant="該年度不在會籍期限內",
        en="The year is outside the member's term",
    ),
)


class MemberCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: Literal["individual", "group"]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    member_no: MemberNo
    grade: Grade
    joined_on: dt.date
    term_start: dt.date
    term_end: dt.date
    dues: Amount = "0"
    person: uuid.UUID | None = None


class MemberUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Renew the term, change the grade or dues, or end the membership (send ``If-Match``)."""

    grade: Grade | msgspec.UnsetType = msgspec.UNSET
    term_end: dt.date | msgspec.UnsetType = msgspec.UNSET
    dues: Amount | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "lapsed", "withdrawn"] | msgspec.UnsetType = msgspec.UNSET


class Member(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    society: uuid.UUID
    kind: str
    person: uuid.UUID | None
    name: str
    member_no: str
    grade: str
    joined_on: dt.date
    term_start: dt.date
    term_end: dt.date
    dues: str
    paid_through: int | None
    #: Whether the term covers today and the membership is active.
    current: bool
    status: str
    version: int


class DuesCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    amount: Amount
    paid_on: dt.date


class DuesPayment(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    member: uuid.UUID
    year: int
    amount: str
    paid_on: dt.date


class DuesSummary(msgspec.Struct, kw_only=True):
    society: uuid.UUID
    year: int
    #: Active members whose term covers the year, how many paid, and the sum paid (yuan).
    members: int
    paid: int
    unpaid: int
    amount: str


def _member(row: dict[str, Any]) -> Member:
    today = local_today()
    current = row["status"] == "active" and row["term_start"] <= today <= row["term_end"]
    return Member(**{f: row[f] for f in Member.__struct_fields__ if f != "current"}, current=current)


def _check(kind: str, grade: str, start: dt.date, end: dt.date) -> None:
    if grade not in (INDIVIDUAL_GRADES if kind == "individual" else GROUP_GRADES):
        raise Problem.invalid(("/grade", GRADE_KIND))
    if end <= start:
        raise Problem.invalid(("/term_end", BAD_TERM))


async def _load(
    request: Request[Any, Any, Any], society_member_id: uuid.UUID, permission: str
) -> dict[str, Any]:
    row = (
        await ScitechSocietyMember.select().where(ScitechSocietyMember.id == society_member_id).first().run()
    )
    if row is None or not within(row["org_path"], reaches(request, permission)):
        raise Problem("not-found")
    return dict(row)


async def _signal(signal: Any, row: dict[str, Any], action: str, **changes: Any) -> None:
    await record_audit(
        action,
        resource_type="scitech.society_member",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes=changes or None,
    )
    await emit(
        signal,
        RecordSignal(id=str(row["id"]), org=str(row["society"])),
        resource_type="scitech.society_member",
        resource_id=row["id"],
        org_path=row["org_path"],
    )


class SocietyController(Controller):
    path = "/societies"

    @get(
        "/{society_id:uuid}/members",
        opt={"permission": SOCIETY_READ},
        summary="学会会员",
        description="学会的个人会员与单位会员，可按类型、状态与姓名或单位名（简繁体、拼音首字母）检索。",
        summary_en="A society's members",
        description_en="A society's individual and group members, by kind, status and name (either "
        "script, pinyin initials).",
    )
    async def list_scitech_society_members(
        self,
        request: Request[Any, Any, Any],
        society_id: FromPath[uuid.UUID],
        page: PageParam,
        kind: FromQuery[Literal["individual", "group"] | None] = None,
        status: FromQuery[Literal["active", "lapsed", "withdrawn"] | None] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Page[Member]:
        await org_within(request, society_id, SOCIETY_READ, kinds=SOCIETY, pointer="/society_id")
        query = ScitechSocietyMember.select().where(ScitechSocietyMember.society == society_id)
        if kind is not None:
            query = query.where(ScitechSocietyMember.kind == kind)
        if status is not None:
            query = query.where(ScitechSocietyMember.status == status)
        if q:
            term = search_term(q)
            if term:
                query = query.where(ScitechSocietyMember.search_text.like(f"%{term}%"))
        rows, cursor = await paginate(query, [ScitechSocietyMember.created_at, ScitechSocietyMember.id], page)
        return Page(items=[_member(r) for r in rows], next_cursor=cursor)

    @post(
        "/{society_id:uuid}/members",
        opt={"permission": SOCIETY_MANAGE},
        summary="发展学会会员",
        description="为学会登记个人会员或单位会员：会员编号在学会内唯一，级别须与类型相符；"
        "个人会员关联的人员（person）须在调用者权限范围内。",
        summary_en="Enrol a society member",
        description_en="Enrols an individual or group member; the number is unique in the society, "
        "the grade must fit the kind, and an individual's linked person must be within the caller's reach.",
    )
    async def add_scitech_society_member(
        self, request: Request[Any, Any, Any], society_id: FromPath[uuid.UUID], data: JSONBody[MemberCreate]
    ) -> Response[Member]:
        society = await org_within(request, society_id, SOCIETY_MANAGE, kinds=SOCIETY, pointer="/society_id")
        _check(data.kind, data.grade, data.term_start, data.term_end)
        if data.person is not None:
            if data.kind == "group":
                raise Problem.invalid(("/person", PERSON_FOR_GROUP))
            await check_person(request, SOCIETY_MANAGE, data.person, "/person")
        at = now()
        name = " ".join(data.name.split())
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "society": society_id,
            "org_path": society["path"],
            "kind": data.kind,
            "person": data.person,
            "name": name,
            "search_text": f"{search_fold(name)}|{search_initials(name)}|{data.member_no.lower()}"[:400],
            "member_no": data.member_no,
            "grade": data.grade,
            "joined_on": data.joined_on,
            "term_start": data.term_start,
            "term_end": data.term_end,
            "dues": str(Decimal(data.dues)),
            "paid_through": None,
            "status": "active",
            "version": 1,
            "created_at": at,
            "updated_at": at,
        }
        async with transaction():
            taken = (
                await ScitechSocietyMember.exists()
                .where(
                    (ScitechSocietyMember.society == society_id)
                    & (ScitechSocietyMember.member_no == data.member_no)
                )
                .run()
            )
            if taken:
                raise Problem.invalid(("/member_no", TAKEN))
            await ScitechSocietyMember.insert(ScitechSocietyMember(**row)).run()
            await _signal(SOCIETY_MEMBER_JOINED, row, "scitech.society_member.joined", kind=data.kind)
        return tagged(_member(row), 1, 201)

    @get(
        "/{society_id:uuid}/dues",
        opt={"permission": SOCIETY_READ},
        summary="学会会费年度汇总",
        description="某年度会籍期内的在册会员数、已缴与未缴人数及会费合计。",
        summary_en="A society's dues for a year",
        description_en="Members whose term covers the year, how many paid and the sum of dues paid.",
    )
    async def scitech_society_dues(
        self,
        request: Request[Any, Any, Any],
        society_id: FromPath[uuid.UUID],
        year: Annotated[int, QueryParameter(ge=2000, le=2100)],
    ) -> DuesSummary:
        await org_within(request, society_id, SOCIETY_READ, kinds=SOCIETY, pointer="/society_id")
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        members = (
            await ScitechSocietyMember.select(ScitechSocietyMember.id)
            .where(
                (ScitechSocietyMember.society == society_id)
                & (ScitechSocietyMember.status == "active")
                & (ScitechSocietyMember.term_start <= last)
                & (ScitechSocietyMember.term_end >= first)
            )
            .run()
        )
        paid = (
            await ScitechSocietyDues.select(ScitechSocietyDues.member, ScitechSocietyDues.amount)
            .where((ScitechSocietyDues.society == society_id) & (ScitechSocietyDues.year == year))
            .run()
        )
        ids = {m["id"] for m in members}
        paying = {p["member"] for p in paid} & ids
        total = sum((Decimal(p["amount"]) for p in paid), Decimal("0"))
        return DuesSummary(
            society=society_id,
            year=year,
            members=len(ids),
            paid=len(paying),
            unpaid=len(ids - paying),
            amount=f"{total:.2f}",
        )


class SocietyMemberController(Controller):
    path = "/society-members"

    @get(
        "/{society_member_id:uuid}",
        opt={"permission": SOCIETY_READ},
        summary="查看学会会员",
        description="一位学会会员；不在权限范围内的与不存在的一样答复 404。",
        summary_en="A society member",
        description_en="One society member; one outside reach is answered 404, like a missing one.",
    )
    async def get_scitech_society_member(
        self, request: Request[Any, Any, Any], society_member_id: FromPath[uuid.UUID]
    ) -> Response[Member]:
        row = await _load(request, society_member_id, SOCIETY_READ)
        return tagged(_member(row), row["version"])

    @patch(
        "/{society_member_id:uuid}",
        opt={"permission": SOCIETY_MANAGE},
        summary="续期或变更学会会员（须 If-Match）",
        description="续延会籍期限、调整级别或会费，或办理退会、失效。",
        summary_en="Renew or change a society member (If-Match)",
        description_en="Extends the term, changes the grade or dues, or ends the membership.",
    )
    async def update_scitech_society_member(
        self,
        request: Request[Any, Any, Any],
        society_member_id: FromPath[uuid.UUID],
        data: JSONBody[MemberUpdate],
        if_match: IfMatch = None,
    ) -> Response[Member]:
        async with transaction():
            row = await _load(request, society_member_id, SOCIETY_MANAGE)
            check_if_match(row, if_match)
            changes = {
                f: getattr(data, f)
                for f in ("grade", "term_end", "dues", "status")
                if getattr(data, f) is not msgspec.UNSET
            }
            if "dues" in changes:
                changes["dues"] = str(Decimal(changes["dues"]))
            merged = {**row, **changes}
            _check(merged["kind"], merged["grade"], merged["term_start"], merged["term_end"])
            changes["version"] = row["version"] + 1
            changes["updated_at"] = now()
            updated = (
                await ScitechSocietyMember.update(
                    {getattr(ScitechSocietyMember, k): v for k, v in changes.items()}
                )
                .where(
                    (ScitechSocietyMember.id == society_member_id)
                    & (ScitechSocietyMember.version == row["version"])
                )
                .returning(ScitechSocietyMember.id)
                .run()
            )
            if not updated:  # changed by another request since it was read
                raise Problem("precondition-failed")
            merged.update(changes)
            fields = sorted(k for k in changes if k not in ("version", "updated_at"))
            await _signal(SOCIETY_MEMBER_CHANGED, merged, "scitech.society_member.changed", fields=fields)
        return tagged(_member(merged), merged["version"])

    @post(
        "/{society_member_id:uuid}/dues",
        opt={"permission": SOCIETY_MANAGE},
        summary="登记会费",
        description="登记会员某一年度的会费；每年一次，年度须在会籍期限内。",
        summary_en="Record dues paid",
        description_en="Records a member's dues for a year: once a year, within the member's term.",
    )
    async def pay_scitech_society_dues(
        self,
        request: Request[Any, Any, Any],
        society_member_id: FromPath[uuid.UUID],
        data: JSONBody[DuesCreate],
    ) -> Response[DuesPayment]:
        async with transaction():
            row = await _load(request, society_member_id, SOCIETY_MANAGE)
            if not row["term_start"].year <= data.year <= row["term_end"].year:
                raise Problem.invalid(("/year", OUT_OF_TERM))
            if data.paid_on > local_today():
                raise Problem.invalid(("/paid_on", "scitech_future_date"))
            exists = (
                await ScitechSocietyDues.exists()
                .where(
                    (ScitechSocietyDues.member == society_member_id) & (ScitechSocietyDues.year == data.year)
                )
                .run()
            )
            if exists:
                raise Problem.invalid(("/year", PAID))
            payment = {
                "id": uuid.uuid4(),
                "member": society_member_id,
                "society": row["society"],
                "org_path": row["org_path"],
                "year": data.year,
                "amount": str(Decimal(data.amount)),
                "paid_on": data.paid_on,
            }
            await ScitechSocietyDues.insert(ScitechSocietyDues(**payment)).run()
            through = max(row["paid_through"] or 0, data.year)
            await (
                ScitechSocietyMember.update(
                    {
                        ScitechSocietyMember.paid_through: through,
                        ScitechSocietyMember.version: row["version"] + 1,
                        ScitechSocietyMember.updated_at: now(),
                    }
                )
                .where(ScitechSocietyMember.id == society_member_id)
                .run()
            )
            await _signal(
                DUES_PAID, row, "scitech.society_member.dues_paid", year=data.year, amount=payment["amount"]
            )
        return Response(
            DuesPayment(**{f: payment[f] for f in DuesPayment.__struct_fields__}), status_code=201
        )


ROUTES = [SocietyController, SocietyMemberController]

name_schemas(globals())
