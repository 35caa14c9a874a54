"""``/api/v1/youth/…``: the League register, development plans, annual registration, 团员报到, graduation
and the age-out reports. Every route is limited to the caller's reach on the org tree (outside: 404)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, patch, post, put
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from core.sdk import (
    Membership,
    Org,
    Page,
    PageParam,
    PageRequest,
    Problem,
    Text,
    current_principal,
    emit,
    encode_cursor,
    end_membership,
    paginate,
    reach_clause,
    record_audit,
    register_field_code,
    register_problem,
    request_locale,
    subtree_bounds,
    transaction,
    within,
)
from plugins.youth import permissions as P
from plugins.youth import signals
from plugins.youth.branches import CATEGORIES, Category, category_of, graduate_if_done, write_category
from plugins.youth.checks import find_age_outs, flag_lost_contact
from plugins.youth.membership import facts_of, join_org
from plugins.youth.numbers import issue_member_number
from plugins.youth.processes import age_limit_day, quota_left
from plugins.youth.tables import YouthAgeOut, YouthCampaign, YouthMember, YouthPlan, YouthRegistration


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


MEMBER_CHANGED = register_problem(
    "youth-member-changed",
    412,
    _t("团员信息已被修改", "團員資訊已被修改", "The member changed"),
    _t(
        "团员信息已被他人修改，请刷新后重试。",
        "團員資訊已被他人修改，請重新整理後重試。",
        "The member was changed by someone else; reload and try again.",
    ),
)
PLAN_CHANGED = register_problem(
    "youth-plan-changed",
    412,
    _t("发展团员计划已被修改", "發展團員計劃已被修改", "The plan changed"),
    _t(
        "计划已被他人修改，请刷新后重试。",
        "計劃已被他人修改，請重新整理後重試。",
        "The plan was changed by someone else; reload and try again.",
    ),
)
CAMPAIGN_EXISTS = register_problem(
    "youth-campaign-exists",
    409,
    _t("该团委本年度的团籍注册已开启", "該團委本年度的團籍註冊已開啟", "The registration campaign exists"),
    _t(
        "每个团委每年只有一次团籍注册。",
        "每個團委每年只有一次團籍註冊。",
        "A committee runs one registration campaign a year.",
    ),
)
MEMBER_CLOSED = register_problem(
    "youth-member-closed",
    409,
    _t("该团员已离团", "該團員已離團", "The member has left"),
    _t(
        "已离团的团员不能再办理此事项。",
        "已離團的團員不能再辦理此事項。",
        "A member who left cannot do this.",
    ),
)
BRANCH_CHANGED = register_problem(
    "youth-branch-changed",
    412,
    _t("团支部信息已被修改", "團支部資訊已被修改", "The branch changed"),
    _t(
        "团支部信息已被他人修改，请刷新后重试。",
        "團支部資訊已被他人修改，請重新整理後重試。",
        "The branch was changed by someone else; reload and try again.",
    ),
)
AGE_OUT_DECIDED = register_problem(
    "youth-age-out-decided",
    409,
    _t("该超龄记录已处理", "該超齡記錄已處理", "Already decided"),
    _t("超龄记录只能确认一次。", "超齡記錄只能確認一次。", "An age-out report is decided once."),
)
_WINDOW = _t("不在团籍注册时间内", "不在團籍註冊時間內", "Outside the registration window")
_DATES = _t("结束日期不能早于开始日期", "結束日期不能早於開始日期", "The window ends before it opens")
_NOT_COMMITTEE = _t("须为团委", "須為團委", "Must be a League committee")
_NOT_BRANCH = _t("须为团支部", "須為團支部", "Must be a League branch")
_NOTE = _t("保留团籍须说明理由", "保留團籍須說明理由", "Keeping the member needs a reason")
for _code, _text in (
    ("youth_registration_window", _WINDOW),
    ("youth_window_dates", _DATES),
    ("youth_not_committee", _NOT_COMMITTEE),
    ("youth_not_branch", _NOT_BRANCH),
    ("youth_keep_note", _NOTE),
    ("youth_number_taken", _t("团员编号已被使用", "團員編號已被使用", "The member number is taken")),
):
    register_field_code(_code, _text)

COMMITTEE_KINDS = ("youth.committee", "youth.general_branch")
IfMatch = Annotated[
    str | None, HeaderParameter(name="If-Match", description="The resource's ETag", max_length=64)
]
Year = Annotated[int, msgspec.Meta(ge=1950, le=2100)]


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def etag(version: int) -> str:
    return f'"{version}"'


def check_if_match(version: int, if_match: str | None, problem: Any) -> None:
    if if_match is None:
        raise Problem("precondition-required")
    if if_match.strip() not in (etag(version), "W/" + etag(version), "*"):
        raise Problem(problem)


async def org_in_reach(request: Request, org_id: uuid.UUID, permission: str) -> dict[str, Any]:
    org = await Org.select(Org.id, Org.path, Org.kind, Org.status).where(Org.id == org_id).first().run()
    if org is None or not within(org["path"], current_principal(request).reach(permission)):
        raise Problem("not-found")
    return org  # type: ignore[no-any-return]


# --- schemas --------------------------------------------------------------------------------------


class YouthMemberOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    person: uuid.UUID
    org: uuid.UUID
    number: str
    status: str
    joined_on: dt.date
    oath_date: dt.date | None
    party_member: bool
    #: 保留团籍: a Party member keeping League membership until the age limit.
    retained: bool
    league_post: bool
    left_branch_at: dt.datetime | None
    lost_contact: bool
    reported_at: dt.datetime | None
    registered_year: int | None
    version: int


class YouthMemberIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An existing League member entered into the register (from paper files or 智慧团建): the branch,
    when they joined, and their 团员编号 if they have one (otherwise one is issued)."""

    person: uuid.UUID
    org: uuid.UUID
    joined_on: dt.date
    number: Annotated[str, msgspec.Meta(pattern=r"^[0-9A-Za-z]{6,20}$")] | None = None
    oath_date: dt.date | None = None
    party_member: bool = False
    league_post: bool = False


class YouthMemberUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Fields to change (send ``If-Match``); absent fields stay as they are."""

    oath_date: dt.date | msgspec.UnsetType | None = msgspec.UNSET
    party_member: bool | msgspec.UnsetType = msgspec.UNSET
    league_post: bool | msgspec.UnsetType = msgspec.UNSET


class YouthPlanIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    year: Year
    quota: Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class YouthPlanOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    org: uuid.UUID
    year: int
    quota: int
    #: How many admissions the committee's subtree may still approve this year.
    left: int
    version: int


class YouthCampaignIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org: uuid.UUID
    year: Year
    opens_on: dt.date
    closes_on: dt.date


class YouthCampaignOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    org: uuid.UUID
    year: int
    opens_on: dt.date
    closes_on: dt.date
    #: Active members of the committee's subtree, those registered, and the share (0–1).
    members: int
    registered: int
    completion: float


class YouthRegistrationIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    members: Annotated[list[uuid.UUID], msgspec.Meta(min_length=1, max_length=500)]


class YouthRegistrationResult(msgspec.Struct, kw_only=True):
    registered: list[uuid.UUID]
    already: list[uuid.UUID]


class YouthReportIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    member: uuid.UUID


class YouthGraduateIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Members of a graduating branch (毕业班团支部) to mark for transfer; without ``members``, all of them."""

    members: Annotated[list[uuid.UUID], msgspec.Meta(max_length=2000)] | None = None


class YouthMarked(msgspec.Struct, kw_only=True):
    marked: list[uuid.UUID]
    #: Whether the branch graduated with this marking (no active member left unmarked): its category
    #: is now ``graduated``.
    graduated: bool = False


class YouthBranchOut(msgspec.Struct, kw_only=True):
    org: uuid.UUID
    #: 团支部类别 (null until set): student, graduating, graduated, enterprise, public_sector, rural,
    #: community, two_new or other.
    category: str | None
    #: The category's name in the caller's language.
    category_name: str | None
    previous_category: str | None
    graduated_at: dt.datetime | None
    #: Active members, and those marked for transfer (left the branch, not yet arrived elsewhere).
    members: int
    marked_for_transfer: int
    version: int


class YouthCategoryIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The branch's category; ``graduated`` is not set by hand — marking all members does it."""

    category: Category


class YouthScanIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org: uuid.UUID


class YouthScanOut(msgspec.Struct, kw_only=True):
    found: int


