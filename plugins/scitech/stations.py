"""Expert workstations serving enterprises (院士专家工作站, 专家工作站, 科技服务站).

An association sets up a station at a host enterprise, places experts of its library there, and records
the station's cooperation projects and their results (patents, standards, products, papers, training)
with the economic benefit reported. ``GET /stations/{id}`` gives the whole station.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from core.sdk import (
    Page,
    PageParam,
    Problem,
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
    local_today,
    name_schemas,
    now,
    org_within,
    reaches,
    tagged,
    update_version,
)
from plugins.scitech.consulting import FUTURE_DATE, UNKNOWN_EXPERT
from plugins.scitech.permissions import EXPERT_READ, STATION_MANAGE, STATION_READ
from plugins.scitech.signals import STATION_CHANGED, STATION_RECORDED, RecordSignal
from plugins.scitech.tables import (
    ScitechExpert,
    ScitechStation,
    ScitechStationExpert,
    ScitechStationProject,
    ScitechStationResult,
)

STATION_KINDS = ("scitech.association", "scitech.enterprise_association")
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Amount = Annotated[str, msgspec.Meta(pattern=r"^\d{1,12}(\.\d{1,2})?$", max_length=16)]

ALREADY = register_field_code(
    "scitech_already_at_station",
    Text(
        zh_hans="该专家已在本工作站", zh_hant="該專家已在本工作站", en="The expert is already at the station"
    ),
)
CLOSED = register_field_code(
    "scitech_station_closed",
    Text(zh_hans="工作站已撤销", zh_hant="工作站已撤銷", en="The station is closed"),
)


class StationCreate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    org: uuid.UUID
    kind: Literal["academician", "expert", "service"]
    name: Name
    host: Name
    host_credit_code: Annotated[
        str, msgspec.Meta(pattern=r"^([0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})?$")
    ] = ""
    established_on: dt.date


class StationUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    status: Literal["active", "closed"] | msgspec.UnsetType = msgspec.UNSET


class StationExpertIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    expert: uuid.UUID
    lead: bool = False
    joined_on: dt.date


class ProjectIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    title: Name
    started_on: dt.date


class StationResultIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    kind: Literal["patent", "standard", "product", "paper", "training", "other"]
    title: Name
    achieved_on: dt.date
    benefit: Amount = "0"
    #: The project is finished with this result.
    finishes: bool = False


class StationExpert(msgspec.Struct, kw_only=True):
    expert: uuid.UUID
    name: str
    title: str
    lead: bool
    joined_on: dt.date


class Result(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    kind: str
    title: str
    achieved_on: dt.date
    benefit: str


class Project(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    title: str
    started_on: dt.date
    status: str
    results: list[Result] = []


class Station(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    org: uuid.UUID
    kind: str
    name: str
    host: str
    host_credit_code: str
    established_on: dt.date
    status: str
    version: int
    experts: list[StationExpert] = []
    projects: list[Project] = []
    #: Results of all projects, and their benefit in yuan.
    results: int = 0
    benefit: str = "0.00"


def _station(row: dict[str, Any]) -> Station:
    return Station(**{f: row[f] for f in Station.__struct_fields__ if f in row})


async def _detail(row: dict[str, Any]) -> Station:
    station = _station(row)
    links = await ScitechStationExpert.select().where(ScitechStationExpert.station == row["id"]).run()
    names = {
        e["id"]: e
        for e in (
            await ScitechExpert.select(ScitechExpert.id, ScitechExpert.name, ScitechExpert.title)
            .where(ScitechExpert.id.is_in([link["expert"] for link in links]))
            .run()
            if links
            else []
        )
    }
    station.experts = [
        StationExpert(
            expert=link["expert"],
            name=names.get(link["expert"], {}).get("name", ""),
            title=names.get(link["expert"], {}).get("title", ""),
            lead=link["lead"],
            joined_on=link["joined_on"],
        )
        for link in sorted(links, key=lambda x: (not x["lead"], x["joined_on"]))
    ]
    projects = (
        await ScitechStationProject.select()
        .where(ScitechStationProject.station == row["id"])
        .order_by(ScitechStationProject.started_on)
        .run()
    )
    results = (
        await ScitechStationResult.select()
        .where(ScitechStationResult.station == row["id"])
        .order_by(ScitechStationResult.achieved_on)
        .run()
    )
    station.projects = [
        Project(
            id=p["id"],
            title=p["title"],
            started_on=p["started_on"],
            status=p["status"],
            results=[
                Result(
                    id=r["id"],
                    kind=r["kind"],
                    title=r["title"],
                    achieved_on=r["achieved_on"],
                    benefit=r["benefit"],
                )
                for r in results
                if r["project"] == p["id"]
            ],
        )
        for p in projects
    ]
    station.results = len(results)
    station.benefit = f"{sum((Decimal(r['benefit']) for r in results), Decimal('0')):.2f}"
    return station


async def _load(request: Request[Any, Any, Any], station_id: uuid.UUID, permission: str) -> dict[str, Any]:
    row = await ScitechStation.select().where(ScitechStation.id == station_id).first().run()
    if row is None or not within(row["org_path"], reaches(request, permission)):
        raise Problem("not-found")
    return dict(row)


async def _note(signal: Any, row: dict[str, Any], action: str, resource_type: str, **changes: Any) -> None:
    await record_audit(
        action,
        resource_type=resource_type,
        resource_id=row["id"],
        org_path=row["org_path"],
        changes=changes or None,
    )
    await emit(
        signal,
        RecordSignal(id=str(row["id"]), org=str(row.get("org", row.get("station")))),
        resource_type=resource_type,
        resource_id=row["id"],
        org_path=row["org_path"],
    )


def _not_future(day: dt.date, pointer: str) -> None:
    if day > local_today():
        raise Problem.invalid((pointer, FUTURE_DATE))


class StationController(Controller):
    path = "/stations"

    @get(
        "/",
        opt={"permission": STATION_READ},
        summary="专家工作站",
        description="权限范围内的院士专家工作站、专家工作站与科技服务站。",
        summary_en="Expert workstations",
        description_en="Academician and expert workstations and S&T service stations within reach.",
    )
    async def list_scitech_stations(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        kind: FromQuery[Literal["academician", "expert", "service"] | None] = None,
    ) -> Page[Station]:
        clause = reach_clause(ScitechStation.org_path, reaches(request, STATION_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        query = ScitechStation.select().where(clause)
        if kind is not None:
            query = query.where(ScitechStation.kind == kind)
        rows, cursor = await paginate(query, [ScitechStation.created_at, ScitechStation.id], page)
        return Page(items=[_station(r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": STATION_MANAGE},
        summary="建立工作站",
        description="由科协或企业科协在依托企业建立专家工作站或科技服务站。",
        summary_en="Set up a station",
        description_en="An association or enterprise association sets up a station at a host enterprise.",
    )
    async def add_scitech_station(
        self, request: Request[Any, Any, Any], data: JSONBody[StationCreate]
    ) -> Response[Station]:
        org = await org_within(request, data.org, STATION_MANAGE, kinds=STATION_KINDS)
        _not_future(data.established_on, "/established_on")
        row = {
            "id": uuid.uuid4(),
            "org": data.org,
            "org_path": org["path"],
            "kind": data.kind,
            "name": data.name,
            "host": data.host,
            "host_credit_code": data.host_credit_code,
            "established_on": data.established_on,
            "status": "active",
            "version": 1,
            "created_at": now(),
        }
        async with transaction():
            await ScitechStation.insert(ScitechStation(**row)).run()
            await _note(STATION_RECORDED, row, "scitech.station.established", "scitech.station")
        return tagged(_station(row), 1, 201)

    @get(
        "/{station_id:uuid}",
        opt={"permission": STATION_READ},
        summary="查看工作站",
        description="工作站及其进站专家、合作项目与成果、经济效益合计。",
        summary_en="A station",
        description_en="A station with its experts, projects and results, and the benefit reported.",
    )
    async def get_scitech_station(
        self, request: Request[Any, Any, Any], station_id: FromPath[uuid.UUID]
    ) -> Response[Station]:
        row = await _load(request, station_id, STATION_READ)
        return tagged(await _detail(row), row["version"])

    @patch(
        "/{station_id:uuid}",
        opt={"permission": STATION_MANAGE},
        summary="修改或撤销工作站（须 If-Match）",
        description="修改工作站名称，或以 status=closed 撤销工作站。",
        summary_en="Change or close a station (If-Match)",
        description_en="Renames a station or closes it (status=closed).",
    )
    async def update_scitech_station(
        self,
        request: Request[Any, Any, Any],
        station_id: FromPath[uuid.UUID],
        data: JSONBody[StationUpdate],
        if_match: IfMatch = None,
    ) -> Response[Station]:
        async with transaction():
            row = await _load(request, station_id, STATION_MANAGE)
            check_if_match(row, if_match)
            changes = {
                f: getattr(data, f) for f in ("name", "status") if getattr(data, f) is not msgspec.UNSET
            }
            await update_version(
                ScitechStation, row, {getattr(ScitechStation, k): v for k, v in changes.items()}
            )
            changes["version"] = row["version"] + 1
            row.update(changes)
            await _note(
                STATION_CHANGED,
                row,
                "scitech.station.changed",
                "scitech.station",
                fields=sorted(k for k in changes if k != "version"),
            )
        return tagged(await _detail(row), row["version"])

    @post(
        "/{station_id:uuid}/experts",
        opt={"permission": STATION_MANAGE},
        summary="专家进站",
        description="把专家库中的专家派驻到工作站；每位专家在一个工作站只登记一次。",
        summary_en="Place an expert at a station",
        description_en="Places an expert of the library at the station, once per station.",
    )
    async def add_scitech_station_expert(
        self,
        request: Request[Any, Any, Any],
        station_id: FromPath[uuid.UUID],
        data: JSONBody[StationExpertIn],
    ) -> Response[Station]:
        async with transaction():
            row = await _load(request, station_id, STATION_MANAGE)
            if row["status"] != "active":
                raise Problem.invalid(("/expert", CLOSED))
            expert = (
                await ScitechExpert.select(ScitechExpert.org_path)
                .where(ScitechExpert.id == data.expert)
                .first()
                .run()
            )
            if expert is None or not within(expert["org_path"], reaches(request, EXPERT_READ)):
                raise Problem.invalid(("/expert", UNKNOWN_EXPERT))
            _not_future(data.joined_on, "/joined_on")
            there = (
                await ScitechStationExpert.exists()
                .where(
                    (ScitechStationExpert.station == station_id)
                    & (ScitechStationExpert.expert == data.expert)
                )
                .run()
            )
            if there:
                raise Problem.invalid(("/expert", ALREADY))
            link = {
                "id": uuid.uuid4(),
                "station": station_id,
                "expert": data.expert,
                "lead": data.lead,
                "org_path": row["org_path"],
                "joined_on": data.joined_on,
            }
            await ScitechStationExpert.insert(ScitechStationExpert(**link)).run()
            await _note(
                STATION_CHANGED,
                row,
                "scitech.station.expert_joined",
                "scitech.station",
                expert=str(data.expert),
            )
        return Response(await _detail(row), status_code=201)

    @post(
        "/{station_id:uuid}/projects",
        opt={"permission": STATION_MANAGE},
        summary="登记合作项目",
        description="登记工作站与依托企业的合作项目。",
        summary_en="Record a project",
        description_en="Records a cooperation project of the station and its host.",
    )
    async def add_scitech_station_project(
        self, request: Request[Any, Any, Any], station_id: FromPath[uuid.UUID], data: JSONBody[ProjectIn]
    ) -> Response[Project]:
        async with transaction():
            row = await _load(request, station_id, STATION_MANAGE)
            if row["status"] != "active":
                raise Problem.invalid(("/title", CLOSED))
            project = {
                "id": uuid.uuid4(),
                "station": station_id,
                "org_path": row["org_path"],
                "title": data.title,
                "started_on": data.started_on,
                "status": "ongoing",
                "created_at": now(),
            }
            await ScitechStationProject.insert(ScitechStationProject(**project)).run()
            await _note(STATION_RECORDED, project, "scitech.station.project_added", "scitech.station_project")
        return Response(
            Project(id=project["id"], title=data.title, started_on=data.started_on, status="ongoing"),
            status_code=201,
        )


class StationProjectController(Controller):
    path = "/station-projects"

    @post(
        "/{station_project_id:uuid}/results",
        opt={"permission": STATION_MANAGE},
        summary="登记项目成果",
        description="登记合作项目的成果（专利、标准、产品、论文、培训等）与经济效益；finishes=true 同时结项。",
        summary_en="Record a result",
        description_en="Records a project's result (patent, standard, product, paper, training…) and its "
        "benefit; finishes=true also closes the project.",
    )
    async def add_scitech_station_result(
        self,
        request: Request[Any, Any, Any],
        station_project_id: FromPath[uuid.UUID],
        data: JSONBody[StationResultIn],
    ) -> Response[Result]:
        async with transaction():
            project = (
                await ScitechStationProject.select()
                .where(ScitechStationProject.id == station_project_id)
                .first()
                .run()
            )
            if project is None or not within(project["org_path"], reaches(request, STATION_MANAGE)):
                raise Problem("not-found")
            if data.achieved_on < project["started_on"]:
                raise Problem.invalid(("/achieved_on", "scitech_bad_period"))
            _not_future(data.achieved_on, "/achieved_on")
            result = {
                "id": uuid.uuid4(),
                "project": station_project_id,
                "station": project["station"],
                "org_path": project["org_path"],
                "kind": data.kind,
                "title": data.title,
                "achieved_on": data.achieved_on,
                "benefit": str(Decimal(data.benefit)),
                "created_at": now(),
            }
            await ScitechStationResult.insert(ScitechStationResult(**result)).run()
            if data.finishes:
                await (
                    ScitechStationProject.update({ScitechStationProject.status: "finished"})
                    .where(ScitechStationProject.id == station_project_id)
                    .run()
                )
            await _note(STATION_RECORDED, result, "scitech.station.result_recorded", "scitech.station_result")
        return Response(Result(**{f: result[f] for f in Result.__struct_fields__}), status_code=201)


ROUTES = [StationController, StationProjectController]

name_schemas(globals())
