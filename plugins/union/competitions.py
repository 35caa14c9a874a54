"""Labour and skills competitions (劳动竞赛, 技能比武) and their results.

A competition is a core event of type ``union.labour_competition``; once a union publishes it the plugin
keeps it here (``quntuan_event_published``). After the event has ended its organizer records the
results — per participant, or per team for a team competition: rank, score, award and a title such as
技术能手 — and publishes them; corrections afterwards are recorded the same way (If-Match). Published
results of a public event are readable by every signed-in caller; cadres in reach read them all.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from core.sdk import (
    EventInfo,
    Org,
    Page,
    PageParam,
    Person,
    Principal,
    Problem,
    current_principal,
    emit,
    paginate,
    person_visible,
    reach_clause,
    record_audit,
    subtree_bounds,
    transaction,
    within,
)
from plugins.union import permissions as P
from plugins.union import signals as sig
from plugins.union.common import IfMatch, aware, etag, org_in_reach
from plugins.union.problems import check_version, invalid
from plugins.union.tables import UnionCompetition, UnionCompetitionResult

COMPETITION_TYPE = "union.labour_competition"
UNION_KINDS = ("union.federation", "union.grassroots")
Award = Literal["first", "second", "third", "excellence", "none"]
_SCORE = re.compile(r"^\d{1,6}(\.\d{1,3})?$")


class UnionResultIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One result: a participant (``person_id``) or, in a team competition, a team (``team_name``)."""

    person_id: uuid.UUID | None = None
    team_name: Annotated[str, msgspec.Meta(max_length=100)] = ""
    unit: Annotated[str, msgspec.Meta(max_length=200)] = ""
    rank: Annotated[int, msgspec.Meta(ge=1, le=100000)] | None = None
    #: Decimal text as the judges wrote it, e.g. ``96.5``.
    score: Annotated[str, msgspec.Meta(max_length=16)] = ""
    #: first (一等奖), second (二等奖), third (三等奖), excellence (优秀奖) or none.
    award: Award = "none"
    #: A title conferred with the result (技术能手, 岗位能手 …).
    title: Annotated[str, msgspec.Meta(max_length=50)] = ""


class UnionResultsIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Every result of the competition, replacing those recorded before."""

    results: Annotated[list[UnionResultIn], msgspec.Meta(min_length=1, max_length=1000)]


class UnionResultOut(msgspec.Struct, kw_only=True):
    person_id: uuid.UUID | None
    name: str
    team_name: str
    unit: str
    rank: int | None
    score: str
    award: str
    title: str


class UnionCompetitionOut(msgspec.Struct, kw_only=True):
    event_id: uuid.UUID
    org_id: uuid.UUID
    org_name: str
    title: str
    trade: str
    level: str
    team: bool
    starts_at: datetime
    ends_at: datetime
    #: scheduled, recorded, published or cancelled.
    status: str
    published_at: datetime | None
    results_count: int
    version: int
    #: In rank order (unranked last); shown in lists only as their count.
    results: list[UnionResultOut] = []


# --- kept from the core's events ----------------------------------------------------------------------


async def _kept(row: dict[str, Any], what: str, changes: dict[str, Any] | None = None) -> None:
    await record_audit(
        f"union.competition.{what}",
        resource_type="union.competition",
        resource_id=row["event"],
        org_path=row["org_path"],
        changes=changes or {},
    )
    await emit(
        sig.COMPETITION_CHANGED,
        sig.CompetitionChanged(event_id=str(row["event"]), org_id=str(row["org"]), what=what),
        resource_type="union.competition",
        resource_id=row["event"],
        org_path=row["org_path"],
    )


async def event_published(event: EventInfo) -> None:
    """A union's labour competition was published (or published again after a change): keep it."""
    if event.type != COMPETITION_TYPE:
        return
    org = await Org.select(Org.path, Org.kind).where(Org.id == event.org_id).first().run()
    if org is None or org["kind"] not in UNION_KINDS:
        return
    details = event.details or {}
    values = {
        "title": event.title[:200],
        "trade": str(details.get("trade", ""))[:50],
        "level": str(details.get("level", "unit"))[:16],
        "team": bool(details.get("team", False)),
        "visibility": event.visibility,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
    }
    async with transaction():
        row = await UnionCompetition.select().where(UnionCompetition.event == event.id).first().run()
        if row is not None:
            columns = {getattr(UnionCompetition, k): v for k, v in values.items()}
            columns[UnionCompetition.version] = row["version"] + 1
            columns[UnionCompetition.updated_at] = datetime.now(UTC)
            await UnionCompetition.update(columns).where(UnionCompetition.id == row["id"]).run()
            return
        row = {"event": event.id, "org": event.org_id, "org_path": org["path"], **values}
        await UnionCompetition.insert(UnionCompetition(**row, status="scheduled", version=1)).run()
        await _kept(row, "kept")