class YouthAgeOutOut(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    member: uuid.UUID
    number: str
    org: uuid.UUID
    found_on: dt.date
    age_out_on: dt.date | None
    league_post: bool
    status: str
    note: str


class YouthAgeOutDecision(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    decision: Literal["confirm", "keep"]
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


def member_out(row: dict[str, Any]) -> YouthMemberOut:
    return YouthMemberOut(
        id=row["id"],
        person=row["person"],
        org=row["org"],
        number=row["number"],
        status=row["status"],
        joined_on=row["joined_on"],
        oath_date=row["oath_date"],
        party_member=row["party_member"],
        retained=row["party_member"] and row["status"] == "active",
        league_post=row["league_post"],
        left_branch_at=row["left_branch_at"],
        lost_contact=row["lost_contact"],
        reported_at=row["reported_at"],
        registered_year=row["registered_year"],
        version=row["version"],
    )


_MEMBER_COLUMNS = (
    YouthMember.id,
    YouthMember.person,
    YouthMember.org,
    YouthMember.number,
    YouthMember.status,
    YouthMember.joined_on,
    YouthMember.oath_date,
    YouthMember.party_member,
    YouthMember.league_post,
    YouthMember.left_branch_at,
    YouthMember.lost_contact,
    YouthMember.reported_at,
    YouthMember.registered_year,
    YouthMember.version,
)


async def _member(request: Request, member_id: uuid.UUID, permission: str) -> dict[str, Any]:
    row = (
        await YouthMember.select(*_MEMBER_COLUMNS, YouthMember.org_path, YouthMember.membership)
        .where(YouthMember.id == member_id)
        .first()
        .run()
    )
    if row is None or not within(row["org_path"], current_principal(request).reach(permission)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


def _with_etag(body: Any, version: int, status: int = 200) -> Response[Any]:
    return Response(body, status_code=status, headers={"ETag": etag(version)})


async def enter_member(request: Request, data: YouthMemberIn) -> uuid.UUID:
    """Register an existing member in one transaction (also the XLSX import's row writer)."""
    async with transaction():
        org = await org_in_reach(request, data.org, P.MEMBER_MANAGE)
        if org["kind"] != "youth.branch":
            raise Problem.invalid(("/org", "youth_not_branch"))
        for day, pointer in ((data.joined_on, "/joined_on"), (data.oath_date, "/oath_date")):
            if day is not None and day > now().date():
                raise Problem.invalid((pointer, "youth_future_date"))
        if (
            await YouthMember.exists()
            .where((YouthMember.person == data.person) & (YouthMember.status == "active"))
            .run()
        ):
            raise Problem.invalid(("/person", "youth_already"))
        if (
            data.number is not None
            and await YouthMember.exists().where(YouthMember.number == data.number).run()
        ):
            raise Problem.invalid(("/number", "youth_number_taken"))
        facts = await facts_of(data.person)
        number = data.number or await issue_member_number(data.joined_on.year)
        membership = await join_org(
            request.app.state.plugin_manager,
            org_id=data.org,
            person_id=data.person,
            extra={"youth_number": number},
        )
        member_id = uuid.uuid4()
        stamp = now()
        await YouthMember.insert(
            YouthMember(
                id=member_id,
                person=data.person,
                membership=membership,
                org=data.org,
                org_path=org["path"],
                number=number,
                status="active",
                joined_on=data.joined_on,
                oath_date=data.oath_date,
                age_out_on=age_limit_day(facts.birth_date) if facts.birth_date else None,
                party_member=data.party_member,
                league_post=data.league_post,
                created_at=stamp,
                updated_at=stamp,
            )
        ).run()
        await record_audit(
            "youth.member.entered",
            resource_type="youth.member",
            resource_id=member_id,
            org_path=org["path"],
            changes={"person": data.person, "number": number},
        )
        await emit(
            signals.MEMBER_ENTERED,
            signals.MemberChanged(member_id=str(member_id), org_id=str(data.org), status="active"),
            resource_type="youth.member",
            resource_id=member_id,
            org_path=org["path"],
        )
    return member_id


_MEMBERS_SQL = (
    "SELECT id, person, org, number, status, joined_on, oath_date, party_member, league_post, left_branch_at,"
    " lost_contact, reported_at, registered_year, version FROM youth_member"
    " WHERE org_path >= {} AND org_path < {}"
)


async def members_page(
    org_path: str,
    page: PageRequest,
    *,
    status: str | None = None,
    lost_contact: bool | None = None,
    registered_in: int | None = None,
) -> Page[YouthMemberOut]:
    """One page of the members of the subtree at ``org_path`` by member number (the League's hottest
    read: a committee's register with each member's registration year)."""
    low, high = subtree_bounds(org_path)
    if YouthMember._meta.db.engine_type == "postgres":
        # One statement with its parameters, straight to the pool: the page is read a thousand times a
        # day per committee, and the query builder cost more than the query (bench/youth_reads.py).
        sql, args = [_MEMBERS_SQL], [low, high]
        if page.after and (len(page.after) != 1 or not isinstance(page.after[0], str)):
            raise Problem("invalid-cursor")  # the cursor this list gives holds one member number
        for column, value, op in (
            ("status", status, "="),
            ("lost_contact", lost_contact, "="),
            ("registered_year", registered_in, ">="),
            ("number", page.after[0] if page.after else None, ">"),
        ):
            if value is not None:
                sql.append(f" AND {column} {op} {{}}")
                args.append(value)
        sql.append(" ORDER BY number LIMIT {}")
        args.append(page.limit + 1)
        rows = await YouthMember.raw("".join(sql), *args).run()
        cursor = None
        if len(rows) > page.limit:
            rows = rows[: page.limit]
            cursor = encode_cursor([rows[-1]["number"]])
        return Page(items=[member_out(r) for r in rows], next_cursor=cursor)
    where = (YouthMember.org_path >= low) & (YouthMember.org_path < high)
    if status is not None:
        where &= YouthMember.status == status
    if lost_contact is not None:
        where &= YouthMember.lost_contact == lost_contact
    if registered_in is not None:
        where &= YouthMember.registered_year >= registered_in
    rows, cursor = await paginate(
        YouthMember.select(*_MEMBER_COLUMNS).where(where), [YouthMember.number], page
    )
    return Page(items=[member_out(r) for r in rows], next_cursor=cursor)


# --- the register ---------------------------------------------------------------------------------


class YouthMemberController(Controller):
    path = "/members"

    @get(
        "/",
        opt={"permission": P.MEMBER_READ},
        summary="团员名册",
        description="某团组织及其下级的团员，按团员编号分页返回；可按状态、失联、是否已完成某年度团籍注册筛选。",
        summary_en="League members",
        description_en="The members of an org (query org) and its subtree by member number, one page at a time; filter by "
        "status, lost contact, or registration in a year.",
    )
    async def youth_list_members(
        self,
        request: Request,
        page: PageParam,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
        status: Annotated[Literal["active", "aged_out", "left"] | None, QueryParameter(name="status")] = None,
        lost_contact: Annotated[bool | None, QueryParameter(name="lost_contact")] = None,
        registered_in: Annotated[int | None, QueryParameter(name="registered_in", ge=1950, le=2100)] = None,
    ) -> Page[YouthMemberOut]:
        org = await org_in_reach(request, org_id, P.MEMBER_READ)
        return await members_page(
            org["path"], page, status=status, lost_contact=lost_contact, registered_in=registered_in
        )

    @post(
        "/",
        opt={"permission": P.MEMBER_MANAGE},
        summary="登记在册团员",
        description="把已入团的团员登记进团员名册（纸质档案或智慧团建迁入）：建立团支部的组织关系，"
        "沿用其团员编号或新发一个；年龄按人员档案的出生日期校验（14 至 28 周岁）。",
        summary_en="Enter an existing member",
        description_en="Enters a person who already is a League member into the register (from paper files "
        "or another system): the branch membership, their member number kept or a new one issued; the age "
        "limit is judged by the birth date of the person's record.",
    )
    async def youth_enter_member(
        self, request: Request, data: JSONBody[YouthMemberIn]
    ) -> Response[YouthMemberOut]:
        member_id = await enter_member(request, data)
        row = await _member(request, member_id, P.MEMBER_MANAGE)
        return _with_etag(member_out(row), row["version"], 201)

    @get(
        "/{league_member_id:uuid}",
        opt={"permission": P.MEMBER_READ},
        summary="查看团员",
        description="一名团员的团籍信息（ETag 供修改时使用）；不在权限范围内的答复 404。",
        summary_en="A League member",
        description_en="One member's League record (its ETag for changes); outside the caller's reach, 404.",
    )
    async def youth_get_member(
        self, request: Request, league_member_id: FromPath[uuid.UUID]
    ) -> Response[YouthMemberOut]:
        row = await _member(request, league_member_id, P.MEMBER_READ)
        return _with_etag(member_out(row), row["version"])

    @patch(
        "/{league_member_id:uuid}",
        opt={"permission": P.MEMBER_MANAGE},
        summary="修改团员信息（须 If-Match）",
        description="记录入团宣誓日期、入党（保留团籍）或担任团内职务；须带 If-Match，写入审计并发出信号。",
        summary_en="Change a member (If-Match)",
        description_en="Records the oath date, joining the Party (membership kept) or holding a League post; "
        "needs If-Match; audited and signalled.",
    )
    async def youth_update_member(
        self,
        request: Request,
        league_member_id: FromPath[uuid.UUID],
        data: JSONBody[YouthMemberUpdate],
        if_match: IfMatch = None,
    ) -> Response[YouthMemberOut]:
        async with transaction():
            row = await _member(request, league_member_id, P.MEMBER_MANAGE)
            check_if_match(row["version"], if_match, MEMBER_CHANGED)
            if row["status"] != "active":
                raise Problem(MEMBER_CLOSED)
            changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
            if changes.get("oath_date") and changes["oath_date"] > now().date():
                raise Problem.invalid(("/oath_date", "youth_future_date"))
            values: dict[Any, Any] = {getattr(YouthMember, k): v for k, v in changes.items()}
            values[YouthMember.version] = row["version"] + 1
            values[YouthMember.updated_at] = now()
            await YouthMember.update(values).where(YouthMember.id == league_member_id).run()
            await record_audit(
                "youth.member.updated",
                resource_type="youth.member",
                resource_id=league_member_id,
                org_path=row["org_path"],
                changes=changes,
            )
            await emit(
                signals.MEMBER_UPDATED,
                signals.MemberChanged(
                    member_id=str(league_member_id), org_id=str(row["org"]), status=row["status"]
                ),
                resource_type="youth.member",
                resource_id=league_member_id,
                org_path=row["org_path"],
            )
        row = await _member(request, league_member_id, P.MEMBER_MANAGE)
        return _with_etag(member_out(row), row["version"])


class YouthSelfController(Controller):
    path = "/me"

    @get(
        "/memberships",
        opt={"policy": "self"},
        summary="我的团籍",
        description="调用者本人的团员记录（团员编号、所在团支部、注册与报到情况）。",
        summary_en="My League membership",
        description_en="The caller's own League records (number, branch, registration and reporting in).",
    )
    async def youth_my_memberships(self, request: Request) -> list[YouthMemberOut]:
        person = current_principal(request).person_id
        if person is None:
            return []
        rows = await YouthMember.select(*_MEMBER_COLUMNS).where(YouthMember.person == person).run()
        return [member_out(r) for r in rows]

    @post(
        "/report-in",
        opt={"policy": "self"},
        summary="团员报到",
        description="团员本人向所在团支部报到（如入学、就业后）；只能为本人的有效团籍报到。",
        summary_en="Report in",
        description_en="The member reports in to their branch (after starting school or work); only for "
        "the caller's own active membership.",
    )
    async def youth_report_in(self, request: Request, data: JSONBody[YouthReportIn]) -> YouthMemberOut:
        person = current_principal(request).person_id
        async with transaction():
            row = (
                await YouthMember.select(*_MEMBER_COLUMNS, YouthMember.org_path)
                .where((YouthMember.id == data.member) & (YouthMember.person == person))
                .first()
                .run()
            )
            if row is None or person is None:
                raise Problem("not-found")
            if row["status"] != "active":
                raise Problem(MEMBER_CLOSED)
            stamp = now()
            await (
                YouthMember.update(
                    {
                        YouthMember.reported_at: stamp,
                        YouthMember.version: row["version"] + 1,
                        YouthMember.updated_at: stamp,
                    }
                )
                .where(YouthMember.id == data.member)
                .run()
            )
            await record_audit(
                "youth.member.reported",
                resource_type="youth.member",
                resource_id=data.member,
                org_path=row["org_path"],
            )
            await emit(
                signals.MEMBER_REPORTED,
                signals.MemberChanged(member_id=str(data.member), org_id=str(row["org"]), status="active"),
                resource_type="youth.member",
                resource_id=data.member,
                org_path=row["org_path"],
            )
        return member_out({**row, "reported_at": stamp, "version": row["version"] + 1})


class YouthBranchController(Controller):
    path = "/branches"

    @post(
        "/{org_id:uuid}/graduation",
        opt={"permission": P.MEMBER_MANAGE},
        summary="毕业班团支部标记转接",
        description="毕业班团支部批量标记团员待转接：记下离开团支部的时间，六个月内未转入新团支部的列为失联团员。",
        summary_en="Mark a graduating branch for transfer",
        description_en="A graduating branch marks its members (or those named) for transfer in bulk: the day "
        "they left is kept, and those not transferred within six months are flagged lost contact.",
    )
    async def youth_graduate_branch(
        self, request: Request, org_id: FromPath[uuid.UUID], data: JSONBody[YouthGraduateIn]
    ) -> YouthMarked:
        async with transaction():
            org = await org_in_reach(request, org_id, P.MEMBER_MANAGE)
            if org["kind"] != "youth.branch":
                raise Problem.invalid(("/org_id", "youth_not_branch"))
            where = (
                (YouthMember.org == org_id)
                & (YouthMember.status == "active")
                & YouthMember.left_branch_at.is_null()
            )
            if data.members is not None:
                if not data.members:
                    return YouthMarked(marked=[])
                where &= YouthMember.id.is_in(data.members)
            rows = await YouthMember.select(YouthMember.id).where(where).run()
            ids = [r["id"] for r in rows]
            if ids:
                stamp = now()
                await (
                    YouthMember.update(
                        {
                            YouthMember.left_branch_at: stamp,
                            YouthMember.version: YouthMember.version + 1,
                            YouthMember.updated_at: stamp,
                        }
                    )
                    .where(YouthMember.id.is_in(ids))
                    .run()
                )
            await record_audit(
                "youth.branch.graduated",
                resource_type="org",
                resource_id=org_id,
                org_path=org["path"],
                changes={"members": ids},
            )
            for member_id in ids:
                await emit(
                    signals.MEMBER_LEFT_BRANCH,
                    signals.MemberChanged(member_id=str(member_id), org_id=str(org_id), status="active"),
                    resource_type="youth.member",
                    resource_id=member_id,
                    org_path=org["path"],
                )
            graduated = await graduate_if_done(org, now())
        return YouthMarked(marked=ids, graduated=graduated)

    @get(
        "/{org_id:uuid}",
        opt={"permission": P.MEMBER_READ},
        summary="团支部信息",
        description="团支部的类别（如学生、毕业班、已毕业、企业、两新组织团支部）、毕业时间、在册团员与待转接人数"
        "（ETag 供修改类别时使用）。",
        summary_en="A League branch",
        description_en="A branch's category (students, graduating, graduated, enterprise, new organisations …), "
        "when it graduated, its active members and those marked for transfer (its ETag for changes).",
    )
    async def youth_get_branch(
        self, request: Request, org_id: FromPath[uuid.UUID]
    ) -> Response[YouthBranchOut]:
        org = await org_in_reach(request, org_id, P.MEMBER_READ)
        if org["kind"] != "youth.branch":
            raise Problem("not-found")
        row = await category_of(org_id)
        return _with_etag(await _branch_out(request, org_id, row), row["version"] if row else 0)

    @put(
        "/{org_id:uuid}/category",
        opt={"permission": P.MEMBER_MANAGE},
        summary="设定团支部类别",
        description="设定团支部类别（如将学生团支部设为毕业班团支部）；“已毕业”由标记全部团员转接自动设定，"
        "已毕业的团支部可改回其他类别以更正；修改已有类别须带 If-Match。",
        summary_en="Set a branch's category",
        description_en="Sets the branch's category (a students' branch becomes a graduating class's); "
        "graduated is set by marking all members for transfer, and may be changed back to correct it; "
        "changing a set category needs If-Match.",
    )
    async def youth_set_branch_category(
        self,
        request: Request,
        org_id: FromPath[uuid.UUID],
        data: JSONBody[YouthCategoryIn],
        if_match: IfMatch = None,
    ) -> Response[YouthBranchOut]:
        if data.category == "graduated":
            raise Problem.invalid(("/category", "youth_graduated_by_marking"))
        async with transaction():
            org = await org_in_reach(request, org_id, P.MEMBER_MANAGE)
            if org["kind"] != "youth.branch":
                raise Problem.invalid(("/org_id", "youth_not_branch"))
            row = await category_of(org_id)
            if row is not None:
                check_if_match(row["version"], if_match, BRANCH_CHANGED)
            row = await write_category(org, data.category, row=row, stamp=now())
        return _with_etag(await _branch_out(request, org_id, row), row["version"], 200)


async def _branch_out(request: Request, org_id: uuid.UUID, row: dict[str, Any] | None) -> YouthBranchOut:
    active = (YouthMember.org == org_id) & (YouthMember.status == "active")
    members = await YouthMember.count().where(active).run()
    marked = await YouthMember.count().where(active & YouthMember.left_branch_at.is_not_null()).run()
    category = row["category"] if row else None
    return YouthBranchOut(
        org=org_id,
        category=category,
        category_name=CATEGORIES[category].get(request_locale(request)) if category else None,
        previous_category=(row["previous_category"] or None) if row else None,
        graduated_at=row["graduated_at"] if row else None,
        members=members,
        marked_for_transfer=marked,
        version=row["version"] if row else 0,
    )


# --- 发展团员计划 ---------------------------------------------------------------------------------


async def _plan_out(row: dict[str, Any]) -> YouthPlanOut:
    left = await quota_left(row["org"], row["org_path"], row["year"])
    return YouthPlanOut(
        id=row["id"],
        org=row["org"],
        year=row["year"],
        quota=row["quota"],
        left=left or 0,
        version=row["version"],
    )


class YouthPlanController(Controller):
    path = "/plans"

    @get(
        "/{org_id:uuid}",
        opt={"permission": P.MEMBER_READ},
        summary="发展团员计划",
        description="团委某年度（year 参数，默认本年）的发展团员计划及剩余名额。",
        summary_en="Development quota",
        description_en="A committee's development quota for a year, and what is left of it.",
    )
    async def youth_get_plan(
        self,
        request: Request,
        org_id: FromPath[uuid.UUID],
        year: Annotated[int | None, QueryParameter(name="year", ge=1950, le=2100)] = None,
    ) -> Response[YouthPlanOut]:
        year = year or now().year
        await org_in_reach(request, org_id, P.MEMBER_READ)
        row = (
            await YouthPlan.select().where((YouthPlan.org == org_id) & (YouthPlan.year == year)).first().run()
        )
        if row is None:
            raise Problem("not-found")
        return _with_etag(await _plan_out(row), row["version"])

    @put(
        "/{org_id:uuid}",
        opt={"permission": P.PLAN_MANAGE},
        summary="设定发展团员计划",
        description="设定团委某年度可批准入团的人数（含下级）；修改已有计划须带 If-Match。",
        summary_en="Set a development quota",
        description_en="Sets how many admissions a committee's subtree may approve in a year; changing an "
        "existing plan needs If-Match.",
    )
    async def youth_set_plan(
        self,
        request: Request,
        org_id: FromPath[uuid.UUID],
        data: JSONBody[YouthPlanIn],
        if_match: IfMatch = None,
    ) -> Response[YouthPlanOut]:
        year = data.year
        async with transaction():
            org = await org_in_reach(request, org_id, P.PLAN_MANAGE)
            if org["kind"] not in COMMITTEE_KINDS:
                raise Problem.invalid(("/org_id", "youth_not_committee"))
            row = (
                await YouthPlan.select()
                .where((YouthPlan.org == org_id) & (YouthPlan.year == year))
                .first()
                .run()
            )
            if row is None:
                row = {
                    "id": uuid.uuid4(),
                    "org": org_id,
                    "org_path": org["path"],
                    "year": year,
                    "quota": data.quota,
                    "version": 1,
                    "updated_at": now(),
                }
                await YouthPlan.insert(YouthPlan(**row)).run()
                status = 201
            else:
                check_if_match(row["version"], if_match, PLAN_CHANGED)
                row = {**row, "quota": data.quota, "version": row["version"] + 1, "updated_at": now()}
                await (
                    YouthPlan.update(
                        {
                            YouthPlan.quota: data.quota,
                            YouthPlan.version: row["version"],
                            YouthPlan.updated_at: now(),
                        }
                    )
                    .where(YouthPlan.id == row["id"])
                    .run()
                )
                status = 200
            await record_audit(
                "youth.plan.set",
                resource_type="youth.plan",
                resource_id=row["id"],
                org_path=org["path"],
                changes={"year": year, "quota": data.quota},
            )
            await emit(
                signals.PLAN_SET,
                signals.PlanChanged(plan_id=str(row["id"]), org_id=str(org_id), year=year, quota=data.quota),
                resource_type="youth.plan",
                resource_id=row["id"],
                org_path=org["path"],
            )
        return _with_etag(await _plan_out(row), row["version"], status)


# --- 团籍注册 -------------------------------------------------------------------------------------


async def _campaign_out(row: dict[str, Any]) -> YouthCampaignOut:
    low, high = subtree_bounds(row["org_path"])
    members = (
        await YouthMember.count()
        .where(
            (YouthMember.org_path >= low) & (YouthMember.org_path < high) & (YouthMember.status == "active")
        )
        .run()
    )
    registered = (
        await YouthMember.count()
        .where(
            (YouthMember.org_path >= low)
            & (YouthMember.org_path < high)
            & (YouthMember.status == "active")
            & (YouthMember.registered_year >= row["year"])
        )
        .run()
    )
    return YouthCampaignOut(
        id=row["id"],
        org=row["org"],
        year=row["year"],
        opens_on=row["opens_on"],
        closes_on=row["closes_on"],
        members=members,
        registered=registered,
        completion=round(registered / members, 4) if members else 0.0,
    )


class YouthCampaignController(Controller):
    path = "/campaigns"

    @post(
        "/",
        opt={"permission": P.REGISTRATION_MANAGE},
        summary="开启团籍注册",
        description="团委开启某年度团籍注册，设定起止日期；每个团委每年一次。",
        summary_en="Open a registration campaign",
        description_en="A committee opens the year's registration (团籍注册) with its window; one a year.",
    )
    async def youth_open_campaign(
        self, request: Request, data: JSONBody[YouthCampaignIn]
    ) -> YouthCampaignOut:
        if data.closes_on < data.opens_on:
            raise Problem.invalid(("/closes_on", "youth_window_dates"))
        async with transaction():
            org = await org_in_reach(request, data.org, P.REGISTRATION_MANAGE)
            if org["kind"] not in COMMITTEE_KINDS:
                raise Problem.invalid(("/org", "youth_not_committee"))
            if (
                await YouthCampaign.exists()
                .where((YouthCampaign.org == data.org) & (YouthCampaign.year == data.year))
                .run()
            ):
                raise Problem(CAMPAIGN_EXISTS)
            row = {
                "id": uuid.uuid4(),
                "org": data.org,
                "org_path": org["path"],
                "year": data.year,
                "opens_on": data.opens_on,
                "closes_on": data.closes_on,
                "created_at": now(),
            }
            await YouthCampaign.insert(YouthCampaign(**row)).run()
            await record_audit(
                "youth.campaign.opened",
                resource_type="youth.campaign",
                resource_id=row["id"],
                org_path=org["path"],
                changes={"year": data.year, "opens_on": data.opens_on, "closes_on": data.closes_on},
            )
            await emit(
                signals.CAMPAIGN_OPENED,
                signals.CampaignChanged(campaign_id=str(row["id"]), org_id=str(data.org), year=data.year),
                resource_type="youth.campaign",
                resource_id=row["id"],
                org_path=org["path"],
            )
        return await _campaign_out(row)

    @get(
        "/{campaign_id:uuid}",
        opt={"permission": P.MEMBER_READ},
        summary="团籍注册进度",
        description="某次团籍注册的时间窗口与完成情况（应注册团员数、已注册数、完成率）。",
        summary_en="Registration campaign",
        description_en="A registration campaign's window and completion (members, registered, share).",
    )
    async def youth_get_campaign(
        self, request: Request, campaign_id: FromPath[uuid.UUID]
    ) -> YouthCampaignOut:
        row = await YouthCampaign.select().where(YouthCampaign.id == campaign_id).first().run()
        if row is None or not within(row["org_path"], current_principal(request).reach(P.MEMBER_READ)):
            raise Problem("not-found")
        return await _campaign_out(row)

    @post(
        "/{campaign_id:uuid}/registrations",
        opt={"permission": P.REGISTRATION_MANAGE},
        summary="团员团籍注册",
        description="在注册时间内为团员完成本年度团籍注册（团支部为本支部团员批量办理）；已注册的原样返回。",
        summary_en="Register members",
        description_en="Registers members for the year within the window (a branch for its members, in bulk); "
        "members already registered are listed as such.",
    )
    async def youth_register_members(
        self, request: Request, campaign_id: FromPath[uuid.UUID], data: JSONBody[YouthRegistrationIn]
    ) -> YouthRegistrationResult:
        reach = current_principal(request).reach(P.REGISTRATION_MANAGE)
        async with transaction():
            campaign = await YouthCampaign.select().where(YouthCampaign.id == campaign_id).first().run()
            clause = reach_clause(YouthMember.org_path, reach)
            if campaign is None or clause is None:
                raise Problem("not-found")
            low, high = subtree_bounds(campaign["org_path"])
            ids = list(dict.fromkeys(data.members))
            rows = (
                await YouthMember.select(
                    YouthMember.id, YouthMember.registered_year, YouthMember.org_path, YouthMember.status
                )
                .where(
                    YouthMember.id.is_in(ids)
                    & clause
                    & (YouthMember.org_path >= low)
                    & (YouthMember.org_path < high)
                )
                .run()
            )
            if not rows and not within(campaign["org_path"], reach):
                raise Problem("not-found")  # a campaign with nothing of the caller's in it stays unseen
            if not campaign["opens_on"] <= now().date() <= campaign["closes_on"]:
                raise Problem.invalid(("/members", "youth_registration_window"))
            found = {r["id"]: r for r in rows}
            for index, member_id in enumerate(ids):
                row = found.get(member_id)
                if row is None or row["status"] != "active":
                    raise Problem.invalid((f"/members/{index}", "invalid"))
            fresh = [i for i in ids if (found[i]["registered_year"] or 0) < campaign["year"]]
            already = [i for i in ids if i not in fresh]
            stamp = now()
            if fresh:
                await (
                    YouthMember.update(
                        {
                            YouthMember.registered_year: campaign["year"],
                            YouthMember.version: YouthMember.version + 1,
                            YouthMember.updated_at: stamp,
                        }
                    )
                    .where(YouthMember.id.is_in(fresh))
                    .run()
                )
                await YouthRegistration.insert(
                    *[
                        YouthRegistration(
                            campaign=campaign_id, member=i, org_path=found[i]["org_path"], registered_at=stamp
                        )
                        for i in fresh
                    ]
                ).run()
            for member_id in fresh:
                await record_audit(
                    "youth.member.registered",
                    resource_type="youth.member",
                    resource_id=member_id,
                    org_path=found[member_id]["org_path"],
                    changes={"campaign": campaign_id, "year": campaign["year"]},
                )
                await emit(
                    signals.MEMBER_REGISTERED,
                    signals.Registered(campaign_id=str(campaign_id), member_id=str(member_id)),
                    resource_type="youth.member",
                    resource_id=member_id,
                    org_path=found[member_id]["org_path"],
                )
        return YouthRegistrationResult(registered=fresh, already=already)


# --- 超龄离团 and 失联团员 ------------------------------------------------------------------------


class YouthAgeOutController(Controller):
    path = "/age-outs"

    @post(
        "/scan",
        opt={"permission": P.MEMBER_MANAGE},
        summary="检查超龄与失联团员",
        description="立即在某团组织及下级中查找超龄团员（列入待确认，不会自动离团）并标记离开团支部逾六个月未转接的失联团员；"
        "平台也按周期自动运行。",
        summary_en="Check for age-outs and lost contact",
        description_en="Finds members past the age limit in an org's subtree (reported for confirmation, never "
        "removed silently) and flags members untransferred six months after leaving; also runs periodically.",
    )
    async def youth_scan(self, request: Request, data: JSONBody[YouthScanIn]) -> YouthScanOut:
        org = await org_in_reach(request, data.org, P.MEMBER_MANAGE)
        async with transaction():
            found = await find_age_outs(org["path"])
            await flag_lost_contact(org["path"])
        return YouthScanOut(found=found)

    @get(
        "/",
        opt={"permission": P.MEMBER_READ},
        summary="超龄团员待确认列表",
        description="某团组织及下级中查出的超龄团员记录，默认只列待确认的。",
        summary_en="Members past the age limit",
        description_en="The age-out reports of an org's subtree, pending ones by default.",
    )
    async def youth_list_age_outs(
        self,
        request: Request,
        page: PageParam,
        org_id: Annotated[
            uuid.UUID, QueryParameter(name="org", description="The League org (and its subtree)")
        ],
        status: Annotated[Literal["pending", "confirmed", "kept"], QueryParameter(name="status")] = "pending",
    ) -> Page[YouthAgeOutOut]:
        org = await org_in_reach(request, org_id, P.MEMBER_READ)
        low, high = subtree_bounds(org["path"])
        rows, cursor = await paginate(
            YouthAgeOut.select().where(
                (YouthAgeOut.org_path >= low) & (YouthAgeOut.org_path < high) & (YouthAgeOut.status == status)
            ),
            [YouthAgeOut.found_on, YouthAgeOut.id],
            page,
        )
        members = {
            m["id"]: m
            for m in await YouthMember.select(
                YouthMember.id,
                YouthMember.number,
                YouthMember.org,
                YouthMember.age_out_on,
                YouthMember.league_post,
            )
            .where(YouthMember.id.is_in([r["member"] for r in rows] or [uuid.uuid4()]))
            .run()
        }
        return Page(items=[_age_out_out(r, members[r["member"]]) for r in rows], next_cursor=cursor)

    @post(
        "/{age_out_id:uuid}/decision",
        opt={"permission": P.MEMBER_MANAGE},
        summary="确认超龄离团",
        description="确认超龄团员离团（团籍结束，团组织关系终止），或说明理由保留（如担任团内职务）。",
        summary_en="Decide an age-out",
        description_en="Confirms that a member past the age limit leaves (the membership ends), or keeps them "
        "with a reason (a League post).",
    )
    async def youth_decide_age_out(
        self, request: Request, age_out_id: FromPath[uuid.UUID], data: JSONBody[YouthAgeOutDecision]
    ) -> YouthAgeOutOut:
        if data.decision == "keep" and not data.note.strip():
            raise Problem.invalid(("/note", "youth_keep_note"))
        async with transaction():
            row = await YouthAgeOut.select().where(YouthAgeOut.id == age_out_id).first().run()
            if row is None or not within(row["org_path"], current_principal(request).reach(P.MEMBER_MANAGE)):
                raise Problem("not-found")
            if row["status"] != "pending":
                raise Problem(AGE_OUT_DECIDED)
            member = await YouthMember.select().where(YouthMember.id == row["member"]).first().run()
            status = "confirmed" if data.decision == "confirm" else "kept"
            stamp = now()
            await (
                YouthAgeOut.update(
                    {YouthAgeOut.status: status, YouthAgeOut.decided_at: stamp, YouthAgeOut.note: data.note}
                )
                .where(YouthAgeOut.id == age_out_id)
                .run()
            )
            if status == "confirmed" and member["status"] == "active":  # type: ignore[index]
                await (
                    YouthMember.update(
                        {
                            YouthMember.status: "aged_out",
                            YouthMember.version: YouthMember.version + 1,
                            YouthMember.updated_at: stamp,
                        }
                    )
                    .where(YouthMember.id == row["member"])
                    .run()
                )
                membership = member["membership"]  # type: ignore[index]
                if (
                    membership is not None
                    and await Membership.exists()
                    .where((Membership.id == membership) & (Membership.status == "active"))
                    .run()
                ):
                    await end_membership(membership)
                await emit(
                    signals.MEMBER_AGED_OUT,
                    signals.MemberChanged(
                        member_id=str(row["member"]),
                        org_id=str(member["org"]),
                        status="aged_out",  # type: ignore[index]
                    ),
                    resource_type="youth.member",
                    resource_id=row["member"],
                    org_path=row["org_path"],
                )
            await record_audit(
                "youth.age_out.decided",
                resource_type="youth.age_out",
                resource_id=age_out_id,
                org_path=row["org_path"],
                changes={"decision": data.decision, "member": row["member"]},
            )
            await emit(
                signals.AGE_OUT_DECIDED,
                signals.AgeOutChanged(
                    age_out_id=str(age_out_id), member_id=str(row["member"]), status=status
                ),
                resource_type="youth.age_out",
                resource_id=age_out_id,
                org_path=row["org_path"],
            )
        return _age_out_out({**row, "status": status, "note": data.note}, member)  # type: ignore[arg-type]


def _age_out_out(row: dict[str, Any], member: dict[str, Any]) -> YouthAgeOutOut:
    return YouthAgeOutOut(
        id=row["id"],
        member=row["member"],
        number=member["number"],
        org=member["org"],
        found_on=row["found_on"],
        age_out_on=member["age_out_on"],
        league_post=member["league_post"],
        status=row["status"],
        note=row["note"],
    )


CONTROLLERS = (
    YouthMemberController,
    YouthSelfController,
    YouthBranchController,
    YouthPlanController,
    YouthCampaignController,
    YouthAgeOutController,
)
