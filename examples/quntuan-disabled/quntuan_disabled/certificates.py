"""The registry of disability certificates (残疾人证) under ``/api/v1/disabled/certificates``.

Reach: a cadre lists, reads and changes the certificates of the orgs its grants reach; anything else
answers 404 as if it did not exist. The number (it embeds the holder's ID number) is encrypted at rest,
found by the holder's ID number through a blind index, and shown masked unless the caller holds
``disabled.certificate.personal_data`` on the certificate's org — every unmasked read is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, patch, post
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter

from core.sdk import (
    AUDIT_CHANGED,
    Org,
    Page,
    PageParam,
    Principal,
    Problem,
    Vault,
    current_principal,
    emit,
    normalise_id_number,
    paginate,
    person_facts,
    reach_clause,
    record_audit,
    transaction,
    vault,
    within,
)

from . import problems
from .categories import CATEGORIES, Category, certificate_number, mask_certificate_number
from .permissions import CERTIFICATE_MANAGE, CERTIFICATE_PERSONAL_DATA, CERTIFICATE_READ
from .signals import CERTIFICATE_CHANGED, CERTIFICATE_REGISTERED, CertificateChanged
from .tables import DisabledCertificate

#: The Vault fields the number and the ID-number index are sealed under.
NUMBER_FIELD = "disabled_certificate_number"
ID_INDEX_FIELD = "disabled_id_number"

Status = Literal["valid", "suspended", "cancelled"]
Grade = Annotated[int, msgspec.Meta(ge=1, le=4, description="残疾等级 1–4 (一级最重)")]
IfMatch = Annotated[
    str | None,
    HeaderParameter(name="If-Match", description="The certificate's ETag (required)", max_length=64),
]


class CertificateIn(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """A certificate to register (存量登记 or 迁入): the holder, the issuing 残联, category and grade."""

    person_id: uuid.UUID
    org_id: uuid.UUID
    id_number: Annotated[str, msgspec.Meta(min_length=15, max_length=24, description="持证人身份证号")]
    category: Category
    grade: Grade
    issued_on: dt.date
    valid_until: dt.date


class CertificateUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What a review changes (absent fields stay): the grade, the validity, the status."""

    grade: Grade | msgspec.UnsetType = msgspec.UNSET
    valid_until: dt.date | msgspec.UnsetType = msgspec.UNSET
    status: Status | msgspec.UnsetType = msgspec.UNSET


class Certificate(msgspec.Struct, kw_only=True):
    id: uuid.UUID
    person_id: uuid.UUID
    org_id: uuid.UUID
    #: Masked (``110101********1234`` + category and grade) unless the caller may see it in full.
    number: str
    masked: bool
    category: str
    category_name: str
    grade: int
    issued_on: dt.date
    valid_until: dt.date
    status: str
    process_id: uuid.UUID | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


def etag(version: int) -> str:
    return f'"{version}"'


def _principal(request: Request[Any, Any, Any]) -> Principal:
    principal = current_principal(request)
    if principal is None:  # the core's guard answered 401 already
        raise Problem("unauthenticated")
    return principal


def _payload(row: dict[str, Any]) -> CertificateChanged:
    return CertificateChanged(
        id=str(row["id"]),
        org=str(row["org"]),
        person=str(row["person"]),
        category=row["category"],
        grade=row["grade"],
        status=row["status"],
    )


