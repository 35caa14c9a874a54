"""HTTP routes of the org tree, the coverage registry and roll-ups. Thin: they parse and answer."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from core.identity.runtime import identity_of
from core.kernel.access import within
from core.kernel.errors import Problem
from core.kernel.fastpath import FastAnswer, FastRequest
from core.kernel.guards import require_authenticated, require_permission
from core.kernel.pagination import Page, PageParam
from core.orgs import coverage, services
from core.orgs import permissions as perm
from core.orgs import schemas as S
from core.orgs.contact import Reveal, reveal_for

Req = Request[Any, Any, Any]


def _reach(request: Req, code: str) -> list[Any]:
    return list(request.user.reach(code))


def _rules(request: Req) -> dict[str, coverage.RegisteredRule]:
    return coverage.coverage_rules(request.app.state.plugin_manager)


def _reveal(request: Req) -> Reveal | None:
    """Where the caller sees orgs' contact phones in full (``core.person.personal_data``)."""
    return reveal_for(request.user, identity_of(request.app.state).vault)


def _with_etag(row: dict[str, Any], status: int = 200, reveal: Reveal | None = None) -> Response[S.Org]:
    return Response(services.as_org(row, reveal), status_code=status, headers={"ETag": services.etag(row)})


# Fast twins (core/kernel/fastpath.py) of the hottest reads: the same services, the plain success case only.


async def _fast_list_orgs(request: FastRequest) -> FastAnswer:
    request.only("org", "scope", "limit", "cursor")
    items, cursor = await services.list_orgs(
        list(request.principal.reach(perm.ORG_READ)),
        request.page(),
        org=request.uuid("org"),
        scope=request.choice("scope", ("self", "children", "subtree"), "subtree"),  # type: ignore[arg-type]
        reveal=reveal_for(request.principal, identity_of(request.state).vault),
    )
    return Page(items=items, next_cursor=cursor), {}


async def _fast_get_org(request: FastRequest) -> FastAnswer:
    request.only()
    row = await services.load(request.path_params["org_id"], list(request.principal.reach(perm.ORG_READ)))
    reveal = reveal_for(request.principal, identity_of(request.state).vault)
    return services.as_org(row, reveal), {"ETag": services.etag(row)}


