"""Routes of persons: ``/api/v1/persons``. Thin: the rules live in :mod:`core.identity.persons`."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta

from core.identity import personal_data, persons
from core.identity.permissions import PERSON_ERASE, PERSON_EXPORT, PERSON_READ, PERSON_WRITE
from core.identity.runtime import identity_of
from core.identity.schemas import PersonCreate, PersonOut, PersonUpdate
from core.identity.tables import Person
from core.identity.throttle import LinkBudget
from core.kernel.errors import PROBLEM_MEDIA_TYPE, Problem, ProblemDetails
from core.kernel.fastpath import FastAnswer, FastRequest
from core.kernel.pagination import Page, PageParam, paginate
from core.members import links
from core.members.schemas import ErasureOutcome, PersonLink


class PersonLookup(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Exact lookup by ID number or phone (in a body, so the values never appear in URLs or logs)."""

    id_number: Annotated[str, Meta(max_length=32)] | None = None
    phone: Annotated[str, Meta(max_length=32)] | None = None


def _tz(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.settings.timezone)


async def _one(state: Any, principal: Any, person_id: UUID, permission: str) -> PersonOut:
    """One person as ``principal`` may see them (masked unless it may read personal data), or 404."""
    timezone = str(state.settings.timezone)
    row = await persons.find_visible(principal, permission, person_id, timezone)
    return (await persons.rows_out([row], identity_of(state).vault, principal, timezone))[0]


async def _fast_get_person(request: FastRequest) -> FastAnswer:
    """Fast twin (core/kernel/fastpath.py) of ``GET /persons/{id}``."""
    request.only()
    return await _one(request.state, request.principal, request.path_params["person_id"], PERSON_READ), {}


