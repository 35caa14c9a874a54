"""Routes of persons: ``/api/v1/persons``. Thin: the rules live in :mod:`core.identity.persons`."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from msgspec import Meta

from core.errors import Problem
from core.fastpath import FastAnswer, FastRequest
from core.identity import personal_data, persons
from core.identity.permissions import PERSON_ERASE, PERSON_EXPORT, PERSON_READ, PERSON_WRITE
from core.identity.runtime import identity_of
from core.identity.schemas import PersonCreate, PersonOut, PersonUpdate
from core.identity.tables import Person
from core.pagination import Page, PageParam, paginate


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
    """Fast twin (core/fastpath.py) of ``GET /persons/{id}``."""
    request.only()
    return await _one(request.state, request.principal, request.path_params["person_id"], PERSON_READ), {}


class PersonController(Controller):
    path = "/persons"
    tags = ["persons"]  # noqa: RUF012 - Litestar reads it from the class

    @get("/", opt={"permission": PERSON_READ}, summary="Persons within the caller's reach")
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
        summary="Find persons by ID number or phone",
    )
    async def lookup(
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

    @post("/", opt={"permission": PERSON_WRITE}, summary="Register a person in an org within reach")
    async def create_person(self, request: Request[Any, Any, Any], data: JSONBody[PersonCreate]) -> PersonOut:
        vault = identity_of(request.app.state).vault
        person_id = await persons.create_person(request.app.state.db, vault, request.user, PERSON_WRITE, data)
        return await _one(request.app.state, request.user, person_id, PERSON_WRITE)

    @get("/{person_id:uuid}", opt={"permission": PERSON_READ, "fast": _fast_get_person}, summary="One person")
    async def get_person(self, request: Request[Any, Any, Any], person_id: FromPath[UUID]) -> PersonOut:
        return await _one(request.app.state, request.user, person_id, PERSON_READ)

    @patch("/{person_id:uuid}", opt={"permission": PERSON_WRITE}, summary="Edit a person's own fields")
    async def update_person(
        self, request: Request[Any, Any, Any], person_id: FromPath[UUID], data: JSONBody[PersonUpdate]
    ) -> PersonOut:
        vault = identity_of(request.app.state).vault
        await persons.update_person(
            request.app.state.db, vault, request.user, PERSON_WRITE, person_id, data, _tz(request)
        )
        return await _one(request.app.state, request.user, person_id, PERSON_WRITE)

    @delete(
        "/{person_id:uuid}", opt={"permission": PERSON_ERASE}, summary="Erase a person's data (PIPL Art. 47)"
    )
    async def erase_person(self, request: Request[Any, Any, Any], person_id: FromPath[UUID]) -> None:
        await personal_data.erase(request.app.state, request.user, PERSON_ERASE, person_id)

    @get(
        "/{person_id:uuid}/export",
        opt={"permission": PERSON_EXPORT},
        summary="Export a person's data (PIPL Art. 45)",
    )
    async def export_person(
        self, request: Request[Any, Any, Any], person_id: FromPath[UUID]
    ) -> dict[str, Any]:
        return await personal_data.export(request.app.state, request.user, PERSON_EXPORT, person_id)
