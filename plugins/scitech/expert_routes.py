"""``/api/v1/scitech/disciplines`` and ``/api/v1/scitech/experts``: the vocabulary and the expert library."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter

from core.sdk import (
    Page,
    PageParam,
    Problem,
    TooLarge,
    UnreadableFile,
    read_table,
    request_locale,
    transaction,
    within,
)
from plugins.scitech import disciplines as vocab
from plugins.scitech import expert_import
from plugins.scitech import experts as E
from plugins.scitech.common import IfMatch, check_person, name_schemas, org_within, reaches, tagged
from plugins.scitech.permissions import EXPERT_MANAGE, EXPERT_READ
from plugins.scitech.tables import ScitechExpert

#: Org kinds that keep an expert library: associations at each level and academic societies.
LIBRARY_KINDS = ("scitech.association", "scitech.society", "scitech.university_association")

DisciplineQuery = Annotated[
    str | None,
    QueryParameter(
        description="学科代码（一级学科含其下全部学科）", pattern=r"^\d{3}(\d{2})?$", max_length=5
    ),
]


class DisciplineList(msgspec.Struct, kw_only=True):
    standard: str
    items: list[E.DisciplineRef]


class ExpertUpload(msgspec.Struct, kw_only=True):
    file: UploadFile


class DisciplineController(Controller):
    path = "/disciplines"

    @get(
        "/",
        opt={"permission": EXPERT_READ},
        summary="学科分类与代码",
        description="专家库使用的学科词表（GB/T 13745）：全部一级学科及常用二级学科。",
        summary_en="Discipline vocabulary",
        description_en="The discipline vocabulary of the expert library (GB/T 13745): every first-level "
        "discipline and the common second-level ones.",
    )
    async def list_scitech_disciplines(
        self, parent: Annotated[str | None, QueryParameter(pattern=r"^\d{3}$", max_length=3)] = None
    ) -> DisciplineList:
        items = [
            E.DisciplineRef(code=d.code, name=d.name, parent=d.parent)
            for d in vocab.vocabulary().values()
            if parent is None or d.parent == parent
        ]
        return DisciplineList(standard=vocab.standard(), items=items)


class ExpertController(Controller):
    path = "/experts"

    @get(
        "/",
        opt={"permission": EXPERT_READ},
        summary="检索专家",
        description="按学科、专长标签与文字检索权限范围内的专家；简繁体不限，可用拼音首字母（zs 找到张三）。",
        summary_en="Search experts",
        description_en="Experts within reach by discipline, tag and text; simplified or traditional "
        "characters alike, and pinyin initials (zs finds 张三).",
    )
    async def search_scitech_experts(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        discipline: DisciplineQuery = None,
        tag: Annotated[str | None, QueryParameter(max_length=20)] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
        org: Annotated[uuid.UUID | None, QueryParameter(description="只查该组织及下级的专家")] = None,
        available: FromQuery[bool | None] = None,
        title_grade: FromQuery[E.TitleGrade | None] = None,
    ) -> Page[E.Expert]:
        if discipline is not None and discipline not in vocab.vocabulary():
            raise Problem.invalid(("/discipline", E.UNKNOWN_DISCIPLINE))
        org_path = (await org_within(request, org, EXPERT_READ))["path"] if org is not None else None
        rows, cursor = await E.search(
            reaches(request, EXPERT_READ),
            page,
            org_path=org_path,
            discipline=discipline,
            tag=tag,
            q=q,
            available=available,
            title_grade=title_grade,
        )
        return Page(items=[E.as_expert(r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": EXPERT_MANAGE},
        summary="专家入库",
        description="在调用者管理的科协或学会的专家库中新增专家；学科须为 GB/T 13745 代码；"
        "关联的人员（person）须在调用者权限范围内。",
        summary_en="Add an expert",
        description_en="Adds an expert to the library of an association or society the caller manages; "
        "disciplines are GB/T 13745 codes; a linked person must be within the caller's reach.",
    )
    async def add_scitech_expert(
        self, request: Request[Any, Any, Any], data: JSONBody[E.ExpertCreate]
    ) -> Response[E.Expert]:
        org = await org_within(request, data.org, EXPERT_MANAGE, kinds=LIBRARY_KINDS)
        row = E.new_row(data, org["path"])
        if data.person is not None:
            await check_person(request, EXPERT_MANAGE, data.person, "/person")
        async with transaction():
            await E.insert_experts([row])
        return tagged(E.as_expert(row), 1, 201)

    @post(
        "/match",
        opt={"permission": EXPERT_READ},
        status_code=200,
        summary="匹配专家",
        description="为一项咨询需求按学科与专长匹配愿意承担且尚有余力的专家，按匹配度排序。",
        summary_en="Match experts to a request",
        description_en="The willing experts with room for one more engagement, on the discipline (or "
        "beside it) and sharing the tags, best match first.",
    )
    async def match_scitech_experts(
        self, request: Request[Any, Any, Any], data: JSONBody[E.MatchRequest]
    ) -> list[E.ExpertMatch]:
        org = await org_within(request, data.org, EXPERT_READ)
        return await E.match(reaches(request, EXPERT_READ), org["path"], data)

    @post(
        "/import",
        opt={"permission": EXPERT_MANAGE},
        status_code=200,
        summary="导入专家（XLSX/CSV）",
        description="按表头（姓名、职称、职称级别、工作单位、学科、专长、愿意咨询、简介）导入专家；"
        "mode=all 时任一行有误则不写入，mode=valid 时写入有效行。",
        summary_en="Import experts (XLSX/CSV)",
        description_en="Imports experts by header (姓名, 职称, 职称级别, 工作单位, 学科, 专长, 愿意咨询, 简介); "
        "mode=all writes nothing unless every row is valid, mode=valid writes the valid rows.",
    )
    async def import_scitech_experts(
        self,
        request: Request[Any, Any, Any],
        data: Annotated[ExpertUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
        org: Annotated[uuid.UUID, QueryParameter(description="专家库所属组织")],
        mode: FromQuery[Literal["all", "valid"]] = "all",
    ) -> expert_import.ImportReport:
        target = await org_within(request, org, EXPERT_MANAGE, kinds=LIBRARY_KINDS, pointer="/org")
        if not isinstance(getattr(data, "file", None), UploadFile):
            raise Problem.invalid(("/file", expert_import.UNREADABLE))
        raw = await data.file.read()
        try:
            table = await read_table(raw, data.file.filename or "", request.app.state.settings)
        except (TooLarge, UnreadableFile):
            raise Problem.invalid(("/file", expert_import.UNREADABLE)) from None
        rows, issues, count = expert_import.parse(table, org, target["path"], request_locale(request))
        write = rows if mode == "valid" or not issues else []
        if write:
            async with transaction():
                await E.insert_experts(write)
        return expert_import.ImportReport(
            rows=count,
            imported=len(write),
            committed=bool(write),
            mode=mode,
            issues=issues,
            ids=[r["id"] for r in write],
        )

    @get(
        "/{expert_id:uuid}",
        opt={"permission": EXPERT_READ},
        summary="查看专家",
        description="一位专家；不在权限范围内的与不存在的一样答复 404。",
        summary_en="One expert",
        description_en="One expert; one outside the caller's reach is answered 404, like a missing one.",
    )
    async def get_scitech_expert(
        self, request: Request[Any, Any, Any], expert_id: FromPath[uuid.UUID]
    ) -> Response[E.Expert]:
        row = await _expert(request, expert_id, EXPERT_READ)
        return tagged(E.as_expert(row), row["version"])

    @patch(
        "/{expert_id:uuid}",
        opt={"permission": EXPERT_MANAGE},
        summary="修改专家信息（须 If-Match）",
        description="修改专家的职称、单位、学科、专长或咨询意愿；status=retired 使其退出检索。",
        summary_en="Change an expert (If-Match)",
        description_en="Changes an expert's title, employer, disciplines, tags or willingness; "
        "status=retired takes them out of search.",
    )
    async def update_scitech_expert(
        self,
        request: Request[Any, Any, Any],
        expert_id: FromPath[uuid.UUID],
        data: JSONBody[E.ExpertUpdate],
        if_match: IfMatch = None,
    ) -> Response[E.Expert]:
        async with transaction():
            row = await _expert(request, expert_id, EXPERT_MANAGE)
            new = await E.update_expert(row, data, if_match)
        return tagged(E.as_expert(new), new["version"])


async def _expert(request: Request[Any, Any, Any], expert_id: uuid.UUID, permission: str) -> dict[str, Any]:
    row = await ScitechExpert.select().where(ScitechExpert.id == expert_id).first().run()
    if row is None or not within(row["org_path"], reaches(request, permission)):
        raise Problem("not-found")
    return dict(row)


ROUTES = [DisciplineController, ExpertController]

name_schemas(globals())