async def event_cancelled(event: EventInfo) -> None:
    async with transaction():
        row = await UnionCompetition.select().where(UnionCompetition.event == event.id).first().run()
        if row is None:
            return
        await (
            UnionCompetition.update(
                {
                    UnionCompetition.status: "cancelled",
                    UnionCompetition.version: row["version"] + 1,
                    UnionCompetition.updated_at: datetime.now(UTC),
                }
            )
            .where(UnionCompetition.id == row["id"])
            .run()
        )
        await _kept(row, "cancelled")


# --- reading -------------------------------------------------------------------------------------------


async def _load(event_id: uuid.UUID) -> dict[str, Any]:
    row = await UnionCompetition.select().where(UnionCompetition.event == event_id).first().run()
    if row is None:
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


def _readable(principal: Principal, row: dict[str, Any]) -> bool:
    """Cadres in reach read any competition; everyone signed in reads a public one's published results."""
    if within(row["org_path"], principal.reach(P.COMPETITION_READ)):
        return True
    return row["status"] == "published" and row["visibility"] == "public"


async def _counts(ids: list[Any]) -> dict[Any, int]:
    if not ids:
        return {}
    rows = (
        await UnionCompetitionResult.select(UnionCompetitionResult.competition)
        .where(UnionCompetitionResult.competition.is_in(ids))
        .run()
    )
    counts: dict[Any, int] = {}
    for r in rows:
        counts[r["competition"]] = counts.get(r["competition"], 0) + 1
    return counts


async def _out(rows: list[dict[str, Any]], *, with_results: bool = False) -> list[UnionCompetitionOut]:
    orgs = {r["org"] for r in rows}
    names = (
        {o["id"]: o["name"] for o in await Org.select(Org.id, Org.name).where(Org.id.is_in(list(orgs))).run()}
        if orgs
        else {}
    )
    counts = await _counts([r["id"] for r in rows])
    out = [
        UnionCompetitionOut(
            event_id=r["event"],
            org_id=r["org"],
            org_name=names.get(r["org"], ""),
            title=r["title"],
            trade=r["trade"],
            level=r["level"],
            team=r["team"],
            starts_at=aware(r["starts_at"]),
            ends_at=aware(r["ends_at"]),
            status=r["status"],
            published_at=aware(r["published_at"]),
            results_count=counts.get(r["id"], 0),
            version=r["version"],
        )
        for r in rows
    ]
    if with_results and rows:
        results = (
            await UnionCompetitionResult.select()
            .where(UnionCompetitionResult.competition == rows[0]["id"])
            .run()
        )
        persons = [r["person"] for r in results if r["person"] is not None]
        people = (
            {
                p["id"]: p["name"]
                for p in await Person.select(Person.id, Person.name).where(Person.id.is_in(persons)).run()
            }
            if persons
            else {}
        )
        results.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["team_name"]))
        out[0].results = [
            UnionResultOut(
                person_id=r["person"],
                name=people.get(r["person"], "") if r["person"] else r["team_name"],
                team_name=r["team_name"],
                unit=r["unit"],
                rank=r["rank"],
                score=r["score"],
                award=r["award"],
                title=r["title"],
            )
            for r in results
        ]
    return out