class PersonController(Controller):
    path = "/persons"
    tags = ["persons"]  # noqa: RUF012 - Litestar reads it from the class

    @get(
        "/",
        opt={"permission": PERSON_READ},
        summary="人员列表（权限范围内）",
        description="调用方权限范围内的人员；身份证号与手机号除非有权限否则脱敏。",
        summary_en="Persons within the caller's reach",
        description_en="The persons within the caller's reach; ID numbers and phones masked unless permitted.",
    )
    async def list_persons(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        org: Annotated[
            UUID | None, QueryParameter(description="Only persons whose file this org keeps.")
        ] = None,
        org_scope: Annotated[
            Literal["org", "subtree"],
            QueryParameter(name="scope", description="With org: that org or its subtree."),
        ] = "org",
    ) -> Page[PersonOut]:
        org_path = None
        if org is not None:
            org_path = (await persons.org_in_reach(request.user, PERSON_READ, org))["path"]
        return await self._page(request, page, org_path=org_path, subtree=org_scope == "subtree")

    @post(
        "/lookup",
        opt={"permission": PERSON_READ},
        status_code=200,
        summary="按身份证号或手机号查找人员",
        description="按身份证号或手机号在权限范围内查找人员。",
        summary_en="Find persons by ID number or phone",
        description_en="Finds persons within reach by ID number or phone.",
    )
    async def lookup_persons(
        self, request: Request[Any, Any, Any], page: PageParam, data: JSONBody[PersonLookup]
    ) -> Page[PersonOut]:
        if data.id_number is None and data.phone is None:
            raise Problem.invalid(("/id_number", "required"))
        return await self._page(request, page, id_number=data.id_number, phone=data.phone)

    async def _page(self, request: Request[Any, Any, Any], page: Any, **filters: Any) -> Page[PersonOut]:
        vault = identity_of(request.app.state).vault
        query = persons.list_query(request.user, PERSON_READ, vault, _tz(request), **filters)
        if query is None:
            return Page(items=[])
        rows, cursor = await paginate(query, [Person.id], page)
        return Page(items=await persons.rows_out(rows, vault, request.user, _tz(request)), next_cursor=cursor)

    @post(
        "/",
        opt={"permission": PERSON_WRITE},
        responses={
            202: ResponseSpec(data_container=PersonLink, description="A person link request was proposed"),
            409: ResponseSpec(data_container=ProblemDetails, description="The ID number is registered"),
            429: ResponseSpec(
                data_container=ProblemDetails,
                media_type=PROBLEM_MEDIA_TYPE,
                description="Today's link requests are spent",
            ),
        },
        summary="登记人员",
        description=(
            "201 返回新登记的人员。身份证号已登记时：该人员对调用方可见则 409 并附 "
            "context.existing_id；不在范围内则不透露，返回 202 及请其加入 "
            "home_org 的关联请求。每个 202 计入 "
            "QUNTUAN_PERSON_LINK_MAX_PER_DAY，用尽后带身份证号的登记返回 429。"
        ),
        summary_en="Register a person in an org within reach",
        description_en=(
            "201 with the new person. An ID number already registered: 409 with `context.existing_id` when "
            "that person is visible to the caller; when they are outside the caller's reach they are "
            "neither named nor linked — 202 with a person link request proposing that they join `home_org` "
            "(the same request `POST /orgs/{id}/members` makes). 201 and 202 still tell that the number is "
            "taken; each 202 spends one of `QUNTUAN_PERSON_LINK_MAX_PER_DAY`, and while none is left every "
            "registration with an ID number answers 429 (docs/persons.md)."
        ),
    )
    async def create_person(
        self, request: Request[Any, Any, Any], data: JSONBody[PersonCreate]
    ) -> Response[PersonOut]:
        state = request.app.state
        outcome = await persons.create_person(
            state.db,
            identity_of(state).vault,
            request.user,
            PERSON_WRITE,
            data,
            timezone=_tz(request),
            budget=LinkBudget.of(state.settings, state.shared),
            link_ttl_days=state.settings.person_link_ttl_days,
        )
        if isinstance(outcome, dict):
            return Response(links.to_out(outcome), status_code=202)  # type: ignore[arg-type]
        return Response(await _one(state, request.user, outcome, PERSON_WRITE), status_code=201)

    @get(
        "/{person_id:uuid}",
        opt={"permission": PERSON_READ, "fast": _fast_get_person},
        summary="人员详情",
        description="一个人员；身份证号与手机号除非有权限否则脱敏。",
        summary_en="One person",
        description_en="One person; ID number and phone masked unless permitted.",
    )
    async def get_person(self, request: Request[Any, Any, Any], person_id: FromPath[UUID]) -> PersonOut:
        return await _one(request.app.state, request.user, person_id, PERSON_READ)

    @patch(
        "/{person_id:uuid}",
        opt={"permission": PERSON_WRITE},
        summary="修改人员信息",
        description="修改人员本身的信息（姓名、性别、出生日期、政治面貌等）。",
        summary_en="Edit a person's own fields",
        description_en="Edits a person's own fields (name, gender, birth date, political status …).",
    )
    async def update_person(
        self, request: Request[Any, Any, Any], person_id: FromPath[UUID], data: JSONBody[PersonUpdate]
    ) -> PersonOut:
        state = request.app.state
        await persons.update_person(
            state.db,
            identity_of(state).vault,
            request.user,
            PERSON_WRITE,
            person_id,
            data,
            _tz(request),
            budget=LinkBudget.of(state.settings, state.shared),
        )
        return await _one(request.app.state, request.user, person_id, PERSON_WRITE)

    @delete(
        "/{person_id:uuid}",
        opt={"permission": PERSON_ERASE},
        status_code=204,
        responses={
            200: ResponseSpec(
                data_container=ErasureOutcome,
                description="Not erased: the memberships within the caller's reach ended instead",
            )
        },
        summary="删除人员的个人信息（个保法第47条）",
        description=(
            "204 表示已删除。须保管其档案并持有该人员通过账号和职务持有的全部权限，否则 403。"
            "调用方仅通过成员关系可见时不删除，而是结束范围内的成员关系，返回 200（erased: "
            "false）。"
        ),
        summary_en="Erase a person's data (PIPL Art. 47)",
        description_en=(
            "204: erased. Needs custody (the person's home org within reach) and every permission the "
            "person holds through their account and posts, else 403. A caller whose only reach over the "
            "person is a membership does not erase them: the memberships within reach end (status `left`, "
            "audited) and the answer is 200 with them (`erased: false`). Visible through a post only: 403."
        ),
    )
    async def erase_person(
        self, request: Request[Any, Any, Any], person_id: FromPath[UUID]
    ) -> Response[None]:
        ended = await personal_data.erase(request.app.state, request.user, PERSON_ERASE, person_id)
        if ended is not None:
            return Response(ErasureOutcome(person=person_id, ended=ended), status_code=200)  # type: ignore[arg-type]
        return Response(None, status_code=204)

    @get(
        "/{person_id:uuid}/export",
        opt={"permission": PERSON_EXPORT},
        summary="导出人员的个人信息（个保法第45条）",
        description="该人员在各组织的全部记录；须保管其档案，仅可见时返回 403。",
        summary_en="Export a person's data (PIPL Art. 45)",
        description_en=(
            "Every org's records of the person: needs custody (their home org within reach), 403 when the "
            "person is only visible to the caller."
        ),
    )
    async def export_person(
        self, request: Request[Any, Any, Any], person_id: FromPath[UUID]
    ) -> dict[str, Any]:
        return await personal_data.export(request.app.state, request.user, PERSON_EXPORT, person_id)
