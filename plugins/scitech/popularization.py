"""Science popularization (科普): activities and their reach, resources with tags, 科普基地 as places.

A popularization event (a lecture, a science day, a visit, a caravan) that a scitech org publishes through
the core's events becomes an activity here; its organizer reports the people reached offline and online
(``PUT …/reach``, If-Match). Activities without a core event (a caravan's tour) are recorded directly.
Reach per org and period is ``GET /reach``; this year's totals join the core's statistics.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from core.sdk import (
    EventInfo,
    Org,
    Page,
    PageParam,
    PlaceKind,
    PlaceService,
    Problem,
    Text,
    emit,
    is_initials_query,
    paginate,
    reach_clause,
    record_audit,
    register_field_code,
    search_fold,
    search_initials,
    search_term,
    subtree_bounds,
    transaction,
    within,
)
from plugins.scitech.common import (
    IfMatch,
    check_if_match,
    dumps,
    loads,
    local_date,
    local_today,
    name_schemas,
    now,
    org_within,
    reaches,
    tagged,
    update_version,
)
from plugins.scitech.consulting import FUTURE_DATE
from plugins.scitech.event_types import POPULARIZATION
from plugins.scitech.experts import Tag, clean_tags
from plugins.scitech.permissions import POPSCI_MANAGE, POPSCI_READ
from plugins.scitech.signals import (
    ACTIVITY_CANCELLED,
    ACTIVITY_CHANGED,
    ACTIVITY_RECORDED,
    REACH_REPORTED,
    RESOURCE_CHANGED,
    RecordSignal,
)
from plugins.scitech.tables import ScitechActivity, ScitechResource

CANCELLED = register_field_code(
    "scitech_activity_cancelled",
    Text(zh_hans="活动已取消", zh_hant="活動已取消", en="The activity was cancelled"),
)
BAD_PERIOD = register_field_code(
    "scitech_bad_period",
    Text(
        zh_hans="结束日期早于开始日期", zh_hant="結束日期早於開始日期", en="The period ends before it starts"
    ),
)
ActivityKind = Literal["lecture", "science_day", "visit", "caravan", "other"]
ResourceKind = Literal["article", "video", "exhibit"]
People = Annotated[int, msgspec.Meta(ge=0, le=100_000_000)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
#: Org kinds that run popularization: every scitech kind.
POPSCI_KINDS = (
    "scitech.association",
    "scitech.society",
    "scitech.enterprise_association",
    "scitech.university_association",
    "scitech.popularization_base",
)

PLACE_KINDS = (
    PlaceKind(
        code="scitech.popularization_base",
        name=Text(zh_hans="科普基地", zh_hant="科普基地", en="Science-popularization base"),
        org_kinds=POPSCI_KINDS,
        services=(
            PlaceService(
                code="exhibition", name=Text(zh_hans="科普展览", zh_hant="科普展覽", en="Exhibition")
            ),
            PlaceService(
                code="guided_tour", name=Text(zh_hans="讲解导览", zh_hant="講解導覽", en="Guided tour")
            ),
            PlaceService(
                code="study_tour", name=Text(zh_hans="研学实践", zh_hant="研學實踐", en="Study tour")
            ),
        ),
        description=Text(
            zh_hans="面向公众开放的科普场馆、科研机构与企业科普场所",
            en="Science venues, research institutes and enterprise sites open to the public",
        ),
    ),
)


class ActivityCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """An activity without a core event, with its reach (a caravan's tour, a campaign)."""

    org: uuid.UUID
    kind: ActivityKind
    title: Title
    held_on: date
    offline: People = 0
    online: People = 0


class ReachUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """People reached: present (offline) and online (views of a stream or replay)."""

    offline: People
    online: People = 0


class Activity(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    org: uuid.UUID
    event: uuid.UUID | None
    kind: str
    title: str
    held_on: date
    offline: int
    online: int
    status: str
    version: int


class KindReach(msgspec.Struct, kw_only=True):
    kind: str
    activities: int
    offline: int
    online: int


class Reach(msgspec.Struct, kw_only=True):
    org: uuid.UUID
    since: date | None
    until: date | None
    activities: int
    offline: int
    online: int
    total: int
    kinds: list[KindReach]


class ResourceCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org: uuid.UUID
    kind: ResourceKind
    title: Title
    summary: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    url: Annotated[str, msgspec.Meta(max_length=500, pattern=r"^(https?://\S+)?$")] = ""
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] = []


class ResourceUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    summary: Annotated[str, msgspec.Meta(max_length=5000)] | msgspec.UnsetType = msgspec.UNSET
    url: Annotated[str, msgspec.Meta(max_length=500, pattern=r"^(https?://\S+)?$")] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    tags: Annotated[list[Tag], msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    status: Literal["published", "withdrawn"] | msgspec.UnsetType = msgspec.UNSET


class Resource(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    org: uuid.UUID
    kind: str
    title: str
    summary: str
    url: str
    tags: list[str]
    status: str
    version: int
    created_at: datetime
    updated_at: datetime


def _activity(row: dict[str, Any]) -> Activity:
    return Activity(**{f: row[f] for f in Activity.__struct_fields__})


def _resource(row: dict[str, Any]) -> Resource:
    return Resource(
        **{**{f: row[f] for f in Resource.__struct_fields__ if f != "tags"}, "tags": loads(row["tags"])}
    )


def _resource_keys(row: dict[str, Any]) -> dict[str, str]:
    tags = loads(row["tags"])
    folded = [search_fold(t) for t in tags]
    text = "|".join(search_fold(p) for p in (row["title"], row["summary"][:300], *tags) if p)[:1000]
    return {
        "tag_key": ("|" + "|".join(folded) + "|")[:1000] if folded else "",
        "search_text": text,
        "initials": "|".join(search_initials(p) for p in (row["title"], *tags))[:300],
    }


async def _record(action: str, signal: Any, resource_type: str, row: dict[str, Any], **changes: Any) -> None:
    await record_audit(
        action,
        resource_type=resource_type,
        resource_id=row["id"],
        org_path=row["org_path"],
        changes=changes or None,
    )
    await emit(
        signal,
        RecordSignal(id=str(row["id"]), org=str(row["org"])),
        resource_type=resource_type,
        resource_id=row["id"],
        org_path=row["org_path"],
    )


# --- the core's events become activities ----------------------------------------------------------------


async def event_published(event: EventInfo) -> None:
    """A popularization event of a scitech org was published: keep an activity for its reach."""
    kind = POPULARIZATION.get(event.type)
    if kind is None:
        return
    org = await Org.select(Org.path, Org.kind).where(Org.id == event.org_id).first().run()
    if org is None or org["kind"] not in POPSCI_KINDS:
        return
    async with transaction():
        existing = await ScitechActivity.select().where(ScitechActivity.event == event.id).first().run()
        if existing is not None:
            await _republished(dict(existing), event)
            return
        row = {
            "id": uuid.uuid4(),
            "org": event.org_id,
            "org_path": org["path"],
            "event": event.id,
            "kind": kind,
            "title": event.title[:200],
            "held_on": local_date(event.starts_at),
            "offline": 0,
            "online": 0,
            "status": "scheduled",
            "version": 1,
            "created_at": now(),
            "updated_at": now(),
        }
        await ScitechActivity.insert(ScitechActivity(**row)).run()
        await _record(
            "scitech.activity.recorded", ACTIVITY_RECORDED, "scitech.activity", row, event=str(event.id)
        )


async def _republished(row: dict[str, Any], event: EventInfo) -> None:
    """The event of a kept activity was published again (a hook delivered twice, or a cancelled event
    brought back): its title and date follow the event, a cancelled activity is scheduled again; a
    reach already reported stays. Nothing is written when nothing changed."""
    wanted = {
        "title": event.title[:200],
        "held_on": local_date(event.starts_at),
        "status": "scheduled" if row["status"] == "cancelled" else row["status"],
    }
    changes = {k: v for k, v in wanted.items() if row[k] != v}
    if not changes:
        return
    version = row["version"] + 1
    await (
        ScitechActivity.update(
            {
                **{getattr(ScitechActivity, k): v for k, v in changes.items()},
                ScitechActivity.version: version,
                ScitechActivity.updated_at: now(),
            }
        )
        .where(ScitechActivity.id == row["id"])
        .run()
    )
    await _record(
        "scitech.activity.republished",
        ACTIVITY_CHANGED,
        "scitech.activity",
        row,
        event=str(event.id),
        fields=sorted(changes),
    )


async def event_cancelled(event: EventInfo) -> None:
    """The event of an activity was cancelled: so is the activity (left out of the reach from now on)."""
    async with transaction():
        row = await ScitechActivity.select().where(ScitechActivity.event == event.id).first().run()
        if row is None or row["status"] == "cancelled":
            return
        await (
            ScitechActivity.update(
                {
                    ScitechActivity.status: "cancelled",
                    ScitechActivity.version: row["version"] + 1,
                    ScitechActivity.updated_at: now(),
                }
            )
            .where(ScitechActivity.id == row["id"])
            .run()
        )
        await _record(
            "scitech.activity.cancelled",
            ACTIVITY_CANCELLED,
            "scitech.activity",
            dict(row),
            event=str(event.id),
        )


async def reach_figures(low: str, high: str, since: date | None, until: date | None) -> Reach | None:
    query = ScitechActivity.select(
        ScitechActivity.kind, ScitechActivity.offline, ScitechActivity.online
    ).where(
        (ScitechActivity.org_path >= low)
        & (ScitechActivity.org_path < high)
        & (ScitechActivity.status != "cancelled")
    )
    if since is not None:
        query = query.where(ScitechActivity.held_on >= since)
    if until is not None:
        query = query.where(ScitechActivity.held_on <= until)
    kinds: dict[str, KindReach] = {}
    for row in await query.run():
        k = kinds.setdefault(row["kind"], KindReach(kind=row["kind"], activities=0, offline=0, online=0))
        k.activities += 1
        k.offline += row["offline"]
        k.online += row["online"]
    offline = sum(k.offline for k in kinds.values())
    online = sum(k.online for k in kinds.values())
    return Reach(
        org=uuid.UUID(int=0),
        since=since,
        until=until,
        activities=sum(k.activities for k in kinds.values()),
        offline=offline,
        online=online,
        total=offline + online,
        kinds=sorted(kinds.values(), key=lambda k: k.kind),
    )


class PopularizationController(Controller):
    path = "/popularization"

    @get(
        "/activities",
        opt={"permission": POPSCI_READ},
        summary="科普活动",
        description="权限范围内的科普活动及其线下、线上受众人数，按举办日期排列。",
        summary_en="Popularization activities",
        description_en="Popularization activities within reach with the people reached offline and "
        "online, by date.",
    )
    async def list_scitech_activities(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        org: Annotated[uuid.UUID | None, QueryParameter(description="组织（含下级）")] = None,
        kind: FromQuery[ActivityKind | None] = None,
    ) -> Page[Activity]:
        clause = reach_clause(ScitechActivity.org_path, reaches(request, POPSCI_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = ScitechActivity.select().where(clause)
        if org is not None:
            low, high = subtree_bounds((await org_within(request, org, POPSCI_READ))["path"])
            query = query.where((ScitechActivity.org_path >= low) & (ScitechActivity.org_path < high))
        if kind is not None:
            query = query.where(ScitechActivity.kind == kind)
        rows, cursor = await paginate(query, [ScitechActivity.held_on, ScitechActivity.id], page)
        return Page(items=[_activity(r) for r in rows], next_cursor=cursor)

    @post(
        "/activities",
        opt={"permission": POPSCI_MANAGE},
        summary="登记科普活动",
        description="登记未经活动报名的科普活动（如大篷车巡展）及其受众人数。",
        summary_en="Record an activity",
        description_en="Records a popularization activity held without a core event (a caravan tour) "
        "with its reach.",
    )
    async def record_scitech_activity(
        self, request: Request[Any, Any, Any], data: JSONBody[ActivityCreate]
    ) -> Response[Activity]:
        org = await org_within(request, data.org, POPSCI_MANAGE, kinds=POPSCI_KINDS)
        if data.held_on > local_today():
            raise Problem.invalid(("/held_on", FUTURE_DATE))
        at = now()
        row = {
            "id": uuid.uuid4(),
            "org": data.org,
            "org_path": org["path"],
            "event": None,
            "kind": data.kind,
            "title": data.title,
            "held_on": data.held_on,
            "offline": data.offline,
            "online": data.online,
            "status": "held",
            "version": 1,
            "created_at": at,
            "updated_at": at,
        }
        async with transaction():
            await ScitechActivity.insert(ScitechActivity(**row)).run()
            await _record("scitech.activity.recorded", ACTIVITY_RECORDED, "scitech.activity", row)
        return tagged(_activity(row), 1, 201)

    @get(
        "/activities/{activity_id:uuid}",
        opt={"permission": POPSCI_READ},
        summary="查看科普活动",
        description="一项科普活动及其受众人数；不在权限范围内的与不存在的一样答复 404。",
        summary_en="An activity",
        description_en="One popularization activity with its reach; one outside reach is answered 404.",
    )
    async def get_scitech_activity(
        self, request: Request[Any, Any, Any], activity_id: FromPath[uuid.UUID]
    ) -> Response[Activity]:
        row = await ScitechActivity.select().where(ScitechActivity.id == activity_id).first().run()
        if row is None or not within(row["org_path"], reaches(request, POPSCI_READ)):
            raise Problem("not-found")
        return tagged(_activity(row), row["version"])

    @put(
        "/activities/{activity_id:uuid}/reach",
        opt={"permission": POPSCI_MANAGE},
        summary="填报受众人数（须 If-Match）",
        description="填报科普活动线下、线上受众人数；已取消的活动不能填报。",
        summary_en="Report an activity's reach (If-Match)",
        description_en="Reports the people an activity reached offline and online; not for a cancelled one.",
    )
    async def report_scitech_reach(
        self,
        request: Request[Any, Any, Any],
        activity_id: FromPath[uuid.UUID],
        data: JSONBody[ReachUpdate],
        if_match: IfMatch = None,
    ) -> Response[Activity]:
        async with transaction():
            row = await ScitechActivity.select().where(ScitechActivity.id == activity_id).first().run()
            if row is None or not within(row["org_path"], reaches(request, POPSCI_MANAGE)):
                raise Problem("not-found")
            check_if_match(row, if_match)
            if row["status"] == "cancelled":
                raise Problem.invalid(("/offline", CANCELLED))
            values = {
                ScitechActivity.offline: data.offline,
                ScitechActivity.online: data.online,
                ScitechActivity.status: "held",
                ScitechActivity.updated_at: now(),
            }
            await update_version(ScitechActivity, row, values)
            new = {
                **row,
                "offline": data.offline,
                "online": data.online,
                "status": "held",
                "version": row["version"] + 1,
            }
            await _record(
                "scitech.activity.reach_reported",
                REACH_REPORTED,
                "scitech.activity",
                new,
                offline=data.offline,
                online=data.online,
            )
        return tagged(_activity(new), new["version"])

    @get(
        "/reach",
        opt={"permission": POPSCI_READ},
        summary="科普覆盖人数",
        description="组织及下级在某一期间（按举办日期，含首尾）科普活动的线下、线上受众人数，分活动类型。",
        summary_en="Reach per org and period",
        description_en="People reached offline and online by the popularization activities of an org's "
        "subtree in a period (by date held, inclusive), per kind of activity.",
    )
    async def scitech_reach(
        self,
        request: Request[Any, Any, Any],
        org: Annotated[uuid.UUID, QueryParameter(description="组织（含下级）")],
        since: FromQuery[date | None] = None,
        until: FromQuery[date | None] = None,
    ) -> Reach:
        if since is not None and until is not None and since > until:
            raise Problem.invalid(("query:/until", BAD_PERIOD))
        low, high = subtree_bounds((await org_within(request, org, POPSCI_READ))["path"])
        figures = await reach_figures(low, high, since, until)
        assert figures is not None
        figures.org = org
        return figures

    @get(
        "/resources",
        opt={"permission": POPSCI_READ},
        summary="科普资源",
        description="权限范围内的科普资源（文章、视频、展品），可按类型、标签与文字（简繁体、拼音首字母）检索。",
        summary_en="Popularization resources",
        description_en="Articles, videos and exhibits within reach, by kind, tag and text (either script, "
        "pinyin initials).",
    )
    async def list_scitech_resources(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        kind: FromQuery[ResourceKind | None] = None,
        tag: Annotated[str | None, QueryParameter(max_length=20)] = None,
        q: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Page[Resource]:
        clause = reach_clause(ScitechResource.org_path, reaches(request, POPSCI_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = ScitechResource.select().where(clause).where(ScitechResource.status == "published")
        if kind is not None:
            query = query.where(ScitechResource.kind == kind)
        if tag:
            folded = search_term(tag)
            if folded:
                query = query.where(ScitechResource.tag_key.like(f"%|{folded}|%"))
        if q:
            term = search_term(q)
            if term:
                text = ScitechResource.search_text.like(f"%{term}%")
                if is_initials_query(term):
                    text = text | ScitechResource.initials.like(f"%{term}%")
                query = query.where(text)
        rows, cursor = await paginate(query, [ScitechResource.created_at, ScitechResource.id], page)
        return Page(items=[_resource(r) for r in rows], next_cursor=cursor)

    @post(
        "/resources",
        opt={"permission": POPSCI_MANAGE},
        summary="新增科普资源",
        description="在调用者管理的组织下新增科普文章、视频或展品。",
        summary_en="Add a resource",
        description_en="Adds an article, video or exhibit in an org the caller manages.",
    )
    async def add_scitech_resource(
        self, request: Request[Any, Any, Any], data: JSONBody[ResourceCreate]
    ) -> Response[Resource]:
        org = await org_within(request, data.org, POPSCI_MANAGE, kinds=POPSCI_KINDS)
        at = now()
        row: dict[str, Any] = {
            "id": uuid.uuid4(),
            "org": data.org,
            "org_path": org["path"],
            "kind": data.kind,
            "title": data.title,
            "summary": data.summary,
            "url": data.url,
            "tags": dumps(clean_tags(data.tags, "/tags")),
            "status": "published",
            "version": 1,
            "created_at": at,
            "updated_at": at,
        }
        row.update(_resource_keys(row))
        async with transaction():
            await ScitechResource.insert(ScitechResource(**row)).run()
            await _record("scitech.resource.added", RESOURCE_CHANGED, "scitech.resource", row)
        return tagged(_resource(row), 1, 201)

    @get(
        "/resources/{popsci_resource_id:uuid}",
        opt={"permission": POPSCI_READ},
        summary="查看科普资源",
        description="一项科普资源；不在权限范围内的与不存在的一样答复 404。",
        summary_en="A resource",
        description_en="One popularization resource; one outside reach is answered 404.",
    )
    async def get_scitech_resource(
        self, request: Request[Any, Any, Any], popsci_resource_id: FromPath[uuid.UUID]
    ) -> Response[Resource]:
        row = await ScitechResource.select().where(ScitechResource.id == popsci_resource_id).first().run()
        if row is None or not within(row["org_path"], reaches(request, POPSCI_READ)):
            raise Problem("not-found")
        return tagged(_resource(row), row["version"])

    @patch(
        "/resources/{popsci_resource_id:uuid}",
        opt={"permission": POPSCI_MANAGE},
        summary="修改科普资源（须 If-Match）",
        description="修改科普资源；status=withdrawn 下架。",
        summary_en="Change a resource (If-Match)",
        description_en="Changes a resource; status=withdrawn takes it down.",
    )
    async def update_scitech_resource(
        self,
        request: Request[Any, Any, Any],
        popsci_resource_id: FromPath[uuid.UUID],
        data: JSONBody[ResourceUpdate],
        if_match: IfMatch = None,
    ) -> Response[Resource]:
        async with transaction():
            row = await ScitechResource.select().where(ScitechResource.id == popsci_resource_id).first().run()
            if row is None or not within(row["org_path"], reaches(request, POPSCI_MANAGE)):
                raise Problem("not-found")
            check_if_match(row, if_match)
            changes: dict[str, Any] = {
                f: getattr(data, f)
                for f in ("title", "summary", "url", "status")
                if getattr(data, f) is not msgspec.UNSET
            }
            if data.tags is not msgspec.UNSET:
                changes["tags"] = dumps(clean_tags(data.tags, "/tags"))
            new = {**row, **changes}
            changes.update(_resource_keys(new))
            changes["updated_at"] = now()
            await update_version(
                ScitechResource, row, {getattr(ScitechResource, k): v for k, v in changes.items()}
            )
            changes["version"] = row["version"] + 1
            new.update(changes)
            fields = sorted(
                k for k in changes if k not in ("version", "updated_at", "tag_key", "search_text", "initials")
            )
            await _record(
                "scitech.resource.changed", RESOURCE_CHANGED, "scitech.resource", new, fields=fields
            )
        return tagged(_resource(new), new["version"])


ROUTES = [PopularizationController]

name_schemas(globals())
