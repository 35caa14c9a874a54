"""Routes of consent records (同意记录): ``/api/v1/persons/{id}/consents``."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, JSONBody

from core.identity import audit, persons
from core.identity.permissions import PERSON_READ, PERSON_WRITE
from core.identity.schemas import ConsentCreate, ConsentOut
from core.identity.signals import CONSENT_GIVEN, CONSENT_WITHDRAWN, ConsentChanged
from core.identity.tables import Consent
from core.integration.signals import emit
from core.kernel.errors import Problem
from core.kernel.pagination import Page, PageParam, paginate


def _out(row: dict[str, Any] | None) -> ConsentOut:
    if row is None:
        raise Problem("not-found")
    return ConsentOut(
        id=row["id"],
        person=row["person"],
        purpose=row["purpose"],
        given_at=row["given_at"],
        withdrawn_at=row["withdrawn_at"],
    )


class ConsentController(Controller):
    path = "/persons/{person_id:uuid}/consents"
    tags = ["persons"]  # noqa: RUF012 - Litestar reads it from the class

    @get(
        "/",
        opt={"permission": PERSON_READ},
        summary="人员的同意记录",
        description="一个人员给出的同意。",
        summary_en="A person's consent records",
        description_en="The consents a person gave.",
    )
    async def list_consents(
        self, request: Request[Any, Any, Any], person_id: FromPath[UUID], page: PageParam
    ) -> Page[ConsentOut]:
        await persons.find_visible(request.user, PERSON_READ, person_id, request.app.state.settings.timezone)
        rows, cursor = await paginate(Consent.select().where(Consent.person == person_id), [Consent.id], page)
        return Page(items=[_out(r) for r in rows], next_cursor=cursor)

    @post(
        "/",
        opt={"permission": PERSON_WRITE},
        summary="记录人员给出的同意",
        description="记录人员对某用途给出的同意。",
        summary_en="Record a consent given by the person",
        description_en="Records a person's consent to a purpose.",
    )
    async def give_consent(
        self, request: Request[Any, Any, Any], person_id: FromPath[UUID], data: JSONBody[ConsentCreate]
    ) -> ConsentOut:
        person = await persons.find_visible(
            request.user, PERSON_WRITE, person_id, request.app.state.settings.timezone
        )
        consent_id = uuid.uuid4()
        path = person["home_org.path"]
        async with request.app.state.db.transaction():
            await Consent.insert(
                Consent(
                    id=consent_id, person=person_id, purpose=data.purpose, recorded_by=str(request.user.id)
                )
            ).run()
            await audit.record(
                "consent.given",
                resource_type="consent",
                resource_id=consent_id,
                org_path=path,
                org_paths=await audit.paths_of_persons([person_id]),
                changes={"person": str(person_id), "purpose": data.purpose},
            )
            await emit(
                CONSENT_GIVEN,
                ConsentChanged(consent_id=consent_id, person_id=person_id, purpose=data.purpose),
                resource_type="consent",
                resource_id=consent_id,
                org_path=path,
            )
        row = await Consent.select().where(Consent.id == consent_id).first().run()
        return _out(row)

    @post(
        "/{consent_id:uuid}/withdrawal",
        opt={"permission": PERSON_WRITE},
        status_code=200,
        summary="撤回同意",
        description="记录人员撤回一项同意。",
        summary_en="Withdraw a consent",
        description_en="Records that the person withdrew a consent.",
    )
    async def withdraw_consent(
        self, request: Request[Any, Any, Any], person_id: FromPath[UUID], consent_id: FromPath[UUID]
    ) -> ConsentOut:
        person = await persons.find_visible(
            request.user, PERSON_WRITE, person_id, request.app.state.settings.timezone
        )
        path = person["home_org.path"]
        async with request.app.state.db.transaction():
            row = (
                await Consent.select()
                .where((Consent.id == consent_id) & (Consent.person == person_id))
                .first()
                .run()
            )
            if row is None:
                raise Problem("not-found")
            if row["withdrawn_at"] is None:
                await (
                    Consent.update({Consent.withdrawn_at: datetime.now(UTC)})
                    .where(Consent.id == consent_id)
                    .run()
                )
                await audit.record(
                    "consent.withdrawn",
                    resource_type="consent",
                    resource_id=consent_id,
                    org_path=path,
                    org_paths=await audit.paths_of_persons([person_id]),
                )
                await emit(
                    CONSENT_WITHDRAWN,
                    ConsentChanged(consent_id=consent_id, person_id=person_id, purpose=row["purpose"]),
                    resource_type="consent",
                    resource_id=consent_id,
                    org_path=path,
                )
        row = await Consent.select().where(Consent.id == consent_id).first().run()
        return _out(row)
