"""HTTP routes of selections and honors: thin — they parse, open the write transaction, call the services.

Who may call what: every route needs an authenticated caller. Campaigns and their results are public to
logged-in callers (they are announced to be nominated and voted in); nominating as oneself or for
another person and voting need a person (self policy); nominating for an org needs
``core.selection.nominate`` on it; reviewing needs ``core.selection.review`` on the nomination's current
org; running a campaign ``core.selection.manage`` on its org; honors ``core.honor.read`` /
``core.honor.manage`` over the recipient's or the issuer's subtree, and one's own honors the self policy.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import State
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from core.kernel.access import Principal
from core.kernel.db import Database
from core.kernel.errors import Problem, request_locale
from core.kernel.guards import current_principal, require_permission
from core.kernel.pagination import Page, PageParam
from core.orgs.tables import Org
from core.orgs.tabular import write_xlsx
from core.selections import campaigns, honors, nominations, votes
from core.selections import schemas as S
from core.selections.campaigns import results_hidden
from core.selections.common import Env, check_if_match, etag, load_campaign
from core.selections.permissions import HONOR_MANAGE, HONOR_READ, SELECTION_MANAGE
from core.selections.tables import Nomination

CampaignId = Annotated[UUID, PathParameter(description="Campaign id")]
NominationId = Annotated[UUID, PathParameter(description="Nomination id")]
HonorId = Annotated[UUID, PathParameter(description="Honor id")]
IfMatch = Annotated[str | None, HeaderParameter(name="If-Match", description="The ETag", max_length=64)]
OrgScope = Annotated[
    Literal["subtree", "org"], QueryParameter(name="scope", description="org alone or its subtree")
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _principal(request: Request[Any, Any, State]) -> Principal:
    principal = current_principal(request)
    assert principal is not None  # the guard answered 401 already
    return principal


def _db(request: Request[Any, Any, State]) -> Database:
    return request.app.state.db  # type: ignore[no-any-return]


def _env(request: Request[Any, Any, State]) -> Env:
    return Env.of(request.app.state, request_locale(request))


async def _org_path(org_id: UUID | None) -> str | None:
    if org_id is None:
        return None
    row = await Org.select(Org.path).where(Org.id == org_id).first().run()
    if row is None:
        raise Problem("not-found")
    return str(row["path"])


def _tagged(body: Any, version: int, status_code: int = 200) -> Response[Any]:
    return Response(body, status_code=status_code, headers={"ETag": etag(version)})


def _type_info(env: Env, stype: Any) -> S.SelectionTypeInfo:
    return S.SelectionTypeInfo(
        code=stype.code,
        plugin=env.owner(stype.code),
        name=stype.name.as_dict(),
        nominee_kinds=list(stype.nominee_kinds),
        sources=list(stype.sources),
        criteria=stype.criteria.as_dict() if stype.criteria else None,
        honor_levels=[str(level) for level in stype.honor_levels],
        max_levels=stype.max_levels,
        org_kinds=list(stype.org_kinds),
        form_schema=msgspec.json.schema(stype.form) if stype.form is not None else None,
        public_fields=list(stype.public_fields),
        vote=msgspec.to_builtins(stype.vote) if stype.vote is not None else None,
        notice_days=stype.notice_days,
    )


async def _results(env: Env, row: dict[str, Any]) -> S.Results:
    """The candidates at the campaign's org once the vote (or, without one, the selection) began."""
    hidden = results_hidden(env, row)
    stype = env.type(row["type"])
    started = (
        ("voting", "selecting", "notice", "decided") if stype.vote else ("selecting", "notice", "decided")
    )
    items: list[S.Candidate] = []
    if row["stage"] in started:
        query = Nomination.select().where(
            (Nomination.campaign == row["id"])
            & (Nomination.level == 0)
            & Nomination.status.is_in(["pending", "selected", "not_selected", "awarded", "not_awarded"])
        )
        rows = await query.order_by(Nomination.created_at).limit(1000).run()
        if not hidden:  # most votes first
            rows.sort(key=lambda r: -int(r["votes"]))
        units = {}
        if rows:
            found = (
                await Org.select(Org.id, Org.name)
                .where(Org.id.is_in(list({r["entry_org"] for r in rows})))
                .run()
            )
            units = {o["id"]: o["name"] for o in found}
        public = set(stype.public_fields)
        for r in rows:
            form = nominations.to_nomination(r, hidden=True).form
            items.append(
                S.Candidate(
                    nomination_id=r["id"],
                    nominee_kind=r["nominee_kind"],
                    nominee_name=r["nominee_name"],
                    unit=units.get(r["entry_org"], ""),
                    form={k: v for k, v in form.items() if k in public},
                    status=r["status"],
                    votes=None if hidden else r["votes"],
                )
            )
    return S.Results(
        campaign_id=row["id"],
        stage=row["stage"],
        results_hidden=hidden,
        result_held=await campaigns.held(row),
        candidates=items,
    )


