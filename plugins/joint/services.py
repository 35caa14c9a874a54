"""``/api/v1/joint/services…``, ``/partners…`` and ``/orders…``: the service menu (服务清单).

Each org publishes services — what, for whom, where (optionally one of the core's places), how many per
period — listed to everyone (``audience`` public) or to the members of the org's subtree (members);
cadres holding ``joint.service.read`` see every service within reach, withdrawn ones too. A person
orders (点单) a service, or a need type the referral rules route to an org (whose matching service is
ordered, or the need itself when it has none); the order is a ``joint.service_order`` process
(:mod:`plugins.joint.orders`) dispatched (派单), taken (接单) and done through
``/api/v1/processes/{id}/transitions``; the person rates it once it is done. Figures per org and per
service are served here and go into the statistics and the region picture (``quntuan_statistics``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, HeaderParameter, JSONBody, QueryParameter

from core.sdk import (
    Org,
    Page,
    PageParam,
    Principal,
    Problem,
    claim_key,
    emit,
    fetch_rows,
    open_process,
    paginate,
    reach_clause,
    record_audit,
    replay_response,
    subtree_bounds,
    transaction,
    within,
)
from plugins.joint import permissions as perm
from plugins.joint import schemas as S
from plugins.joint import signals as sig
from plugins.joint.common import (
    IfMatch,
    ancestors,
    check_if_match,
    member_within,
    org_in_reach,
    person_places,
    principal,
    tagged,
    today,
)
from plugins.joint.orders import ORDER_TYPE, period_key, places_taken, take_place
from plugins.joint.problems import (
    ALREADY_RATED,
    MEMBERS_ONLY,
    NEED_UNKNOWN,
    NO_PERSON,
    NOT_DONE,
    NOT_OWN_ORG,
    PARTNER_EXISTS,
    PLACE_ELSEWHERE,
    SERVICE_FULL,
    SERVICE_WITHDRAWN,
)
from plugins.joint.referrals import route
from plugins.joint.surveys import CHOICE, questions_of
from plugins.joint.tables import JointOrder, JointPartner, JointService, JointServiceNeed, JointSurvey

Req = Request[Any, Any, Any]
ServiceId = Annotated[uuid.UUID, FromPath]
OrgFilter = Annotated[uuid.UUID | None, QueryParameter(description="Only this org's subtree")]


def now() -> datetime:
    return datetime.now(UTC)


def _fields(value: Any) -> dict[str, Any]:
    return {f: getattr(value, f) for f in value.__struct_fields__}


def _given(value: Any) -> dict[str, Any]:
    """The fields of an update body that were sent (UNSET left out)."""
    return {k: v for k, v in _fields(value).items() if v is not msgspec.UNSET}


def _json_list(value: Any) -> list[Any]:
    return list(msgspec.json.decode(value) if isinstance(value, str | bytes) else value or [])


# --- places and names ------------------------------------------------------------------------------------


async def _places(ids: list[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    """Core places (阵地) by id: name, org path, status."""
    if not ids:
        return {}
    marks = ", ".join("{}" for _ in ids)
    rows = await fetch_rows(
        Org,
        f"SELECT id, name, org_path, status FROM core_place WHERE id IN ({marks})",  # noqa: S608 - placeholders only
        list(ids),
    )
    return {uuid.UUID(str(r["id"])): dict(r) for r in rows}


async def _check_place(place_id: uuid.UUID, org_path: str) -> None:
    """A service's place belongs to its org, an org above it or one beneath it, and is open."""
    place = (await _places([place_id])).get(place_id)
    if (
        place is None
        or place["status"] != "active"
        or not (org_path.startswith(place["org_path"]) or place["org_path"].startswith(org_path))
    ):
        raise Problem.invalid(("/place_id", PLACE_ELSEWHERE))


