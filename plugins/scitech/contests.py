"""Technology contests (科技比武) and awards (创新奖, 青年科技奖).

A contest is a core event of type ``scitech.tech_contest``; once a scitech org publishes it the plugin
keeps it here and its organizer records the placings (``PUT …/results``, If-Match). The awards are
selection types the core runs (nominations up the tree, review, notice, decision) and whose winners
enter the honors register.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, put
from litestar.params import FromPath, FromQuery, JSONBody

from core.sdk import (
    AdminLevel,
    EventInfo,
    Org,
    Page,
    PageParam,
    Problem,
    SelectionType,
    Text,
    emit,
    paginate,
    reach_clause,
    record_audit,
    register_field_code,
    transaction,
    within,
)
from plugins.scitech.common import (
    IfMatch,
    check_if_match,
    check_person,
    local_date,
    name_schemas,
    org_within,
    tagged,
    update_version,
)
from plugins.scitech.common import reaches as reaches_of
from plugins.scitech.permissions import CONTEST_MANAGE, CONTEST_READ
from plugins.scitech.signals import (
    CONTEST_CANCELLED,
    CONTEST_CHANGED,
    CONTEST_DECIDED,
    CONTEST_RECORDED,
    RecordSignal,
)
from plugins.scitech.tables import ScitechContest, ScitechContestResult

CONTEST_TYPE = "scitech.tech_contest"
CONTEST_KINDS = (
    "scitech.association",
    "scitech.society",
    "scitech.enterprise_association",
    "scitech.university_association",
)
Award = Literal["first", "second", "third", "excellence"]

RANK_TAKEN = register_field_code(
    "scitech_rank_taken",
    Text(zh_hans="名次重复", zh_hant="名次重複", en="The rank is given twice"),
)
NOT_OPEN = register_field_code(
    "scitech_contest_cancelled",
    Text(zh_hans="比赛已取消", zh_hant="比賽已取消", en="The contest was cancelled"),
)


class PlacingIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    entrant: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    rank: Annotated[int, msgspec.Meta(ge=1, le=10000)]
    award: Award
    score: Annotated[str, msgspec.Meta(max_length=16)] = ""
    person: uuid.UUID | None = None


class ResultsIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The contest's placings, replacing any recorded before."""

    results: Annotated[list[PlacingIn], msgspec.Meta(max_length=500)]


class ContestResult(msgspec.Struct, kw_only=True):
    entrant: str
    rank: int
    award: str
    score: str
    person: uuid.UUID | None


