"""HTTP routes for statistics, imports and exports. Thin: the work is in the services."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Annotated, Any, Literal, NoReturn
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from core.identity import audit
from core.identity.runtime import identity_of
from core.identity.throttle import LinkBudget
from core.kernel.errors import FieldError, Problem, request_locale
from core.kernel.guards import require_authenticated, require_permission
from core.kernel.openapi_truth import file_responses
from core.orgs import columns, coverage, exports, imports, uploads
from core.orgs import permissions as perm
from core.orgs import problems as P
from core.orgs.contact import reveal_for
from core.orgs.jobs import _json, enqueue_import
from core.orgs.statistics import Statistics, statistics, statistics_xlsx
from core.orgs.tables import ImportJob
from core.orgs.tabular import TooLarge, UnreadableFile, write_csv, write_xlsx

Req = Request[Any, Any, Any]
#: Uploads larger than this many rows go to a background job.
UPLOAD_ROW_LIMIT = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportJobOut(msgspec.Struct, kw_only=True):
    id: UUID
    what: str
    mode: str
    status: Literal["queued", "running", "done", "failed"]
    created_at: datetime
    finished_at: datetime | None = None
    #: Why it failed: ``import_error``, ``worker_lost`` (its worker died on every attempt), ``expired``
    #: (not run within the upload's retention) or ``erased`` (its upload named a person since erased).
    error: str | None = None
    #: Times a worker started it.
    attempts: int = 0
    report: imports.ImportReport | None = None


class Upload(msgspec.Struct, kw_only=True):
    file: UploadFile


def _reach(request: Req, code: str) -> list[Any]:
    return list(request.user.reach(code))


class DataController(Controller):
    """Statistics of a subtree; bulk import and export of orgs, units and members."""

    path = "/"
    tags = ["data"]  # noqa: RUF012
    guards = [require_authenticated, require_permission]  # noqa: RUF012

    async def _stats(self, request: Req, org_id: UUID) -> Statistics:
        state = request.app.state
        return await statistics(
            state.plugin_manager,
            state.registry.org_kinds,
            coverage.coverage_rules(state.plugin_manager),
            org_id,
            _reach(request, perm.STATS_READ),
        )

    @get(
        "/orgs/{org_id:uuid}/statistics",
        opt={"permission": perm.STATS_READ},
        summary="下级组织统计",
        description="组织及其下级的组织数、成员数等统计（JSON）。",
        summary_en="Statistics of the subtree",
        description_en="Counts of orgs, members and more over an org and its subtree (JSON).",
    )
    async def statistics_json(self, request: Req, org_id: FromPath[UUID]) -> Statistics:
        return await self._stats(request, org_id)

    @get(
        "/orgs/{org_id:uuid}/statistics.xlsx",
        opt={"permission": perm.STATS_READ},
        media_type=XLSX,
        summary="下级组织统计（XLSX）",
        description="与统计接口相同的数字，Excel 工作簿。",
        summary_en="Statistics of the subtree as a workbook",
        description_en="The same figures as the statistics route, as an Excel workbook.",
    )
    async def statistics_workbook(self, request: Req, org_id: FromPath[UUID]) -> Response[bytes]:
        body = statistics_xlsx(await self._stats(request, org_id), request_locale(request))
        return Response(
            body, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="statistics.xlsx"'}
        )

    @post(
        "/imports/{what:str}",
        opt={"permission": perm.DATA_IMPORT},
        status_code=200,
        responses={
            202: ResponseSpec(
                data_container=ImportJobOut, description="后台导入任务已排队 · Queued as a background job"
            )
        },
        summary="导入组织、单位或成员（CSV/XLSX）",
        description=(
            "mode=all 时任一行有误则不写入；mode=valid 时写入有效行。超过 5000 行或 "
            "background=true 时由后台任务导入，返回 202 及任务，报告由 GET "
            "/imports/{id} 查看。"
        ),
        summary_en="Import orgs, units or members from CSV/XLSX (small files answer with the report)",
        description_en=(
            "``mode=all`` writes nothing unless every row is valid; ``mode=valid`` writes the valid rows. "
            "Files of more than 5000 rows, or any file with ``background=true``, are imported by a "
            "background job: the answer is 202 with the job, whose report ``GET /imports/{id}`` returns."
        ),
    )
    async def upload_import(
        self,
        request: Req,
        what: FromPath[Literal["orgs", "units", "members"]],
        data: Annotated[Upload, Body(media_type=RequestEncodingType.MULTI_PART)],
        mode: FromQuery[Literal["all", "valid"]] = "all",
        parent: Annotated[UUID | None, QueryParameter(description="Default parent of imported orgs.")] = None,
        background: FromQuery[bool] = False,
    ) -> Response[imports.ImportReport]:
        raw = await data.file.read()
        filename = data.file.filename or ""
        reaches = _reach(request, perm.DATA_IMPORT)
        locale = request_locale(request)
        state = request.app.state
        try:  # read once, off the event loop, within the import limits
            table = await imports.read_table(raw, filename, state.settings)
        except TooLarge as exc:
            if exc.setting != "import_max_field_chars":  # a field too long is a problem of its row
                setting = "QUNTUAN_" + exc.setting.upper()
                raise Problem(P.IMPORT_LIMIT_EXCEEDED, setting=setting, limit=exc.limit) from None
            _refuse(imports.unreadable_report(what, mode, exc, locale))
        except UnreadableFile as exc:
            _refuse(imports.unreadable_report(what, mode, exc, locale))
        del raw
        background = background or len(table) - 1 > UPLOAD_ROW_LIMIT
        if background:
            jobs = getattr(state, "jobs", None)
            if jobs is None:
                raise Problem(P.FILE_TOO_LARGE_FOR_UPLOAD, limit=UPLOAD_ROW_LIMIT)
            job_id = uuid4()
            job = {
                "id": job_id,
                "what": what,
                "mode": mode,
                "filename": filename[:200],
                "parent": parent,
                "reaches": msgspec.json.encode(reaches).decode(),
                "locale": locale,
                "status": "queued",
                "requested_by": request.user.id,
            }
            await uploads.store(state.db, identity_of(state).vault, job, table)
            await enqueue_import(jobs, job_id, 0)
            return Response(await _job_out(job_id), status_code=202)
        report = await imports.import_table(
            state.db,
            state.plugin_manager,
            state.settings,
            what,
            table,
            mode=mode,
            reaches=reaches,
            locale=locale,
            parent=parent,
            requester=request.user,
            budget=LinkBudget.of(state.settings, state.shared),
        )
        if not report.committed:
            _refuse(report)
        return Response(report)

    @get(
        "/imports/{what:str}/template",
        opt={"permission": perm.DATA_IMPORT},
        operation_class=file_responses(XLSX, description="XLSX 导入模板 · XLSX import template"),
        summary="下载导入模板（XLSX）",
        description=(
            "组织、单位或成员的导入模板：第一张表是列名（调用方的语言，必填列在前），第二张表逐列说明"
            "是否必填和填写要求。组织可填编号、本文件的序号或权限范围内唯一的全称。"
        ),
        summary_en="Download an import template (XLSX)",
        description_en=(
            "The import template of orgs, units or members: the first sheet holds the column headers (in the "
            "caller's language, required ones first), the second says per column whether it is required "
            "and what it takes. An org is named by its id, a ref of the file, or its full name when unique "
            "within reach."
        ),
    )
    async def import_template(
        self, request: Req, what: FromPath[Literal["orgs", "units", "members"]]
    ) -> Response[bytes]:
        locale = request_locale(request)
        fields = [
            *imports.REQUIRED[what],
            *(f for f in imports.COLUMNS[what] if f not in imports.REQUIRED[what]),
        ]
        yes, no = {"en": ("yes", "no"), "zh-Hant": ("是", "否")}.get(locale, ("是", "否"))
        notes_header = {
            "en": ["Column", "Field", "Required", "What it takes"],
            "zh-Hant": ["列名", "欄位", "必填", "填寫要求"],
        }.get(locale, ["列名", "字段", "必填", "填写要求"])
        labels = columns.header(what, fields, locale)
        notes = [
            [
                label,
                field,
                yes if field in imports.REQUIRED[what] else no,
                columns.NOTES[field].get(locale) if field in columns.NOTES else "",
            ]
            for label, field in zip(labels, fields, strict=True)
        ]
        sheet_notes = {"en": "Notes", "zh-Hant": "說明"}.get(locale, "说明")
        return Response(
            write_xlsx(what, labels, [], more=[(sheet_notes, notes_header, notes)]),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{what}-template.xlsx"'},
        )

    @get(
        "/imports/{job_id:uuid}",
        opt={"permission": perm.DATA_IMPORT},
        summary="后台导入的进度与报告",
        description="后台导入任务的状态，完成后附逐行报告。",
        summary_en="A background import and its report",
        description_en="A background import's state and, once done, its row-by-row report.",
    )
    async def import_status(self, request: Req, job_id: FromPath[UUID]) -> ImportJobOut:
        row = await ImportJob.select(ImportJob.requested_by).where(ImportJob.id == job_id).first().run()
        if row is None or row["requested_by"] != request.user.id:
            raise Problem("not-found")
        return await _job_out(job_id)

    @get(
        "/exports/{what:str}",
        opt={"permission": perm.DATA_EXPORT},
        operation_class=file_responses(
            "text/csv; charset=utf-8", XLSX, description="CSV 或 XLSX 文件 · CSV or XLSX"
        ),
        summary="导出组织、单位或成员（CSV/XLSX）",
        description=(
            "导出调用方权限范围内（可用 org 限定到一个下级）的组织、单位或成员。列名用调用方的语言"
            "（Accept-Language：简体、繁体或英文；header=field 时为固定的英文字段名），导出的文件可原样再导入；"
            "时间为所配置时区（默认 Asia/Shanghai）的 ISO 8601 本地时间，带偏移；成员导出不含身份证号与手机号，"
            "默认不含已离开或转出的成员（include_left=true 时包含，见离开时间）；"
            "组织的联系电话除非有个人信息权限否则脱敏。"
        ),
        summary_en="Export orgs, units or members within reach as CSV or XLSX",
        description_en=(
            "Exports the orgs, units or members within reach (narrowed to one subtree with ``org``). Column "
            "headers are in the caller's language (Accept-Language: zh-Hans, zh-Hant or en; ``header=field`` "
            "gives the fixed English field names), and an exported file imports again as it is; times are "
            "ISO 8601 in the configured local zone (Asia/Shanghai by default) with its offset; member rows "
            "carry no ID numbers or phones and leave out members who left or transferred away unless "
            "``include_left=true`` (see ``left_at``); orgs' contact phones are masked unless the caller's "
            "personal-data grant reaches the org."
        ),
    )
    async def export_data(
        self,
        request: Req,
        what: FromPath[Literal["orgs", "units", "members"]],
        org: FromQuery[UUID | None] = None,
        fmt: Annotated[Literal["csv", "xlsx"], QueryParameter(name="format")] = "csv",
        header_names: Annotated[
            Literal["label", "field"],
            QueryParameter(
                name="header", description="Column headers: labels in the caller's language, or field names"
            ),
        ] = "label",
        include_left: Annotated[
            bool, QueryParameter(description="Members: include those who left or transferred away")
        ] = False,
    ) -> Response[Any]:
        reaches = _reach(request, perm.DATA_EXPORT)
        reveal = reveal_for(request.user, identity_of(request.app.state).vault)  # orgs' contact phones
        concerned: set[str] = set()
        zone = ZoneInfo(request.app.state.settings.timezone)
        rows = [
            row
            async for row in exports.export_rows(
                what, reaches, org, reveal=reveal, paths=concerned, include_left=include_left, zone=zone
            )
        ]
        async with request.app.state.db.transaction():
            await audit.record(
                "data.exported",
                resource_type=what,
                resource_id=str(org) if org else "within_reach",
                org_paths=sorted(concerned),
                changes={"what": what, "format": fmt, "rows": len(rows), "org": org},
            )
        header = exports.HEADERS[what]
        if header_names == "label":
            header = columns.header(what, header, request_locale(request))
        if fmt == "xlsx":
            return Response(
                write_xlsx(what, header, rows),
                media_type=XLSX,
                headers={"Content-Disposition": f'attachment; filename="{what}.xlsx"'},
            )
        return Stream(
            io.BytesIO(b"".join(write_csv(header, rows))),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{what}.csv"'},
        )


async def _job_out(job_id: UUID) -> ImportJobOut:
    row = (
        await ImportJob.select(
            ImportJob.id,
            ImportJob.what,
            ImportJob.mode,
            ImportJob.status,
            ImportJob.created_at,
            ImportJob.finished_at,
            ImportJob.error,
            ImportJob.attempts,
            ImportJob.report,
        )
        .where(ImportJob.id == job_id)
        .first()
        .run()
    )
    report = _json(row.pop("report")) if row and row.get("report") else None
    row["error"] = row["error"] or None
    out = msgspec.convert(row, ImportJobOut)
    if report is not None:
        out.report = msgspec.convert(report, imports.ImportReport)
    return out


def _refuse(report: imports.ImportReport) -> NoReturn:
    """The 422 of an import that wrote nothing, with each row's problems."""
    raise Problem(
        P.IMPORT_REFUSED,
        errors=[
            FieldError(
                pointer=f"/rows/{i.row}" + (f"/{i.column}" if i.column else ""),
                code=i.code,
                message=i.message,
            )
            for i in report.issues
        ],
        context={"report": msgspec.to_builtins(report)},
        count=len(report.issues),
    )
