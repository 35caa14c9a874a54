"""The one state machine of every process type: open, step, escalate, remind, refer, hold, reopen.

Every change of a process is a compare-and-set ``UPDATE … WHERE id = ? AND version = ?``: of N requests
acting on one version at once exactly one changes the row, on PostgreSQL (the losers' updates wait on
the row lock and then match nothing) and on SQLite (writes are serialised; the losers read the new
version). The step's history row takes the new version as its sequence number, so the history has no
gaps and no duplicates. A type's ``validate`` runs before the change and ``after`` after it, both in
the caller's transaction: when ``after`` raises, everything — the step, the plugin's own writes, the
signal and the audit entry — rolls back, and only that process is affected.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import msgspec

from core.identity import audit
from core.identity.persons import is_visible
from core.identity.tables import Post
from core.integration.signals import SignalType, emit
from core.kernel import preconditions
from core.kernel.access import Principal, Reach, within
from core.kernel.declarations.processes import (
    Deadline,
    ProcessContext,
    ProcessRejected,
    ProcessType,
    State,
    Transition,
)
from core.kernel.errors import FieldError, Problem, field_error_from_message
from core.kernel.settings import Locale
from core.kernel.vault import Vault, mask_id_number, mask_phone, normalise_id_number, normalise_phone
from core.orgs.paths import parent_path
from core.orgs.tables import Org
from core.processes import problems
from core.processes import signals as sig
from core.processes.permissions import PROCESS_HANDLE, PROCESS_PERSONAL_DATA, PROCESS_READ
from core.processes.tables import Process, ProcessStep

log = logging.getLogger("quntuan.processes")

#: ``due_at`` of a process with no deadline: sorts after every real one, so the queue's keyset order
#: (due_at, id) needs no NULL handling.
NO_DUE = datetime(9999, 12, 31, tzinfo=UTC)
#: Vault field the personal form fields are encrypted under.
VAULT_FIELD = "process_form"


def now() -> datetime:
    """The clock of processes; deadline passes take an explicit ``moment`` so tests control time."""
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


@dataclass(frozen=True)
class Env:
    """What the machine needs besides the database: declared types, plugins, the vault, the language."""

    registry: Any
    plugin_manager: Any
    vault: Vault
    locale: Locale = "zh-Hans"
    #: The platform's time zone (whose date decides which posts are held today).
    timezone: str = "Asia/Shanghai"

    @classmethod
    def of(cls, state: Any, locale: Locale = "zh-Hans") -> Env:
        return cls(
            state.registry, state.plugin_manager, state.identity.vault, locale, state.settings.timezone
        )

    def type(self, code: str) -> ProcessType:
        ptype = self.registry.process_types.get(code)
        if ptype is None:
            raise Problem(problems.UNKNOWN_TYPE, type=code)
        return ptype  # type: ignore[no-any-return]

    def owner(self, code: str) -> str:
        return self.registry.process_type_owner(code) or code.split(".", 1)[0]


# --- forms and personal data ---------------------------------------------------------------------------


def _mask(value: Any) -> Any:
    if not isinstance(value, str) or not value:
        return value
    if (phone := normalise_phone(value)) is not None:
        return mask_phone(phone)
    if (number := normalise_id_number(value)) is not None:
        return mask_id_number(number)
    return value[0] + "*" * min(len(value) - 1, 8) if len(value) > 1 else "*"


def convert_form(struct: Any, data: Mapping[str, Any], pointer: str, locale: Locale) -> Any:
    """``data`` as the declared Struct (422 naming the field when it does not fit); None without one."""
    if struct is None:
        if data:
            raise Problem.invalid((f"{pointer}/{next(iter(data))}", "unknown_field"), locale=locale)
        return None
    try:
        return msgspec.convert(dict(data), type=struct, strict=True)
    except msgspec.ValidationError as exc:
        error = field_error_from_message(str(exc), locale)
        inner = error.pointer if error.pointer != "/" else ""
        raise Problem.invalid(
            FieldError(pointer=pointer + inner, code=error.code, message=error.message), locale=locale
        ) from None


def seal_form(ptype: ProcessType, value: Any, vault: Vault) -> tuple[dict[str, Any], str | None]:
    """The form as stored: personal fields masked in ``form``, in clear only inside the ciphertext."""
    if value is None:
        return {}, None
    shown: dict[str, Any] = msgspec.to_builtins(value)
    personal = {k: shown[k] for k in ptype.personal_fields if shown.get(k) is not None}
    for key in personal:
        shown[key] = _mask(shown[key])
    token = vault.encrypt(VAULT_FIELD, msgspec.json.encode(personal).decode()) if personal else None
    return shown, token


def open_form(row: Mapping[str, Any], vault: Vault) -> dict[str, Any]:
    """The form with its personal fields in clear (for plugin hooks and permitted readers)."""
    form = dict(_json(row["form"]) or {})
    if row.get("personal_enc"):
        form.update(msgspec.json.decode(vault.decrypt(VAULT_FIELD, row["personal_enc"])))
    return form


def form_struct(ptype: ProcessType, row: Mapping[str, Any], vault: Vault) -> Any:
    if ptype.form is None:
        return None
    return msgspec.convert(open_form(row, vault), type=ptype.form, strict=False)


# --- who may do what -----------------------------------------------------------------------------------


def _merged_reach(principal: Principal, permissions: set[str]) -> list[Reach]:
    return [r for p in sorted(permissions) for r in principal.reach(p)]


def handling_permissions(registry: Any) -> set[str]:
    """Every permission a step of any declared type needs: whoever holds one handles processes there."""
    perms = {PROCESS_HANDLE}
    for ptype in registry.process_types.values():
        perms.update(t.permission for t in ptype.transitions if t.permission)
    return perms


def handling_reach(principal: Principal, registry: Any) -> list[Reach]:
    """Where the principal handles processes (any step's permission)."""
    return _merged_reach(principal, handling_permissions(registry))


def read_reach(principal: Principal, registry: Any) -> list[Reach]:
    return _merged_reach(principal, {PROCESS_READ, *handling_permissions(registry)})


def sensitive_types(registry: Any) -> dict[str, str]:
    """Type code → its own read permission, for the types that declare one (维权 cases…)."""
    return {code: t.read_permission for code, t in registry.process_types.items() if t.read_permission}


def may_read(principal: Principal, registry: Any, row: Mapping[str, Any]) -> bool:
    if principal.person_id is not None and principal.person_id == row["applicant"]:
        return True
    ptype = registry.process_types.get(row["type"])
    if ptype is not None and ptype.read_permission:
        reaches = principal.reach(ptype.read_permission)
    else:
        reaches = read_reach(principal, registry)
    return within(row["handler_path"], reaches) or within(row["org_path"], reaches)


def sees_personal(principal: Principal, row: Mapping[str, Any]) -> bool:
    if principal.person_id is not None and principal.person_id == row["applicant"]:
        return True
    return within(row["org_path"], principal.reach(PROCESS_PERSONAL_DATA)) or within(
        row["handler_path"], principal.reach(PROCESS_PERSONAL_DATA)
    )


async def _holds_post(principal: Principal, org_id: UUID, title: str) -> bool:
    if principal.person_id is None:
        return False
    today = date.today()
    return bool(
        await Post.exists()
        .where(
            (Post.person == principal.person_id)
            & (Post.org == org_id)
            & (Post.title == title)
            & (Post.start_date <= today)
            & ((Post.end_date.is_null()) | (Post.end_date >= today))
        )
        .run()
    )


def _permission_holds(principal: Principal, permission: str, level: str, path: str) -> bool:
    reaches = principal.reach(permission)
    if level == "org":
        return within(path, reaches)
    parent = parent_path(path)
    if level == "parent":
        return parent is not None and within(parent, reaches)
    return any(r.subtree and path.startswith(r.path) and path != r.path for r in reaches)


async def may_take(principal: Principal | None, t: Transition, row: Mapping[str, Any]) -> bool:
    if principal is None:  # the system (a deadline) may take any step
        return True
    if t.system:
        return False
    if t.applicant and principal.person_id is not None and principal.person_id == row["applicant"]:
        return True
    permission = t.permission or (None if (t.applicant or t.post) else PROCESS_HANDLE)
    if permission and _permission_holds(principal, permission, t.level, row["handler_path"]):
        return True
    return bool(t.post) and await _holds_post(principal, row["handler_org"], t.post)  # type: ignore[arg-type]


async def available(principal: Principal, ptype: ProcessType, row: Mapping[str, Any]) -> list[str]:
    if row["status"] != "open":
        return []
    return [
        t.code for t in ptype.transitions if row["state"] in t.sources and await may_take(principal, t, row)
    ]


# --- plugin callables, kept inside their plugin ----------------------------------------------------------


async def _call_plugin(env: Env, ptype: ProcessType, fn: Any, ctx: ProcessContext, what: str) -> None:
    """Run a type's ``validate``/``after``: a veto answers 422; any other failure is the plugin's, logged
    with its name and answered as ``process-action-failed`` — the caller's transaction rolls back."""
    try:
        result = fn(ctx)
        if inspect.isawaitable(result):
            await result
    except Problem:
        raise
    except ProcessRejected as exc:
        raise Problem.invalid(
            FieldError(pointer=exc.pointer, code=exc.code, message=exc.message.get(env.locale)),
            locale=env.locale,
        ) from None
    except Exception as exc:
        plugin = env.owner(ptype.code)
        log.error(
            "%s of process type %s (plugin %s) failed: %s", what, ptype.code, plugin, type(exc).__name__
        )
        raise Problem(problems.ACTION_FAILED, plugin=plugin) from None


# --- reading ---------------------------------------------------------------------------------------------


async def load(process_id: UUID) -> dict[str, Any] | None:
    return await Process.select().where(Process.id == process_id).first().run()  # type: ignore[no-any-return]


def _actor(principal: Principal | None) -> tuple[str, UUID | None]:
    if principal is None:
        return "system", None
    return principal.kind, principal.id


async def _org(org_id: UUID) -> dict[str, Any] | None:
    return await (  # type: ignore[no-any-return]
        Org.select(Org.id, Org.path, Org.kind, Org.parent, Org.status).where(Org.id == org_id).first().run()
    )


def _deadline_due(deadline: Deadline | None, moment: datetime, final: bool) -> datetime:
    if deadline is None or final:
        return NO_DUE
    return moment + timedelta(days=deadline.days)


def payload(row: Mapping[str, Any], action: str, from_state: str | None) -> sig.ProcessSignal:
    return sig.ProcessSignal(
        process_id=row["id"],
        type=row["type"],
        org_id=row["org"],
        handler_org_id=row["handler_org"],
        applicant_id=row["applicant"],
        action=action,
        from_state=from_state,
        state=row["state"],
        status=row["status"],
        outcome=row["outcome"],
        version=row["version"],
    )


async def _emit(signal: SignalType, row: Mapping[str, Any], action: str, from_state: str | None) -> None:
    await emit(
        signal,
        payload(row, action, from_state),
        resource_type="process",
        resource_id=row["id"],
        org_path=row["handler_path"],
    )


# --- writing ---------------------------------------------------------------------------------------------


async def _record_step(
    row: Mapping[str, Any],
    *,
    action: str,
    from_state: str | None,
    actor: Principal | None,
    comment: str = "",
    form: Mapping[str, Any] | None = None,
    seconds: int | None = None,
    moment: datetime,
) -> UUID:
    """Append the history row of the change that produced ``row`` (its version is the step's ``seq``) and
    its audit entry; returns the step's id (what an attachment of the step points at)."""
    kind, actor_id = _actor(actor)
    step_id = uuid4()
    await ProcessStep.insert(
        ProcessStep(
            id=step_id,
            process=row["id"],
            seq=row["version"],
            action=action,
            from_state=from_state,
            to_state=row["state"],
            actor_kind=kind,
            actor_id=actor_id,
            org_path=row["handler_path"],
            comment=comment,
            form=dict(form or {}),
            seconds_in_state=seconds,
            at=moment,
        )
    ).run()
    await audit.record(
        f"process.{action}",
        resource_type="process",
        resource_id=row["id"],
        org_path=row["handler_path"],
        # The org applied to, and the applicant's own orgs, see their process move too.
        org_paths=[row["org_path"], *await audit.paths_of_persons([row["applicant"]])],
        changes={
            "type": row["type"],
            "from_state": from_state,
            "state": row["state"],
            "status": row["status"],
        },
        actor=actor,
    )
    return step_id


async def compare_and_set(
    row: Mapping[str, Any], changes: dict[Any, Any], moment: datetime
) -> dict[str, Any]:
    """Write ``changes`` only if the process is still at ``row``'s version; 412 when someone was first."""
    changes = {**changes, Process.version: row["version"] + 1, Process.updated_at: moment}
    done = await (
        Process.update(changes)
        .where((Process.id == row["id"]) & (Process.version == row["version"]))
        .returning(*Process.all_columns())
        .run()
    )
    if not done:
        current = await Process.select(Process.version).where(Process.id == row["id"]).first().run()
        raise Problem(problems.PROCESS_CHANGED, version=current["version"] if current else row["version"])
    return done[0]  # type: ignore[no-any-return]


def check_if_match(row: Mapping[str, Any], if_match: str | None) -> None:
    preconditions.check_if_match(
        etag(row["version"]), if_match, changed=problems.PROCESS_CHANGED, version=row["version"]
    )


etag = preconditions.version_etag


async def open_process(
    env: Env,
    principal: Principal,
    *,
    type_code: str,
    org_id: UUID,
    applicant_id: UUID | None,
    form: Mapping[str, Any],
    moment: datetime | None = None,
    referred_from: UUID | None = None,
    comment: str = "",
) -> dict[str, Any]:
    """Open a process on ``org_id`` (inside the caller's transaction); returns its row."""
    moment = moment or now()
    ptype = env.type(type_code)
    org = await _org(org_id)
    if org is None or org["status"] != "active":
        raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    if ptype.org_kinds and org["kind"] not in ptype.org_kinds:
        raise Problem(problems.WRONG_ORG_KIND, type=type_code)
    if applicant_id is None:
        if principal.person_id is None:
            raise Problem(problems.NO_APPLICANT)
        applicant_id = principal.person_id
    elif applicant_id != principal.person_id and referred_from is None:
        if not within(org["path"], principal.reach(PROCESS_HANDLE)):
            raise Problem("forbidden")
        # On someone's behalf only for a person the cadre can see: approving the application (e.g. to
        # join the org) must not pull a person in from outside reach. Refused like an id naming nobody.
        if not await is_visible(principal, PROCESS_HANDLE, applicant_id, env.timezone):
            raise Problem.invalid(("/applicant_id", "invalid"), locale=env.locale)
    value = convert_form(ptype.form, form, "/form", env.locale)
    initial: State = ptype.state(ptype.initial)  # type: ignore[assignment]
    process_id = uuid4()
    if ptype.validate_open is not None:
        ctx = ProcessContext(
            process_id=process_id,
            type=type_code,
            org_id=org["id"],
            org_path=org["path"],
            handler_org_id=org["id"],
            applicant_id=applicant_id,
            transition="open",
            from_state="",
            to_state=initial.code,
            form=value,
            step_form=None,
            comment=comment,
            actor=principal,
            plugin_manager=env.plugin_manager,
            vault=env.vault,
        )
        await _call_plugin(env, ptype, ptype.validate_open, ctx, "validate_open")
    shown, token = seal_form(ptype, value, env.vault)
    row: dict[str, Any] = {
        "id": process_id,
        "type": type_code,
        "org": org["id"],
        "org_path": org["path"],
        "handler_org": org["id"],
        "handler_path": org["path"],
        "applicant": applicant_id,
        "opened_by": principal.id,
        "state": initial.code,
        "status": "open",
        "outcome": None,
        "assignee": None,
        "form": shown,
        "personal_enc": token,
        "due_at": _deadline_due(initial.deadline, moment, initial.final),
        "reminded": 0,
        "state_since": moment,
        "entered_by": "",
        "referred_from": referred_from,
        "referred_to": None,
        "version": 1,
        "opened_at": moment,
        "closed_at": None,
        "updated_at": moment,
    }
    await Process.insert(Process(**row)).run()
    await _record_step(
        row,
        action="referred_in" if referred_from else "open",
        from_state=None,
        actor=principal,
        comment=comment,
        moment=moment,
    )
    await _emit(sig.PROCESS_OPENED, row, "open", None)
    return row


async def step(
    env: Env,
    principal: Principal | None,
    row: dict[str, Any],
    t: Transition,
    *,
    comment: str = "",
    form: Mapping[str, Any] | None = None,
    moment: datetime | None = None,
    notice: tuple[str | None, str | None] = (None, None),
) -> dict[str, Any]:
    """Take transition ``t`` on ``row`` (already checked for access and If-Match by the caller)."""
    moment = moment or now()
    ptype = env.type(row["type"])
    if row["status"] != "open" or row["state"] not in t.sources:
        raise Problem(
            problems.TRANSITION_NOT_ALLOWED, state=row["state"], status=row["status"], transition=t.code
        )
    if not await may_take(principal, t, row):
        raise Problem(problems.NOT_YOUR_STEP, transition=t.code)
    if t.comment_required and not comment.strip():
        raise Problem.invalid(("/comment", "required"), locale=env.locale)
    step_value = convert_form(t.form, form or {}, "/form", env.locale)
    target: State = ptype.state(t.target)  # type: ignore[assignment]
    handler_org, handler_path = row["handler_org"], row["handler_path"]
    if t.handler == "home":
        handler_org, handler_path = row["org"], row["org_path"]
    elif t.handler == "form":
        named = open_form(row, env.vault).get(t.handler_field or "")
        try:
            to = await _org(UUID(str(named)))
        except ValueError:
            to = None
        if to is None or to["status"] != "active":
            raise Problem.invalid((f"/form/{t.handler_field}", "invalid"), locale=env.locale)
        handler_org, handler_path = to["id"], to["path"]
    elif t.handler == "step" and getattr(step_value, t.handler_field or "", None) is not None:
        try:
            to = await _org(UUID(str(getattr(step_value, t.handler_field or ""))))
        except ValueError:
            to = None
        if to is None or to["status"] != "active":
            raise Problem.invalid((f"/form/{t.handler_field}", "invalid"), locale=env.locale)
        handler_org, handler_path = to["id"], to["path"]
    elif t.handler == "parent":
        parent = await Org.select(Org.parent).where(Org.id == row["handler_org"]).first().run()
        if parent and parent["parent"] is not None:
            up = await _org(parent["parent"])
            if up is not None:
                handler_org, handler_path = up["id"], up["path"]
    ctx = ProcessContext(
        process_id=row["id"],
        type=row["type"],
        org_id=row["org"],
        org_path=row["org_path"],
        handler_org_id=handler_org,
        applicant_id=row["applicant"],
        transition=t.code,
        from_state=row["state"],
        to_state=target.code,
        form=form_struct(ptype, row, env.vault),
        step_form=step_value,
        comment=comment,
        actor=principal,
        plugin_manager=env.plugin_manager,
        vault=env.vault,
    )
    if t.validate is not None:
        await _call_plugin(env, ptype, t.validate, ctx, "validate")
    new = await compare_and_set(
        row,
        {
            Process.state: target.code,
            Process.status: "closed" if target.final else "open",
            Process.outcome: target.outcome if target.final else None,
            Process.handler_org: handler_org,
            Process.handler_path: handler_path,
            Process.due_at: _deadline_due(t.deadline or target.deadline, moment, target.final),
            Process.reminded: 0,
            Process.state_since: moment,
            Process.entered_by: t.code,
            Process.closed_at: moment if target.final else None,
        },
        moment,
    )
    seconds = int((moment - utc(row["state_since"])).total_seconds())  # type: ignore[operator]
    shown = msgspec.to_builtins(step_value) if step_value is not None else {}
    await _record_step(
        new,
        action=t.code,
        from_state=row["state"],
        actor=principal,
        comment=comment,
        form=shown,
        seconds=max(seconds, 0),
        moment=moment,
    )
    await _emit(sig.PROCESS_STEPPED, new, t.code, row["state"])
    if target.final:
        await _emit(sig.PROCESS_CLOSED, new, t.code, row["state"])
        await _close_referrers(env, new, moment)
    if t.publish_notice:
        from core.processes import notices

        await notices.publish_for_process(
            env, principal, new, ptype, title=notice[0], body=notice[1], moment=moment
        )
    if t.after is not None:
        await _call_plugin(env, ptype, t.after, ctx, "after")
    return new


async def _close_referrers(env: Env, row: Mapping[str, Any], moment: datetime) -> None:
    """A referred process reached its outcome: each sender up the chain closes with it (read-only sight)."""
    source_id = row["referred_from"]
    while source_id is not None:
        source = await load(source_id)
        if source is None or source["status"] != "referred":
            return
        closed = await compare_and_set(
            source,
            {
                Process.status: "closed",
                Process.outcome: row["outcome"],
                Process.closed_at: moment,
                Process.due_at: NO_DUE,
            },
            moment,
        )
        await _record_step(
            closed,
            action="referral_closed",
            from_state=source["state"],
            actor=None,
            form={"process_id": str(row["id"]), "outcome": row["outcome"]},
            moment=moment,
        )
        await _emit(sig.PROCESS_CLOSED, closed, "referral_closed", source["state"])
        source_id = source["referred_from"]


def current_deadline(ptype: ProcessType, row: Mapping[str, Any]) -> Deadline | None:
    """The deadline of the current state: the entering transition's own, else the state's."""
    entered = ptype.transition(row["entered_by"] or "")
    if entered is not None and entered.deadline is not None:
        return entered.deadline
    state = ptype.state(row["state"])
    return state.deadline if state is not None else None


async def escalate(env: Env, row: dict[str, Any], moment: datetime) -> dict[str, Any] | None:
    """A deadline passed: hand the process to the parent of its handling org, clock restarted."""
    ptype = env.type(row["type"])
    parent_id = (await Org.select(Org.parent).where(Org.id == row["handler_org"]).first().run() or {}).get(
        "parent"
    )
    up = await _org(parent_id) if parent_id is not None else None
    if up is None:  # at the root already: remind instead
        return await remind(env, row, moment)
    new = await compare_and_set(
        row,
        {
            Process.handler_org: up["id"],
            Process.handler_path: up["path"],
            Process.due_at: _deadline_due(current_deadline(ptype, row), moment, False),
            Process.reminded: 0,
        },
        moment,
    )
    await _record_step(new, action="escalate", from_state=row["state"], actor=None, moment=moment)
    await _emit(sig.PROCESS_ESCALATED, new, "escalate", row["state"])
    return new


async def remind(env: Env, row: dict[str, Any], moment: datetime) -> dict[str, Any]:
    new = await compare_and_set(row, {Process.reminded: 1}, moment)
    await _record_step(new, action="remind", from_state=row["state"], actor=None, moment=moment)
    await _emit(sig.PROCESS_OVERDUE, new, "remind", row["state"])
    return new


async def apply_deadline(env: Env, row: dict[str, Any], moment: datetime) -> dict[str, Any] | None:
    """Do what the current state's deadline says, as the system."""
    ptype = env.type(row["type"])
    deadline = current_deadline(ptype, row)
    if deadline is None:
        return None
    if deadline.action == "escalate":
        return await escalate(env, row, moment)
    if deadline.action == "transition":
        t = ptype.transition(deadline.transition or "")
        if t is not None:
            return await step(env, None, row, t, comment="", moment=moment)
    return await remind(env, row, moment)


def referral_targets(registry: Any, ptype: ProcessType, org_kind: str) -> list[ProcessType]:
    """Types a process of ``ptype`` may become at an org of ``org_kind``: itself where the kind runs it,
    then every type that declares it accepts ``ptype`` (``referral_from``) and runs on that kind."""
    found = [ptype] if not ptype.org_kinds or org_kind in ptype.org_kinds else []
    for other in registry.process_types.values():
        runs_there = not other.org_kinds or org_kind in other.org_kinds
        accepts = ptype.code in other.referral_from or other.code in ptype.refers_to
        if other is not ptype and accepts and runs_there:
            found.append(other)
    return found


async def refer(
    env: Env,
    principal: Principal,
    row: dict[str, Any],
    *,
    org_id: UUID,
    type_code: str | None,
    comment: str,
    moment: datetime | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Hand ``row`` to another org (转办): a new process there, the sender's kept as ``referred``."""
    moment = moment or now()
    ptype = env.type(row["type"])
    if row["status"] != "open":
        raise Problem(
            problems.TRANSITION_NOT_ALLOWED, state=row["state"], status=row["status"], transition="refer"
        )
    if not within(row["handler_path"], principal.reach(PROCESS_HANDLE)):
        raise Problem(problems.NOT_YOUR_STEP, transition="refer")
    if type_code is not None and type_code in ptype.refers_to and type_code not in env.registry.process_types:
        raise Problem(problems.REFERRAL_TYPE_MISSING, type=type_code)
    target_org = await _org(org_id)
    if target_org is None or target_org["status"] != "active" or target_org["id"] == row["handler_org"]:
        raise Problem.invalid(("/org_id", "invalid"), locale=env.locale)
    candidates = referral_targets(env.registry, ptype, target_org["kind"])
    if type_code is not None:
        candidates = [c for c in candidates if c.code == type_code]
    if not candidates:
        raise Problem(problems.REFERRAL_NOT_ACCEPTED, type=row["type"])
    target_type = candidates[0]
    clear = open_form(row, env.vault)
    if target_type.form is not None:
        fields = set(target_type.form.__struct_fields__)
        clear = {k: v for k, v in clear.items() if k in fields}
    else:
        clear = {}
    try:
        new = await open_process(
            env,
            principal,
            type_code=target_type.code,
            org_id=org_id,
            applicant_id=row["applicant"],
            form=clear,
            moment=moment,
            referred_from=row["id"],
            comment=comment,
        )
    except Problem as exc:
        if exc.problem.code == "validation-failed":  # the target type's form needs what the source lacks
            raise Problem(problems.REFERRAL_NOT_ACCEPTED, type=row["type"]) from None
        raise
    source = await compare_and_set(
        row, {Process.status: "referred", Process.referred_to: new["id"], Process.due_at: NO_DUE}, moment
    )
    await _record_step(
        source,
        action="refer",
        from_state=row["state"],
        actor=principal,
        comment=comment,
        form={"org_id": str(org_id), "process_id": str(new["id"]), "type": target_type.code},
        moment=moment,
    )
    await emit(
        sig.PROCESS_REFERRED,
        sig.ReferralSignal(
            process_id=row["id"],
            to_process_id=new["id"],
            type=row["type"],
            to_type=target_type.code,
            from_org_id=row["handler_org"],
            to_org_id=org_id,
        ),
        resource_type="process",
        resource_id=row["id"],
        org_path=row["handler_path"],
    )
    return source, new


async def object_to(env: Env, process_id: UUID, notice_id: UUID, moment: datetime) -> None:
    """An objection was filed against a notice of the process: hold it, or reopen it for review."""
    row = await load(process_id)
    if row is None:
        return
    ptype = env.type(row["type"])
    if ptype.on_objection == "reopen" and ptype.reopen_state is not None:
        target: State = ptype.state(ptype.reopen_state)  # type: ignore[assignment]
        changes = {
            Process.state: target.code,
            Process.status: "closed" if target.final else "open",
            Process.outcome: target.outcome if target.final else None,
            Process.closed_at: moment if target.final else None,
            Process.handler_org: row["handler_org"],
            Process.due_at: _deadline_due(target.deadline, moment, target.final),
            Process.state_since: moment,
            Process.entered_by: "",
            Process.reminded: 0,
        }
        action = "objection_reopened"
    elif row["status"] in ("open", "closed"):
        changes = {Process.status: "held"}
        action = "objection_held"
    else:
        return
    new = await compare_and_set(row, changes, moment)
    await _record_step(
        new,
        action=action,
        from_state=row["state"],
        actor=None,
        form={"notice_id": str(notice_id)},
        moment=moment,
    )
    await _emit(sig.PROCESS_HELD, new, action, row["state"])


async def release(env: Env, process_id: UUID, principal: Principal, decision: str, moment: datetime) -> None:
    """Every objection of a held process is resolved: it goes on where it was (open, or closed if final)."""
    row = await load(process_id)
    if row is None or row["status"] != "held":
        return
    ptype = env.type(row["type"])
    state = ptype.state(row["state"])
    status = "closed" if state is not None and state.final else "open"
    new = await compare_and_set(row, {Process.status: status}, moment)
    await _record_step(
        new,
        action="objection_released",
        from_state=row["state"],
        actor=principal,
        form={"decision": decision},
        moment=moment,
    )
    await _emit(sig.PROCESS_HELD, new, "objection_released", row["state"])


async def may_assign(principal: Principal, registry: Any, row: Mapping[str, Any]) -> bool:
    """Whoever may handle the process where it is handled may (re)assign it."""
    return row["status"] == "open" and within(row["handler_path"], handling_reach(principal, registry))


async def assign(row: dict[str, Any], principal: Principal, assignee: UUID | None) -> dict[str, Any]:
    moment = now()
    new = await compare_and_set(row, {Process.assignee: assignee}, moment)
    await _record_step(
        new,
        action="assign",
        from_state=row["state"],
        actor=principal,
        form={"assignee_id": str(assignee) if assignee else None},
        moment=moment,
    )
    return new