class OrgController(Controller):
    """``/api/v1/orgs``: one tree for the Party organization and every plugin's kinds."""

    path = "/orgs"
    tags = ["orgs"]  # noqa: RUF012
    guards = [require_authenticated, require_permission]  # noqa: RUF012

    @get(
        "/",
        opt={"permission": perm.ORG_READ, "fast": _fast_list_orgs},
        summary="组织列表（树序，可筛选搜索）",
        description="调用方权限范围内的组织，按树的顺序；可按类型、地区、标签筛选，按名称或拼音搜索。",
        summary_en="Orgs within reach, in tree order; filter and search",
        description_en=(
            "The orgs within the caller's reach in tree order; filter by kind, region and tags, search by "
            "name or pinyin."
        ),
    )
    async def list_orgs(
        self,
        request: Req,
        page: PageParam,
        org: Annotated[
            UUID | None, QueryParameter(description="Anchor org; with scope, its subtree or children.")
        ] = None,
        org_scope: Annotated[
            Literal["self", "children", "subtree"], QueryParameter(name="scope", description="With org.")
        ] = "subtree",
        kind: Annotated[str | None, QueryParameter(max_length=64)] = None,
        level: Annotated[str | None, QueryParameter(max_length=16)] = None,
        status: FromQuery[Literal["active", "dissolved"] | None] = None,
        region: Annotated[
            str | None, QueryParameter(pattern=r"^\d{2,6}$", description="Region-code prefix.")
        ] = None,
        q: Annotated[
            str | None,
            QueryParameter(
                max_length=100,
                description="Name search: any script (工会/工會), part of a name, or initials.",
            ),
        ] = None,
    ) -> Page[S.Org]:
        items, cursor = await services.list_orgs(
            _reach(request, perm.ORG_READ),
            page,
            org=org,
            scope=org_scope,
            kind=kind,
            level=level,
            status=status,
            region=region,
            q=q,
            reveal=_reveal(request),
        )
        return Page(items=items, next_cursor=cursor)

    @get(
        "/directory",
        opt={"policy": "directory"},
        summary="查找组织（申请加入、转接时选择）",
        description=(
            "任何已登录的人都可按组织代码（不区分大小写）或名称（简繁体、部分名称、拼音首字母）查找有效的"
            "组织，以便申请加入或转接组织关系时选择；只返回名称、类型、层级、代码和行政区划，"
            "不含联系人和地址。按代码精确匹配的排在最前，最多 20 个。"
        ),
        summary_en="Find an org to apply or transfer to (anyone signed in)",
        description_en=(
            "Anyone signed in finds active orgs by their code (any case) or name (either script, part of "
            "it, or pinyin initials), to choose one when applying to join or transferring; only the name, "
            "kind, level, code and region are shown, no contacts or address. The org with exactly that "
            "code comes first; at most 20."
        ),
    )
    async def find_orgs(
        self,
        q: Annotated[str, QueryParameter(min_length=2, max_length=100, description="A code or a name.")],
        kind: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=services.DIRECTORY_LIMIT)] = 10,
    ) -> list[S.OrgListing]:
        return await services.directory(q, kind, limit)

    @post(
        "/",
        opt={"permission": perm.ORG_CREATE},
        summary="新建组织",
        description="在上级组织下新建组织；组织类型须允许位于该上级之下。",
        summary_en="Create an org where its kind may sit",
        description_en="Creates an org under a parent; its kind must be allowed under that parent.",
    )
    async def create_org(self, request: Req, data: JSONBody[S.OrgCreate]) -> Response[S.Org]:
        org = await services.create_org(
            request.app.state.db,
            request.app.state.registry.org_kinds,
            data,
            _reach(request, perm.ORG_CREATE),
            vault=identity_of(request.app.state).vault,
        )
        row = await services.load(org.id, services.EVERYWHERE)
        return _with_etag(row, 201, _reveal(request))

    @get(
        "/{org_id:uuid}",
        opt={"permission": perm.ORG_READ, "fast": _fast_get_org},
        summary="组织详情",
        description="一个组织及其 ETag（修改时用于 If-Match）。",
        summary_en="One org (with its ETag)",
        description_en="One org with its ETag (send it as If-Match when changing it).",
    )
    async def get_org(self, request: Req, org_id: FromPath[UUID]) -> Response[S.Org]:
        return _with_etag(
            await services.load(org_id, _reach(request, perm.ORG_READ)), reveal=_reveal(request)
        )

    @patch(
        "/{org_id:uuid}",
        opt={"permission": perm.ORG_UPDATE, "if_match": "required"},
        summary="修改组织信息",
        description=(
            "修改名称、地区、标签等；改地区时，以本组织为所在地且没有自己地区代码的单位随之改变。"
            "须带读取时的 ETag 作为 If-Match（缺少时 428），已被他人修改则返回 412。"
        ),
        summary_en="Rename or change an org's details",
        description_en=(
            "Changes the name, region, tags and other details; a new region code carries the units of this "
            "area that have no region of their own. Send the ETag you read as If-Match (428 without it); 412 when "
            "someone changed it since."
        ),
    )
    async def update_org(
        self, request: Req, org_id: FromPath[UUID], data: JSONBody[S.OrgUpdate]
    ) -> Response[S.Org]:
        rules = _rules(request)

        async def follow(old: str | None, new: str | None) -> None:
            await coverage.follow_area_region(rules, org_id, old, new)

        row = await services.update_org(
            request.app.state.db,
            org_id,
            data,
            _reach(request, perm.ORG_UPDATE),
            vault=identity_of(request.app.state).vault,
            if_match=request.headers.get("if-match"),
            on_region_change=follow,
        )
        return _with_etag(row, reveal=_reveal(request))

    @post(
        "/{org_id:uuid}/move",
        opt={"permission": perm.ORG_MOVE},
        status_code=200,
        summary="调整组织隶属关系",
        description="把组织连同整个下级移到另一个上级之下，一次完成。",
        summary_en="Move an org with its whole subtree under another parent (atomic)",
        description_en="Moves an org with its whole subtree under another parent in one atomic step.",
    )
    async def move_org(self, request: Req, org_id: FromPath[UUID], data: JSONBody[S.OrgMove]) -> S.Org:
        return await services.move_org(
            request.app.state.db,
            request.app.state.registry.org_kinds,
            org_id,
            data.parent,
            _reach(request, perm.ORG_MOVE),
            services.org_path_columns(request.app.state.plugin_manager),
            reveal=_reveal(request),
        )

    @post(
        "/{org_id:uuid}/dissolve",
        opt={"permission": perm.ORG_DISSOLVE},
        status_code=200,
        summary="撤销组织",
        description="撤销组织：记录与历史保留，现有成员关系结束。须无未撤销的下级组织。",
        summary_en="Dissolve an org (kept with its history; memberships end)",
        description_en=(
            "Dissolves an org: its records and history are kept and its memberships end. It must have no "
            "live child orgs."
        ),
    )
    async def dissolve_org(self, request: Req, org_id: FromPath[UUID]) -> S.Org:
        return await services.dissolve_org(
            request.app.state.db,
            _rules(request),
            org_id,
            _reach(request, perm.ORG_DISSOLVE),
            reveal=_reveal(request),
        )

    @get(
        "/{org_id:uuid}/coverage",
        opt={"permission": perm.COVERAGE_READ},
        summary="下级组织覆盖率",
        description="组织及其下级服务的应建单位中已建组织的比例，按类型与标签汇总。",
        summary_en="Coverage rates of the subtree",
        description_en="The share of the units an org and its subtree serve that are covered, by kind and tag.",
    )
    async def org_coverage(self, request: Req, org_id: FromPath[UUID]) -> S.Coverage:
        return await coverage.org_coverage(_rules(request), org_id, _reach(request, perm.COVERAGE_READ))

    @get(
        "/{org_id:uuid}/coverage/series",
        opt={"permission": perm.COVERAGE_READ},
        summary="下级组织覆盖率的月度快照",
        description="组织及下级每月覆盖率快照，用于趋势图。",
        summary_en="Monthly coverage snapshots of the subtree",
        description_en="The monthly coverage snapshots of an org and its subtree, for trend charts.",
    )
    async def coverage_series(
        self,
        request: Req,
        org_id: FromPath[UUID],
        start: Annotated[str | None, QueryParameter(name="from", pattern=r"^\d{4}-\d{2}$")] = None,
        end: Annotated[str | None, QueryParameter(name="to", pattern=r"^\d{4}-\d{2}$")] = None,
    ) -> S.CoverageSeries:
        return await coverage.coverage_series(org_id, _reach(request, perm.COVERAGE_READ), start, end)


