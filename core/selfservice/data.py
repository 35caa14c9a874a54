"""Your data (PIPL): export (Art. 45), consents, correction (Art. 46) and erasure (Art. 47) requests,
who read your unmasked ID number or phone (Art. 44), your sessions, and closing your account.

Correction and erasure are requests the person files; the org that controls the data — the person's
home org — handles them as processes (``core.correction``, ``core.erasure``) with ``core.process.handle``.
Approving a correction writes the corrected fields (validated as a cadre's edit would be); approving an
erasure erases the person's data in the step's transaction, keeping what a legal hold keeps (the holds
are listed in ``GET /me/data`` before anyone asks).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

from core.identity.tables import Account, AuditEntry, Person
from core.kernel.declarations.processes import ProcessContext, ProcessRejected, ProcessType, State, Transition
from core.kernel.i18n import Text
from core.kernel.vault import normalise_id_number, normalise_phone
from core.orgs.tables import Org

#: Audit actions that reveal a person's unmasked ID number or phone to whoever took them: an export, and
#: a read of unmasked fields (one ``person.personal_data.read`` entry per person an answer revealed).
READ_ACTIONS = ("person.exported", "person.personal_data.read")


def _t(zh_hans: str, zh_hant: str, en: str) -> Text:
    return Text(zh_hans=zh_hans, zh_hant=zh_hant, en=en)


class CorrectionForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What is wrong in the record, and the right values (only the fields given change)."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)] | None = None
    id_number: Annotated[str, msgspec.Meta(min_length=15, max_length=32)] | None = None
    phone: Annotated[str, msgspec.Meta(min_length=5, max_length=32)] | None = None
    employer: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    address: Annotated[str, msgspec.Meta(max_length=300)] | None = None
    statement: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class ErasureForm(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    statement: Annotated[str, msgspec.Meta(max_length=1000)] = ""


async def _check_correction(ctx: ProcessContext) -> None:
    form: CorrectionForm = ctx.form
    fields = [
        f for f in ("name", "id_number", "phone", "employer", "address") if getattr(form, f) is not None
    ]
    if not fields:
        raise ProcessRejected(
            "/form", "required", _t("请至少填写一项更正", "請至少填寫一項更正", "Name at least one field")
        )
    if form.id_number is not None and normalise_id_number(form.id_number) is None:
        raise ProcessRejected(
            "/form/id_number", "invalid_id_number", _t("身份证号无效", "身分證號無效", "Invalid ID number")
        )
    if form.phone is not None and normalise_phone(form.phone) is None:
        raise ProcessRejected(
            "/form/phone", "invalid_phone", _t("手机号无效", "手機號無效", "Invalid mobile number")
        )


async def apply_correction(ctx: ProcessContext) -> None:
    """On approval: the corrected fields are written to the record (one ID number, one person)."""
    from core.identity import audit

    await _check_correction(ctx)
    form: CorrectionForm = ctx.form
    vault = ctx.vault
    values: dict[Any, Any] = {}
    changed: dict[str, str] = {}
    if form.name is not None:
        values[Person.name] = " ".join(form.name.split())
        changed["name"] = audit.CHANGED
    if form.id_number is not None:
        number = normalise_id_number(form.id_number)
        index = vault.blind_index("id_number", number)
        if (
            await Person.exists()
            .where((Person.id_number_index == index) & (Person.id != ctx.applicant_id))
            .run()
        ):
            raise ProcessRejected(
                "/form/id_number",
                "duplicate",
                _t(
                    "该身份证号已属于他人档案",
                    "該身分證號已屬於他人檔案",
                    "Another record has this ID number",
                ),
            )
        values[Person.id_number_enc] = vault.encrypt("id_number", number)
        values[Person.id_number_index] = index
        changed["id_number"] = audit.CHANGED
    if form.phone is not None:
        phone = normalise_phone(form.phone)
        values[Person.phone_enc] = vault.encrypt("phone", phone)
        values[Person.phone_index] = vault.blind_index("phone", phone)
        changed["phone"] = audit.CHANGED
    for field in ("employer", "address"):
        if getattr(form, field) is not None:
            values[getattr(Person, field)] = getattr(form, field)
            changed[field] = audit.CHANGED
    values[Person.updated_at] = datetime.now(UTC)
    await Person.update(values).where(Person.id == ctx.applicant_id).run()
    await audit.record(
        "person.corrected",
        resource_type="person",
        resource_id=ctx.applicant_id,
        org_path=ctx.org_path,
        changes={**changed, "process": str(ctx.process_id)},
        actor=ctx.actor,
    )


async def apply_erasure(ctx: ProcessContext) -> None:
    """On approval: the person's data is erased in the step's transaction (legal holds kept)."""
    from core.identity.personal_data import erase_rows
    from core.selfservice.inbox import _state

    state = _state.get("app")
    if state is None:
        raise RuntimeError("no app state bound for erasure")
    await erase_rows(state, ctx.applicant_id, ctx.org_path)


def _request_type(
    code: str, name: Text, form: Any, personal: tuple[str, ...], after: Any, validate: Any
) -> ProcessType:
    return ProcessType(
        code=code,
        name=name,
        form=form,
        personal_fields=personal,
        initial="submitted",
        validate_open=validate,
        states=(
            State(code="submitted", name=_t("待处理", "待處理", "Submitted")),
            State(code="done", name=_t("已办结", "已辦結", "Done"), final=True, outcome="approved"),
            State(code="refused", name=_t("不予办理", "不予辦理", "Refused"), final=True, outcome="rejected"),
            State(
                code="withdrawn", name=_t("已撤回", "已撤回", "Withdrawn"), final=True, outcome="withdrawn"
            ),
        ),
        transitions=(
            Transition(
                code="approve",
                name=_t("同意并办理", "同意並辦理", "Approve and carry out"),
                sources=("submitted",),
                target="done",
                after=after,
            ),
            Transition(
                code="refuse",
                name=_t("不予办理（须说明理由）", "不予辦理（須說明理由）", "Refuse (with a reason)"),
                sources=("submitted",),
                target="refused",
                comment_required=True,
            ),
            Transition(
                code="withdraw",
                name=_t("撤回", "撤回", "Withdraw"),
                sources=("submitted",),
                target="withdrawn",
                applicant=True,
            ),
        ),
    )


CORRECTION_TYPE = _request_type(
    "core.correction",
    _t("个人信息更正申请", "個人資訊更正申請", "Request to correct personal data"),
    CorrectionForm,
    ("name", "id_number", "phone", "employer", "address"),
    apply_correction,
    _check_correction,
)
ERASURE_TYPE = _request_type(
    "core.erasure",
    _t("个人信息删除申请", "個人資訊刪除申請", "Request to erase personal data"),
    ErasureForm,
    (),
    apply_erasure,
    None,
)


async def holdings(registry: Any, person_id: UUID, locale: Any) -> list[dict[str, Any]]:
    """Per declared table: how many rows name the person, and what erasure does to them (holds shown)."""
    out: dict[str, dict[str, Any]] = {}
    for decl in registry.personal_data:
        name = decl.table._meta.tablename
        count = await decl.table.count().where(getattr(decl.table, decl.person_column) == person_id).run()
        entry = out.setdefault(
            name, {"table": name, "rows": 0, "on_erasure": decl.on_erasure, "retention": None}
        )
        entry["rows"] = max(entry["rows"], count)
        if decl.retention is not None:
            entry["retention"] = decl.retention.get(locale)
    return [e for e in out.values() if e["rows"]]


async def readers(person_id: UUID, limit: int = 100) -> list[dict[str, Any]]:
    """The latest accesses that showed the person's unmasked data (PIPL Art. 44), newest first: when, what
    (the fields read, or the tables exported), by whom in kind only (an account, an API client, the
    person), and through which orgs — their ids and names, or ``None`` for a platform-wide grant. Nothing
    of the reader's own: no name, no account id."""
    rows = (
        await AuditEntry.select(
            AuditEntry.at, AuditEntry.actor_kind, AuditEntry.actor_id, AuditEntry.action, AuditEntry.changes
        )
        .where(
            (AuditEntry.resource_type == "person")
            & (AuditEntry.resource_id == str(person_id))
            & AuditEntry.action.is_in(list(READ_ACTIONS))
        )
        .order_by(AuditEntry.seq, ascending=False)
        .limit(limit)
        .run()
    )
    own = {str(a["id"]) for a in await Account.select(Account.id).where(Account.person == person_id).run()}
    changes = [_changes(r["changes"]) for r in rows]
    org_ids = {UUID(i) for c in changes for i in c.get("via_orgs", ()) if i}
    names = (
        {
            o["id"]: o["name"]
            for o in await Org.select(Org.id, Org.name).where(Org.id.is_in(list(org_ids))).run()
        }
        if org_ids
        else {}
    )
    out = []
    for row, change in zip(rows, changes, strict=True):
        via = [UUID(i) if i else None for i in change.get("via_orgs", ())]
        out.append(
            {
                "at": row["at"],
                "action": row["action"],
                "actor_kind": row["actor_kind"],
                "yourself": row["actor_kind"] == "account" and row["actor_id"] in own,
                "fields": list(change.get("fields", ())),
                "tables": list(change.get("tables", ())),
                "orgs": [{"id": i, "name": names.get(i) if i else None} for i in via],
            }
        )
    return out


def _changes(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}