async def _answer(row: dict[str, Any]) -> Response[UnionCompetitionOut]:
    return Response((await _out([row], with_results=True))[0], headers=etag(row["version"]))


async def _check_results(
    request: Request, principal: Principal, row: dict[str, Any], data: UnionResultsIn
) -> None:
    """Team competitions name teams and individual ones persons the caller can see; ranks and
    participants are not given twice; scores are decimal text."""
    errors: list[tuple[str, str]] = []
    ranks: set[int] = set()
    entrants: set[Any] = set()
    tz = request.app.state.settings.timezone
    for i, r in enumerate(data.results):
        at = f"/results/{i}"
        if row["team"]:
            if not r.team_name.strip() or r.person_id is not None:
                errors.append((f"{at}/team_name", "union_team_entrant"))
            entrant: Any = r.team_name.strip()
        else:
            if r.person_id is None or r.team_name:
                errors.append((f"{at}/person_id", "union_person_entrant"))
            elif not await person_visible(principal, P.COMPETITION_MANAGE, r.person_id, tz):
                errors.append((f"{at}/person_id", "invalid"))
            entrant = r.person_id
        if entrant in entrants:
            errors.append((at, "union_entrant_twice"))
        entrants.add(entrant)
        if r.rank is not None:
            if r.rank in ranks:
                errors.append((f"{at}/rank", "union_rank_taken"))
            ranks.add(r.rank)
        if r.score and not _SCORE.match(r.score):
            errors.append((f"{at}/score", "union_score"))
    if errors:
        raise Problem.invalid(*errors)