class SelectionController(Controller):
    """``/api/v1/selections``: campaigns, nominations, reviews, votes and results of every declared type."""

    path = "/selections"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["selections"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get(
        "/types",
        opt={"policy": "visible"},
        summary="评选类型（含推荐表 JSON Schema）",
        description="各插件声明的评选类型，附推荐表的 JSON Schema。",
        summary_en="Selection types (with form JSON Schemas)",
        description_en="The selection types plugins declare, each with its nomination form's JSON Schema.",
    )
    async def list_selection_types(self, request: Request[Any, Any, State]) -> list[S.SelectionTypeInfo]:
        """Every declared selection type: nominee kinds, sources, criteria, vote rule and form schema."""
        env = _env(request)
        return [_type_info(env, t) for _, t in sorted(env.registry.selection_types.items())]

    @post(
        "/campaigns",
        opt={"permission": SELECTION_MANAGE},
        summary="发起评选",
        description="按评选类型发起一次评选。",
        summary_en="Start a campaign",
        description_en="Starts a selection campaign of a type.",
    )
    async def create_campaign(
        self, request: Request[Any, Any, State], data: JSONBody[S.CampaignCreate]
    ) -> Response[S.Campaign]:
        env = _env(request)
        async with _db(request).transaction():
            row = await campaigns.create(env, _principal(request), data)
            out = await campaigns.to_campaign(env, row)
        return _tagged(out, row["version"], 201)

    @get(
        "/campaigns",
        opt={"policy": "visible"},
        summary="评选列表（按组织及下级）",
        description="组织及下级发起的评选。",
        summary_en="Campaigns (org and subtree)",
        description_en="The selection campaigns of an org and its subtree.",
    )
    async def list_campaigns(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: Annotated[
            UUID | None, QueryParameter(description="Campaigns of this org (and its subtree)")
        ] = None,
        org_scope: OrgScope = "subtree",
        stage: Annotated[S.Stage | None, QueryParameter(description="Only campaigns at this stage")] = None,
        type: Annotated[str | None, QueryParameter(max_length=64, description="Selection type code")] = None,
    ) -> Page[S.Campaign]:
        items, cursor = await campaigns.list_campaigns(
            _env(request), await _org_path(org), org_scope == "subtree", stage, type, page
        )
        return Page(items=items, next_cursor=cursor)

    @get(
        "/campaigns/{campaign_id:uuid}",
        opt={"policy": "visible"},
        summary="评选详情",
        description="一次评选及其阶段与名额。",
        summary_en="One campaign",
        description_en="One campaign with its stage and quotas.",
    )
    async def get_campaign(
        self, request: Request[Any, Any, State], campaign_id: CampaignId
    ) -> Response[S.Campaign]:
        row = await load_campaign(campaign_id)
        return _tagged(await campaigns.to_campaign(_env(request), row), row["version"])

    @put(
        "/campaigns/{campaign_id:uuid}/quotas",
        opt={"permission": SELECTION_MANAGE},
        summary="设置某组织的名额",
        description="设置下级组织在评选中的推荐名额。",
        summary_en="Set an org's quota",
        description_en="Sets how many an org may nominate in the campaign.",
    )
    async def set_quota(
        self, request: Request[Any, Any, State], campaign_id: CampaignId, data: JSONBody[S.QuotaSet]
    ) -> S.QuotaInfo:
        async with _db(request).transaction():
            row = await load_campaign(campaign_id)
            return await campaigns.set_quota(_env(request), _principal(request), row, data)

    @post(
        "/campaigns/{campaign_id:uuid}/stage",
        opt={"permission": SELECTION_MANAGE},
        status_code=200,
        summary="推进评选阶段（须 If-Match）",
        description="把评选推进到下一阶段（推荐、审核、投票、公示等）。",
        summary_en="Move a campaign to its next stage (If-Match)",
        description_en="Moves the selection campaign to its next stage (nomination, review, voting, notice …).",
    )
    async def change_stage(
        self,
        request: Request[Any, Any, State],
        campaign_id: CampaignId,
        data: JSONBody[S.StageChange],
        if_match: IfMatch = None,
    ) -> Response[S.Campaign]:
        """Move on: to ``notice`` publishes the notice (公示) of the selected, which takes objections."""
        env = _env(request)
        async with _db(request).transaction():
            row = await load_campaign(campaign_id)
            new = await campaigns.advance(env, _principal(request), row, data, if_match)
            out = await campaigns.to_campaign(env, new)
        return _tagged(out, new["version"])

    @post(
        "/campaigns/{campaign_id:uuid}/decision",
        opt={"permission": SELECTION_MANAGE},
        status_code=200,
        summary="确定评选结果并登记荣誉（须 If-Match）",
        description="确定评选结果，获评者登记入荣誉册。",
        summary_en="Decide and enter the honors (If-Match)",
        description_en="Decides the campaign; those selected enter the honors register.",
    )
    async def decide_campaign(
        self,
        request: Request[Any, Any, State],
        campaign_id: CampaignId,
        data: JSONBody[S.Decision],
        if_match: IfMatch = None,
    ) -> Response[S.Campaign]:
        """Refused while the notice runs or an objection to it waits (``selection-result-held``)."""
        env = _env(request)
        async with _db(request).transaction():
            row = await load_campaign(campaign_id)
            new = await campaigns.decide(env, _principal(request), row, data, if_match)
            out = await campaigns.to_campaign(env, new)
        return _tagged(out, new["version"])

    @get(
        "/campaigns/{campaign_id:uuid}/results",
        opt={"policy": "visible"},
        summary="候选对象与评选结果（得票在投票结束前可隐藏）",
        description="候选对象与结果；得票数在投票结束前可不公开。",
        summary_en="Candidates and results (votes may be hidden until voting ends)",
        description_en="The candidates and results; vote counts may stay hidden until voting ends.",
    )
    async def campaign_results(self, request: Request[Any, Any, State], campaign_id: CampaignId) -> S.Results:
        return await _results(_env(request), await load_campaign(campaign_id))

    @post(
        "/campaigns/{campaign_id:uuid}/nominations",
        opt={"policy": "selection-roles"},
        summary="推荐（自荐、推荐他人或组织推荐）",
        description="自荐、推荐他人或以组织名义推荐。",
        summary_en="Nominate (oneself, another, or as an org)",
        description_en="Nominates oneself, another person, or on behalf of an org.",
    )
    async def nominate_for_campaign(
        self, request: Request[Any, Any, State], campaign_id: CampaignId, data: JSONBody[S.NominationCreate]
    ) -> Response[S.NominationDetail]:
        env = _env(request)
        async with _db(request).transaction():
            campaign = await load_campaign(campaign_id)
            row = await nominations.file(env, _principal(request), campaign, data)
            out = await nominations.detail(row, hidden=True)
        return _tagged(out, row["version"], 201)

    @get(
        "/campaigns/{campaign_id:uuid}/nominations",
        opt={"policy": "visible"},
        summary="推荐列表（辖区内，供审核）",
        description="辖区内的推荐，供审核。",
        summary_en="Nominations within reach (for review)",
        description_en="The nominations within reach, for review.",
    )
    async def list_nominations(
        self,
        request: Request[Any, Any, State],
        campaign_id: CampaignId,
        page: PageParam,
        org: Annotated[
            UUID | None, QueryParameter(description="Nominations now at this org (or below)")
        ] = None,
        org_scope: OrgScope = "org",
        status: Annotated[S.NominationStatus | None, QueryParameter(description="Nomination status")] = None,
        level: Annotated[
            int | None, QueryParameter(ge=0, le=10, description="Level (0: the campaign's org)")
        ] = None,
    ) -> Page[S.Nomination]:
        env = _env(request)
        campaign = await load_campaign(campaign_id)
        items, cursor = await nominations.list_for_reviewers(
            _principal(request),
            campaign,
            page,
            org_path=await _org_path(org),
            subtree=org_scope == "subtree",
            status=status,
            level=level,
            hidden=results_hidden(env, campaign),
        )
        return Page(items=items, next_cursor=cursor)

    @get(
        "/nominations/{nomination_id:uuid}",
        opt={"policy": "visible"},
        summary="推荐详情（含各级审核记录）",
        description="一条推荐及各级审核记录。",
        summary_en="One nomination (with every review)",
        description_en="One nomination with the reviews at each level.",
    )
    async def get_nomination(
        self, request: Request[Any, Any, State], nomination_id: NominationId
    ) -> Response[S.NominationDetail]:
        row = await nominations.readable(_principal(request), nomination_id)
        campaign = await load_campaign(row["campaign"])
        out = await nominations.detail(row, hidden=results_hidden(_env(request), campaign))
        return _tagged(out, row["version"])

    @post(
        "/nominations/{nomination_id:uuid}/review",
        opt={"policy": "selection-roles"},
        status_code=200,
        summary="审核推荐：上报、不通过、评定",
        description="审核一条推荐：上报上级、不通过或评定。",
        summary_en="Review a nomination: forward, reject, select",
        description_en="Reviews a nomination: forward it up, reject it, or select it.",
    )
    async def review_nomination(
        self,
        request: Request[Any, Any, State],
        nomination_id: NominationId,
        data: JSONBody[S.Review],
        if_match: IfMatch = None,
    ) -> Response[S.NominationDetail]:
        """``forward`` uses one of the current org's quota; of concurrent forwards beyond it the extra
        ones get ``selection-quota-full`` (409)."""
        env = _env(request)
        principal = _principal(request)
        async with _db(request).transaction():
            row = await nominations.readable(principal, nomination_id)
            check_if_match(row["version"], if_match, required=False)
            campaign = await load_campaign(row["campaign"])
            new = await nominations.review(env, principal, campaign, row, data)
            out = await nominations.detail(new, hidden=results_hidden(env, campaign))
        return _tagged(out, new["version"])

    @post(
        "/nominations/{nomination_id:uuid}/withdraw",
        opt={"policy": "selection-roles"},
        status_code=200,
        summary="撤回推荐（推荐人或被推荐人）",
        description="推荐人或被推荐人撤回推荐。",
        summary_en="Withdraw a nomination (nominator or nominee)",
        description_en="The nominator or the nominee withdraws the nomination.",
    )
    async def withdraw_nomination(
        self, request: Request[Any, Any, State], nomination_id: NominationId
    ) -> Response[S.NominationDetail]:
        principal = _principal(request)
        async with _db(request).transaction():
            row = await nominations.readable(principal, nomination_id)
            campaign = await load_campaign(row["campaign"])
            new = await nominations.withdraw(principal, campaign, row)
            out = await nominations.detail(new, hidden=True)
        return _tagged(out, new["version"])

    @post(
        "/campaigns/{campaign_id:uuid}/votes",
        opt={"policy": "signed-in"},
        summary="实名投票（限流）",
        description="以实名为候选对象投票，受频率限制。",
        summary_en="Vote (named, throttled)",
        description_en="Votes for candidates under one's name; throttled.",
    )
    async def vote_in_campaign(
        self, request: Request[Any, Any, State], campaign_id: CampaignId, data: JSONBody[S.VoteCreate]
    ) -> Response[S.VoteOut]:
        """One vote per person per candidate (or within the person's budget); a repeat gets
        ``vote-duplicate`` (409), too many requests ``rate-limited`` (429)."""
        env = _env(request)
        principal = _principal(request)
        campaign = await load_campaign(campaign_id)
        vote = env.type(campaign["type"]).vote
        if principal.person_id is not None and vote is not None:
            await votes.throttle_of(request.app.state).attempt(principal.person_id, vote.per_minute)
        async with _db(request).transaction():
            campaign = await load_campaign(campaign_id)
            out = await votes.cast(env, principal, campaign, data.nomination_id)
        return Response(out, status_code=201)

    @get(
        "/campaigns/{campaign_id:uuid}/votes/mine",
        opt={"policy": "self"},
        summary="我的投票",
        description="本人在该评选中的投票。",
        summary_en="My votes",
        description_en="The caller's votes in the campaign.",
    )
    async def my_votes(self, request: Request[Any, Any, State], campaign_id: CampaignId) -> S.MyVotes:
        return await votes.mine(_env(request), _principal(request), await load_campaign(campaign_id))


class MySelectionController(Controller):
    """``/api/v1/me/nominations`` and ``/api/v1/me/honors``: the caller's own (self policy)."""

    path = "/me"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["selections"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get(
        "/nominations",
        opt={"policy": "self"},
        summary="我的推荐（推荐我的与我推荐的）",
        description="推荐本人的与本人推荐的。",
        summary_en="My nominations (of me and by me)",
        description_en="Nominations of the caller and by the caller.",
    )
    async def my_nominations(self, request: Request[Any, Any, State], page: PageParam) -> Page[S.Nomination]:
        items, cursor = await nominations.mine(_principal(request), page)
        return Page(items=items, next_cursor=cursor)

    @get(
        "/honors",
        opt={"policy": "self"},
        summary="我的荣誉",
        description="本人获得的荣誉。",
        summary_en="My honors",
        description_en="The caller's honors.",
    )
    async def my_honors(self, request: Request[Any, Any, State], page: PageParam) -> Page[S.Honor]:
        items, cursor = await honors.mine(_principal(request), page)
        return Page(items=items, next_cursor=cursor)


HonorBy = Annotated[
    Literal["recipient", "issuer"],
    QueryParameter(name="by", description="org filters the recipients' orgs or the issuing orgs"),
]
HonorYear = Annotated[int | None, QueryParameter(ge=1949, le=2100, description="Year")]
HonorLevel = Annotated[S.AdminLevelCode | None, QueryParameter(description="Administrative level")]
HonorKind = Annotated[
    Literal["person", "family", "team", "org"] | None,
    QueryParameter(name="kind", description="Recipient kind"),
]
HonorStatus = Annotated[Literal["active", "revoked"] | None, QueryParameter(description="active or revoked")]


class RevokeBody(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class HonorController(Controller):
    """``/api/v1/honors``: the honors register (荣誉) of an org and its subtree."""

    path = "/honors"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["honors"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @post(
        "/",
        opt={"permission": HONOR_MANAGE},
        summary="登记荣誉（直接录入）",
        description="不经评选直接登记一项荣誉。",
        summary_en="Enter an honor directly",
        description_en="Enters an honor without a campaign.",
    )
    async def enter_honor(
        self, request: Request[Any, Any, State], data: JSONBody[S.HonorCreate]
    ) -> Response[S.Honor]:
        async with _db(request).transaction():
            row = await honors.enter(_env(request), _principal(request), data)
        return Response(honors.to_honor(row), status_code=201)

    @get(
        "/",
        opt={"permission": HONOR_READ},
        summary="荣誉列表（按组织及下级）",
        description="组织及下级登记的荣誉。",
        summary_en="Honors (org and subtree)",
        description_en="The honors of an org and its subtree.",
    )
    async def list_honors(
        self,
        request: Request[Any, Any, State],
        page: PageParam,
        org: Annotated[
            UUID | None, QueryParameter(description="Honors of this org (and its subtree)")
        ] = None,
        org_scope: OrgScope = "subtree",
        by: HonorBy = "recipient",
        year: HonorYear = None,
        level: HonorLevel = None,
        kind: HonorKind = None,
        status: HonorStatus = None,
    ) -> Page[S.Honor]:
        items, cursor = await honors.list_honors(
            _principal(request),
            page,
            org_path=await _org_path(org),
            subtree=org_scope == "subtree",
            by=by,
            year=year,
            level=level,
            kind=kind,
            status=status,
        )
        return Page(items=items, next_cursor=cursor)

    @get(
        "/export.xlsx",
        opt={"permission": HONOR_READ},
        media_type=XLSX,
        summary="导出荣誉（XLSX）",
        description="组织及下级的荣誉，Excel 工作簿。",
        summary_en="Export honors (XLSX)",
        description_en="The honors of an org and its subtree as an Excel workbook.",
    )
    async def export_honors(
        self,
        request: Request[Any, Any, State],
        org: Annotated[
            UUID | None, QueryParameter(description="Honors of this org (and its subtree)")
        ] = None,
        org_scope: OrgScope = "subtree",
        by: HonorBy = "recipient",
        year: HonorYear = None,
        level: HonorLevel = None,
        kind: HonorKind = None,
        status: HonorStatus = None,
    ) -> Response[bytes]:
        rows = await honors.export_rows(
            _principal(request),
            org_path=await _org_path(org),
            subtree=org_scope == "subtree",
            by=by,
            year=year,
            level=level,
            kind=kind,
            status=status,
        )
        body = write_xlsx("honors", honors.HEADER[request_locale(request)], rows)
        return Response(
            body, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="honors.xlsx"'}
        )

    @get(
        "/{honor_id:uuid}",
        opt={"policy": "visible"},
        summary="荣誉详情",
        description="一项荣誉。",
        summary_en="One honor",
        description_en="One honor.",
    )
    async def get_honor(self, request: Request[Any, Any, State], honor_id: HonorId) -> S.Honor:
        return honors.to_honor(await honors.readable(_principal(request), honor_id))

    @post(
        "/{honor_id:uuid}/revoke",
        opt={"permission": HONOR_MANAGE},
        status_code=200,
        summary="撤销荣誉",
        description="撤销一项荣誉，记录原因。",
        summary_en="Revoke an honor",
        description_en="Revokes an honor, with the reason.",
    )
    async def revoke_honor(
        self, request: Request[Any, Any, State], honor_id: HonorId, data: JSONBody[RevokeBody]
    ) -> S.Honor:
        async with _db(request).transaction():
            row = await honors.readable(_principal(request), honor_id)
            return honors.to_honor(await honors.revoke(_principal(request), row, data.reason))


PersonId = Annotated[UUID, PathParameter(description="Person id")]


class PersonHonorController(Controller):
    """``/api/v1/persons/{person_id}/honors``: a person's honors, for cadres who reach the person."""

    path = "/persons/{person_id:uuid}/honors"
    guards: ClassVar[list[Any]] = [require_permission]
    tags: ClassVar[list[str]] = ["honors"]
    security: ClassVar[list[dict[str, list[str]]]] = [{"bearer": []}]

    @get(
        "/",
        opt={"permission": HONOR_READ},
        summary="人员的荣誉",
        description="可触及此人的干部查看其荣誉（含已撤销，可按 status 筛选），新近在前；触及范围外的人员答 404。",
        summary_en="A person's honors",
        description_en=(
            "The honors of a person within the caller's reach (revoked ones too; filter by `status`), newest "
            "first; a person outside reach answers 404."
        ),
    )
    async def list_person_honors(
        self,
        request: Request[Any, Any, State],
        person_id: PersonId,
        page: PageParam,
        status: HonorStatus = None,
    ) -> Page[S.Honor]:
        items, cursor = await honors.of_person(
            _principal(request),
            person_id,
            page,
            timezone=request.app.state.settings.timezone,
            status=status,
        )
        return Page(items=items, next_cursor=cursor)


ROUTES = [SelectionController, MySelectionController, HonorController, PersonHonorController]
__all__ = [
    "ROUTES",
    "HonorController",
    "MySelectionController",
    "PersonHonorController",
    "SelectionController",
]