async def _shown(state: Any, principal: Principal, rows: list[dict[str, Any]]) -> list[Certificate]:
    """The rows as the caller may see them; full numbers are decrypted, and audited, only for rows
    within the caller's ``personal_data`` reach."""
    full = principal.reach(CERTIFICATE_PERSONAL_DATA)
    keys = vault(state)
    out: list[Certificate] = []
    revealed: list[dict[str, Any]] = []
    for row in rows:
        number = keys.decrypt(NUMBER_FIELD, row["number_enc"])
        masked = not within(row["org_path"], full)
        if not masked:
            revealed.append(row)
        out.append(
            Certificate(
                id=row["id"],
                person_id=row["person"],
                org_id=row["org"],
                number=mask_certificate_number(number) if masked else number,
                masked=masked,
                category=row["category"],
                category_name=CATEGORIES[row["category"]][1].zh_hans,
                grade=row["grade"],
                issued_on=row["issued_on"],
                valid_until=row["valid_until"],
                status=row["status"],
                process_id=row["process"],
                version=row["version"],
                created_at=row["created_at"],
                updated_at=row["updated_at"],
            )
        )
    if revealed:
        async with transaction():
            for row in revealed:
                await record_audit(
                    "disabled.certificate.personal_data.read",
                    resource_type="disabled.certificate",
                    resource_id=row["id"],
                    org_path=row["org_path"],
                    changes={"fields": ["number"]},
                )
    return out