class UnionCompetitionController(Controller):
    path = "/competitions"
    tags = ["union"]  # noqa: RUF012

    @get(
        "/",
        opt={"permission": P.COMPETITION_READ},
        summary="劳动和技能竞赛",
        description="权限范围内工会发布的劳动竞赛与技能比武，按开始时间倒序，可限定组织（含下级）与状态（scheduled 待赛、recorded 已登记成绩、published 已公布、cancelled 已取消）。",
        summary_en="Labour and skills competitions",
        description_en="Competitions unions within reach published, latest first; optionally of an org's subtree and of one status (scheduled, recorded, published, cancelled).",
    )
    async def union_list_competitions(
        self,
        request: Request,
        page: PageParam,
        org: FromQuery[uuid.UUID | None] = None,
        status: FromQuery[str | None] = None,
    ) -> Page[UnionCompetitionOut]:
        principal = current_principal(request)
        if status is not None and status not in ("scheduled", "recorded", "published", "cancelled"):
            raise invalid("/status", "invalid")
        clause = reach_clause(UnionCompetition.org_path, principal.reach(P.COMPETITION_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = UnionCompetition.select().where(clause)
        if org is not None:
            low, high = subtree_bounds((await org_in_reach(principal, P.COMPETITION_READ, org))["path"])
            query = query.where((UnionCompetition.org_path >= low) & (UnionCompetition.org_path < high))
        if status is not None:
            query = query.where(UnionCompetition.status == status)
        rows, cursor = await paginate(
            query, [UnionCompetition.starts_at, UnionCompetition.id], page, descending=True
        )
        return Page(items=await _out(rows), next_cursor=cursor)

    @get(
        "/{event_id:uuid}",
        opt={"policy": "visible"},
        summary="竞赛及成绩",
        description="一场劳动竞赛及其成绩（名次、得分、奖项、称号）：组织工会及上级的干部随时可见；公开活动的成绩公布后所有登录用户可见；其余答复 404。",
        summary_en="A competition and its results",
        description_en="A competition with its results (rank, score, award, title): cadres in reach always; every signed-in caller once a public event's results are published; 404 otherwise.",
    )
    async def union_get_competition(
        self, request: Request, event_id: FromPath[uuid.UUID]
    ) -> Response[UnionCompetitionOut]:
        row = await _load(event_id)
        if not _readable(current_principal(request), row):
            raise Problem("not-found")
        return await _answer(row)

    @put(
        "/{event_id:uuid}/results",
        opt={"permission": P.COMPETITION_MANAGE},
        summary="登记竞赛成绩（须 If-Match）",
        description="竞赛结束后由组织工会登记（或更正）全部成绩：个人赛按参赛职工，班组赛按队伍；名次不得重复，得分为十进制数字。已公布的成绩更正后仍为公布状态；已取消的竞赛不能登记。",
        summary_en="Record a competition's results (If-Match)",
        description_en="After the event the organizing union records (or corrects) every result, per participant or per team in a team competition; ranks are unique and scores decimal; corrected published results stay published; a cancelled competition takes none.",
    )
    async def union_record_results(
        self,
        request: Request,
        event_id: FromPath[uuid.UUID],
        data: JSONBody[UnionResultsIn],
        if_match: IfMatch = None,
    ) -> Response[UnionCompetitionOut]:
        principal = current_principal(request)
        async with transaction():
            row = await _load(event_id)
            if not within(row["org_path"], principal.reach(P.COMPETITION_MANAGE)):
                raise Problem("not-found")
            check_version(row, if_match)
            if row["status"] == "cancelled":
                raise invalid("/results", "union_competition_cancelled")
            if aware(row["ends_at"]) > datetime.now(UTC):  # type: ignore[operator]
                raise invalid("/results", "union_competition_not_over")
            await _check_results(request, principal, row, data)
            await UnionCompetitionResult.delete().where(UnionCompetitionResult.competition == row["id"]).run()
            await UnionCompetitionResult.insert(
                *(
                    UnionCompetitionResult(
                        competition=row["id"],
                        org_path=row["org_path"],
                        person=r.person_id,
                        team_name=r.team_name.strip(),
                        unit=r.unit,
                        rank=r.rank,
                        score=r.score,
                        award=r.award,
                        title=r.title,
                    )
                    for r in data.results
                )
            ).run()
            status = "published" if row["status"] == "published" else "recorded"
            await (
                UnionCompetition.update(
                    {
                        UnionCompetition.status: status,
                        UnionCompetition.version: row["version"] + 1,
                        UnionCompetition.updated_at: datetime.now(UTC),
                    }
                )
                .where(UnionCompetition.id == row["id"])
                .run()
            )
            what = "corrected" if status == "published" else "recorded"
            await _kept(row, what, {"results": len(data.results)})
            row = await _load(event_id)
        return await _answer(row)

    @post(
        "/{event_id:uuid}/publish",
        opt={"permission": P.COMPETITION_MANAGE},
        status_code=200,
        summary="公布竞赛成绩（须 If-Match）",
        description="公布已登记的成绩：公开活动的成绩随即对所有登录用户可见，并发出信号供门户与公众号推送。",
        summary_en="Publish a competition's results (If-Match)",
        description_en="Publishes the recorded results: a public event's become readable by every signed-in caller, and a signal tells portals and feeds.",
    )
    async def union_publish_results(
        self, request: Request, event_id: FromPath[uuid.UUID], if_match: IfMatch = None
    ) -> Response[UnionCompetitionOut]:
        principal = current_principal(request)
        async with transaction():
            row = await _load(event_id)
            if not within(row["org_path"], principal.reach(P.COMPETITION_MANAGE)):
                raise Problem("not-found")
            check_version(row, if_match)
            if row["status"] != "recorded":
                code = {
                    "published": "union_results_published",
                    "cancelled": "union_competition_cancelled",
                }.get(row["status"], "union_no_results")
                raise invalid("/status", code)
            now = datetime.now(UTC)
            await (
                UnionCompetition.update(
                    {
                        UnionCompetition.status: "published",
                        UnionCompetition.published_at: now,
                        UnionCompetition.version: row["version"] + 1,
                        UnionCompetition.updated_at: now,
                    }
                )
                .where(UnionCompetition.id == row["id"])
                .run()
            )
            await _kept(row, "published")
            row = await _load(event_id)
        return await _answer(row)
