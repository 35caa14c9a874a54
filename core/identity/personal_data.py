"""Personal data across the platform: declared per table, exported (PIPL Art. 45) and erased (Art. 47).

The core and every plugin declare the tables that hold personal data through the
``quntuan_personal_data`` hook, saying which column points at the person, which columns to clear on
erasure, and whether the rows are deleted, anonymised or kept under a legal hold (法定保存义务, e.g.
financial records). Export reads every declared table; erasure applies each declaration in one
transaction, so it happens completely or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import msgspec

from core.identity import audit, custody, persons
from core.identity.rules import require_outranks
from core.identity.signals import PERSON_ERASED, PersonChanged
from core.identity.tables import Account, Consent, Person, Post
from core.integration.signals import emit
from core.kernel.access import Principal
from core.kernel.errors import Problem
from core.kernel.i18n import Text
from core.kernel.vault import Vault

ERASED_NAME = "（已删除）"


class PersonalDataTable(msgspec.Struct, frozen=True, kw_only=True):
    """A table holding personal data, as the core or a plugin declares it.

    ``table`` is the Piccolo table class; ``person_column`` the column holding the person's id.
    ``on_erasure``: ``delete`` the rows, ``anonymise`` them (``fields`` maps each personal column to the
    value it is cleared to), or ``keep`` them under a legal hold (``retention`` says which law).
    ``hidden`` columns are left out of exports (hashes, blind indexes); ``encrypted`` maps ciphertext
    columns to the field name they were encrypted under, so exports show the plaintext.
    ``before_erasure(state, person_id)`` is awaited inside the erasure's transaction before the rows are
    touched, for data kept outside the database (stored files): it schedules their removal with
    ``core.kernel.db.after_commit``, so nothing is removed when the erasure rolls back.
    A table may be declared more than once (one declaration per column naming a person); its rows are
    exported once.
    """

    table: Any
    person_column: str
    on_erasure: Literal["delete", "anonymise", "keep"]
    fields: Mapping[str, Any] = msgspec.field(default_factory=dict)
    hidden: tuple[str, ...] = ()
    encrypted: Mapping[str, str] = msgspec.field(default_factory=dict)
    retention: Text | None = None
    before_erasure: Any = None


CORE_PERSONAL_DATA: tuple[PersonalDataTable, ...] = (
    PersonalDataTable(
        table=Person,
        person_column="id",
        on_erasure="anonymise",
        fields={
            "name": ERASED_NAME,
            "gender": None,
            "birth_date": None,
            "political_status": None,
            "ethnicity": None,
            "phone_enc": None,
            "phone_index": None,
            "id_number_enc": None,
            "id_number_index": None,
            "employer": None,
            "address": None,
        },
        hidden=("phone_index", "id_number_index"),
        encrypted={"phone_enc": "phone", "id_number_enc": "id_number"},
    ),
    PersonalDataTable(table=Account, person_column="person", on_erasure="delete", hidden=("password_hash",)),
    PersonalDataTable(
        table=Post,
        person_column="person",
        on_erasure="keep",
        retention=Text(
            zh_hans="任职记录属组织档案，依法保存",
            zh_hant="任職記錄屬組織檔案，依法保存",
            en="Post records are organisational records kept by law",
        ),
    ),
    PersonalDataTable(
        table=Consent,
        person_column="person",
        on_erasure="keep",
        retention=Text(
            zh_hans="同意记录用于证明处理的合法性",
            zh_hant="同意記錄用於證明處理的合法性",
            en="Consent records prove the lawfulness of past processing",
        ),
    ),
)


def _exported(row: dict[str, Any], decl: PersonalDataTable, vault: Vault) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key in decl.hidden:
            continue
        if key in decl.encrypted:
            out[decl.encrypted[key]] = vault.decrypt(decl.encrypted[key], value) if value else None
            continue
        out[key] = msgspec.to_builtins(value)
    return out


async def export(state: Any, principal: Principal, permission: str, person_id: uuid.UUID) -> dict[str, Any]:
    """Everything every declared table holds about the person, decrypted, grouped by table.

    It reaches every org's records of the person, so it needs custody of the person (their home org
    within reach; 403 when they are only visible, e.g. as a member), not only visibility."""
    row = await persons.find_visible(principal, permission, person_id, state.settings.timezone)
    custody.require_custody(principal, permission, row["home_org.path"])
    via = await audit.reading_orgs(principal, permission, [row["home_org.path"]])
    return await export_of(state, person_id, row["home_org.path"], via_orgs=via)


async def export_of(
    state: Any, person_id: uuid.UUID, org_path: str | None = None, via_orgs: list[str | None] | None = None
) -> dict[str, Any]:
    """The export of ``person_id`` for a caller already found entitled (a cadre with custody, or the
    person); the audit entry is seen by ``org_path`` and every org the person belongs to, and names the
    orgs through which a cadre exported (``via_orgs``, see :func:`core.identity.audit.reading_orgs`)."""
    vault: Vault = state.identity.vault
    tables: dict[str, list[dict[str, Any]]] = {}
    for decl in state.registry.personal_data:
        column = getattr(decl.table, decl.person_column)
        rows = await decl.table.select().where(column == person_id).run()
        exported = tables.setdefault(decl.table._meta.tablename, [])
        seen = {str(r.get("id")) for r in exported}
        exported.extend(_exported(r, decl, vault) for r in rows if str(r.get("id")) not in seen)
    concerned = await audit.paths_of_persons([person_id])
    async with state.db.transaction():
        await audit.record(
            "person.exported",
            resource_type="person",
            resource_id=person_id,
            org_path=org_path,
            org_paths=concerned,
            changes={"tables": sorted(tables), **({"via_orgs": via_orgs} if via_orgs is not None else {})},
        )
    return {"person_id": str(person_id), "exported_at": datetime.now(UTC).isoformat(), "tables": tables}


async def erase(state: Any, principal: Principal, permission: str, person_id: uuid.UUID) -> list[Any] | None:
    """Delete or anonymise the person's data everywhere, keeping only what a legal hold keeps.

    Erasure needs custody of the person (their home org within reach) and every permission the person
    holds (their account's grants and their posts'): 403 otherwise. A cadre whose reach over the person
    is only a membership does not erase them — the memberships within reach end instead (returned; None
    when the person was erased). A person visible through a post only: 403.
    """
    timezone = state.settings.timezone
    row = await persons.find_visible(principal, permission, person_id, timezone)
    path = row["home_org.path"]
    if not custody.in_custody(principal, permission, path):
        from core.members.services import end_memberships_within

        async with state.db.transaction():
            ended = await end_memberships_within(
                person_id, principal.reach(permission), reason="erasure_without_custody"
            )
        if not ended:
            raise Problem("forbidden")
        return ended
    require_outranks(principal, await custody.authority_of_person(person_id, persons.today(timezone)))
    async with state.db.transaction():
        await erase_rows(state, person_id, path)
    return None


async def erase_rows(state: Any, person_id: uuid.UUID, path: str | None) -> None:
    """The erasure itself, inside the caller's transaction (an approved erasure request calls it too);
    the audit entry is seen by ``path`` and every org the person belonged to.

    ``state`` needs ``registry`` (the personal-data declarations)."""
    concerned = await audit.paths_of_persons([person_id])  # before the erasure ends what links them
    summary: dict[str, str] = {}
    if await _discard_uploads(person_id):
        summary["core_import_job"] = "delete"
    for decl in state.registry.personal_data:
        table = decl.table
        where = getattr(table, decl.person_column) == person_id
        name = table._meta.tablename
        if decl.before_erasure is not None:
            await decl.before_erasure(state, person_id)
        if decl.on_erasure == "delete":
            await table.delete().where(where).run()
        elif decl.on_erasure == "anonymise" and decl.fields:
            await table.update({getattr(table, k): v for k, v in decl.fields.items()}).where(where).run()
        summary[name] = decl.on_erasure
    await (
        Person.update({Person.erased_at: datetime.now(UTC), Person.updated_at: datetime.now(UTC)})
        .where(Person.id == person_id)
        .run()
    )
    await audit.record(
        "person.erased",
        resource_type="person",
        resource_id=person_id,
        org_path=path,
        org_paths=concerned,
        changes=summary,
    )
    await emit(
        PERSON_ERASED,
        PersonChanged(person_id=person_id, fields=sorted(summary)),
        resource_type="person",
        resource_id=person_id,
        org_path=path,
    )


async def _discard_uploads(person_id: uuid.UUID) -> int:
    """Background imports still waiting whose upload names the person (by ID number or phone) are
    failed and their uploads deleted, so none brings the erased data back (see core.orgs.uploads)."""
    from core.orgs.uploads import discard_naming

    row = (
        await Person.select(Person.id_number_index, Person.phone_index)
        .where(Person.id == person_id)
        .first()
        .run()
    )
    return await discard_naming([row["id_number_index"], row["phone_index"]]) if row else 0