async def _org_names(ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not ids:
        return {}
    rows = await Org.select(Org.id, Org.name).where(Org.id.is_in(list(set(ids)))).run()
    return {r["id"]: r["name"] for r in rows}


async def checked_needs(
    refs: list[S.JointNeedRefIn], org_path: str, caller: Principal
) -> list[dict[str, Any]]:
    """The survey questions (and options) a service cites, each of a survey covering the service's org
    (its org at or above it) or read by the caller: 422 naming the one that is not."""
    if not refs:
        return []
    ids = list({r.survey_id for r in refs})
    surveys = {s["id"]: s for s in await JointSurvey.select().where(JointSurvey.id.is_in(ids)).run()}
    errors = []
    rows = {}
    for i, ref in enumerate(refs):
        survey = surveys.get(ref.survey_id)
        covers = survey is not None and (
            org_path.startswith(survey["org_path"])
            or within(survey["org_path"], caller.reach(perm.SURVEY_READ))
        )
        question = next((q for q in questions_of(survey) if q.code == ref.question), None) if covers else None
        fits = question is not None and (
            ref.option is None
            or (question.kind in CHOICE and ref.option in {o.code for o in question.options})
        )
        if not fits:
            errors.append((f"/answers/{i}", NEED_UNKNOWN))
            continue
        key = (ref.survey_id, ref.question, ref.option or "")
        rows[key] = {"survey": ref.survey_id, "question": ref.question, "option": ref.option or ""}
    if errors:
        raise Problem.invalid(*errors)
    return list(rows.values())


async def _needs_of(ids: list[uuid.UUID]) -> dict[uuid.UUID, list[S.JointNeedRef]]:
    if not ids:
        return {}
    found: dict[uuid.UUID, list[S.JointNeedRef]] = {}
    for r in (
        await JointServiceNeed.select()
        .where(JointServiceNeed.service.is_in(ids))
        .order_by(JointServiceNeed.id)
        .run()
    ):
        found.setdefault(r["service"], []).append(
            S.JointNeedRef(survey_id=r["survey"], question=r["question"], option=r["option"] or None)
        )
    return found


async def _cite(service_id: uuid.UUID, needs: list[dict[str, Any]]) -> None:
    await JointServiceNeed.delete().where(JointServiceNeed.service == service_id).run()
    if needs:
        await JointServiceNeed.insert(*(JointServiceNeed(service=service_id, **n) for n in needs)).run()


async def to_services(request: Req, rows: list[dict[str, Any]]) -> list[S.JointService]:
    day = today(request)
    needs = await _needs_of([r["id"] for r in rows])
    keys = {r["id"]: period_key(r["period"], day) for r in rows}
    limited = [r["id"] for r in rows if r["capacity"] is not None]
    taken = await places_taken(limited, keys)
    names = await _org_names([r["org"] for r in rows])
    places = await _places([r["place"] for r in rows if r["place"] is not None])
    out = []
    for r in rows:
        used = taken.get(r["id"], 0)
        place = places.get(r["place"]) if r["place"] is not None else None
        out.append(
            S.JointService(
                id=r["id"],
                org_id=r["org"],
                org_name=names.get(r["org"], ""),
                title=r["title"],
                description=r["description"],
                eligibility=r["eligibility"],
                audience=r["audience"],
                need_type=r["need_type"] or None,
                place_id=r["place"],
                place_name=place["name"] if place else None,
                location=r["location"],
                capacity=r["capacity"],
                period=r["period"],
                period_key=keys[r["id"]],
                taken=used,
                remaining=None if r["capacity"] is None else max(r["capacity"] - used, 0),
                status=r["status"],
                version=r["version"],
                created_at=r["created_at"],
                answers=sorted(
                    needs.get(r["id"], []), key=lambda n: (str(n.survey_id), n.question, n.option or "")
                ),
            )
        )
    return out


async def to_service(request: Req, row: dict[str, Any]) -> S.JointService:
    return (await to_services(request, [row]))[0]


# --- who sees what ---------------------------------------------------------------------------------------


def service_visible(row: dict[str, Any], caller: Principal, places: list[dict[str, Any]]) -> bool:
    """Cadres see every service within their reach; others the published ones for everyone, and the
    members-only ones of the orgs at or above their memberships."""
    if within(row["org_path"], caller.reach(perm.SERVICE_READ)):
        return True
    if row["status"] != "published":
        return False
    return row["audience"] == "public" or member_within(places, row["org_path"])


async def service_row(service_id: uuid.UUID, caller: Principal) -> dict[str, Any]:
    row = await JointService.select().where(JointService.id == service_id).first().run()
    if row is None or not service_visible(row, caller, await person_places(caller.person_id)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def managed_service(service_id: uuid.UUID, caller: Principal) -> dict[str, Any]:
    row = await JointService.select().where(JointService.id == service_id).first().run()
    if row is None or not within(row["org_path"], caller.reach(perm.SERVICE_MANAGE)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


def order_reaches(caller: Principal) -> list[Any]:
    return [
        *caller.reach(perm.SERVICE_READ),
        *caller.reach(perm.SERVICE_DISPATCH),
        *caller.reach(perm.SERVICE_DELIVER),
    ]


def order_visible(row: dict[str, Any], caller: Principal) -> bool:
    """The person who ordered, and cadres of the org it was placed with or dispatched to."""
    if caller.person_id is not None and row["person"] == caller.person_id:
        return True
    reaches = order_reaches(caller)
    return within(row["org_path"], reaches) or bool(
        row["assignee_path"] and within(row["assignee_path"], reaches)
    )


def to_order(row: dict[str, Any], title: str | None, routed: S.JointRoute | None = None) -> S.JointOrder:
    return S.JointOrder(
        id=row["id"],
        process_id=row["process"],
        service_id=row["service"],
        service_title=title,
        org_id=row["org"],
        need_type=row["need_type"] or None,
        person_id=row["person"],
        state=row["state"],
        period_key=row["period_key"] or None,
        assignee_org_id=row["assignee_org"],
        partner_id=row["partner"],
        declines=row["declines"],
        dispatched_at=row["dispatched_at"],
        accepted_at=row["accepted_at"],
        done_at=row["done_at"],
        closed_at=row["closed_at"],
        rating=row["rating"],
        rating_comment=row["rating_comment"],
        rated_at=row["rated_at"],
        created_at=row["created_at"],
        route=routed,
    )


async def to_orders(rows: list[dict[str, Any]]) -> list[S.JointOrder]:
    ids = list({r["service"] for r in rows if r["service"] is not None})
    titles = {}
    if ids:
        found = (
            await JointService.select(JointService.id, JointService.title)
            .where(JointService.id.is_in(ids))
            .run()
        )
        titles = {s["id"]: s["title"] for s in found}
    return [to_order(r, titles.get(r["service"])) for r in rows]


def _service_signal(row: dict[str, Any]) -> sig.ServiceSignal:
    return sig.ServiceSignal(service=str(row["id"]), org=str(row["org"]), status=row["status"])


# --- ordering ----------------------------------------------------------------------------------------------


async def place_order(
    request: Req,
    caller: Principal,
    *,
    org: dict[str, Any],
    service: dict[str, Any] | None,
    need_type: str,
    note: str,
    routed: S.JointRoute | None = None,
) -> Response[S.JointOrder]:
    """Take the service's place of the period (if it counts them), write the order, open its process."""
    limited = service is not None and service["capacity"] is not None
    key = period_key(service["period"], today(request)) if service is not None and limited else ""
    order_id = uuid.uuid4()
    async with transaction():
        claim = await claim_key(request, caller, scope="joint.order")
        if claim.replay is not None:
            return replay_response(claim.replay, S.JointOrder)
        if service is not None and limited and not await take_place(service["id"], key, service["capacity"]):
            raise Problem(SERVICE_FULL, period=key, capacity=service["capacity"])
        row: dict[str, Any] = {
            "id": order_id,
            "service": service["id"] if service is not None else None,
            "org": org["id"],
            "org_path": org["path"],
            "need_type": need_type,
            "rule": routed.rule_id if routed is not None else None,
            "person": caller.person_id,
            "process": None,
            "period_key": key,
            "holds_place": 1 if limited else 0,
            "state": "ordered",
            "assignee_org": None,
            "assignee_path": "",
            "partner": None,
            "declines": 0,
            "dispatched_at": None,
            "accepted_at": None,
            "done_at": None,
            "closed_at": None,
            "rating": None,
            "rating_comment": "",
            "rated_at": None,
            "created_at": now(),
        }
        await JointOrder.insert(JointOrder(**row)).run()
        process = await open_process(
            request.app.state,
            caller,
            type_code=ORDER_TYPE,
            org_id=org["id"],
            form={
                "order": str(order_id),
                "service": str(service["id"]) if service is not None else None,
                "need_type": need_type,
                "note": note,
            },
        )
        row.update(process=process["id"], state=process["state"])
        await (
            JointOrder.update({JointOrder.process: process["id"], JointOrder.state: process["state"]})
            .where(JointOrder.id == order_id)
            .run()
        )
        await record_audit(
            "joint.order.placed",
            resource_type="joint.order",
            resource_id=order_id,
            org_path=org["path"],
            changes={
                "service": str(row["service"]) if row["service"] else None,
                "need_type": need_type,
                "period": key or None,
            },
        )
        await emit(
            sig.ORDER_PLACED,
            sig.OrderSignal(
                order=str(order_id),
                process=str(process["id"]),
                org=str(org["id"]),
                service=str(row["service"] or ""),
                need_type=need_type,
            ),
            resource_type="joint.order",
            resource_id=order_id,
            org_path=org["path"],
        )
        out = to_order(row, service["title"] if service is not None else None, routed)
        await claim.record(201, out)
    return Response(out, status_code=201)


def _person(caller: Principal) -> uuid.UUID:
    if caller.person_id is None:
        raise Problem(NO_PERSON)
    return caller.person_id  # type: ignore[no-any-return]


def _eligible(service: dict[str, Any], places: list[dict[str, Any]]) -> bool:
    return service["audience"] == "public" or member_within(places, service["org_path"])


IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        description="Any unique string; repeats get the first response",
        max_length=255,
    ),
]


class ServiceController(Controller):
    path = "/services"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/",
        opt={"policy": "visible"},
        summary="服务清单",
        description="调用者可见的服务：面向所有人的已发布服务、其所在组织（及上级）面向成员的服务，以及有 "
        "joint.service.read 权限范围内的全部服务（含已撤下）；可按组织（含下级）、诉求类型、状态筛选。"
        "每项附本期名额、已约与剩余数。",
        summary_en="The service menu",
        description_en="The services the caller may see: published ones for everyone, members-only ones of "
        "the orgs at or above the caller's memberships, and every service (withdrawn too) within the reach "
        "of joint.service.read; filtered by an org's subtree, need type or status. Each with its current "
        "period's places, taken and left.",
    )
    async def list_services(
        self,
        request: Req,
        page: PageParam,
        org_id: OrgFilter = None,
        need_type: Annotated[
            str | None, QueryParameter(description="Only services answering this need type", max_length=64)
        ] = None,
        status: Annotated[
            str | None,
            QueryParameter(description="published or withdrawn", pattern="^(published|withdrawn)$"),
        ] = None,
    ) -> Page[S.JointService]:
        caller = principal(request)
        places = await person_places(caller.person_id)
        member_orgs = ancestors([p for p in places if not p["home"]])
        clause: Any = (JointService.status == "published") & (
            (JointService.audience == "public") | JointService.org_path.is_in(sorted(member_orgs) or ["~"])
        )
        read = reach_clause(JointService.org_path, caller.reach(perm.SERVICE_READ))
        if read is not None:
            clause = clause | read
        if org_id is not None:
            org = await Org.select(Org.path).where(Org.id == org_id).first().run()
            if org is None:
                return Page(items=[], next_cursor=None)
            low, high = subtree_bounds(org["path"])
            clause = clause & (JointService.org_path >= low) & (JointService.org_path < high)
        if need_type is not None:
            clause = clause & (JointService.need_type == need_type)
        if status is not None:
            clause = clause & (JointService.status == status)
        rows, cursor = await paginate(
            JointService.select().where(clause), [JointService.created_at, JointService.id], page
        )
        return Page(items=await to_services(request, rows), next_cursor=cursor)

    @post(
        "/",
        opt={"permission": perm.SERVICE_MANAGE},
        summary="发布服务",
        description="在调用者有管理权限的组织发布一项服务：内容、服务对象、面向对象（所有人或成员）、"
        "对应诉求类型、地点（可选本组织、上级或下级的阵地）、每期名额与周期；写入审计日志并发出信号。",
        summary_en="Publish a service",
        description_en="Publishes a service of an org the caller manages: what it is, for whom, who may see "
        "and order it (everyone or members), the need type it answers, where (optionally a place of the "
        "org, of one above or beneath it), places per period; audited and signalled.",
    )
    async def create_service(
        self, request: Req, data: JSONBody[S.JointServiceIn]
    ) -> Response[S.JointService]:
        caller = principal(request)
        org = await org_in_reach(data.org_id, caller, perm.SERVICE_MANAGE)
        if org["status"] != "active":
            raise Problem.invalid(("/org_id", "invalid"))
        if data.place_id is not None:
            await _check_place(data.place_id, org["path"])
        needs = await checked_needs(data.answers, org["path"], caller)
        moment = now()
        row = {
            "id": uuid.uuid4(),
            "org": org["id"],
            "org_path": org["path"],
            "title": data.title,
            "description": data.description,
            "eligibility": data.eligibility,
            "audience": data.audience,
            "need_type": data.need_type or "",
            "place": data.place_id,
            "location": data.location,
            "capacity": data.capacity,
            "period": data.period,
            "status": "published",
            "version": 1,
            "created_by": caller.id,
            "created_at": moment,
            "updated_at": moment,
        }
        async with transaction():
            await JointService.insert(JointService(**row)).run()
            await _cite(row["id"], needs)
            await record_audit(
                "joint.service.published",
                resource_type="joint.service",
                resource_id=row["id"],
                org_path=org["path"],
                changes={"title": data.title, "capacity": data.capacity, "period": data.period},
            )
            await emit(
                sig.SERVICE_PUBLISHED,
                _service_signal(row),
                resource_type="joint.service",
                resource_id=row["id"],
                org_path=org["path"],
            )
        return tagged(await to_service(request, row), 1, 201)

    @get(
        "/figures",
        opt={"permission": perm.SERVICE_READ},
        summary="服务清单统计（按组织、按服务）",
        description="一个组织及其下级的服务点单数、派单数、完成数、评价数与平均评分，按发布组织和按服务分列。",
        summary_en="Service figures (per org and per service)",
        description_en="For an org's subtree: orders placed, dispatched, done, rated and the average rating, "
        "per publishing org and per service.",
    )
    async def service_figures(
        self,
        request: Req,
        org_id: Annotated[uuid.UUID, QueryParameter(description="The org whose subtree is counted")],
    ) -> S.JointServiceFigures:
        org = await org_in_reach(org_id, principal(request), perm.SERVICE_READ)
        return await figures(org)

    @get(
        "/{service_id:uuid}",
        opt={"policy": "visible"},
        summary="服务详情",
        description="一项服务及其本期名额；调用者看不到的服务（成员专享且非成员、已撤下、不在权限范围内）"
        "与不存在的一样答复 404。附 ETag。",
        summary_en="A service",
        description_en="One service with its current period's places; a service the caller may not see "
        "(members only, withdrawn, outside reach) is answered 404 like a missing one. With an ETag.",
    )
    async def get_service(self, request: Req, service_id: ServiceId) -> Response[S.JointService]:
        row = await service_row(service_id, principal(request))
        return tagged(await to_service(request, row), row["version"])

    @patch(
        "/{service_id:uuid}",
        opt={"permission": perm.SERVICE_MANAGE},
        summary="修改或撤下服务（须 If-Match）",
        description="修改服务的内容、对象、地点、名额与周期，或撤下（withdrawn）/重新发布（published）；"
        "已点的单照常办理。须带 If-Match。",
        summary_en="Change or withdraw a service (If-Match)",
        description_en="Changes a service's text, audience, place, places and period, or withdraws it "
        "(withdrawn) or publishes it again (published); orders placed go on. Needs If-Match.",
    )
    async def update_service(
        self,
        request: Req,
        service_id: ServiceId,
        data: JSONBody[S.JointServiceUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.JointService]:
        caller = principal(request)
        row = await managed_service(service_id, caller)
        check_if_match(row, if_match)
        given = _given(data)
        needs = None
        if "answers" in given:
            needs = await checked_needs(given.pop("answers"), row["org_path"], caller)
            cited = await JointServiceNeed.select().where(JointServiceNeed.service == service_id).run()
            before = {(r["survey"], r["question"], r["option"]) for r in cited}
            if before == {(n["survey"], n["question"], n["option"]) for n in needs}:
                needs = None
        if "place_id" in given:
            given["place"] = given.pop("place_id")
            if given["place"] is not None:
                await _check_place(given["place"], row["org_path"])
        if "need_type" in given:
            given["need_type"] = given["need_type"] or ""
        changes = {k: v for k, v in given.items() if v != row[k]}
        if needs is not None:
            changes["answers"] = len(needs)
        if changes:
            async with transaction():
                if needs is not None:
                    await _cite(service_id, needs)
                updated = (
                    await JointService.update(
                        {
                            **{k: v for k, v in changes.items() if k != "answers"},
                            "version": row["version"] + 1,
                            "updated_at": now(),
                        }
                    )
                    .where((JointService.id == service_id) & (JointService.version == row["version"]))
                    .returning(*JointService.all_columns())
                    .run()
                )
                if not updated:
                    raise Problem("joint-changed", version=row["version"] + 1)
                row = updated[0]
                await record_audit(
                    "joint.service.updated",
                    resource_type="joint.service",
                    resource_id=service_id,
                    org_path=row["org_path"],
                    changes={k: str(v) if isinstance(v, uuid.UUID) else v for k, v in changes.items()},
                )
                signal = sig.SERVICE_CHANGED
                if changes.get("status") == "withdrawn":
                    signal = sig.SERVICE_WITHDRAWN
                elif changes.get("status") == "published":
                    signal = sig.SERVICE_PUBLISHED
                await emit(
                    signal,
                    _service_signal(row),
                    resource_type="joint.service",
                    resource_id=service_id,
                    org_path=row["org_path"],
                )
        return tagged(await to_service(request, row), row["version"])

    @post(
        "/{service_id:uuid}/orders",
        opt={"policy": "self"},
        summary="点单（支持 Idempotency-Key）",
        description="本人在服务清单上点单：成员专享的服务须为发布组织（含下级）的成员；有名额限制的服务"
        "占用本期一个名额（并发时只有名额内的点单成功，其余答复 joint-service-full）。点单即一件"
        "「群众点单」流程（joint.service_order），在 /api/v1/processes 中派单、接单、完成。",
        summary_en="Order a service (Idempotency-Key honoured)",
        description_en="The caller orders a service from the menu: a members-only one needs a membership in "
        "the publishing org's subtree; one with a limit takes a place of the current period (under any "
        "concurrency only as many orders as places succeed, the rest answer joint-service-full). The order "
        "is a joint.service_order process, dispatched, taken and done through /api/v1/processes.",
    )
    async def order_service(
        self,
        request: Req,
        service_id: ServiceId,
        data: JSONBody[S.JointOrderIn],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[S.JointOrder]:
        caller = principal(request)
        person = _person(caller)
        places = await person_places(person)
        service = await JointService.select().where(JointService.id == service_id).first().run()
        if service is None or not service_visible(service, caller, places):
            raise Problem("not-found")
        if service["status"] != "published":
            raise Problem(SERVICE_WITHDRAWN)
        if not _eligible(service, places):
            raise Problem(MEMBERS_ONLY)
        org = await Org.select(Org.id, Org.path).where(Org.id == service["org"]).first().run()
        return await place_order(
            request, caller, org=org, service=service, need_type=service["need_type"], note=data.note
        )


async def figures(org: dict[str, Any]) -> S.JointServiceFigures:
    low, high = subtree_bounds(org["path"])
    rows = await fetch_rows(
        JointOrder,
        "SELECT service, org, count(*) AS ordered, count(dispatched_at) AS dispatched, "
        "sum(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS done, count(rating) AS rated, "
        "sum(rating) AS rating_sum FROM joint_order WHERE org_path >= {} AND org_path < {} "
        "GROUP BY service, org",
        [low, high],
    )
    services = (
        await JointService.select(JointService.id, JointService.org, JointService.title, JointService.status)
        .where((JointService.org_path >= low) & (JointService.org_path < high))
        .order_by(JointService.created_at)
        .run()
    )

    def average(total: Any, count: int) -> float | None:
        return round(float(total) / count, 2) if count else None

    counts: dict[Any, dict[str, int]] = {}
    by_org: dict[Any, dict[str, int]] = {}
    for r in rows:
        service = uuid.UUID(str(r["service"])) if r["service"] is not None else None
        owner = uuid.UUID(str(r["org"]))
        values = {k: int(r[k] or 0) for k in ("ordered", "dispatched", "done", "rated", "rating_sum")}
        if service is not None:
            counts[service] = values
        total = by_org.setdefault(owner, dict.fromkeys(values, 0))
        for k, v in values.items():
            total[k] += v
    zero = dict.fromkeys(("ordered", "dispatched", "done", "rated", "rating_sum"), 0)
    service_rows = []
    per_org_services: dict[Any, int] = {}
    for s in services:
        c = counts.get(s["id"], zero)
        per_org_services[s["org"]] = per_org_services.get(s["org"], 0) + 1
        by_org.setdefault(s["org"], dict(zero))
        service_rows.append(
            S.JointServiceFigure(
                service_id=s["id"],
                org_id=s["org"],
                title=s["title"],
                status=s["status"],
                ordered=c["ordered"],
                dispatched=c["dispatched"],
                done=c["done"],
                rated=c["rated"],
                average_rating=average(c["rating_sum"], c["rated"]),
            )
        )
    names = await _org_names(list(by_org))
    org_rows = [
        S.JointOrgServiceFigure(
            org_id=o,
            org_name=names.get(o, ""),
            services=per_org_services.get(o, 0),
            ordered=v["ordered"],
            dispatched=v["dispatched"],
            done=v["done"],
            rated=v["rated"],
            average_rating=average(v["rating_sum"], v["rated"]),
        )
        for o, v in sorted(by_org.items(), key=lambda item: names.get(item[0], ""))
    ]
    rated = sum(v["rated"] for v in by_org.values())
    return S.JointServiceFigures(
        org_id=org["id"],
        ordered=sum(v["ordered"] for v in by_org.values()),
        dispatched=sum(v["dispatched"] for v in by_org.values()),
        done=sum(v["done"] for v in by_org.values()),
        average_rating=average(sum(v["rating_sum"] for v in by_org.values()), rated),
        orgs=org_rows,
        services=service_rows,
    )


# --- partners ----------------------------------------------------------------------------------------------


def to_partner(row: dict[str, Any]) -> S.JointPartner:
    return S.JointPartner(
        id=row["id"],
        org_id=row["org"],
        name=row["name"],
        credit_code=row["credit_code"] or None,
        kind=row["kind"],
        description=row["description"],
        need_types=[str(t) for t in _json_list(row["need_types"])],
        status=row["status"],
        version=row["version"],
        created_at=row["created_at"],
    )


async def partner_row(partner_id: uuid.UUID, caller: Principal, permission: str) -> dict[str, Any]:
    row = await JointPartner.select().where(JointPartner.id == partner_id).first().run()
    if row is None or not within(row["org_path"], caller.reach(permission)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


async def _recorded_partner(row: dict[str, Any], action: str, signal: Any, changes: dict[str, Any]) -> None:
    await record_audit(
        action,
        resource_type="joint.partner",
        resource_id=row["id"],
        org_path=row["org_path"],
        changes=changes,
    )
    await emit(
        signal,
        sig.PartnerSignal(partner=str(row["id"]), org=str(row["org"]), status=row["status"]),
        resource_type="joint.partner",
        resource_id=row["id"],
        org_path=row["org_path"],
    )


class PartnerController(Controller):
    path = "/partners"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/",
        opt={"permission": perm.SERVICE_READ},
        summary="合作社会组织",
        description="调用者权限范围内登记的合作社会组织（可承接派单），可按登记组织（含下级）筛选。",
        summary_en="Partner social organizations",
        description_en="The partner social organizations (which may take dispatched orders) registered "
        "within the caller's reach, optionally of one org's subtree.",
    )
    async def list_partners(
        self, request: Req, page: PageParam, org_id: OrgFilter = None
    ) -> Page[S.JointPartner]:
        caller = principal(request)
        clause = reach_clause(JointPartner.org_path, caller.reach(perm.SERVICE_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        if org_id is not None:
            org = await org_in_reach(org_id, caller, perm.SERVICE_READ)
            low, high = subtree_bounds(org["path"])
            clause = clause & (JointPartner.org_path >= low) & (JointPartner.org_path < high)
        rows, cursor = await paginate(
            JointPartner.select().where(clause), [JointPartner.created_at, JointPartner.id], page
        )
        return Page(items=[to_partner(r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": perm.SERVICE_MANAGE},
        summary="登记合作社会组织",
        description="在调用者有管理权限的组织登记一个合作社会组织（名称、统一社会信用代码、类别、服务领域）；"
        "派单时可派给它，由登记组织记录其接单、退单与完成。",
        summary_en="Register a partner social organization",
        description_en="Registers a partner social organization with an org the caller manages (name, "
        "unified social credit code, kind, the need types it serves); orders may then be dispatched to it, "
        "and the org it is registered with records its answers.",
    )
    async def create_partner(
        self, request: Req, data: JSONBody[S.JointPartnerIn]
    ) -> Response[S.JointPartner]:
        caller = principal(request)
        org = await org_in_reach(data.org_id, caller, perm.SERVICE_MANAGE)
        if org["status"] != "active":
            raise Problem.invalid(("/org_id", "invalid"))
        if (
            data.credit_code
            and await JointPartner.exists()
            .where((JointPartner.org == org["id"]) & (JointPartner.credit_code == data.credit_code))
            .run()
        ):
            raise Problem(PARTNER_EXISTS, credit_code=data.credit_code)
        moment = now()
        row = {
            "id": uuid.uuid4(),
            "org": org["id"],
            "org_path": org["path"],
            "name": data.name,
            "credit_code": data.credit_code or "",
            "kind": data.kind,
            "description": data.description,
            "need_types": list(dict.fromkeys(data.need_types)),
            "status": "active",
            "version": 1,
            "created_at": moment,
            "updated_at": moment,
        }
        async with transaction():
            await JointPartner.insert(JointPartner(**row)).run()
            await _recorded_partner(
                row, "joint.partner.registered", sig.PARTNER_REGISTERED, {"name": data.name}
            )
        return tagged(to_partner(row), 1, 201)

    @get(
        "/{partner_id:uuid}",
        opt={"permission": perm.SERVICE_READ},
        summary="合作社会组织详情",
        description="一个合作社会组织；附 ETag。不在权限范围内的与不存在的一样答复 404。",
        summary_en="A partner social organization",
        description_en="One partner social organization, with an ETag; one outside reach is answered 404.",
    )
    async def get_partner(self, request: Req, partner_id: FromPath[uuid.UUID]) -> Response[S.JointPartner]:
        row = await partner_row(partner_id, principal(request), perm.SERVICE_READ)
        return tagged(to_partner(row), row["version"])

    @patch(
        "/{partner_id:uuid}",
        opt={"permission": perm.SERVICE_MANAGE},
        summary="修改合作社会组织（须 If-Match）",
        description="修改合作社会组织的名称、类别、服务领域，或停止合作（inactive）；须带 If-Match。",
        summary_en="Change a partner (If-Match)",
        description_en="Changes a partner's name, kind or need types, or ends the partnership (inactive); "
        "needs If-Match.",
    )
    async def update_partner(
        self,
        request: Req,
        partner_id: FromPath[uuid.UUID],
        data: JSONBody[S.JointPartnerUpdate],
        if_match: IfMatch = None,
    ) -> Response[S.JointPartner]:
        row = await partner_row(partner_id, principal(request), perm.SERVICE_MANAGE)
        check_if_match(row, if_match)
        given = _given(data)
        if "need_types" in given:
            given["need_types"] = list(dict.fromkeys(given["need_types"]))
        changes = {
            k: v for k, v in given.items() if (v != _json_list(row[k]) if k == "need_types" else v != row[k])
        }
        if changes:
            async with transaction():
                updated = (
                    await JointPartner.update({**changes, "version": row["version"] + 1, "updated_at": now()})
                    .where((JointPartner.id == partner_id) & (JointPartner.version == row["version"]))
                    .returning(*JointPartner.all_columns())
                    .run()
                )
                if not updated:
                    raise Problem("joint-changed", version=row["version"] + 1)
                row = updated[0]
                await _recorded_partner(row, "joint.partner.updated", sig.PARTNER_CHANGED, changes)
        return tagged(to_partner(row), row["version"])


# --- orders ------------------------------------------------------------------------------------------------


class OrderController(Controller):
    path = "/orders"
    tags = ["joint"]  # noqa: RUF012

    @post(
        "/",
        opt={"policy": "self"},
        summary="按诉求类型点单（支持 Idempotency-Key）",
        description="本人不指定服务、只说明诉求类型（如 wage_arrears）：按所在组织最近区域的转办规则（或平台"
        "默认）找到承办组织，点该组织对应此类诉求的服务；没有这样的服务时，点单直接交该组织派单。所在组织"
        "默认为本人的户籍所在组织，也可为本人所在的组织。承办组织的插件未安装、没有规则或附近没有此类组织时"
        "答复明确的问题。",
        summary_en="Order by need type (Idempotency-Key honoured)",
        description_en="The caller names a need type (wage_arrears…) instead of a service: the nearest "
        "region's referral rule (or the platform's default) finds the org that serves it, and that org's "
        "service for the need is ordered; without one the order goes to that org to dispatch. The person's "
        "org is their home org by default, or one they are a member of. A clear problem answers when the "
        "target's plugin is not installed, no rule applies or no such org is near.",
    )
    async def order_by_need(
        self, request: Req, data: JSONBody[S.JointNeedOrderIn], idempotency_key: IdempotencyKey = None
    ) -> Response[S.JointOrder]:
        caller = principal(request)
        person = _person(caller)
        places = await person_places(person)
        where = data.org_id
        if where is None:
            where = next((p["id"] for p in places if p["home"]), None)
            if where is None:
                raise Problem.invalid(("/org_id", "required"))
        elif all(p["id"] != where for p in places):
            raise Problem.invalid(("/org_id", NOT_OWN_ORG))
        routed = await route(request.app.state, where, data.need_type)
        target = await Org.select(Org.id, Org.path).where(Org.id == routed.org_id).first().run()
        candidates = (
            await JointService.select()
            .where(
                (JointService.org == routed.org_id)
                & (JointService.status == "published")
                & (JointService.need_type == data.need_type)
            )
            .order_by(JointService.created_at)
            .run()
        )
        service = next((s for s in candidates if _eligible(s, places)), None)
        return await place_order(
            request,
            caller,
            org=target,
            service=service,
            need_type=data.need_type,
            note=data.note,
            routed=routed,
        )

    @get(
        "/",
        opt={"permission": perm.SERVICE_READ},
        summary="点单台账",
        description="调用者权限范围内的组织受理或承接的点单，按点单先后；可按组织（含下级）、服务、状态筛选。",
        summary_en="Orders (ledger)",
        description_en="The orders placed with or dispatched to orgs within the caller's reach, oldest "
        "first; filtered by an org's subtree, a service or a state.",
    )
    async def list_orders(
        self,
        request: Req,
        page: PageParam,
        org_id: OrgFilter = None,
        service_id: Annotated[
            uuid.UUID | None, QueryParameter(description="Only this service's orders")
        ] = None,
        state_code: Annotated[
            str | None,
            QueryParameter(
                name="state",
                description="ordered, dispatched, accepted, done, cancelled or refused",
                pattern="^(ordered|dispatched|accepted|done|cancelled|refused)$",
            ),
        ] = None,
    ) -> Page[S.JointOrder]:
        caller = principal(request)
        reaches = order_reaches(caller)
        placed = reach_clause(JointOrder.org_path, reaches)
        if placed is None:
            return Page(items=[], next_cursor=None)
        clause = placed | reach_clause(JointOrder.assignee_path, reaches)
        if org_id is not None:
            org = await org_in_reach(org_id, caller, perm.SERVICE_READ)
            low, high = subtree_bounds(org["path"])
            clause = clause & (
                ((JointOrder.org_path >= low) & (JointOrder.org_path < high))
                | ((JointOrder.assignee_path >= low) & (JointOrder.assignee_path < high))
            )
        if service_id is not None:
            clause = clause & (JointOrder.service == service_id)
        if state_code is not None:
            clause = clause & (JointOrder.state == state_code)
        rows, cursor = await paginate(
            JointOrder.select().where(clause), [JointOrder.created_at, JointOrder.id], page
        )
        return Page(items=await to_orders(rows), next_cursor=cursor)

    @get(
        "/{order_id:uuid}",
        opt={"policy": "visible"},
        summary="点单详情",
        description="一个点单：所点服务、派单去向、接单与完成时间、评价；点单人本人和受理、承接组织的"
        "干部可见，其他人与不存在的一样答复 404。办理步骤见其流程（process_id）。",
        summary_en="An order",
        description_en="One order: the service, where it was dispatched, when it was taken and done, its "
        "rating; visible to the person who ordered and to cadres of the orgs it was placed with or "
        "dispatched to, and 404 to anyone else. Its steps are its process's (process_id).",
    )
    async def get_order(self, request: Req, order_id: FromPath[uuid.UUID]) -> S.JointOrder:
        row = await JointOrder.select().where(JointOrder.id == order_id).first().run()
        if row is None or not order_visible(row, principal(request)):
            raise Problem("not-found")
        return (await to_orders([row]))[0]

    @post(
        "/{order_id:uuid}/rating",
        opt={"policy": "self"},
        summary="评价服务",
        description="点单人本人在服务完成后评价一次（1–5 分，可附意见）；完成前答复 joint-order-not-done，"
        "再次评价答复 joint-already-rated。",
        summary_en="Rate a service",
        description_en="The person who ordered rates it once it is done (1 to 5, with an optional comment); "
        "before that joint-order-not-done, a second rating joint-already-rated.",
    )
    async def rate_order(
        self, request: Req, order_id: FromPath[uuid.UUID], data: JSONBody[S.JointRatingIn]
    ) -> Response[S.JointOrder]:
        caller = principal(request)
        row = await JointOrder.select().where(JointOrder.id == order_id).first().run()
        if row is None or not order_visible(row, caller):
            raise Problem("not-found")
        if caller.person_id is None or row["person"] != caller.person_id:
            raise Problem("forbidden")
        if row["state"] != "done":
            raise Problem(NOT_DONE, state=row["state"])
        async with transaction():
            updated = (
                await JointOrder.update(
                    {
                        JointOrder.rating: data.rating,
                        JointOrder.rating_comment: data.comment,
                        JointOrder.rated_at: now(),
                    }
                )
                .where(
                    (JointOrder.id == order_id)
                    & JointOrder.rating.is_null()
                    & (JointOrder.state == "done")
                    & (JointOrder.person == caller.person_id)
                )
                .returning(*JointOrder.all_columns())
                .run()
            )
            if not updated:
                raise Problem(ALREADY_RATED)
            row = updated[0]
            await record_audit(
                "joint.order.rated",
                resource_type="joint.order",
                resource_id=order_id,
                org_path=row["org_path"],
                org_paths=[row["assignee_path"]] if row["assignee_path"] else [],
                changes={"rating": data.rating},
            )
            await emit(
                sig.ORDER_RATED,
                sig.OrderSignal(
                    order=str(order_id),
                    process=str(row["process"]),
                    org=str(row["org"]),
                    service=str(row["service"] or ""),
                    need_type=row["need_type"],
                    assignee_org=str(row["assignee_org"] or ""),
                    partner=str(row["partner"] or ""),
                    rating=data.rating,
                ),
                resource_type="joint.order",
                resource_id=order_id,
                org_path=row["org_path"],
            )
        return Response((await to_orders([row]))[0], status_code=201)


class MyServiceController(Controller):
    path = "/me"
    tags = ["joint"]  # noqa: RUF012

    @get(
        "/orders",
        opt={"policy": "self"},
        summary="我的点单",
        description="本人的点单及其进度（待派单、待接单、服务中、已完成…）和评价，最近的在前。",
        summary_en="My orders",
        description_en="The caller's own orders with their progress (ordered, dispatched, being served, "
        "done …) and ratings, latest first.",
    )
    async def my_orders(self, request: Req, page: PageParam) -> Page[S.JointOrder]:
        caller = principal(request)
        if caller.person_id is None:
            return Page(items=[], next_cursor=None)
        rows, cursor = await paginate(
            JointOrder.select().where(JointOrder.person == caller.person_id),
            [JointOrder.created_at, JointOrder.id],
            page,
            descending=True,
        )
        return Page(items=await to_orders(rows), next_cursor=cursor)