class CoverageController(Controller):
    """``/api/v1/coverage`` and ``/api/v1/units``: the registry of units that should be covered."""

    path = "/"
    tags = ["coverage"]  # noqa: RUF012
    guards = [require_authenticated, require_permission]  # noqa: RUF012

    @get(
        "/coverage",
        opt={"permission": perm.COVERAGE_READ},
        summary="某地区的覆盖率",
        description="按行政区划代码前缀汇总覆盖率，包括按片区组织归属到该地区的单位。",
        summary_en="Coverage rates of a region (code prefix)",
        description_en=(
            "Coverage rates over a region code prefix, counting the units that belong to it through the org "
            "of their area."
        ),
    )
    async def region_coverage(
        self, request: Req, region: Annotated[str, QueryParameter(pattern=r"^\d{2,6}$")]
    ) -> S.Coverage:
        return await coverage.region_coverage(_rules(request), region, _reach(request, perm.COVERAGE_READ))

    @post(
        "/coverage/snapshots",
        opt={"permission": perm.COVERAGE_MANAGE},
        status_code=201,
        summary="生成月度覆盖率快照",
        description="立即生成本月的覆盖率快照（通常由定时任务完成）。",
        summary_en="Take the monthly coverage snapshot",
        description_en="Takes this month's coverage snapshot now (usually a scheduled job does).",
    )
    async def take_coverage_snapshot(
        self, request: Req, data: JSONBody[S.SnapshotRequest]
    ) -> S.SnapshotTaken:
        if not within("", _reach(request, perm.COVERAGE_MANAGE)):
            raise Problem("forbidden")
        return await coverage.take_snapshot(request.app.state.db, data.month)

    @get(
        "/units",
        opt={"permission": perm.COVERAGE_READ},
        summary="应建单位列表",
        description="调用方权限范围内登记的应建单位，可筛选。",
        summary_en="Registered units within reach",
        description_en="The registered units within the caller's reach, filterable.",
    )
    async def list_units(
        self,
        request: Req,
        page: PageParam,
        org: FromQuery[UUID | None] = None,
        kind: Annotated[str | None, QueryParameter(max_length=32)] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Page[S.Unit]:
        items, cursor = await coverage.list_units(
            _reach(request, perm.COVERAGE_READ), page, org=org, kind=kind, q=q
        )
        return Page(items=items, next_cursor=cursor)

    @post(
        "/units",
        opt={"permission": perm.COVERAGE_MANAGE},
        summary="登记应建单位",
        description="登记一个应当建立组织的单位，用于计算覆盖率。",
        summary_en="Register a unit that should be covered",
        description_en="Registers a unit that should have an org, for coverage rates.",
    )
    async def register_unit(self, request: Req, data: JSONBody[S.UnitCreate]) -> S.Unit:
        return await coverage.register_unit(
            request.app.state.db, _rules(request), data, _reach(request, perm.COVERAGE_MANAGE)
        )

    @get(
        "/units/{unit_id:uuid}",
        opt={"permission": perm.COVERAGE_READ},
        summary="应建单位详情",
        description="一个登记的应建单位（企业、社区、学校等）。",
        summary_en="One registered unit",
        description_en="One registered unit (company, community, school …).",
    )
    async def get_unit(self, request: Req, unit_id: FromPath[UUID]) -> S.Unit:
        return await coverage.load_unit(unit_id, _reach(request, perm.COVERAGE_READ))

    @patch(
        "/units/{unit_id:uuid}",
        opt={"permission": perm.COVERAGE_MANAGE},
        summary="修改应建单位",
        description="修改单位的名称、地区、标签或所属片区组织。",
        summary_en="Change a unit",
        description_en="Changes a unit's name, region, tags or the org of its area.",
    )
    async def update_unit(
        self, request: Req, unit_id: FromPath[UUID], data: JSONBody[S.UnitUpdate]
    ) -> S.Unit:
        return await coverage.update_unit(
            request.app.state.db, _rules(request), unit_id, data, _reach(request, perm.COVERAGE_MANAGE)
        )

    @post(
        "/units/{unit_id:uuid}/links",
        opt={"permission": perm.COVERAGE_MANAGE},
        status_code=201,
        summary="登记组织覆盖该单位",
        description="记录某组织覆盖（已建于）该单位。",
        summary_en="Record that an org covers the unit",
        description_en="Records that an org covers (is established in) the unit.",
    )
    async def link_org_to_unit(
        self, request: Req, unit_id: FromPath[UUID], data: JSONBody[S.CoverageLinkCreate]
    ) -> S.Unit:
        return await coverage.link(
            request.app.state.db, _rules(request), unit_id, data.org, _reach(request, perm.COVERAGE_MANAGE)
        )

    @delete(
        "/units/{unit_id:uuid}/links/{org_id:uuid}",
        opt={"permission": perm.COVERAGE_MANAGE},
        status_code=200,
        summary="取消组织对单位的覆盖",
        description="记录该组织不再覆盖该单位。",
        summary_en="The org no longer covers the unit",
        description_en="Records that the org no longer covers the unit.",
    )
    async def unlink_org_from_unit(
        self, request: Req, unit_id: FromPath[UUID], org_id: FromPath[UUID]
    ) -> S.Unit:
        return await coverage.unlink(
            request.app.state.db, _rules(request), unit_id, org_id, _reach(request, perm.COVERAGE_MANAGE)
        )