class Contest(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    event: uuid.UUID
    org: uuid.UUID
    title: str
    field: str
    level: str
    held_on: date
    status: str
    version: int
    results: list[ContestResult] = []


def _contest(row: dict[str, Any]) -> Contest:
    return Contest(**{f: row[f] for f in Contest.__struct_fields__ if f in row})


async def event_published(event: EventInfo) -> None:
    if event.type != CONTEST_TYPE:
        return
    org = await Org.select(Org.path, Org.kind).where(Org.id == event.org_id).first().run()
    if org is None or org["kind"] not in CONTEST_KINDS:
        return
    async with transaction():
        existing = await ScitechContest.select().where(ScitechContest.event == event.id).first().run()
        if existing is not None:
            await _republished(dict(existing), event)
            return
        row = {
            "id": uuid.uuid4(),
            "event": event.id,
            "org": event.org_id,
            "org_path": org["path"],
            "title": event.title[:200],
            "field": str(event.details.get("field", ""))[:100],
            "level": str(event.details.get("level", ""))[:16],
            "held_on": local_date(event.starts_at),
            "status": "scheduled",
            "version": 1,
        }
        await ScitechContest.insert(ScitechContest(**row)).run()
        await _signal("scitech.contest.recorded", CONTEST_RECORDED, row)


async def _signal(action: str, signal: Any, row: dict[str, Any], **changes: Any) -> None:
    await record_audit(
        action,
        resource_type="scitech.contest",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes=changes or None,
    )
    await emit(
        signal,
        RecordSignal(id=str(row["id"]), org=str(row["org"])),
        resource_type="scitech.contest",
        resource_id=row["id"],
        org_path=row["org_path"],
    )


async def _republished(row: dict[str, Any], event: EventInfo) -> None:
    """The event of a kept contest was published again: its title and date follow the event, a
    cancelled contest is scheduled again, placings recorded stay. Nothing is written when nothing
    changed."""
    wanted = {
        "title": event.title[:200],
        "held_on": local_date(event.starts_at),
        "status": "scheduled" if row["status"] == "cancelled" else row["status"],
    }
    changes = {k: v for k, v in wanted.items() if row[k] != v}
    if not changes:
        return
    await (
        ScitechContest.update(
            {
                **{getattr(ScitechContest, k): v for k, v in changes.items()},
                ScitechContest.version: row["version"] + 1,
            }
        )
        .where(ScitechContest.id == row["id"])
        .run()
    )
    await _signal(
        "scitech.contest.republished", CONTEST_CHANGED, row, event=str(event.id), fields=sorted(changes)
    )


async def event_cancelled(event: EventInfo) -> None:
    """The contest's event was cancelled: so is the contest (it takes no placings from now on)."""
    async with transaction():
        row = await ScitechContest.select().where(ScitechContest.event == event.id).first().run()
        if row is None or row["status"] == "cancelled":
            return
        await (
            ScitechContest.update(
                {ScitechContest.status: "cancelled", ScitechContest.version: row["version"] + 1}
            )
            .where(ScitechContest.id == row["id"])
            .run()
        )
        await _signal("scitech.contest.cancelled", CONTEST_CANCELLED, dict(row), event=str(event.id))


async def _load(request: Request[Any, Any, Any], contest_id: uuid.UUID, permission: str) -> dict[str, Any]:
    row = await ScitechContest.select().where(ScitechContest.id == contest_id).first().run()
    if row is None or not within(row["org_path"], reaches_of(request, permission)):
        raise Problem("not-found")
    return dict(row)


async def _with_results(row: dict[str, Any]) -> Contest:
    contest = _contest(row)
    results = (
        await ScitechContestResult.select()
        .where(ScitechContestResult.contest == row["id"])
        .order_by(ScitechContestResult.rank)
        .run()
    )
    contest.results = [ContestResult(**{f: r[f] for f in ContestResult.__struct_fields__}) for r in results]
    return contest


class ContestController(Controller):
    path = "/contests"

    @get(
        "/",
        opt={"permission": CONTEST_READ},
        summary="科技比武",
        description="权限范围内已发布的科技比武与竞赛，按举办日期排列；可限定组织（含下级）。",
        summary_en="Technology contests",
        description_en="Published technology contests within reach, by date; optionally of an org's subtree.",
    )
    async def list_scitech_contests(
        self, request: Request[Any, Any, Any], page: PageParam, org: FromQuery[uuid.UUID | None] = None
    ) -> Page[Contest]:
        clause = reach_clause(ScitechContest.org_path, reaches_of(request, CONTEST_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = ScitechContest.select().where(clause)
        if org is not None:
            path = (await org_within(request, org, CONTEST_READ))["path"]
            query = query.where((ScitechContest.org_path >= path) & (ScitechContest.org_path < path + "~"))
        rows, cursor = await paginate(query, [ScitechContest.held_on, ScitechContest.id], page)
        return Page(items=[_contest(r) for r in rows], next_cursor=cursor)

    @get(
        "/{contest_id:uuid}",
        opt={"permission": CONTEST_READ},
        summary="比赛及名次",
        description="一场科技比武及其名次与奖项。",
        summary_en="A contest and its placings",
        description_en="A technology contest with its placings and awards.",
    )
    async def get_scitech_contest(
        self, request: Request[Any, Any, Any], contest_id: FromPath[uuid.UUID]
    ) -> Response[Contest]:
        row = await _load(request, contest_id, CONTEST_READ)
        return tagged(await _with_results(row), row["version"])

    @put(
        "/{contest_id:uuid}/results",
        opt={"permission": CONTEST_MANAGE},
        summary="登记比赛名次（须 If-Match）",
        description="登记（或更正）比赛的全部名次与奖项；名次不得重复，关联的人员须在权限范围内，"
        "已取消的比赛不能登记。",
        summary_en="Record a contest's placings (If-Match)",
        description_en="Records (or corrects) every placing and award; ranks are unique, linked persons "
        "must be within reach, and a cancelled contest takes none.",
    )
    async def record_scitech_contest_results(
        self,
        request: Request[Any, Any, Any],
        contest_id: FromPath[uuid.UUID],
        data: JSONBody[ResultsIn],
        if_match: IfMatch = None,
    ) -> Response[Contest]:
        await _load(request, contest_id, CONTEST_MANAGE)  # out of reach: 404 before any field is judged
        for i, placing in enumerate(data.results):
            if placing.person is not None:
                await check_person(request, CONTEST_MANAGE, placing.person, f"/results/{i}/person")
        async with transaction():
            row = await _load(request, contest_id, CONTEST_MANAGE)
            check_if_match(row, if_match)
            if row["status"] == "cancelled":
                raise Problem.invalid(("/results", NOT_OPEN))
            ranks = [r.rank for r in data.results]
            taken = [(f"/results/{i}/rank", RANK_TAKEN) for i, r in enumerate(ranks) if r in ranks[:i]]
            if taken:
                raise Problem.invalid(*taken)
            await ScitechContestResult.delete().where(ScitechContestResult.contest == contest_id).run()
            if data.results:
                await ScitechContestResult.insert(
                    *(
                        ScitechContestResult(
                            contest=contest_id,
                            org_path=row["org_path"],
                            entrant=r.entrant,
                            person=r.person,
                            rank=r.rank,
                            award=r.award,
                            score=r.score,
                        )
                        for r in data.results
                    )
                ).run()
            await update_version(ScitechContest, row, {ScitechContest.status: "decided"})
            row["status"], row["version"] = "decided", row["version"] + 1
            await record_audit(
                "scitech.contest.decided",
                resource_type="scitech.contest",
                resource_id=contest_id,
                org_path=row["org_path"],
                changes={"placings": len(data.results)},
            )
            await emit(
                CONTEST_DECIDED,
                RecordSignal(id=str(contest_id), org=str(row["org"])),
                resource_type="scitech.contest",
                resource_id=contest_id,
                org_path=row["org_path"],
            )
        return tagged(await _with_results(row), row["version"])


class InnovationNomination(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """事迹材料 of an innovation-award nomination: the achievement and its effect."""

    achievement: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    discipline: Annotated[str, msgspec.Meta(pattern=r"^\d{3}(\d{2})?$", max_length=5)]
    summary: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]
    benefit: Annotated[str, msgspec.Meta(max_length=500)] = ""


class YoungScientistNomination(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A young scientist's nomination: the field, the main contributions, the employer."""

    discipline: Annotated[str, msgspec.Meta(pattern=r"^\d{3}(\d{2})?$", max_length=5)]
    employer: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    contributions: Annotated[str, msgspec.Meta(min_length=1, max_length=5000)]


L = AdminLevel
SELECTION_TYPES = (
    SelectionType(
        code="scitech.innovation_award",
        name=Text(zh_hans="科技创新奖", zh_hant="科技創新獎", en="Innovation award"),
        nominee_kinds=("person", "team"),
        sources=("org",),
        criteria=Text(
            zh_hans="在技术创新、成果转化中取得显著成效的科技工作者或团队，由所在组织推荐。",
            en="S&T workers or teams with marked results in innovation and its application, nominated by "
            "their organization.",
        ),
        honor_levels=(L.NATIONAL, L.PROVINCE, L.CITY, L.COUNTY),
        form=InnovationNomination,
        public_fields=("achievement", "discipline"),
        org_kinds=("scitech.association",),
    ),
    SelectionType(
        code="scitech.young_scientist_award",
        name=Text(zh_hans="青年科技奖", zh_hant="青年科技獎", en="Young scientist award"),
        nominee_kinds=("person",),
        sources=("org", "person"),
        criteria=Text(
            zh_hans="年龄不超过 40 周岁、在本领域做出突出贡献的青年科技工作者。",
            en="Young S&T workers of 40 or under with an outstanding contribution to their field.",
        ),
        honor_levels=(L.NATIONAL, L.PROVINCE, L.CITY),
        form=YoungScientistNomination,
        public_fields=("discipline", "employer"),
        org_kinds=("scitech.association", "scitech.society"),
    ),
)

ROUTES = [ContestController]

name_schemas(globals())