async def register(
    keys: Vault,
    *,
    person_id: uuid.UUID,
    org_id: uuid.UUID,
    org_path: str,
    id_number: str,
    category: str,
    grade: int,
    issued_on: dt.date,
    valid_until: dt.date,
    process_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """Write a certificate with its audit entry and signal, inside the caller's transaction.

    Used by the registration route and by the 残疾人证申领 process's ``issue`` step (``keys`` is the
    platform's vault: ``core.sdk.vault(state)``, or a step's ``ctx.vault``)."""
    number = certificate_number(id_number, category, grade)
    if number is None:
        raise Problem.invalid(("/id_number", "invalid_id_number"))
    index = keys.blind_index(ID_INDEX_FIELD, number[:18])
    held = (
        await DisabledCertificate.select(DisabledCertificate.id)
        .where(
            (DisabledCertificate.id_number_index == index)
            & (DisabledCertificate.category == category)
            & (DisabledCertificate.status != "cancelled")
        )
        .first()
        .run()
    )
    if held is not None:
        raise Problem(problems.CERTIFICATE_EXISTS)
    now = dt.datetime.now(dt.UTC)
    row = {
        "id": uuid.uuid4(),
        "person": person_id,
        "org": org_id,
        "org_path": org_path,
        "number_enc": keys.encrypt(NUMBER_FIELD, number),
        "id_number_index": index,
        "category": category,
        "grade": grade,
        "issued_on": issued_on,
        "valid_until": valid_until,
        "status": "valid",
        "process": process_id,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }
    await DisabledCertificate.insert(DisabledCertificate(**row)).run()
    await record_audit(
        "disabled.certificate.registered",
        resource_type="disabled.certificate",
        resource_id=row["id"],
        org_path=org_path,
        changes={"category": category, "grade": grade, "number": AUDIT_CHANGED},
    )
    await emit(
        CERTIFICATE_REGISTERED,
        _payload(row),
        resource_type="disabled.certificate",
        resource_id=row["id"],
        org_path=org_path,
    )
    return row


async def _visible(principal: Principal, permission: str, certificate_id: uuid.UUID) -> dict[str, Any]:
    row = await DisabledCertificate.select().where(DisabledCertificate.id == certificate_id).first().run()
    if row is None or not within(row["org_path"], principal.reach(permission)):
        raise Problem("not-found")
    return row  # type: ignore[no-any-return]


CertificateId = Annotated[uuid.UUID, PathParameter(description="Certificate id")]


class CertificateController(Controller):
    path = "/certificates"

    @get(
        "/",
        opt={"permission": CERTIFICATE_READ},
        summary="残疾人证登记列表",
        description="调用者权限范围内各残联登记的残疾人证，按登记顺序分页；可按类别、等级、状态筛选，"
        "或按持证人身份证号精确查找。证号脱敏显示，除非调用者在该组织有查看完整证号的权限（每次查看均记审计）。",
        summary_en="Disability certificates",
        description_en="The certificates registered by the federations within the caller's reach, oldest "
        "first, one page at a time; filter by category, grade and status, or find one by the holder's ID "
        "number. Numbers are masked unless the caller may see them in full there (each such read is audited).",
    )
    async def list_disabled_certificates(
        self,
        request: Request[Any, Any, Any],
        page: PageParam,
        category: Annotated[Category | None, QueryParameter(description="残疾类别")] = None,
        grade: Annotated[int | None, QueryParameter(ge=1, le=4, description="残疾等级")] = None,
        status: Annotated[Status | None, QueryParameter(description="证件状态")] = None,
        id_number: Annotated[
            str | None, QueryParameter(min_length=15, max_length=24, description="持证人身份证号（精确查找）")
        ] = None,
    ) -> Page[Certificate]:
        principal = _principal(request)
        clause = reach_clause(DisabledCertificate.org_path, principal.reach(CERTIFICATE_READ))
        if clause is None:
            return Page(items=[], next_cursor=None)
        if category is not None:
            clause &= DisabledCertificate.category == category
        if grade is not None:
            clause &= DisabledCertificate.grade == grade
        if status is not None:
            clause &= DisabledCertificate.status == status
        if id_number is not None:
            canonical = normalise_id_number(id_number)
            if canonical is None:
                raise Problem.invalid(("/id_number", "invalid_id_number"))
            clause &= DisabledCertificate.id_number_index == vault(request.app.state).blind_index(
                ID_INDEX_FIELD, canonical
            )
        key = [DisabledCertificate.created_at, DisabledCertificate.id]
        rows, cursor = await paginate(DisabledCertificate.select().where(clause), key, page)
        return Page(items=await _shown(request.app.state, principal, rows), next_cursor=cursor)

    @post(
        "/",
        opt={"permission": CERTIFICATE_MANAGE},
        summary="登记残疾人证",
        description="在调用者有管理权限的残联登记一张已核发的残疾人证（存量登记或迁入）；证号由身份证号、"
        "类别代码和等级代码组成，加密保存。同一人同一类别未注销的证只能有一张（409）。写入审计日志并发出信号。",
        summary_en="Register a certificate",
        description_en="Registers an issued certificate at a federation the caller manages (existing cards "
        "or moves); the number is the ID number followed by the category and grade digits, stored "
        "encrypted. One uncancelled certificate per person and category (409). Audited and signalled.",
    )
    async def register_disabled_certificate(
        self, request: Request[Any, Any, Any], data: JSONBody[CertificateIn]
    ) -> Response[Certificate]:
        principal = _principal(request)
        org = await Org.select(Org.path, Org.kind).where(Org.id == data.org_id).first().run()
        if org is None or not within(org["path"], principal.reach(CERTIFICATE_MANAGE)):
            raise Problem("not-found")
        errors: list[tuple[str, str]] = []
        if not org["kind"].startswith("disabled."):
            errors.append(("/org_id", problems.ORG_KIND))
        if normalise_id_number(data.id_number) is None:
            errors.append(("/id_number", "invalid_id_number"))
        if data.valid_until <= data.issued_on:
            errors.append(("/valid_until", problems.VALIDITY))
        if await person_facts(data.person_id) is None:
            errors.append(("/person_id", problems.UNKNOWN_PERSON))
        if errors:
            raise Problem.invalid(*errors)
        async with transaction():
            row = await register(
                vault(request.app.state),
                person_id=data.person_id,
                org_id=data.org_id,
                org_path=org["path"],
                id_number=data.id_number,
                category=data.category,
                grade=data.grade,
                issued_on=data.issued_on,
                valid_until=data.valid_until,
            )
        (shown,) = await _shown(request.app.state, principal, [row])
        return Response(shown, status_code=201, headers={"ETag": etag(row["version"])})

    @get(
        "/{certificate_id:uuid}",
        opt={"permission": CERTIFICATE_READ},
        summary="查看残疾人证",
        description="一张残疾人证；不在调用者权限范围内的与不存在的一样答复 404。证号脱敏规则同列表。",
        summary_en="A certificate",
        description_en="One certificate; one outside the caller's reach is answered 404, like a missing "
        "one. The number is masked as in the list.",
    )
    async def get_disabled_certificate(
        self, request: Request[Any, Any, Any], certificate_id: CertificateId
    ) -> Response[Certificate]:
        principal = _principal(request)
        row = await _visible(principal, CERTIFICATE_READ, certificate_id)
        (shown,) = await _shown(request.app.state, principal, [row])
        return Response(shown, headers={"ETag": etag(row["version"])})

    @patch(
        "/{certificate_id:uuid}",
        opt={"permission": CERTIFICATE_MANAGE, "if_match": "required"},
        summary="变更残疾人证（须 If-Match）",
        description="复评后变更等级（证号随之变更）、有效期或状态（有效、暂停、注销）；须带读取时的 ETag。"
        "写入审计日志并发出信号。",
        summary_en="Change a certificate (If-Match)",
        description_en="After a review: changes the grade (and with it the number), the validity or the "
        "status (valid, suspended, cancelled); send the ETag you read. Audited and signalled.",
    )
    async def update_disabled_certificate(
        self,
        request: Request[Any, Any, Any],
        certificate_id: CertificateId,
        data: JSONBody[CertificateUpdate],
        if_match: IfMatch = None,
    ) -> Response[Certificate]:
        principal = _principal(request)
        keys = vault(request.app.state)
        async with transaction():
            row = await _visible(principal, CERTIFICATE_MANAGE, certificate_id)
            if if_match is None:
                raise Problem("precondition-required")
            if if_match.strip() not in (etag(row["version"]), "W/" + etag(row["version"]), "*"):
                raise Problem(problems.CERTIFICATE_CHANGED, version=row["version"])
            changes: dict[Any, Any] = {}
            audit: dict[str, Any] = {}
            if data.grade is not msgspec.UNSET and data.grade != row["grade"]:
                number = keys.decrypt(NUMBER_FIELD, row["number_enc"])
                changes[DisabledCertificate.number_enc] = keys.encrypt(
                    NUMBER_FIELD, number[:-1] + str(data.grade)
                )
                changes[DisabledCertificate.grade] = data.grade
                audit["grade"] = [row["grade"], data.grade]
                audit["number"] = AUDIT_CHANGED
            if data.valid_until is not msgspec.UNSET and data.valid_until != row["valid_until"]:
                if data.valid_until <= row["issued_on"]:
                    raise Problem.invalid(("/valid_until", problems.VALIDITY))
                changes[DisabledCertificate.valid_until] = data.valid_until
                audit["valid_until"] = [row["valid_until"].isoformat(), data.valid_until.isoformat()]
            if data.status is not msgspec.UNSET and data.status != row["status"]:
                changes[DisabledCertificate.status] = data.status
                audit["status"] = [row["status"], data.status]
            if changes:
                changes[DisabledCertificate.version] = row["version"] + 1
                changes[DisabledCertificate.updated_at] = dt.datetime.now(dt.UTC)
                updated = (
                    await DisabledCertificate.update(changes)
                    .where(
                        (DisabledCertificate.id == certificate_id)
                        & (DisabledCertificate.version == row["version"])
                    )
                    .returning(*DisabledCertificate.all_columns())
                    .run()
                )
                if not updated:
                    raise Problem(problems.CERTIFICATE_CHANGED, version=row["version"] + 1)
                row = updated[0]
                await record_audit(
                    "disabled.certificate.changed",
                    resource_type="disabled.certificate",
                    resource_id=row["id"],
                    org_path=row["org_path"],
                    changes=audit,
                )
                await emit(
                    CERTIFICATE_CHANGED,
                    _payload(row),
                    resource_type="disabled.certificate",
                    resource_id=row["id"],
                    org_path=row["org_path"],
                )
        (shown,) = await _shown(request.app.state, principal, [row])
        return Response(shown, headers={"ETag": etag(row["version"])})
